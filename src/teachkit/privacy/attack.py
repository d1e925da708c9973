"""The linkage attack: naming the patients of a "de-identified" release.

Sweeney (2000) bought a city's voter roll (names, ZIP codes, dates of birth, sex) and
linked it to a "de-identified" hospital release on those three details; she found the
governor's record. :func:`public_register` makes a synthetic voter roll of the town the
clinic's patients live in (:mod:`teachkit.privacy.town`: ZIP codes of realistic size);
:func:`linkage_attack` plays the attacker: for each released row whose details nobody
else in the release shares, it looks for the one person on the register with the same
details, and names them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validation import Interval, TeachkitError, check_param, check_probability, check_seed
from .quasi import generalise, labels
from .release import GROUP_ATTRIBUTES, HospitalKey
from .town import TOWN_ADULTS, expected_others

__all__ = [
    "public_register",
    "linkage_attack",
    "AttackResult",
    "REGISTER_COLUMNS",
    "REGISTER_DETAILS",
    "REGISTER_COVERAGE",
    "count_by_group",
    "mark_attack",
]

#: Share of the patients on the register (A: a voter roll misses some adults).
REGISTER_COVERAGE = 0.8
#: What the register holds about each person (``patient_id`` is the marking key).
REGISTER_COLUMNS = ("name", "zip5", "birth_date", "sex", "ethnicity")
#: The quasi-identifiers an attacker can link on: the register has no language.
REGISTER_DETAILS = ("zip", "birth", "sex", "ethnicity")


def public_register(cohort: pd.DataFrame, *, seed: int = 0,
                    coverage: float = REGISTER_COVERAGE,
                    town: int = TOWN_ADULTS) -> pd.DataFrame:
    """A synthetic public register of the town, like a voter roll.

    The clinic's patients are a sample of a town of ``town`` adults
    (:mod:`teachkit.privacy.town`: ZIP codes of realistic size, about 6,000 adults each).
    The register lists a share ``coverage`` of the town. The patients on it are its rows
    (a seeded draw per patient number, so a patient is on it or not whatever other
    patients are released); the other adults on it are not listed one by one: the
    register carries the town's make-up (``attrs["teachkit"]["town"]``), and
    :func:`linkage_attack` counts how many of them share a released row's details.
    Some US voter rolls record ethnicity, so this one does; none record language.

    Parameters
    ----------
    cohort : DataFrame
        From :func:`teachkit.cohort.make_cohort`.
    seed : int, default=0
    coverage : float in [0, 1], default=0.8
        Share of the town on the register (A).
    town : int, default=TOWN_ADULTS
        Adults in the town, the clinic's patients included (at least the clinic's size).

    Returns
    -------
    register : DataFrame
        The patients on the register: columns ``name``, ``zip5``, ``birth_date``,
        ``sex``, ``ethnicity``, and ``patient_id`` (the ground truth, used only to mark
        the attack, never to link). ``attrs["teachkit"]`` holds ``size`` (everyone on
        the register) and ``town``.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(1_000, seed=2)
    >>> register = public_register(cohort, seed=2)
    >>> round(len(register) / len(cohort), 1), round(register.attrs["teachkit"]["size"], -4)
    (0.8, 6080000)
    >>> public_register(cohort, coverage=1.5)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'coverage' parameter of public_register must \
