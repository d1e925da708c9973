"""The "de-identified" release: what a hospital hands a research partner.

:class:`Release` holds lesson 03's privacy levers; :func:`make_release` turns a cohort
into the table that leaves the hospital. Names and record numbers never leave; the
quasi-identifiers the levers keep do, together with the sensitive clinical payload
(PHQ-9 total, thoughts of self-harm, diagnosis, crisis within 12 months).

k-anonymity (``k_target``) works like the Datafly algorithm (Sweeney 1998), the simplest
of those El Emam et al. 2009 compare: while more than a small share of patients sit in
equivalence classes smaller than k, the detail with the most distinct values is made one
step coarser (:data:`~teachkit.privacy.quasi.HIERARCHY`); then the patients still in too
small a class are withheld (suppressed). Rare combinations, so small groups, are the ones
withheld (El Emam et al. 2011).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._cache import Recent
from .._validation import Interval, TeachkitError, check_param, check_seed
from .._validation import check_cohort as _check_columns
from ..cohort import AGE_BINS
from ..levers import LeverSettings
from ..levers.privacy import EPSILONS
from .quasi import HIERARCHY, QUASI_IDENTIFIERS, generalise, labels

__all__ = [
    "Release",
    "prepare_cohort",
    "release_table",
    "make_release",
    "HospitalKey",
    "MAX_SUPPRESSED",
    "PAYLOAD",
    "GROUP_ATTRIBUTES",
    "AGE_GROUPS",
    "anonymise",
    "check_cohort",
]

#: Largest share of patients withheld before details are made coarser instead (A).
MAX_SUPPRESSED = 0.05
#: The clinical columns every release carries (release name: cohort column, where
#: ``phq9`` is PHQ-9 item 9, thoughts of self-harm): the sensitive part.
PAYLOAD = {
    "phq9_total": "phq9_total",
    "self_harm_thoughts": "phq9",
    "diagnosis_code": "diagnosis_code",
    "crisis": "crisis",
}
#: Patient groups the privacy results are broken down by.
GROUP_ATTRIBUTES = ("ethnicity", "sex", "language", "rurality", "age_group")
AGE_GROUPS = tuple(f"{lo}-{hi - 1}" if hi < 91 else f"{lo}+" for lo, hi in AGE_BINS)
_COHORT_COLUMNS = ("patient_id", "zip5", "birth_date", "sex", "ethnicity", "language",
                   "rurality", "age", "phq9_total", "phq9", "diagnosis_code", "crisis")


@dataclass(frozen=True)
class Release(LeverSettings):
    """What leaves the hospital: the privacy levers of lesson 03, frozen.

    Each field is a lever (:mod:`teachkit.levers.privacy`) and is validated on
    construction. At rest it is the naive "de-identified" extract of Sweeney's case:
    names removed, full ZIP code, full date of birth and sex kept, no k-anonymity and
    exact published counts.

    Parameters
    ----------
    release_zip : {"none", "zip3", "zip5"}, default="zip5"
    release_birth : {"none", "year", "date"}, default="date"
    release_sex, release_ethnicity, release_language : {"kept", "removed"}
        Defaults "kept", "removed", "removed".
    k_target : int in [1, 50], default=1
        The k the release must reach; 1 changes nothing.
    epsilon : {"off", 8.0, 3.0, 1.0, 0.5, 0.1}, default="off"
        Privacy-loss budget of the published counts; "off" publishes exact counts. An
        int equal to an option (``1``) is read as that option (``1.0``).

    Examples
    --------
    >>> Release().changed_levers()
    {}
    >>> Release(release_zip="zip3", epsilon=1).changed_levers()
    {'release_zip': 'zip3', 'epsilon': 1.0}
    >>> Release(k_target=0)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'k_target' parameter of Release must be an int \
