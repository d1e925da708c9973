"""The time axis: a training year, then 36 monthly intakes of the same synthetic clinic.

One pool of synthetic patients is drawn once per (volume, seed, setting) with
:func:`teachkit.cohort.make_cohort`, so every month comes from the same causal
structure and seed:

- rows ``[0, 12 v)``: the training window, the twelve months before go-live (``v`` =
  ``monthly_volume``); the local model is a logistic regression fitted on them;
- then :data:`POOL_FACTOR` ``v`` candidates for each of the 36 months after go-live; a
  month's intake is ``v`` of them (fewer in a shock), drawn with the drift events'
  weights by one key per patient (Efraimidis-Spirakis), so with no event the intake is a
  plain random sample and an event changes only the months it acts in.

The size: 1,000 a month by default (about 7 or 8 crises a month at the sourced
primary-care rate of 0.75 % within 12 months), so a year's AUC rests on about 90 crises
(a month's is noisy) and a new 36-month run (84,000 synthetic patients drawn, one model
fitted) stays under a second; the scores are a linear function, so the
months are scored with one matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..cohort import LESSON_CRISIS_RATES, make_cohort
from ..consequences import GROUP_ATTRIBUTES
from ..models import FEATURES, feature_matrix

__all__ = ["MONTHS", "TRAINING_MONTHS", "POOL_FACTOR", "VENDOR_SETTING", "VENDOR_SIZE",
           "Pool", "pool", "LinearModel", "fit_model", "local_model", "vendor_model",
           "MISSING_FEATURE", "MISSING_COLUMN"]

MONTHS = 36
TRAINING_MONTHS = 12
POOL_FACTOR = 2
#: The vendor trained its model at specialty mental-health clinics (A), on this many
#: synthetic patients, and its card reports the AUC on a held-out half of them.
VENDOR_SETTING = "specialty"
VENDOR_SIZE = 12_000
#: The feature the pipeline bug blanks: the GAD-7 total, which stops arriving after an
#: update of the questionnaire form (read as 0). Of the model's features it is the one
#: whose loss changes most what the model does (alerts about halve) while the PSI of the
#: scores stays green.
MISSING_FEATURE = "gad7_total"
MISSING_COLUMN = FEATURES.index(MISSING_FEATURE)


@dataclass(frozen=True, eq=False)
class Pool:
    """Every synthetic patient the time axis can draw on, as arrays (read-only)."""

    volume: int
    X: np.ndarray
    crisis: np.ndarray
    severity: np.ndarray
    limited_english: np.ndarray
    groups: pd.DataFrame
    patient_id: np.ndarray
    keys: np.ndarray
    thin_u: np.ndarray
    code_u: np.ndarray

    def month_rows(self, month: int) -> np.ndarray:
        """The candidates for ``month`` (1-36): row indices into the pool."""
        start = TRAINING_MONTHS * self.volume + (month - 1) * POOL_FACTOR * self.volume
        return np.arange(start, start + POOL_FACTOR * self.volume)

    @property
    def training_rows(self) -> np.ndarray:
        return np.arange(TRAINING_MONTHS * self.volume)


@lru_cache(maxsize=4)
def pool(volume: int, seed: int, setting: str) -> Pool:
    """The pool for this volume, seed and setting (drawn once, shared)."""
    n = (TRAINING_MONTHS + POOL_FACTOR * MONTHS) * volume
    cohort = make_cohort(n, seed=seed, setting=setting,
                         crisis_rate=LESSON_CRISIS_RATES[setting])  # the lessons' rate
    rng = np.random.default_rng([seed, 61])
    u = rng.random((3, n))
    arrays = dict(
        X=feature_matrix(cohort), crisis=cohort["crisis"].to_numpy(),
        severity=cohort["severity"].to_numpy(),
        limited_english=(cohort["language"] == "Limited English").to_numpy(),
        patient_id=cohort["patient_id"].to_numpy(), keys=u[0], thin_u=u[1], code_u=u[2])
    for value in arrays.values():
        value.setflags(write=False)
    groups = cohort[list(GROUP_ATTRIBUTES)].reset_index(drop=True)
    return Pool(volume=volume, groups=groups, **arrays)


@dataclass(frozen=True)
class LinearModel:
    """A fitted logistic model as one weight vector, plus a recalibration on its logit.

    risk = expit(cal_a + cal_b * (X @ w + b)).
    """

    w: np.ndarray
    b: float
    cal_a: float = 0.0
    cal_b: float = 1.0
    version: str = "v1"

    def logit(self, X: np.ndarray) -> np.ndarray:
        return X @ self.w + self.b

    def risk(self, X: np.ndarray) -> np.ndarray:
        return np.exp(-np.logaddexp(0, -(self.cal_a + self.cal_b * self.logit(X))))

    def recalibrated(self, X: np.ndarray, y: np.ndarray, version: str) -> LinearModel:
        """Logistic recalibration (intercept and slope) on labelled patients."""
        a, b = _fit_recalibration(self.logit(X), np.asarray(y, dtype=float))
        return LinearModel(self.w, self.b, a, b, version)


def _fit_recalibration(z: np.ndarray, y: np.ndarray, steps: int = 25):
    """Newton steps for y ~ expit(a + b z); (0, 1) if there is nothing to learn."""
    if y.sum() == 0 or y.sum() == len(y):
        return 0.0, 1.0
    beta = np.array([0.0, 1.0])
    design = np.column_stack([np.ones_like(z), z])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(design @ beta)))
        grad = design.T @ (y - p)
        hess = design.T @ (design * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.abs(step).max() < 1e-8:
            break
    return float(beta[0]), float(beta[1])


def fit_model(X: np.ndarray, y: np.ndarray, *, version: str = "v1") -> LinearModel:
    """Fit the lessons' logistic regression (standardised features, an L2 penalty of
    one half, as :func:`teachkit.models.make_model` ``"logistic"``) by Newton steps, and
    keep it as one weight vector: a refit inside the 36 months costs milliseconds.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 2))
    >>> y = rng.random(2000) < 1 / (1 + np.exp(-(X[:, 0] - 1)))
    >>> m = fit_model(X, y)
    >>> round(float(m.w[0]), 1), round(float(m.w[1]), 1)
    (0.9, 0.0)
    """
    with threadpool_limits(limits=1, user_api="blas"):  # 2 shared cores: threads cost more
        return _fit(X, y, version)


def _fit(X, y, version):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    design = np.column_stack([np.ones(len(X)), (X - mean) / scale])
    penalty = np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(max(y.mean(), 1e-6) / max(1 - y.mean(), 1e-6))
    def loss(b):
        z = design @ b
        return float(np.sum(np.logaddexp(0, z) - y * z) + 0.5 * b @ penalty @ b)

    current = loss(beta)
    for _ in range(50):
        p = np.exp(-np.logaddexp(0, -(design @ beta)))
        grad = design.T @ (y - p) - penalty @ beta
        hess = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        size = 1.0
        while size > 1e-4 and loss(beta + size * step) > current:  # damped Newton
            size /= 2
        beta = beta + size * step
        new = loss(beta)
        if current - new <= 1e-9 * max(1.0, abs(current)) or np.abs(size * step).max() < 1e-7:
            break
        current = new
    w = beta[1:] / scale
    w.setflags(write=False)
    return LinearModel(w, float(beta[0] - np.sum(w * mean)), version=version)


@lru_cache(maxsize=8)
def local_model(volume: int, seed: int, setting: str) -> LinearModel:
    """The model trained on the clinic's own training window."""
    p = pool(volume, seed, setting)
    rows = p.training_rows
    return fit_model(p.X[rows], p.crisis[rows], version="v1 (our last year)")


@lru_cache(maxsize=4)
def vendor_model(seed: int) -> tuple[LinearModel, float]:
    """The vendor's model and the AUC its card reports (its own held-out half)."""
    from .monitors import auc

    cohort = make_cohort(VENDOR_SIZE, seed=seed, setting=VENDOR_SETTING,
                         crisis_rate=LESSON_CRISIS_RATES[VENDOR_SETTING])
    X, y = feature_matrix(cohort), cohort["crisis"].to_numpy()
    half = VENDOR_SIZE // 2
    model = fit_model(X[:half], y[:half], version="v1 (the vendor's)")
    return model, auc(y[half:], model.risk(X[half:]))
