"""The town the clinic's patients live in: ZIP codes of realistic size.

Sweeney (2000) found 87 % of Americans unique on ZIP5 + date of birth + sex because a
ZIP code holds thousands of people (about 9,000 residents on average). The clinic's
patients are a sample of a town of :data:`TOWN_ADULTS` synthetic adults spread over the
cohort's 1,320 ZIP5 codes (about 6,000 adults each), drawn from the same demographics as
the cohort (:mod:`teachkit.cohort`: ZIP code and ethnicity together, then age, birth day
and sex). The town is sized so that uniqueness on ZIP5 + birth date + sex is Sweeney's
(:func:`town_uniqueness`; the data card's calibration table checks it).

The public register (:func:`teachkit.privacy.public_register`) lists a share of the town:
the patients on it by name, and the other adults as the counts the town's make-up gives
(:func:`expected_others`): a released patient can be named only when nobody else on the
register shares their released details, as in a real linkage attack. Nobody here is real.

Examples
--------
>>> 0.82 < town_uniqueness(zip_codes=300) < 0.92  # Sweeney: 87 % unique
True
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..cohort import (
    AGE_BINS,
    AGE_P,
    ETHNICITY_P,
    REFERENCE_YEAR,
    RURAL_P,
    RURAL_ZIP3,
    RURAL_ZIP5_PER_ZIP3,
    SEX_P,
    URBAN_ZIP3,
    URBAN_ZIP5_PER_ZIP3,
)

__all__ = ["TOWN_ADULTS", "expected_others", "town_uniqueness", "zip5_ethnicity_shares"]

#: Adults in the synthetic town (A): sized so that 87 % are unique on ZIP5 + birth date
#: + sex (Sweeney 2000), about 6,000 adults per ZIP5 code on average (D: Sweeney's ZIP
#: codes hold about 9,000 residents of every age).
TOWN_ADULTS = 7_600_000
_DAYS = 364  # birth days 1-364 of the year (make_cohort)
_FIRST_AGE, _LAST_AGE = AGE_BINS[0][0], AGE_BINS[-1][1] - 1


def _age_p() -> np.ndarray:
    """P(age) for ages 18-90: uniform within each of the cohort's age bins."""
    p = np.zeros(_LAST_AGE + 1)
    for (lo, hi), share in zip(AGE_BINS, AGE_P, strict=True):
        p[lo:hi] = share / (hi - lo)
    return p


def _zip3_p(count: int, power: float) -> np.ndarray:
    """P(zip3 index) when the index is floor(u ** power * count) (make_cohort)."""
    edges = (np.arange(count + 1) / count) ** (1 / power)
    return np.diff(edges)


@lru_cache(maxsize=1)
def zip5_ethnicity_shares() -> tuple[np.ndarray, np.ndarray]:
    """The town's ZIP5 codes and the share of its adults in each (ZIP5, ethnicity).

    Returns
    -------
    zip5 : ndarray of int64
        The 1,320 ZIP5 codes as numbers (80000 ...).
    shares : ndarray, shape (len(zip5), 5)
        P(ZIP5, ethnicity) in the town (columns follow ``ETHNICITIES``); sums to 1.
    """
    eth = np.asarray(ETHNICITY_P)
    rural = np.asarray(RURAL_P)
    codes, rows = [], []
    for zip3s, per, power, p_area in ((URBAN_ZIP3, URBAN_ZIP5_PER_ZIP3, 1.3, eth * (1 - rural)),
                                      (RURAL_ZIP3, RURAL_ZIP5_PER_ZIP3, 1.6, eth * rural)):
        for z3, p3 in zip(zip3s, _zip3_p(len(zip3s), power), strict=True):
            for suffix in range(per):
                codes.append(int(z3) * 100 + suffix)
                rows.append(p_area * p3 / per)
    return np.array(codes, dtype=np.int64), np.array(rows)


def _birth_p(level: str, codes: np.ndarray) -> np.ndarray:
    """P(birth in the cell) for birth codes at ``level`` (quasi.generalise's codes)."""
    age_p = _age_p()

    def year_p(years):
        age = REFERENCE_YEAR - 1 - np.asarray(years, dtype=np.int64)
        ok = (age >= _FIRST_AGE) & (age <= _LAST_AGE)
        return np.where(ok, age_p[np.clip(age, 0, _LAST_AGE)], 0.0)

    if level == "none":
        return np.ones(len(codes))
    if level == "date":
        dates = codes.astype("datetime64[D]")
        years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        return year_p(years) / _DAYS
    if level == "month":
        months = codes.astype("datetime64[M]")
        years = months.astype("datetime64[Y]").astype(np.int64) + 1970
        first = (months.astype("datetime64[D]") - months.astype("datetime64[Y]")
                 .astype("datetime64[D]")).astype(np.int64)
        last = ((months + 1).astype("datetime64[D]") - months.astype("datetime64[Y]")
                .astype("datetime64[D]")).astype(np.int64)
        days = np.minimum(last, _DAYS + 1) - np.maximum(first, 1)  # days 1-364 only
        return year_p(years) * days / _DAYS
    width = {"year": 1, "5y": 5, "10y": 10}[level]
    return sum(year_p(codes + i) for i in range(width))


