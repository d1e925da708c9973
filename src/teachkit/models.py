"""Toy triage models: who needs urgent mental-health follow-up?

Four scorers, all scikit-learn estimators with ``fit`` and ``predict_proba``:

- :class:`RuleScreener`: the usual questionnaire rule, PHQ-9 total >= 10 or any answer
  above "not at all" on item 9 (thoughts of self-harm). It learns nothing.
- logistic regression and gradient boosting, trained on the questionnaires (everybody
  fills them in at the visit) and what the records show;
- a record-based logistic regression (``"records"``), like the suicide-risk models run
  on health records (Coley et al. 2021): it reads the questionnaires only of the
  patients screened in routine care, and otherwise the record (diagnosis, treatment,
  visits, recorded self-harm). Groups screened less are seen less.

Every patient is scored by a model that never saw them (two-fold cross-fitting), and the
scores are cached by everything that shapes the model, so moving a threshold or a
capacity never retrains.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._cache import register
from ._validation import Options, TeachkitError, check_param, check_seed

__all__ = [
    "cross_fit_folds",
    "FEATURES",
    "MODEL_KINDS",
    "RuleScreener",
    "make_model",
    "feature_matrix",
    "cross_fitted_scores",
    "fit_fold_models",
    "training_target",
]

#: What a model may read: the questionnaires and what the records show. Never the true
#: severity, the crisis, ethnicity, language or insurance.
FEATURES = (
    "age",
    "female",
    *(f"phq{i}" for i in range(1, 10)),
    "gad7_total",
    "diagnosed",
    "treated",
    "visits_past_year",
    "self_harm_recorded",
)
#: What the record-based model reads: the same, plus whether the patient was screened;
#: the questionnaire columns are zero for patients who were not screened.
RECORD_FEATURES = (*FEATURES, "screened")
_QUESTIONNAIRE = frozenset({*(f"phq{i}" for i in range(1, 10)), "gad7_total"})

MODEL_KINDS = ("rule", "logistic", "boosting", "records")
RULE_PHQ9_CUTOFF = 10
#: The rule's points: PHQ-9 total, plus this when item 9 is above zero; flagged at >= 10.
RULE_ITEM9_POINTS = 10
_RULE_MAX_POINTS = 27 + RULE_ITEM9_POINTS


class RuleScreener(ClassifierMixin, BaseEstimator):
    """The usual screening rule: flag PHQ-9 >= 10 or any thoughts of self-harm.

    It learns nothing from the data. ``predict`` applies the rule. ``predict_proba``
    returns the rule's points scaled to [0, 1] (PHQ-9 total, plus 10 when item 9 is
    above zero, over 37), which ranks patients for a capacity policy but is not a
    probability: a rule gives no risk estimate, so it cannot be calibrated.

    Parameters
    ----------
    cutoff : int, default=10
        PHQ-9 total from which a patient is flagged.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"phq9_total": [3, 12, 2], "phq9": [0, 0, 1]})
    >>> RuleScreener().fit(X, [0, 1, 0]).predict(X).tolist()
    [0, 1, 1]
    """

    def __init__(self, cutoff: int = RULE_PHQ9_CUTOFF):
        self.cutoff = cutoff

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def _points(self, X):
        X = pd.DataFrame(X)
        missing = {"phq9_total", "phq9"} - set(X.columns)
        if missing:
            raise TeachkitError(
                f"RuleScreener needs the columns 'phq9_total' and 'phq9'; missing "
                f"{sorted(missing)}."
            )
        total = X["phq9_total"].to_numpy(dtype=float)
        return total + RULE_ITEM9_POINTS * (X["phq9"].to_numpy() > 0)

    def predict(self, X):
        X = pd.DataFrame(X)
        self._points(X)  # checks the columns
        flags = (X["phq9_total"].to_numpy() >= self.cutoff) | (X["phq9"].to_numpy() > 0)
        return flags.astype(int)

    def predict_proba(self, X):
        score = np.clip(self._points(X) / _RULE_MAX_POINTS, 0, 1)
        return np.column_stack([1 - score, score])


def make_model(kind: str, *, seed: int = 0):
    """Return an unfitted triage model.

    Parameters
    ----------
    kind : {"rule", "logistic", "boosting", "records"}
        The usual rule, a scaled logistic regression, histogram gradient boosting, or
        the record-based model (a scaled logistic regression too; it differs in what it
        reads: :func:`feature_matrix`).
    seed : int, default=0
        Random state of the gradient boosting.

    Returns
    -------
    estimator : scikit-learn classifier

    Examples
    --------
    >>> make_model("logistic")
    Pipeline(steps=[('standardscaler', StandardScaler()),
                    ('logisticregression', LogisticRegression(max_iter=1000))])
    """
    check_param("kind", kind, Options(MODEL_KINDS), caller="make_model")
    seed = check_seed(seed, caller="make_model")
    if kind == "rule":
        return RuleScreener()
    if kind in ("logistic", "records"):
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    # Shallow and slow-learning: crises are rare (about 2 %), deeper trees overfit.
    return HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.03, max_depth=3, min_samples_leaf=100,
        l2_regularization=1.0, random_state=seed,
    )


def feature_matrix(cohort: pd.DataFrame, kind: str = "logistic") -> np.ndarray:
    """The model's view of each patient, as a float matrix.

    :data:`FEATURES` for the logistic regression and the gradient boosting;
    :data:`RECORD_FEATURES` for the record-based model, whose questionnaire columns are
    zero for patients not screened in routine care.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(500, seed=1)
    >>> feature_matrix(cohort).shape, feature_matrix(cohort, "records").shape
    ((500, 16), (500, 17))
    """
    records = kind == "records"
    screened = cohort["screened"].to_numpy(dtype=float) if records else None
    columns = []
    for name in RECORD_FEATURES if records else FEATURES:
        if name == "female":
            columns.append((cohort["sex"] == "female").to_numpy(dtype=float))
        elif records and name in _QUESTIONNAIRE:
            columns.append(cohort[name].to_numpy(dtype=float) * screened)
        else:
            columns.append(cohort[name].to_numpy(dtype=float))
    return np.column_stack(columns)


def cross_fit_folds(n: int, seed: int) -> np.ndarray:
    """Fold (0 or 1) of each patient, balanced and fixed by the seed: the two halves
    of cross-fitting (a patient is scored by the model trained on the other half).

    Examples
    --------
    >>> fold = cross_fit_folds(10, seed=1)
    >>> int(fold.sum()), bool((fold == cross_fit_folds(10, seed=1)).all())
    (5, True)
    """
    rng = np.random.default_rng([seed, 17])
    fold = np.zeros(n, dtype=np.int8)
    fold[rng.permutation(n)[: n // 2]] = 1
    return fold


def training_target(cohort: pd.DataFrame, label) -> np.ndarray:
    """The label as 0/1 integers: a column of ``cohort`` or one value per patient."""
    if isinstance(label, str):
        if label not in cohort.columns:
            raise TeachkitError(
                f"The 'label' parameter of cross_fitted_scores must be a column of the "
                f"cohort. Got {label!r} instead."
            )
        y, name = cohort[label].to_numpy(), repr(label)
    else:
        y, name = np.asarray(label), "given"
        if y.shape != (len(cohort),):
            raise TeachkitError(
                f"The 'label' parameter of cross_fitted_scores must have one value per "
                f"patient ({len(cohort)}). Got shape {y.shape} instead."
            )
    if y.dtype.kind not in "biu" or not np.isin(y, (0, 1)).all():
        raise TeachkitError(
            f"The label column {name} must hold yes/no outcomes (0/1 or "
            f"True/False). Got values of type {y.dtype} instead."
        )
    return y.astype(int)


def check_train_mask(train_mask, n: int) -> np.ndarray:
    """``train_mask`` as a boolean array of length ``n`` (all True when None)."""
    if train_mask is None:
        return np.ones(n, dtype=bool)
    keep = np.asarray(train_mask)
    if keep.shape != (n,) or keep.dtype != bool:
        raise TeachkitError(
            f"The 'train_mask' parameter of cross_fitted_scores must be one True/False "
            f"per patient ({n}). Got shape {keep.shape} and type {keep.dtype} instead."
        )
    return keep


_SCORE_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 32
_FIT_CACHE: OrderedDict = OrderedDict()
_FIT_CACHE_SIZE = 4
register(__name__, "_SCORE_CACHE", "_FIT_CACHE")  # kept on disk by a warm parent


def fit_fold_models(X: np.ndarray, y: np.ndarray, fold: np.ndarray, keep: np.ndarray,
                    kind: str, *, seed: int) -> tuple:
    """The two cross-fitting models (fold ``k``'s model learns from the other fold's kept
    rows), fitted once per inputs: cached by a digest of ``X``, ``y``, the folds, the kept
    rows, the kind and the seed, so the pipeline's scores and lesson 05's explanations
    share one fit.

    Examples
    --------
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> fold, keep = cross_fit_folds(200, seed=1), np.ones(200, bool)
    >>> a = fit_fold_models(X, y, fold, keep, "logistic", seed=1)
    >>> a is fit_fold_models(X.copy(), y, fold, keep, "logistic", seed=1)
    True
    """
    digest = hashlib.blake2b(digest_size=16)
    for part in (X, y, fold, keep):
        part = np.ascontiguousarray(part)
        digest.update(str((part.dtype, part.shape)).encode())
        digest.update(part.tobytes())
    key = (digest.hexdigest(), kind, seed)
    if key in _FIT_CACHE:
        _FIT_CACHE.move_to_end(key)
        return _FIT_CACHE[key]
    models = []
    for k in (0, 1):
        train = (fold != k) & keep
        if len(np.unique(y[train])) < 2:
            raise TeachkitError(
                "Cannot train a model: one half of the cohort has only one outcome. "
                "Use a larger cohort."
            )
        models.append(make_model(kind, seed=seed).fit(X[train], y[train]))
    _FIT_CACHE[key] = models = tuple(models)
    while len(_FIT_CACHE) > _FIT_CACHE_SIZE:
        _FIT_CACHE.popitem(last=False)
    return models


def cross_fitted_scores(
    cohort: pd.DataFrame,
    kind: str,
    *,
    label="crisis",
    seed: int = 0,
    cache_key=None,
    train_mask=None,
) -> np.ndarray:
    """Score every patient with a model trained on the other half of the cohort.

    The cohort is split in two folds; a model fitted on one fold scores the other, and
    the other way round. The scores are what a model deployed on new patients would
    give: no patient is scored by a model that saw their outcome.

    Parameters
    ----------
    cohort : DataFrame
        From :func:`teachkit.cohort.make_cohort`, perhaps changed by levers.
    kind : {"rule", "logistic", "boosting", "records"}
        Which model (:func:`make_model`) reading what (:func:`feature_matrix`).
    label : str or array-like of bool, default="crisis"
        What the model learns to predict: a column of the cohort, or one yes/no value
        per patient (a proxy label from :func:`teachkit.levers.bias.training_label`).
    seed : int, default=0
        Fixes the folds and the model's random state.
    cache_key : hashable, default=None
        Identifies the cohort and everything that shaped it (the label and the training
        rows included); with a key, scores are cached, so a second call with the same
        key costs nothing. Without one, nothing is cached.
    train_mask : array-like of bool, default=None
        Which patients a model may learn from (``None``: everybody). Every patient is
        still scored, by the model trained on the other fold's kept patients: this is
        how under-sampling a group in the training data works.

    Returns
    -------
    scores : ndarray of shape (n_patients,)
        Estimated risk (or the rule's points, scaled to [0, 1]).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(2_000, seed=1, setting="primary_care")
    >>> scores = cross_fitted_scores(cohort, "logistic", seed=1)
    >>> scores.shape, bool(((scores >= 0) & (scores <= 1)).all())
    ((2000,), True)
    """
    label_name = label if isinstance(label, str) else "given"
    key = None if cache_key is None else (cache_key, kind, label_name, seed)
    if key is not None and key in _SCORE_CACHE:
        _SCORE_CACHE.move_to_end(key)
        return _SCORE_CACHE[key]
    check_param("kind", kind, Options(MODEL_KINDS), caller="cross_fitted_scores")
    if kind == "rule":
        scores = RuleScreener().fit(cohort).predict_proba(cohort)[:, 1]
    else:
        X = feature_matrix(cohort, kind)
        y = training_target(cohort, label)
        fold = cross_fit_folds(len(cohort), seed)
        keep = check_train_mask(train_mask, len(cohort))
        scores = np.empty(len(cohort))
        models = fit_fold_models(X, y, fold, keep, kind, seed=seed)
        for k in (0, 1):
            test = fold == k
            scores[test] = models[k].predict_proba(X[test])[:, 1]
    scores.setflags(write=False)
    if key is not None:
        _SCORE_CACHE[key] = scores
        while len(_SCORE_CACHE) > _CACHE_SIZE:
            _SCORE_CACHE.popitem(last=False)
    return scores
