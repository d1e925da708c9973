"""Monitors: what someone watching the deployed model can compute, and when.

- :func:`psi` (population stability index) and :func:`ks_pvalue` compare a month's scores
  with the training window's: available at the end of the month, no labels needed. The
  0.10 / 0.25 lights are a credit-scoring convention (Siddiqi), not statistics: under no
  drift PSI is about (1/n + 1/m) chi-squared with 9 degrees of freedom, so a small
  clinic's months light amber by chance (:func:`psi_false_alarm_rate`).
- :func:`auc`, :func:`observed_expected`: performance once the crisis labels arrive,
  :data:`LABEL_DELAY` months (a year) later: a crisis counts if it happens within 12
  months of screening (:data:`teachkit.cohort.CRISIS_HORIZON`), so a month's crises are
  all known only when its year is over.
- :class:`Cusum`: a two-sided CUSUM on the standardised monthly observed - expected
  crises (Feng et al. 2022; Davis et al. 2020), with :data:`CUSUM_K` and
  :data:`CUSUM_H` (A).

numpy and scipy only: Evidently and NannyML were read about, not installed (see the
lesson's notes on why).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["LABEL_DELAY", "PSI_AMBER", "PSI_RED", "PSI_BINS", "CUSUM_K", "CUSUM_H",
           "psi", "PsiReference", "psi_light", "ks_pvalue", "auc", "observed_expected", "Cusum",
           "psi_false_alarm_rate"]

#: A month's crises are all known 12 months after screening: a crisis counts if it
#: happens within 12 months (:data:`teachkit.cohort.CRISIS_HORIZON`), any time in the year.
LABEL_DELAY = 12
PSI_AMBER, PSI_RED = 0.10, 0.25
PSI_BINS = 10
#: CUSUM allowance and decision limit, in standard deviations of a month's O - E (A).
CUSUM_K, CUSUM_H = 0.5, 4.0


def _edges(reference: np.ndarray, bins: int) -> np.ndarray:
    values = np.unique(reference)
    if len(values) <= bins:  # a feature with few values (an answer, a yes/no): by value
        return (values[:-1] + values[1:]) / 2
    return np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    counts = np.bincount(np.searchsorted(edges, values, side="right"),
                         minlength=len(edges) + 1)
    return np.maximum(counts, 0.5) / max(len(values), 1)  # an empty bin: half a patient


class PsiReference:
    """The reference bins of each column of a matrix, kept to score many months.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = PsiReference(rng.normal(size=(4000, 2)))
    >>> moved = rng.normal(size=(800, 2)) + [0, 1]
    >>> [round(float(v), 1) for v in ref.psi(moved)]
    [0.0, 1.0]
    """

    def __init__(self, reference, *, bins: int = PSI_BINS):
        reference = np.asarray(reference, dtype=float)
        if reference.ndim == 1:
            reference = reference[:, None]
        self.edges = [_edges(reference[:, j], bins) for j in range(reference.shape[1])]
        self.shares = [_shares(reference[:, j], e) for j, e in enumerate(self.edges)]

    def psi(self, current) -> np.ndarray:
        """PSI of each column of ``current`` against the reference's."""
        current = np.asarray(current, dtype=float)
        if current.ndim == 1:
            current = current[:, None]
        out = np.empty(len(self.edges))
        for j, (edges, ref) in enumerate(zip(self.edges, self.shares)):
            cur = _shares(current[:, j], edges)
            out[j] = np.sum((cur - ref) * np.log(cur / ref))
        return out


def psi(reference, current, *, bins: int = PSI_BINS) -> float:
    """Population stability index of ``current`` against ``reference``.

    Bins are the reference's deciles (or its values, when it has ``bins`` or fewer);
    an empty bin counts as half a patient.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = rng.normal(size=5000)
    >>> psi(ref, rng.normal(size=5000)) < 0.01, psi(ref, rng.normal(1, 1, 5000)) > 0.25
    (True, True)
    >>> round(psi(np.r_[np.zeros(950), np.ones(50)], np.zeros(1000)), 2)
    0.23
    """
    return float(PsiReference(reference, bins=bins).psi(current)[0])