in the range [1, 50]. Got 0 instead.
    """

    release_zip: str = "zip5"
    release_birth: str = "date"
    release_sex: str = "kept"
    release_ethnicity: str = "removed"
    release_language: str = "removed"
    k_target: int = 1
    epsilon: object = "off"

    def __post_init__(self):
        eps = self.epsilon
        if (isinstance(eps, numbers.Integral) and not isinstance(eps, bool)
                and float(eps) in EPSILONS[1:]):
            object.__setattr__(self, "epsilon", float(eps))
        super().__post_init__()

    @property
    def start_levels(self) -> dict[str, str]:
        """The level of each quasi-identifier the levers ask for, before k-anonymity."""
        return {"zip": self.release_zip, "birth": self.release_birth,
                "sex": self.release_sex, "ethnicity": self.release_ethnicity,
                "language": self.release_language}

    @property
    def uses_noise(self) -> bool:
        """Whether the published counts get differential-privacy noise."""
        return self.epsilon != "off"


class HospitalKey:
    """What the hospital keeps and never publishes: which patient each released row is.

    It rides along in ``release.attrs["teachkit"]["key"]`` so that the attack can be
    marked (was the named person really that patient?) and broken down by group; the
    attack itself never reads it, and writing the release to a file leaves it behind.
    Copies of the release share the same key (it is never changed).
    """

    __slots__ = ("patient_id", "groups")

    def __init__(self, patient_id: np.ndarray, groups: pd.DataFrame):
        self.patient_id = patient_id
        self.groups = groups

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self

    def __len__(self) -> int:
        return len(self.patient_id)

    def __repr__(self) -> str:
        return f"<HospitalKey: {len(self):,} released rows, kept by the hospital>"


class _Prepared:
    """Per-cohort work shared by every release: codes, labels, groups."""

    def __init__(self, cohort: pd.DataFrame):
        self.cohort = cohort
        self.n = len(cohort)
        self.codes: dict[tuple[str, str], tuple[np.ndarray, int]] = {}
        self._raw: dict[tuple[str, str], np.ndarray] = {}
        #: Caches of later stages (register, counts, results), filled by ``run_release``.
        self.extra: dict = {}
        self._labels: dict[tuple[str, str], pd.Categorical] = {}
        age = cohort["age"].to_numpy()
        edges = [lo for lo, _ in AGE_BINS[1:]]
        age_group = pd.Categorical.from_codes(np.searchsorted(edges, age, side="right"),
                                              categories=list(AGE_GROUPS))
        self.groups = cohort[["ethnicity", "sex", "language", "rurality"]].reset_index(
            drop=True)
        self.groups["age_group"] = age_group
        self.patient_id = cohort["patient_id"].to_numpy()
        self.payload = {name: cohort[column].to_numpy() for name, column in PAYLOAD.items()}

    def raw(self, detail: str, level: str) -> np.ndarray:
        """:func:`~teachkit.privacy.quasi.generalise` codes of a detail at a level."""
        key = (detail, level)
        if key not in self._raw:
            self._raw[key] = generalise(self.cohort, detail, level)
        return self._raw[key]

    def dense(self, detail: str, level: str) -> tuple[np.ndarray, int]:
        """Codes 0..m-1 of a detail at a level, and m (the number of distinct values)."""
        key = (detail, level)
        if key not in self.codes:
            unique, inverse = np.unique(self.raw(detail, level), return_inverse=True)
            self.codes[key] = (inverse.reshape(-1).astype(np.int64), len(unique))
        return self.codes[key]

    def labels(self, detail: str, level: str) -> pd.Categorical:
        key = (detail, level)
        if key not in self._labels:
            self._labels[key] = labels(self.cohort, detail, level)
        return self._labels[key]

    def class_sizes(self, levels: dict[str, str]) -> np.ndarray:
        """For every patient, the size of its equivalence class under ``levels``."""
        key = np.zeros(self.n, dtype=np.int64)
        for detail in QUASI_IDENTIFIERS:
            codes, m = self.dense(detail, levels[detail])
            if m > 1:
                key = key * m + codes
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        return counts[inverse.reshape(-1)]


_PREPARED = Recent(4)  # id(cohort) -> _Prepared (which holds the cohort)


def prepare_cohort(cohort: pd.DataFrame, caller: str) -> _Prepared:
    """The cohort's shared work, made once per cohort object (levers never change one)."""
    hit = _PREPARED.get(id(cohort))
    if hit is not None and hit.cohort is cohort:
        return hit
    check_cohort(cohort, caller)
    prepared = _Prepared(cohort)
    return _PREPARED.put(id(cohort), prepared)


def check_cohort(cohort, caller: str) -> None:
    """Raise the standard error unless ``cohort`` is a non-empty cohort DataFrame."""
    _check_columns(cohort, _COHORT_COLUMNS, caller=caller)
    if len(cohort) == 0:
        raise TeachkitError(
            f"The 'cohort' parameter of {caller} must have at least one patient. Got an "
            "empty table instead."
        )


