"""Differential privacy on published counts: noise of a known size, and who pays for it.

Besides the research extract, the hospital publishes a table of counts: how many
patients with probable depression (PHQ-9 >= 10) live in each ZIP3 area, by ethnicity
(:func:`count_table`). Each patient is in exactly one cell, so adding or removing one
patient changes the vector of counts by at most 1 in total (L1 sensitivity 1). The
discrete Laplace mechanism adds integer noise with scale 1 / epsilon to every cell,
which makes the table epsilon-differentially private: whether any one patient is in the
data changes the chance of any published table by a factor of at most e^epsilon.

**How the noise is drawn.** OpenDP builds the measurement and proves its privacy:
:func:`dp_measurement` calibrates the scale with ``opendp.binary_search_param`` and
:func:`dp_counts` checks that ``measurement.map(1) <= epsilon``. OpenDP's own sampler
draws from the operating system's secure randomness and cannot be seeded, by design; a
lesson needs the whole room to see the same numbers, so by default the noise is drawn
from the *same* distribution (discrete Laplace with OpenDP's scale, as the difference of
two geometric draws) with a seeded numpy generator. That is fine for teaching and **not
for a real release**: a seeded, non-cryptographic generator is predictable.
``reproducible=False`` calls the OpenDP measurement itself.

The noise is the same size for every cell, so it is large relative to small counts:
the smallest groups lose the most accuracy (the pattern Suriyakumar et al. 2021 found
for private learning).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .._validation import Interval, Options, TeachkitError, check_param, check_seed

__all__ = [
    "COUNT_BY",
    "count_table",
    "dp_measurement",
    "dp_scale",
    "dp_counts",
    "dp_utility",
]

#: The cells of the published table.
COUNT_BY = ("zip3", "ethnicity")
_EPSILON = Interval(0.0, 100.0, closed="neither")


def count_table(cohort: pd.DataFrame, *, by=COUNT_BY) -> pd.DataFrame:
    """Patients with probable depression (PHQ-9 >= 10) per cell, every cell listed.

    Empty cells are listed with a count of 0: which cells exist must not depend on the
    data, or the list itself would leak (every ZIP3 area and ethnicity is public).

    Parameters
    ----------
    cohort : DataFrame
        With ``phq9_total`` and the categorical columns in ``by``.
    by : tuple of str, default=("zip3", "ethnicity")

    Returns
    -------
    table : DataFrame
        Index: the cells (one level per column of ``by``); column ``count`` (int).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> table = count_table(make_cohort(2_000, seed=1))
    >>> table.shape, int(table["count"].sum()) > 0
    ((300, 1), True)
    """
    by = list(by)
    missing = [c for c in ["phq9_total", *by] if c not in getattr(cohort, "columns", [])]
    if missing:
        raise TeachkitError(
            f"The 'cohort' parameter of count_table must have the columns {missing}; they "
            "are missing."
        )
    depressed = (cohort["phq9_total"] >= 10).to_numpy()
    counts = pd.Series(depressed.astype(np.int64), index=cohort.index).groupby(
        [cohort[c] for c in by], observed=False).sum()
    return counts.rename("count").to_frame()


@lru_cache(maxsize=32)
def _measurement(epsilon: float):
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    scale = dp.binary_search_param(
        lambda s: dp.m.make_laplace(*space, scale=s), d_in=1, d_out=epsilon, T=float)
    return dp.m.make_laplace(*space, scale=scale), scale


def dp_measurement(epsilon: float):
    """The OpenDP measurement that releases a vector of counts with privacy loss epsilon.

    Built on integer vectors with the L1 distance (adding or removing one patient moves
    one count by one), with the smallest discrete-Laplace scale whose privacy map, for
    an input distance of 1, is at most ``epsilon`` (found by OpenDP's binary search).

    Parameters
    ----------
    epsilon : float in (0, 100)

    Returns
    -------
    measurement : opendp.mod.Measurement
        ``measurement.map(1)`` is the privacy loss; ``measurement(counts)`` releases.

    Examples
    --------
    >>> meas = dp_measurement(1.0)
    >>> meas.map(1) <= 1.0
    True
    """
    epsilon = float(check_param("epsilon", epsilon, _EPSILON, caller="dp_measurement"))
    return _measurement(epsilon)[0]


def dp_scale(epsilon: float) -> float:
    """The noise scale OpenDP calibrates for ``epsilon`` (about 1 / epsilon).

    Examples
    --------
    >>> dp_scale(0.5)
    2.0
    """
    epsilon = float(check_param("epsilon", epsilon, _EPSILON, caller="dp_scale"))
    return _measurement(epsilon)[1]


def _discrete_laplace(rng: np.random.Generator, scale: float, size: int) -> np.ndarray:
    """Integer noise with P(x) proportional to exp(-|x| / scale), OpenDP's distribution.

    The difference of two independent geometric counts with success probability
    ``1 - exp(-1 / scale)`` has exactly this distribution.
    """
    p = -np.expm1(-1.0 / scale)
    return rng.geometric(p, size).astype(np.int64) - rng.geometric(p, size).astype(np.int64)


def dp_counts(table: pd.DataFrame, epsilon: float, *, seed: int = 0, column: str = "count",
              reproducible: bool = True) -> pd.DataFrame:
    """The counts as published with differential privacy: each plus integer noise.

    Parameters
    ----------
    table : DataFrame
        True counts (non-negative integers) in ``column``, one row per cell, each
        patient in at most one cell (:func:`count_table`).
    epsilon : float in (0, 100)
        Privacy-loss budget: smaller means more noise and a stronger guarantee.
    seed : int, default=0
        Seed of the noise when ``reproducible``.
    column : str, default="count"
    reproducible : bool, default=True
        True draws OpenDP's distribution from a seeded numpy generator (the same numbers
        for the whole room; not for real releases); False lets OpenDP draw it.

    Returns
    -------
    published : DataFrame
        A copy of ``table`` with ``noisy``: the count plus noise, then raised to 0 if
        negative (a change made after the noise, which costs no privacy). ``attrs``
        records ``epsilon``, ``scale`` and ``privacy_loss`` (OpenDP's map of 1).

    Raises
    ------
    TeachkitError
        If epsilon is out of range, or the counts are not non-negative integers.

    Notes
    -----
    Source ``dp_epsilon``: the budgets offered follow DOMAIN.md d.3 (8, 3, 1, 0.5).

    Examples
    --------
    >>> table = pd.DataFrame({"count": [120, 8, 1]}, index=["White", "Asian", "Other"])
    >>> a = dp_counts(table, 1.0, seed=3)
    >>> b = dp_counts(table, 1.0, seed=3)
    >>> a["noisy"].tolist() == b["noisy"].tolist(), a.attrs["privacy_loss"] <= 1.0
    (True, True)
    >>> dp_counts(table, 0.0)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'epsilon' parameter of dp_counts must be a \
float in the open range (0.0, 100.0). Got 0.0 instead.
    """
    caller = "dp_counts"
    epsilon = float(check_param("epsilon", epsilon, _EPSILON, caller=caller))
    seed = check_seed(seed, caller=caller)
    check_param("reproducible", reproducible, Options((True, False)), caller=caller)
    if not isinstance(table, pd.DataFrame) or column not in table.columns:
        raise TeachkitError(
            f"The 'table' parameter of {caller} must be a DataFrame with a {column!r} "
            "column of counts."
        )
    counts = table[column].to_numpy()
    if not (np.issubdtype(counts.dtype, np.integer) and (counts >= 0).all()):
        raise TeachkitError(
            f"The {column!r} column of the 'table' parameter of {caller} must hold "
            "non-negative integer counts."
        )
    measurement, scale = _measurement(epsilon)
    loss = float(measurement.map(1))
    if loss > epsilon:  # pragma: no cover - OpenDP's search guarantees it
        raise TeachkitError(f"OpenDP's privacy loss {loss} exceeds epsilon {epsilon}.")
    if reproducible:
        rng = np.random.default_rng([seed, 71])
        noisy = counts.astype(np.int64) + _discrete_laplace(rng, scale, len(counts))
    else:
        noisy = np.asarray(measurement([int(c) for c in counts]), dtype=np.int64)
    out = table.copy()
    out["noisy"] = np.maximum(noisy, 0)
    out.attrs = {"teachkit": {"synthetic": True}, "epsilon": epsilon, "scale": scale,
                 "privacy_loss": loss, "reproducible": reproducible}
    return out


def dp_utility(published: pd.DataFrame, *, by: str = "ethnicity", column: str = "count",
               noisy: str = "noisy") -> pd.DataFrame:
    """How far the published counts are from the truth, per group.

    Parameters
    ----------
    published : DataFrame
        From :func:`dp_counts`, with ``by`` as an index level or column.
    by : str, default="ethnicity"

    Returns
    -------
    utility : DataFrame
        One row per group: ``cells``, ``true`` (the group's patients counted),
        ``published`` (the sum of its noisy counts) and ``relative_error``: the sum of
        the absolute errors of its cells divided by its true total (NaN if 0).

    Examples
    --------
    >>> table = pd.DataFrame({"ethnicity": ["A", "A", "B"], "count": [90, 10, 2],
    ...                       "noisy": [91, 9, 4]})
    >>> dp_utility(table)["relative_error"].round(2).tolist()
    [0.02, 1.0]
    """
    frame = published.reset_index() if by not in published.columns else published
    error = (frame[noisy] - frame[column]).abs()
    grouped = pd.DataFrame({"group": frame[by], "true": frame[column],
                            "published": frame[noisy], "error": error}).groupby(
        "group", observed=True, sort=False)
    out = grouped.agg(cells=("true", "size"), true=("true", "sum"),
                      published=("published", "sum"), error=("error", "sum"))
    out["relative_error"] = out["error"] / out["true"].where(out["true"] > 0)
    out.index = out.index.astype(str)
    out.index.name = by
    return out.drop(columns="error")