def expected_others(zip_codes, birth_codes, sex_codes, eth_codes, levels: dict, *,
                    people: float) -> np.ndarray:
    """Expected number of ``people`` town adults sharing each row's released details.

    Parameters
    ----------
    zip_codes, birth_codes, sex_codes, eth_codes : ndarray of int
        Each row's details at ``levels`` (:func:`teachkit.privacy.quasi.generalise`
        codes; ignored for a withheld detail).
    levels : dict
        The level of ``zip``, ``birth``, ``sex`` and ``ethnicity``.
    people : float
        How many adults are drawn from the town's make-up (the register's non-patients).

    Returns
    -------
    ndarray of float
        ``people`` times the share of the town in each row's cell.
    """
    zip5, shares = zip5_ethnicity_shares()
    zip_level = levels.get("zip", "none")
    if zip_level == "none":
        by_zip = shares.sum(axis=0, keepdims=True)
        zrow = np.zeros(len(zip_codes), dtype=np.int64)
    else:
        divisor = {"zip5": 1, "zip3": 100, "zip2": 1000}[zip_level]
        keys, inverse = np.unique(zip5 // divisor, return_inverse=True)
        by_zip = np.zeros((len(keys), shares.shape[1]))
        np.add.at(by_zip, inverse, shares)
        pos = np.searchsorted(keys, np.asarray(zip_codes, dtype=np.int64))
        pos = np.minimum(pos, len(keys) - 1)
        by_zip = np.vstack([by_zip, np.zeros((1, shares.shape[1]))])
        zrow = np.where(keys[pos] == np.asarray(zip_codes), pos, len(keys))
    if levels.get("ethnicity", "removed") == "kept":
        p = by_zip[zrow, np.asarray(eth_codes, dtype=np.int64)]
    else:
        p = by_zip[zrow].sum(axis=1)
    p = p * _birth_p(levels.get("birth", "none"), np.asarray(birth_codes, dtype=np.int64))
    if levels.get("sex", "removed") == "kept":
        p = p * np.asarray(SEX_P)[np.asarray(sex_codes, dtype=np.int64)]
    return people * p


def town_uniqueness(*, zip_codes: int | None = None, seed: int = 2024,
                    adults: int = TOWN_ADULTS) -> float:
    """Share of the town's adults alone on ZIP5 + birth date + sex, measured on a draw.

    Draws every adult of the town (or of ``zip_codes`` ZIP5 codes picked at random, for
    speed) from its make-up and counts those whose ZIP5, birth date and sex nobody else
    shares: Sweeney's 87 % (source ``quasi_identifiers``).

    Parameters
    ----------
    zip_codes : int, default=None
        Draw only this many ZIP5 codes (picked at random, each as likely); None draws
        all of them (about 10 s).
    seed : int, default=2024
    adults : int, default=TOWN_ADULTS

    Returns
    -------
    float
    """
    rng = np.random.default_rng([seed, 67])
    zip5, shares = zip5_ethnicity_shares()
    p_zip = shares.sum(axis=1)
    if zip_codes is not None:
        chosen = np.sort(rng.choice(len(zip5), size=zip_codes, replace=False))
    else:
        chosen = np.arange(len(zip5))
    counts = rng.poisson(adults * p_zip[chosen])
    zip_index = np.repeat(np.arange(len(chosen)), counts)
    n = len(zip_index)
    age_p = _age_p()
    age = np.searchsorted(np.cumsum(age_p), rng.random(n) * age_p.sum(), side="right")
    day = rng.integers(1, _DAYS + 1, size=n)
    sex = np.searchsorted(np.cumsum(SEX_P), rng.random(n) * sum(SEX_P), side="right")
    key = (zip_index.astype(np.int64) * 100 + age) * 1000 + day
    key = key * 4 + sex
    _, inverse, sizes = np.unique(key, return_inverse=True, return_counts=True)
    return float(np.mean(sizes[inverse.reshape(-1)] == 1))