def anonymise(prepared: _Prepared, release: Release, max_suppressed: float):
    """Datafly: coarsen the most varied detail until few patients stand out, then withhold.

    Returns the levels used (detail -> level), the mask of released patients and every
    patient's class size under those levels.
    """
    levels = dict(release.start_levels)
    k = release.k_target
    sizes = prepared.class_sizes(levels)
    if k > 1:
        limit = max_suppressed * prepared.n
        while (sizes < k).sum() > limit:
            movable = [d for d in QUASI_IDENTIFIERS
                       if HIERARCHY[d].index(levels[d]) < len(HIERARCHY[d]) - 1]
            if not movable:
                break
            # the detail with the most distinct values goes one step coarser (ties: the
            # order of QUASI_IDENTIFIERS)
            detail = max(movable, key=lambda d: prepared.dense(d, levels[d])[1])
            levels[detail] = HIERARCHY[detail][HIERARCHY[detail].index(levels[detail]) + 1]
            sizes = prepared.class_sizes(levels)
    keep = sizes >= k
    return levels, keep, sizes


def make_release(cohort: pd.DataFrame, release: Release | None = None, *, seed: int = 0,
                 max_suppressed: float = MAX_SUPPRESSED) -> pd.DataFrame:
    """The table that leaves the hospital: quasi-identifiers and the clinical payload.

    No name and no record number leaves: each row gets a new random record number. The
    quasi-identifiers the levers keep are released as coarse as ``release`` asks, or
    coarser if k-anonymity needs it; patients who would still stand out are withheld.
    The rows are shuffled, so their order says nothing about the patients.

    Parameters
    ----------
    cohort : DataFrame
        From :func:`teachkit.cohort.make_cohort` (or a subset of its rows).
    release : Release, default=Release()
        The levers; at rest the naive release (full ZIP code, date of birth, sex).
    seed : int, default=0
        Seed of the shuffle.
    max_suppressed : float in [0, 1], default=0.05
        Largest share of patients withheld before details are made coarser instead.

    Returns
    -------
    table : DataFrame
        Index ``record`` (1, 2, ...); columns: the released details among ``zip``,
        ``birth``, ``sex``, ``ethnicity``, ``language`` (as text: ``"803**"``,
        ``"1985-1989"``...), then ``phq9_total``, ``self_harm_thoughts`` (PHQ-9 item 9,
        0-3), ``diagnosis_code`` and ``crisis``. ``table.attrs["teachkit"]`` holds
        ``levels`` (the level of each released detail: the data dictionary published
        with it), ``quasi_identifiers``, ``k_target``, ``k``, ``suppressed`` and the
        hospital's private ``key`` (:class:`HospitalKey`).

    Raises
    ------
    TeachkitError
        If the cohort lacks a column, or an argument is out of range.

    Notes
    -----
    Sources ``quasi_identifiers`` (Sweeney 2000) and ``k_anonymity`` (El Emam et al.
    2009, 2011). The 5 % suppression limit is a teaching default (A).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(2_000, seed=3)
    >>> table = make_release(cohort)
    >>> list(table.columns)
    ['zip', 'birth', 'sex', 'phq9_total', 'self_harm_thoughts', 'diagnosis_code', \
'crisis']
    >>> safer = make_release(cohort, Release(k_target=5))
    >>> safer.attrs["teachkit"]["k"] >= 5, safer.attrs["teachkit"]["levels"]["birth"]
    (True, '10y')
    """
    caller = "make_release"
    release = Release() if release is None else release
    if not isinstance(release, Release):
        raise TeachkitError(
            f"The 'release' parameter of {caller} must be a Release. Got "
            f"{type(release).__name__} instead."
        )
    seed = check_seed(seed, caller=caller)
    max_suppressed = float(check_param("max_suppressed", max_suppressed, Interval(0.0, 1.0),
                                       caller=caller))
    prepared = prepare_cohort(cohort, caller)
    levels, keep, sizes = anonymise(prepared, release, max_suppressed)
    return release_table(prepared, release, levels, keep, sizes, seed=seed)[0]


def release_table(prepared: _Prepared, release: Release, levels, keep, sizes, *, seed: int):
    """The released table and, for each of its rows, the cohort position it came from."""
    rows = np.flatnonzero(keep)
    rows = rows[np.random.default_rng([seed, 67]).permutation(len(rows))]
    released = {d: lv for d, lv in levels.items() if lv not in ("none", "removed")}
    columns = {d: prepared.labels(d, lv)[rows] for d, lv in released.items()}
    columns.update({name: values[rows] for name, values in prepared.payload.items()})
    table = pd.DataFrame(columns, index=pd.RangeIndex(1, len(rows) + 1, name="record"))
    table = table[[*released, *PAYLOAD]]
    table.attrs["teachkit"] = {
        "synthetic": True,
        "levels": released,
        "quasi_identifiers": tuple(released),
        "k_target": release.k_target,
        "k": int(sizes[rows].min()) if len(rows) else 0,
        "suppressed": int(prepared.n - len(rows)),
        "key": HospitalKey(prepared.patient_id[rows],
                           prepared.groups.iloc[rows].reset_index(drop=True)),
    }
    return table, rows

