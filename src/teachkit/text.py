"""Plain-language text for clinicians: numbers per 1,000 patients, in sentences.

Every sentence a lesson shows about a run is made here, so the wording is consistent
and tested. No jargon: "flagged for urgent follow-up", "crisis in the next 90 days",
"needless escalation" (flagged, no crisis).
"""

from __future__ import annotations

import math

__all__ = ["per_1000", "describe_run", "describe_change", "describe_cohort",
           "SYNTHETIC_NOTICE"]

SYNTHETIC_NOTICE = (
    "All patients here are synthetic: made up by a computer to look like a real clinic. "
    "No real person's data is used."
)


def per_1000(value: float) -> str:
    """A per-1,000 figure as people read it: one decimal below 10, whole numbers above.

    Examples
    --------
    >>> per_1000(4.26), per_1000(187.4), per_1000(0.0)
    ('4.3', '187', '0')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    if abs(round(value, 1)) < 10:  # 9.96 reads "10", not "10.0"
        return f"{value:.1f}"
    return f"{value:.0f}"


def _more_fewer(delta: float, noun_plural: str, *, more="more", fewer="fewer") -> str:
    delta = round(delta, 6)  # caught and missed move by exactly opposite amounts
    if round(delta, 1) == 0:
        return f"the same number of {noun_plural}"
    word = more if delta > 0 else fewer
    return f"{per_1000(abs(delta))} {word} {noun_plural}"


def describe_run(now) -> str:
    """One run in plain language (``now`` is a row of ``ConsequenceFrame.overall``).

    Examples
    --------
    >>> row = {"flagged": 187.0, "crises": 20.0, "caught": 14.0, "missed": 6.0,
    ...        "needless": 173.0}
    >>> describe_run(row)  # doctest: +NORMALIZE_WHITESPACE
    'Out of every 1,000 patients, 187 are flagged for urgent follow-up. Of the 20 who
    will have a crisis in the next 90 days, 14 are caught and 6.0 are missed. 173 flagged
    patients will not have a crisis (needless escalations).'
    """
    return (
        f"Out of every 1,000 patients, {per_1000(now['flagged'])} are flagged for urgent "
        f"follow-up. Of the {per_1000(now['crises'])} who will have a crisis in the next "
        f"90 days, {per_1000(now['caught'])} are caught and {per_1000(now['missed'])} are "
        f"missed. {per_1000(now['needless'])} flagged patients will not have a crisis "
        f"(needless escalations)."
    )


def describe_change(now, before, *, baseline_name: str = "the usual rule") -> str:
    """The change against the baseline, per 1,000 patients, in plain language.

    Examples
    --------
    >>> before = {"flagged": 187.0, "crises": 20.0, "caught": 14.0, "missed": 6.0,
    ...           "needless": 173.0}
    >>> now = dict(before, flagged=120.0, caught=15.0, missed=5.0, needless=105.0)
    >>> print(describe_change(now, before))  # doctest: +NORMALIZE_WHITESPACE
    Compared with the usual rule, out of every 1,000 patients: 1.0 more crises caught
    (15 of 20), 1.0 fewer crises missed, and 68 fewer needless escalations. 120 are
    flagged (the usual rule: 187).
    """
    caught = now["caught"] - before["caught"]
    missed = now["missed"] - before["missed"]
    needless = now["needless"] - before["needless"]
    if all(round(d, 1) == 0 for d in (caught, missed, needless, now["flagged"] -
                                      before["flagged"])):
        return (f"No change against {baseline_name}. " + describe_run(now))
    return (
        f"Compared with {baseline_name}, out of every 1,000 patients: "
        f"{_more_fewer(caught, 'crises caught')} ({per_1000(now['caught'])} of "
        f"{per_1000(now['crises'])}), {_more_fewer(missed, 'crises missed')}, and "
        f"{_more_fewer(needless, 'needless escalations')}. {per_1000(now['flagged'])} are "
        f"flagged ({baseline_name}: {per_1000(before['flagged'])})."
    )


def describe_cohort(cohort) -> str:
    """A cohort in three plain sentences: who, how many are depressed, how many crises.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> print(describe_cohort(make_cohort(1_000, seed=3)))  # doctest: +ELLIPSIS
    1,000 synthetic patients (general population). ...
    """
    n = len(cohort)
    info = cohort.attrs.get("teachkit", {})
    from .cohort import COHORT_SETTINGS

    preset = COHORT_SETTINGS.get(info.get("setting"))
    setting = preset.label.lower() if preset else ""
    depressed = int((cohort["phq9_total"] >= 10).sum())
    item9 = int((cohort["phq9"] > 0).sum())
    crises = int(cohort["crisis_90d"].sum())
    quiet = int((cohort["crisis_90d"] & (cohort["phq9"] == 0)).sum())
    return (
        f"{n:,} synthetic patients{f' ({setting})' if setting else ''}. "
        f"{depressed:,} ({100 * depressed / n:.1f} %) score 10 or more on the PHQ-9, and "
        f"{item9:,} ({100 * item9 / n:.1f} %) report some thoughts of self-harm (item 9). "
        f"{crises:,} ({100 * crises / n:.1f} %) will have a crisis in the next 90 days; "
        f"{quiet:,} of them answered 'not at all' to the self-harm question."
    )