def psi_light(value: float) -> str:
    """``"green"`` below 0.10, ``"amber"`` to 0.25, ``"red"`` above.

    Examples
    --------
    >>> psi_light(0.05), psi_light(0.1), psi_light(0.3)
    ('green', 'amber', 'red')
    """
    if value >= PSI_RED:
        return "red"
    return "amber" if value >= PSI_AMBER else "green"


def ks_pvalue(reference, current) -> float:
    """Two-sample Kolmogorov-Smirnov p-value: the statistic exact, the p-value from
    Kolmogorov's limiting distribution (scipy's ``kstwobign``), without ``ks_2samp``'s
    per-call overhead.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> a, b = rng.normal(size=3000), rng.normal(size=400)
    >>> bool(abs(ks_pvalue(a, b) - stats.ks_2samp(a, b, method="asymp").pvalue) < 0.02)
    True
    """
    ref = np.sort(np.asarray(reference, dtype=float))
    cur = np.sort(np.asarray(current, dtype=float))
    n, m = len(ref), len(cur)
    # The largest gap between the two step functions sits at a point of ``current``,
    # just at it or just before it: two look-ups of m points instead of n + m.
    at = np.abs(np.searchsorted(ref, cur, side="right") / n
                - np.searchsorted(cur, cur, side="right") / m)
    before = np.abs(np.searchsorted(ref, cur, side="left") / n
                    - np.searchsorted(cur, cur, side="left") / m)
    d = max(at.max(), before.max())
    return float(stats.kstwobign.sf(d * np.sqrt(n * m / (n + m))))


def auc(y, scores) -> float:
    """Area under the ROC curve (Mann-Whitney, ties halved); NaN with one class.

    Examples
    --------
    >>> auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.75
    """
    y = np.asarray(y, dtype=bool)
    pos = int(y.sum())
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    ranks = stats.rankdata(scores)
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def observed_expected(y, scores) -> float:
    """Observed crises over the crises the model expected (the sum of its risks)."""
    expected = float(np.sum(scores))
    return float(np.sum(y)) / expected if expected > 0 else float("nan")


@dataclass
class Cusum:
    """A two-sided CUSUM on z = (O - E) / sqrt(E), one value a month.

    Examples
    --------
    >>> c = Cusum()
    >>> [c.add(o, 20.0) for o in (20, 21, 30, 30, 30)]
    [False, False, False, False, True]
    >>> c.direction
    'more'
    """

    k: float = CUSUM_K
    h: float = CUSUM_H
    high: float = 0.0
    low: float = 0.0
    direction: str = ""

    def add(self, observed: float, expected: float) -> bool:
        """Add a month; True when an alarm fires (the CUSUM then restarts)."""
        if expected <= 0:
            return False
        z = (observed - expected) / np.sqrt(expected)
        self.high = max(0.0, self.high + z - self.k)
        self.low = max(0.0, self.low - z - self.k)
        if self.high > self.h or self.low > self.h:
            self.direction = "more" if self.high > self.h else "fewer"
            self.reset()
            return True
        return False

    def reset(self) -> None:
        self.high = self.low = 0.0

    @property
    def value(self) -> float:
        """The larger side, signed: positive when more crises than expected."""
        return self.high if self.high >= self.low else -self.low


def psi_false_alarm_rate(n: int, m: int, *, threshold: float = PSI_AMBER,
                         bins: int = PSI_BINS) -> float:
    """Chance that PSI reaches ``threshold`` with no drift at all (chi-squared).

    Under no drift PSI is about (1/n + 1/m) chi-squared(bins - 1) (DOMAIN-05-08.md).

    Examples
    --------
    >>> round(psi_false_alarm_rate(100, 100), 2), round(psi_false_alarm_rate(500, 500), 3)
    (0.83, 0.003)
    """
    return float(stats.chi2.sf(threshold / (1 / n + 1 / m), bins - 1))
