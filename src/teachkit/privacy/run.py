"""One run of the data release: from the levers to everything lesson 03 shows.

:func:`run_release` is the only path from a :class:`~teachkit.privacy.Release` to a
:class:`ReleaseResult`: the released table, its k, who was withheld, the linkage
attack's result, the published counts with their error by group, and a map of the data
that leaves the hospital. The expensive work (codes per detail, the register, the count
table) is done once per cohort, and results are cached per release, so moving a lever
costs about 200 ms on the lessons' 60,000 patients (benchmarks/bench_privacy.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._cache import Recent
from .._validation import check_seed
from ..text import percent
from .attack import REGISTER_DETAILS, AttackResult, count_by_group, mark_attack, public_register
from .dp import count_table, dp_counts, dp_utility
from .quasi import DETAIL_NAMES, LEVEL_NAMES, QUASI_IDENTIFIERS, generalise
from .release import MAX_SUPPRESSED, Release, anonymise, prepare_cohort, release_table

__all__ = ["ReleaseResult", "run_release", "data_flow", "RELEASE_STAGE", "RELEASE_BASELINE_NAME"]

#: What a release is compared with: the naive research extract (every lever at rest).
RELEASE_BASELINE_NAME = "the naive research extract"

#: Smallest group whose share withheld the sentence may quote.
_MIN_QUOTED_GROUP = 20


@dataclass(frozen=True)
class ReleaseResult:
    """Everything one release does, computed once.

    Attributes
    ----------
    release : Release
        The levers.
    table : DataFrame
        What leaves the hospital (:func:`~teachkit.privacy.make_release`).
    patients : int
        Patients in the cohort.
    levels : dict
        The level each detail was released at, after k-anonymity (``"none"`` or
        ``"removed"`` when withheld).
    k : int
        The smallest equivalence class of the release (0 if nothing is released).
    suppressed : int
        Patients withheld to reach ``k_target``.
    suppressed_by_group : DataFrame
        Index (attribute, group); ``patients``, ``suppressed``, ``rate``.
    attack : AttackResult
        The linkage attack on the release with a public register.
    register_size : int
        People on the register.
    counts : DataFrame
        The published count table: ``count`` (true) and ``noisy`` (as published; equal
        to ``count`` without noise).
    utility : DataFrame
        Error of the published counts per ethnicity (:func:`~teachkit.privacy.dp_utility`).
    data_flow : DataFrame
        What leaves the hospital, detail by detail (:func:`data_flow`).

    Notes
    -----
    :meth:`sentence` says it in plain language; :meth:`most_suppressed` names the group
    that paid most for k.
    """

    release: Release
    table: pd.DataFrame = field(repr=False)
    patients: int
    levels: dict
    k: int
    suppressed: int
    suppressed_by_group: pd.DataFrame = field(repr=False)
    attack: AttackResult = field(repr=False)
    register_size: int
    counts: pd.DataFrame = field(repr=False)
    utility: pd.DataFrame = field(repr=False)
    data_flow: pd.DataFrame = field(repr=False)
    baseline_name: str = RELEASE_BASELINE_NAME

    @property
    def coarsened(self) -> dict:
        """Details made coarser than the levers asked, to reach k: detail -> level."""
        asked = self.release.start_levels
        return {d: lv for d, lv in self.levels.items() if lv != asked[d]}

    def most_suppressed(self) -> tuple[str, str, float] | None:
        """The group (attribute, group, share) most often withheld, among groups of at
        least 20 patients; None when nobody was withheld."""
        if not self.suppressed:
            return None
        table = self.suppressed_by_group
        table = table[table["patients"] >= _MIN_QUOTED_GROUP]
        if table.empty:
            return None
        (attribute, group), row = next(iter(table.sort_values(
            "rate", ascending=False, kind="stable").iterrows()))
        return attribute, group, float(row["rate"])

    def sentence(self) -> str:
        """What this release does to the patients, in plain language."""
        return " ".join(describe_release(self))


def describe_release(result: ReleaseResult) -> list[str]:
    """The plain-language sentences of a :class:`ReleaseResult`, one per idea.

    Who can be named (and how many names would be wrong), what reaching k cost and who
    paid it, and how far the published counts are from the truth, by group.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> result = run_release(Release(k_target=11), make_cohort(2_000, seed=2))
    >>> describe_release(result)[0].startswith("Nobody in the release can be named")
    True
    """
    attack, release = result.attack, result.release
    out = []
    if not attack.released:
        out.append("Every patient was withheld: the release is empty, so nobody can be "
                   "named, and nobody can learn anything from it either.")
    elif not attack.linked_on:
        out.append("The release holds no detail the voter list also has, so nobody can "
                   "be named by linking the two.")
    elif attack.reidentified:
        details = _join([DETAIL_NAMES[d] for d in attack.linked_on])
        out.append(
            f"Someone holding a public voter list could put the right name to "
            f"{attack.reidentified:,} of the {attack.released:,} synthetic patients in the "
            f"release ({percent(attack.rate)}) by matching {details}, and so learn their "
            "depression score, thoughts of self-harm and any crisis."
        )
    else:
        out.append(
            "Nobody in the release can be named by matching it with the voter list: "
            f"every patient shares their released details with at least {result.k - 1:,} "
            "others."
            if result.k > 1 else
            "Nobody in the release can be named by matching it with the voter list."
        )
    if attack.wrong:
        out.append(f"{attack.wrong:,} more names would be wrong: a look-alike on the list "
                   "is taken for the patient.")
    if release.k_target > 1:
        changes = [f"the {DETAIL_NAMES[d]} removed" if lv in ("none", "removed")
                   else f"the {DETAIL_NAMES[d]} cut to the {LEVEL_NAMES[d][lv]}"
                   for d, lv in result.coarsened.items()]
        how = f"with {_join(changes)}, " if changes else ""
        text = (f"To make every patient look like at least {release.k_target - 1} others, "
                f"{how}{result.suppressed:,} patients "
                f"({percent(result.suppressed / result.patients)}) were left out of the "
                "release")
        worst = result.most_suppressed()
        if worst is not None:
            attribute, group, share = worst
            text += f"; the most often left out were {group} patients ({percent(share)} of them)"
        out.append(text + ".")
    if release.uses_noise:
        utility = result.utility.dropna(subset=["relative_error"])
        biggest = utility["true"].idxmax()
        smallest = utility["true"].idxmin()
        out.append(
            f"The published counts carry random noise (ε = {release.epsilon:g}): they are "
            f"off by {percent(utility.loc[biggest, 'relative_error'])} for {biggest} patients "
            f"but by {percent(utility.loc[smallest, 'relative_error'])} for {smallest} "
            "patients, the smallest group."
        )
    else:
        out.append("The counts of patients with probable depression by area and ethnicity "
                   "are published exactly.")
    return out


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def data_flow(release: Release, levels: dict | None = None) -> pd.DataFrame:
    """What leaves the hospital, detail by detail.

    Parameters
    ----------
    release : Release
    levels : dict, default=release.start_levels
        The levels actually released (after k-anonymity).

    Returns
    -------
    flow : DataFrame
        One row per detail of the records: ``detail``, ``kind`` (identifier,
        quasi-identifier, clinical, published count), ``leaves`` (bool) and ``as`` (how
        it leaves, in plain words).

    Examples
    --------
    >>> flow = data_flow(Release())
    >>> flow.loc[flow["leaves"], "detail"].tolist()[:3]
    ['ZIP code', 'Date of birth', 'Sex / gender']
    >>> bool(flow.set_index("detail").loc["Name", "leaves"])
    False
    """
    levels = dict(release.start_levels if levels is None else levels)
    asked = release.start_levels
    rows = [
        ("Name", "identifier", False, "never: removed"),
        ("Patient record number", "identifier", False,
         "never: each row gets a new random number"),
    ]
    for detail in QUASI_IDENTIFIERS:
        level = levels[detail]
        withheld = level in ("none", "removed")
        how = "never: removed" if withheld else LEVEL_NAMES[detail][level]
        if level != asked[detail]:
            how += " (coarsened to reach k)" if not withheld else " (to reach k)"
        name = DETAIL_NAMES[detail][0].upper() + DETAIL_NAMES[detail][1:]
        rows.append((name, "quasi-identifier", not withheld, how))
    for name in ("PHQ-9 total score", "Thoughts of self-harm (PHQ-9 item 9)",
                 "Diagnosis code", "Crisis in the next year"):
        rows.append((name, "clinical (sensitive)", True, "exactly, for every released patient"))
    counts = ("exactly" if not release.uses_noise
              else f"with random noise (ε = {release.epsilon:g})")
    rows.append(("Patients with probable depression, by ZIP3 area and ethnicity",
                 "published count", True, counts))
    return pd.DataFrame(rows, columns=["detail", "kind", "leaves", "as"])


def _fast_attack(prepared, table, rows, levels, seed: int) -> tuple[AttackResult, int]:
    """The linkage attack from integer codes: the same claims as ``linkage_attack``."""
    register, reg_codes = _register(prepared, seed)
    linked_on = tuple(d for d in REGISTER_DETAILS if levels[d] not in ("none", "removed"))
    rel_key = reg_key = None
    if linked_on and len(rows):
        rel_key = np.zeros(len(rows), dtype=np.int64)
        reg_key = np.zeros(len(register), dtype=np.int64)
        for detail in linked_on:
            level = levels[detail]
            ours = prepared.raw(detail, level)[rows]
            theirs = reg_codes(detail, level)
            _, inverse = np.unique(np.concatenate([ours, theirs]), return_inverse=True)
            inverse = inverse.reshape(-1)
            m = int(inverse.max()) + 1
            rel_key = rel_key * m + inverse[:len(rows)]
            reg_key = reg_key * m + inverse[len(rows):]
    return (mark_attack(table, register, rel_key, reg_key, linked_on=linked_on),
            register.attrs["teachkit"]["size"])


def _register(prepared, seed: int):
    cache = prepared.extra.setdefault("register", {})
    if seed not in cache:
        register = public_register(prepared.cohort, seed=seed)
        codes: dict = {}

        def reg_codes(detail, level):
            if (detail, level) not in codes:
                codes[detail, level] = generalise(register, detail, level)
            return codes[detail, level]

        cache[seed] = (register, reg_codes)
    return cache[seed]


def _published(prepared, release: Release, seed: int):
    cache = prepared.extra.setdefault("counts", {})
    if release.epsilon not in cache:
        if "table" not in prepared.extra:
            prepared.extra["table"] = count_table(prepared.cohort)
        table = prepared.extra["table"]
        if release.uses_noise:
            published = dp_counts(table, release.epsilon, seed=seed)
        else:
            published = table.assign(noisy=table["count"])
        cache[release.epsilon] = (published, dp_utility(published))
    return cache[release.epsilon]


def run_release(release: Release | None = None, cohort: pd.DataFrame | None = None, *,
                seed: int = 0) -> ReleaseResult:
    """Release the cohort with these levers, attack it, and count the cost.

    Parameters
    ----------
    release : Release, default=Release()
        The levers (at rest: the naive release).
    cohort : DataFrame, default=None
        The patients; None takes the lessons' cohort
        (:func:`teachkit.pipeline.lesson_cohort`, 60,000 primary-care patients). A
        lesson may pass a subset (the patients who consented).
    seed : int, default=0
        Seed of the release's shuffle, the register and the noise.

    Returns
    -------
    ReleaseResult
        Cached per cohort object and release: callers must not change a cohort in place
        (levers never do; they return new cohorts).

    Raises
    ------
    TeachkitError
        If ``release`` is not a :class:`Release` or the cohort lacks a column.

    See Also
    --------
    make_release, linkage_attack, dp_counts : the three stages, one by one.

    Notes
    -----
    The register covers 80 % of a town of 7.6 million synthetic adults, the clinic's
    patients among them (source ``public_register``, A; :mod:`teachkit.privacy.town`).
    Its ZIP codes are of realistic size, so 87 % of the town is unique on ZIP5, the date
    of birth and sex, as Sweeney found (source ``sweeney_release``): a patient is named
    when they are on the register and nobody else on it shares their released details.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(3_000, seed=5)
    >>> naive = run_release(cohort=cohort)
    >>> naive.k, naive.attack.rate > 0.7
    (1, True)
    >>> safer = run_release(Release(k_target=11, epsilon=1.0), cohort)
    >>> safer.k >= 11, safer.attack.reidentified
    (True, 0)
    """
    release = Release() if release is None else release
    if not isinstance(release, Release):
        from .._validation import TeachkitError

        raise TeachkitError(
            "The 'release' parameter of run_release must be a Release. Got "
            f"{type(release).__name__} instead."
        )
    seed = check_seed(seed, caller="run_release")
    if cohort is None:
        from ..pipeline import lesson_cohort

        cohort = lesson_cohort()
    prepared = prepare_cohort(cohort, "run_release")
    results = prepared.extra.get("results") or prepared.extra.setdefault("results", Recent(64))
    key = (release, seed)
    hit = results.get(key)
    if hit is not None:
        return hit
    levels, keep, sizes = anonymise(prepared, release, MAX_SUPPRESSED)
    table, rows = release_table(prepared, release, levels, keep, sizes, seed=seed)
    attack, register_size = _fast_attack(prepared, table, rows, levels, seed)
    suppressed = count_by_group(prepared.groups, ~keep, total="patients", part="suppressed")
    counts, utility = _published(prepared, release, seed)
    result = ReleaseResult(
        release=release,
        table=table,
        patients=prepared.n,
        levels=levels,
        k=table.attrs["teachkit"]["k"],
        suppressed=int((~keep).sum()),
        suppressed_by_group=suppressed,
        attack=attack,
        register_size=register_size,
        counts=counts,
        utility=utility,
        data_flow=data_flow(release, levels),
    )
    return results.put(key, result)


# -- the release as a stage -------------------------------------------------------------
def _stage_baseline(deployment):
    """One step back: the naive extract (every release lever at rest)."""
    from ..levers import REGISTRY
    from ..stages import get_stage

    return ({name: REGISTRY[name].rest for name in get_stage("release").levers},
            RELEASE_BASELINE_NAME)


def _stage_run(deployment, *, with_baseline: bool = True) -> ReleaseResult:
    """The release of the deployment's cohort, by its levers' own function
    (:func:`~teachkit.levers.privacy.release_cohort`)."""
    from ..levers import call_bound
    from ..pipeline import lesson_cohort
    from ..stages import get_stage

    return call_bound(get_stage("release").lever_specs, deployment,
                      lesson_cohort(deployment.n, deployment.seed, deployment.setting))


def _register_stage():
    from ..stages import Stage, register_stage

    return register_stage(Stage(name="release", title="Data release", order=90,
                                baseline=_stage_baseline, run=_stage_run,
                                needs_triage=False))


RELEASE_STAGE = _register_stage()