be a float in the range [0.0, 1.0]. Got 1.5 instead.
    """
    caller = "public_register"
    if not isinstance(cohort, pd.DataFrame) or not set(REGISTER_COLUMNS + ("patient_id",)) \
            <= set(cohort.columns):
        raise TeachkitError(
            f"The 'cohort' parameter of {caller} must be a DataFrame from make_cohort, with "
            f"the columns {list(REGISTER_COLUMNS) + ['patient_id']}."
        )
    seed = check_seed(seed, caller=caller)
    coverage = check_probability("coverage", coverage, caller=caller)
    ids = cohort["patient_id"].to_numpy(dtype=np.int64)
    # The whole clinic's size, also for a subset of its patients (those who consented):
    # the town, and who of the patients is on the roll, do not depend on the subset.
    n_clinic = max(int(cohort.attrs.get("teachkit", {}).get("n", len(cohort))),
                   int(ids.max()) if len(ids) else 0)
    town = check_param("town", town, Interval(n_clinic, 10_000_000_000, kind="int"),
                       caller=caller)
    rng = np.random.default_rng([seed, 53])
    on_roll = (rng.random(n_clinic) < coverage)[ids - 1] if len(ids) else np.zeros(0, bool)
    # One uniform per patient number decides how many look-alikes share their details.
    lookalike_u = np.random.default_rng([seed, 61]).random(n_clinic)
    register = cohort.loc[on_roll, list(REGISTER_COLUMNS)].copy()
    register["patient_id"] = pd.array(ids[on_roll], dtype="Int64")
    order = rng.permutation(len(register))
    register = register.iloc[order].reset_index(drop=True)
    position = np.full(n_clinic + 1, -1, dtype=np.int64)
    position[ids] = np.arange(len(ids))
    others = coverage * (town - n_clinic)
    register.attrs = {"teachkit": {
        "synthetic": True, "coverage": coverage, "seed": seed,
        "size": int(round(len(register) + others)),
        "town": _Town(adults=town, others=others, lookalike_u=lookalike_u,
                      position=position, patients=cohort[list(REGISTER_COLUMNS)]),
    }}
    return register


@dataclass(frozen=True)
class AttackResult:
    """What the linkage attack achieved, marked against the truth.

    Attributes
    ----------
    released : int
        Patients in the release.
    claimed : int
        Released rows the attacker put a name to.
    reidentified : int
        Claims that named the right patient.
    wrong : int
        Claims that named somebody else (a patient not on the register, a look-alike).
    rate : float
        ``reidentified / released``: the share of released patients named correctly.
    linked_on : tuple of str
        The details the attack linked on (released and on the register).
    by_group : DataFrame
        Index (attribute, group); columns ``released``, ``reidentified``, ``rate``.
    linked : DataFrame
        One row per claim: ``record`` (the release row), the register's ``name``,
        ``zip5``, ``birth_date``, ``sex``, what the release says about them
        (``phq9_total``, ``self_harm_thoughts``, ``diagnosis_code``, ``crisis``) and
        ``correct``.
    """

    released: int
    claimed: int
    reidentified: int
    wrong: int
    rate: float
    linked_on: tuple
    by_group: pd.DataFrame
    linked: pd.DataFrame

    def examples(self, n: int = 3) -> pd.DataFrame:
        """``n`` synthetic people the attacker named correctly, with what it learned."""
        right = self.linked[self.linked["correct"]]
        return right.head(n).drop(columns="correct").reset_index(drop=True)


def _link_keys(release: pd.DataFrame, register: pd.DataFrame, levels: dict, linked_on):
    """Integer keys of the release rows and the register people on the linked details."""
    rel_key = np.zeros(len(release), dtype=np.int64)
    reg_key = np.zeros(len(register), dtype=np.int64)
    for detail in linked_on:
        reg_labels = labels(register, detail, levels[detail])
        column = release[detail]
        if not isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(str).astype("category")
        # one shared dictionary of values for both sides
        values = column.cat.categories.astype(str).union(reg_labels.categories.astype(str))
        rel_codes = values.get_indexer(column.cat.categories.astype(str))[
            column.cat.codes.to_numpy()]
        reg_codes = values.get_indexer(reg_labels.categories.astype(str))[reg_labels.codes]
        rel_key = rel_key * len(values) + rel_codes
        reg_key = reg_key * len(values) + reg_codes
    return rel_key, reg_key


def _unique_positions(keys: np.ndarray):
    """Sorted unique keys, their counts, and for each the position of its first row."""
    unique, first, counts = np.unique(keys, return_index=True, return_counts=True)
    return unique, counts, first


def linkage_attack(release: pd.DataFrame, register: pd.DataFrame) -> AttackResult:
    """Link a release to a public register on the details both hold, and name people.

    The attacker generalises the register the way the release's data dictionary says
    (``release.attrs["teachkit"]["levels"]``), then claims a match for every release row
    that is alone in the release on those details **and** has exactly one person on the
    register with the same details. A claim is right when that person is the patient
    (marked with the hospital's private key, which the attacker never sees).

    With k-anonymity of k >= 2 on the linked details no release row is alone, so nobody
    is named this way (the attacker can still learn something about a whole class).

    Parameters
    ----------
    release : DataFrame
        From :func:`~teachkit.privacy.make_release`.
    register : DataFrame
        From :func:`public_register`.

    Returns
    -------
    AttackResult

    Raises
    ------
    TeachkitError
        If ``release`` did not come from ``make_release`` (it has no data dictionary or
        key) or the register lacks a column.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> from teachkit.privacy import make_release
    >>> cohort = make_cohort(2_000, seed=4)
    >>> register = public_register(cohort, seed=4)
    >>> attack = linkage_attack(make_release(cohort), register)
    >>> attack.linked_on, attack.rate > 0.7
    (('zip', 'birth', 'sex'), True)
    >>> linkage_attack(cohort, register)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'release' parameter of linkage_attack must be \
a table from make_release (it carries its data dictionary and the hospital's key). Got a \
DataFrame without them instead.
    """
    caller = "linkage_attack"
    meta = release.attrs.get("teachkit", {}) if isinstance(release, pd.DataFrame) else {}
    key = meta.get("key")
    if not isinstance(key, HospitalKey) or len(key) != len(release):
        got = "a DataFrame without them" if isinstance(release, pd.DataFrame) else \
            type(release).__name__
        raise TeachkitError(
            f"The 'release' parameter of {caller} must be a table from make_release (it "
            "carries its data dictionary and the hospital's key). Got "
            f"{got} instead."
        )
    if not isinstance(register, pd.DataFrame) or not set(REGISTER_COLUMNS + ("patient_id",)) \
            <= set(register.columns):
        raise TeachkitError(
            f"The 'register' parameter of {caller} must be a DataFrame from public_register, "
            f"with the columns {list(REGISTER_COLUMNS) + ['patient_id']}."
        )
    levels = meta["levels"]
    linked_on = tuple(d for d in REGISTER_DETAILS if d in levels)
    rel_key = reg_key = None
    if linked_on and len(release):
        rel_key, reg_key = _link_keys(release, register, levels, linked_on)
    return mark_attack(release, register, rel_key, reg_key, linked_on=linked_on)


def mark_attack(release: pd.DataFrame, register: pd.DataFrame, rel_key, reg_key, *,
                linked_on: tuple) -> AttackResult:
    """Claims from link keys (equal key, equal linked details), marked with the key.

    The shared second half of :func:`linkage_attack`; :func:`teachkit.privacy.run_release`
    computes the same keys from integer codes, which is faster than from the text.
    """
    key = release.attrs["teachkit"]["key"]
    released = len(release)
    claim_rows = np.array([], dtype=np.int64)
    person_rows = np.array([], dtype=np.int64)
    if rel_key is not None and released:
        rel_unique, rel_counts, rel_first = _unique_positions(rel_key)
        alone = rel_counts == 1
        candidates, candidate_rows = rel_unique[alone], rel_first[alone]
        patients_on_roll = np.zeros(len(candidates), dtype=np.int64)
        where = np.zeros(len(candidates), dtype=np.int64)
        if len(register):
            reg_unique, reg_counts, reg_first = _unique_positions(reg_key)
            where = np.minimum(np.searchsorted(reg_unique, candidates), len(reg_unique) - 1)
            match = reg_unique[where] == candidates
            patients_on_roll = np.where(match, reg_counts[where], 0)
            where = reg_first[where]
        others = _lookalikes(release, register, candidate_rows, linked_on)
        found = patients_on_roll + others == 1
        order = np.argsort(candidate_rows[found], kind="stable")
        claim_rows = candidate_rows[found][order]
        person_rows = np.where(patients_on_roll[found] == 1, where[found], -1)[order]
    truth = key.patient_id[claim_rows].astype(np.int64)
    patient = person_rows >= 0
    named = np.full(len(claim_rows), np.nan)
    named[patient] = register["patient_id"].to_numpy(dtype="float64", na_value=np.nan)[
        person_rows[patient]]
    correct = named == truth
    linked = _claims(release, register, claim_rows, person_rows, truth)
    linked["correct"] = correct
    hit = np.zeros(released, dtype=bool)
    hit[claim_rows[correct]] = True
    n_right = int(correct.sum())
    return AttackResult(
        released=released,
        claimed=len(claim_rows),
        reidentified=n_right,
        wrong=int(len(claim_rows) - n_right),
        rate=n_right / released if released else 0.0,
        linked_on=tuple(linked_on),
        by_group=_by_group(key.groups, hit),
        linked=linked,
    )


class _Town(dict):
    """The register's town (its make-up and the patients' details): shared, not copied,
    when pandas copies the register's attrs (it deep-copies them on every column read)."""

    def __deepcopy__(self, memo):
        return self


def _town(register: pd.DataFrame) -> dict | None:
    return register.attrs.get("teachkit", {}).get("town")


def _lookalikes(release, register, rows, linked_on) -> np.ndarray:
    """How many register people who are not patients share each release row's details
    (0, 1, or 2 for "two or more"): a Poisson count with the town's expected number,
    decided by one fixed uniform per patient, so a coarser release never names more."""
    town = _town(register)
    if town is None or not len(rows) or not linked_on:
        return np.zeros(len(rows), dtype=np.int64)
    pid = release.attrs["teachkit"]["key"].patient_id[rows].astype(np.int64)
    patients = town["patients"].iloc[town["position"][pid]]
    released = release.attrs["teachkit"]["levels"]
    levels = {d: released[d] for d in linked_on}
    codes = {d: generalise(patients, d, levels[d]) if d in levels
             else np.zeros(len(rows), dtype=np.int64)
             for d in ("zip", "birth", "sex", "ethnicity")}
    lam = expected_others(codes["zip"], codes["birth"], codes["sex"], codes["ethnicity"],
                          levels, people=town["others"])
    u = town["lookalike_u"][pid - 1]
    none = np.exp(-lam)
    return np.where(u < none, 0, np.where(u < none * (1 + lam), 1, 2))


def _claims(release, register, claim_rows, person_rows, truth) -> pd.DataFrame:
    """The people the attacker named: a patient on the register, or a look-alike (a
    townsperson with the patient's released details and a name of their own)."""
    patient = person_rows >= 0
    town = _town(register)
    own = town["patients"].iloc[town["position"][truth]] if town is not None else None
    shown = {}
    for column in ("name", "zip5", "birth_date", "sex"):
        source = register[column]
        dates = column == "birth_date"
        values = np.empty(len(truth), dtype=source.to_numpy().dtype if dates else object)
        values[patient] = (source.to_numpy() if dates else source.astype(str).to_numpy())[
            person_rows[patient]]
        if own is not None and (~patient).any():
            theirs = own[column].to_numpy() if dates else own[column].astype(str).to_numpy()
            values[~patient] = theirs[~patient]
        shown[column] = values
    if own is not None and (~patient).any():
        pool = town["patients"]["name"].astype(str).to_numpy()
        draw = (town["lookalike_u"][truth[~patient] - 1] * 1e6).astype(np.int64)
        shown["name"][~patient] = pool[draw % len(pool)]
    return pd.DataFrame({
        "record": release.index.to_numpy()[claim_rows],
        **shown,
        **{c: release[c].to_numpy()[claim_rows]
           for c in ("phq9_total", "self_harm_thoughts", "diagnosis_code", "crisis")
           if c in release.columns},
    })


def _by_group(groups: pd.DataFrame, hit: np.ndarray) -> pd.DataFrame:
    """Released and re-identified patients per group of each attribute."""
    return count_by_group(groups, hit, total="released", part="reidentified")


def count_by_group(groups: pd.DataFrame, mask: np.ndarray, *, total: str,
                   part: str) -> pd.DataFrame:
    """Per group of each attribute: the rows (``total``), those in ``mask`` (``part``)
    and their share (``rate``); index (attribute, group), every group listed."""
    index, totals, parts = [], [], []
    for attribute in GROUP_ATTRIBUTES:
        column = groups[attribute]
        levels = list(column.cat.categories)
        codes = column.cat.codes.to_numpy()
        totals.extend(np.bincount(codes, minlength=len(levels)).tolist())
        parts.extend(np.bincount(codes, weights=mask, minlength=len(levels)).astype(int)
                     .tolist())
        index.extend((attribute, str(level)) for level in levels)
    table = pd.DataFrame({total: totals, part: parts},
                         index=pd.MultiIndex.from_tuples(index, names=["attribute", "group"]))
    table["rate"] = table[part] / table[total].where(table[total] > 0)
    return table
