"""Plain-language text for clinicians: numbers per 1,000 patients, in sentences.

Every sentence a lesson shows about a run is made here, so the wording is consistent
and tested. No jargon: "flagged for urgent follow-up", "crisis in the next year",
"needless escalation" (flagged, no crisis).
"""

from __future__ import annotations

import math

__all__ = ["per_1000", "whole", "whole_counts", "more_fewer", "describe_run",
           "describe_change", "describe_unchanged",
           "describe_cohort", "describe_programme", "describe_equal_score",
           "describe_group_change",
           "describe_base_rates", "percent", "SYNTHETIC_NOTICE", "BASELINE_NAMES",
           "LABEL_NAMES"]

#: How a sentence names the run it compares with (see ``Settings.baseline``).
BASELINE_NAMES = {
    "rest": "the usual rule",
    "bias": "the same model without the bias",
    "mitigation": "the same set-up without the mitigation",
}

#: What a model was trained on, as a sentence says it.
LABEL_NAMES = {
    "crisis": "the true-crisis label",
    "cost": "the cost label",
    "diagnosis": "the diagnosis label",
    "need": "the need label",
}

SYNTHETIC_NOTICE = (
    "All patients here are synthetic: made up by a computer to look like a real clinic. "
    "No real person's data is used."
)


def whole(value) -> int | None:
    """A number of people rounded to a whole person, halves up (None for a missing value).

    The one rounding rule of every view: cards, captions, tables, pictures and sentences
    all round with it, so the numbers on one screen add up (:func:`whole_counts`).

    Examples
    --------
    >>> whole(8.7), whole(8.5), whole(2.5), whole(-0.5), whole(float("nan"))
    (9, 9, 3, 0, None)
    """
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    return int(math.floor(value + 0.5))


def per_1000(value: float) -> str:
    """A number of people per 1,000 as people read it: a whole number, or "under 1".

    People are counted whole ("9 are missed", never "8.7"); a number that rounds to 0
    but is not 0 reads "under 1", so a rare harm does not vanish.

    Examples
    --------
    >>> per_1000(4.26), per_1000(187.4), per_1000(0.0), per_1000(0.3), per_1000(1234.0)
    ('4', '187', '0', 'under 1', '1,234')
    """
    rounded = whole(value)
    if rounded is None:
        return "–"
    if rounded == 0 and value != 0:
        return "under 1"
    return f"{rounded:,}"


#: The totals of a run's row and the parts that make them up: (total, part rounded on its
#: own, the part that takes the rest).
_SUMS = (("crises", "caught", "missed"), ("flagged", "caught", "needless"))


def whole_counts(row) -> dict:
    """A run's row (per 1,000 patients) in whole people that add up.

    Every number is rounded (:func:`whole`), then a part that makes up a total takes the
    rest of it: missed = crises - caught and needless = flagged - caught, whenever the
    row's own numbers are those sums. So the crises (the same whatever the levers) never
    change with rounding, and "10 caught and 9 missed of 19 crises" adds up. Other
    entries are kept as they are.

    Examples
    --------
    >>> row = {"flagged": 181.0, "crises": 18.7, "caught": 10.4, "missed": 8.3,
    ...        "needless": 170.6}
    >>> whole_counts(row)
    {'flagged': 181, 'crises': 19, 'caught': 10, 'missed': 9, 'needless': 171}
    """
    out = dict(row.items()) if hasattr(row, "items") else dict(row)
    keys = {key for sums in _SUMS for key in sums} & out.keys()
    for key in keys:
        out[key] = whole(row[key])
    for total, part, rest in _SUMS:
        if {total, part, rest} <= keys and None not in (out[total], out[part], out[rest]) \
                and math.isclose(float(row[total]), float(row[part]) + float(row[rest]),
                                 abs_tol=1e-6):
            out[rest] = out[total] - out[part]
    return out


def more_fewer(delta: float, noun_plural: str, *, more="more", fewer="fewer") -> str:
    """A change in people per 1,000 as a phrase: "3 more crises missed".

    ``delta`` is rounded to whole people (:func:`whole`); 0 reads "the same number of
    ...", and one person takes the singular.

    Examples
    --------
    >>> more_fewer(2.6, "crises caught"), more_fewer(-1, "needless escalations")
    ('3 more crises caught', '1 fewer needless escalation')
    >>> more_fewer(0.4, "crises missed")
    'the same number of crises missed'
    """
    delta = whole(delta)
    if delta == 0:
        return f"the same number of {noun_plural}"
    word = more if delta > 0 else fewer
    if abs(delta) == 1:  # "1 more crisis caught"
        noun_plural = noun_plural.replace("crises", "crisis").replace("escalations",
                                                                      "escalation")
    return f"{per_1000(abs(delta))} {word} {noun_plural}"


def describe_run(now) -> str:
    """One run in plain language (``now`` is a row of ``ConsequenceFrame.overall``).

    Examples
    --------
    >>> row = {"flagged": 187.0, "crises": 20.0, "caught": 14.0, "missed": 6.0,
    ...        "needless": 173.0}
    >>> describe_run(row)  # doctest: +NORMALIZE_WHITESPACE
    'Out of every 1,000 patients, 187 are flagged for urgent follow-up. Of the 20 who
    will have a crisis in the next year, 14 are caught and 6 are missed. 173 flagged
    patients will not have a crisis (needless escalations).'
    """
    now = whole_counts(now)
    return (
        f"Out of every 1,000 patients, {per_1000(now['flagged'])} are flagged for urgent "
        f"follow-up. Of the {per_1000(now['crises'])} who will have a crisis in the next "
        f"year, {per_1000(now['caught'])} are caught and {per_1000(now['missed'])} are "
        f"missed. {per_1000(now['needless'])} flagged patients will not have a crisis "
        f"(needless escalations)."
    )


#: The numbers of a run a change sentence compares (per 1,000 patients).
_COMPARED = ("flagged", "caught", "missed", "needless")


def describe_unchanged(now, before, *, baseline_name: str) -> str | None:
    """The sentence every lesson opens with when no whole person per 1,000 changed;
    None when one did (then say what changed).

    A change smaller than one person per 1,000 is still said, never hidden: "Less than
    1 in 1,000 patients changes"; "No change" only when nothing moved at all. ``now`` and
    ``before`` are rows of ``ConsequenceFrame.overall`` (per 1,000, not yet rounded).

    Examples
    --------
    >>> before = {"flagged": 187.0, "caught": 14.0, "missed": 6.0, "needless": 173.0}
    >>> describe_unchanged(dict(before), before, baseline_name="the usual rule")
    'No change against the usual rule.'
    >>> describe_unchanged(dict(before, flagged=187.2, needless=173.2), before,
    ...                    baseline_name="the usual rule")
    'Less than 1 in 1,000 patients changes against the usual rule.'
    >>> describe_unchanged(dict(before, flagged=190.0, needless=176.0), before,
    ...                    baseline_name="the usual rule") is None
    True
    """
    rounded_now, rounded_before = whole_counts(now), whole_counts(before)
    if any(rounded_now[k] != rounded_before[k] for k in _COMPARED):
        return None
    if any(abs(float(now[k]) - float(before[k])) > 1e-9 for k in _COMPARED):
        return f"Less than 1 in 1,000 patients changes against {baseline_name}."
    return f"No change against {baseline_name}."


def describe_change(now, before, *, baseline_name: str = "the usual rule") -> str:
    """The change against the baseline, per 1,000 patients, in plain language.

    Examples
    --------
    >>> before = {"flagged": 187.0, "crises": 20.0, "caught": 14.0, "missed": 6.0,
    ...           "needless": 173.0}
    >>> now = dict(before, flagged=120.0, caught=15.0, missed=5.0, needless=105.0)
    >>> print(describe_change(now, before))  # doctest: +NORMALIZE_WHITESPACE
    Compared with the usual rule, out of every 1,000 patients: 1 more crisis caught
    (15 of 20), 1 fewer crisis missed, and 68 fewer needless escalations. 120 are
    flagged (the usual rule: 187).
    """
    unchanged = describe_unchanged(now, before, baseline_name=baseline_name)
    now, before = whole_counts(now), whole_counts(before)
    if unchanged:
        return f"{unchanged} {describe_run(now)}"
    caught = now["caught"] - before["caught"]
    missed = now["missed"] - before["missed"]
    needless = now["needless"] - before["needless"]
    return (
        f"Compared with {baseline_name}, out of every 1,000 patients: "
        f"{more_fewer(caught, 'crises caught')} ({per_1000(now['caught'])} of "
        f"{per_1000(now['crises'])}), {more_fewer(missed, 'crises missed')}, and "
        f"{more_fewer(needless, 'needless escalations')}. {per_1000(now['flagged'])} are "
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
    crises = int(cohort["crisis"].sum())
    quiet = int((cohort["crisis"] & (cohort["phq9"] == 0)).sum())
    return (
        f"{n:,} synthetic patients{f' ({setting})' if setting else ''}. "
        f"{depressed:,} ({100 * depressed / n:.1f} %) score 10 or more on the PHQ-9, and "
        f"{item9:,} ({100 * item9 / n:.1f} %) report some thoughts of self-harm (item 9). "
        f"{crises:,} ({100 * crises / n:.1f} %) will have a crisis in the next year; "
        f"{quiet:,} of them answered 'not at all' to the self-harm question."
    )


def percent(share: float) -> str:
    """A share as people read it: ``0.177`` -> ``"17.7 %"``, ``0.5`` -> ``"50 %"``.

    Examples
    --------
    >>> percent(0.177), percent(0.5), percent(0.03)
    ('17.7 %', '50 %', '3 %')
    """
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    value = round(100 * share, 1)
    return f"{value:.0f} %" if value == int(value) else f"{value:.1f} %"


def describe_programme(group: str, now: float, before: float, *, programme: float,
                       population: float, now_name: str, before_name: str) -> str:
    """A group's share of a top-k % programme now and before, in one sentence.

    Examples
    --------
    >>> print(describe_programme("Black", 0.097, 0.138, programme=0.03, population=0.122,
    ...       now_name="the cost label", before_name="the true-crisis label"))
    ... # doctest: +NORMALIZE_WHITESPACE
    With the cost label, Black patients are 9.7 % of the top 3 % programme, against
    13.8 % with the true-crisis label (and 12.2 % of all patients).
    """
    return (
        f"With {now_name}, {group} patients are {percent(now)} of the top "
        f"{percent(programme)} programme, against {percent(before)} with {before_name} "
        f"(and {percent(population)} of all patients)."
    )


def describe_equal_score(group: str, reference: str, gap: float, *,
                         what: str = "true crisis risk") -> str:
    """How much more (or less) in need a group is than another at the same score.

    ``gap`` is a ratio (:func:`teachkit.consequences.equal_score_gap` with
    ``ratio=True``).

    Examples
    --------
    >>> describe_equal_score("Black", "White", 1.31)
    'At the same score, Black patients have a 31 % higher true crisis risk than White patients.'
    >>> describe_equal_score("Black", "White", 1.01)
    'At the same score, Black patients have about the same true crisis risk as White patients.'
    """
    if gap is None or math.isnan(gap):
        return f"There are too few {group} patients to compare at the same score."
    change = gap - 1
    if abs(change) < 0.05:
        return (f"At the same score, {group} patients have about the same {what} as "
                f"{reference} patients.")
    word = "higher" if change > 0 else "lower"
    return (f"At the same score, {group} patients have a {abs(change) * 100:.0f} % {word} "
            f"{what} than {reference} patients.")


def describe_group_change(change, *, noun: str = "crises missed", top: int = 2) -> str:
    """Who gains and who loses: the groups whose ``noun`` per 1,000 moved most.

    ``change`` is a Series of per-1,000 changes indexed by group (one attribute of
    ``ConsequenceFrame.versus_baseline()``).

    Examples
    --------
    >>> import pandas as pd
    >>> change = pd.Series({"White": -0.4, "Black": 2.1, "Asian": 0.0})
    >>> describe_group_change(change)
    'Per 1,000 patients of each group: Black 2 more crises missed.'
    >>> describe_group_change(change * 0)
    'Per 1,000 patients of each group: no change in crises missed.'
    """
    moved = change.dropna().map(whole)
    moved = moved[moved != 0]
    if moved.empty:
        return f"Per 1,000 patients of each group: no change in {noun}."
    order = moved.abs().sort_values(ascending=False).index[:top]
    parts = []
    for i, group in enumerate(order):
        value = moved[group]
        word = "more" if value > 0 else "fewer"
        parts.append(f"{group} {per_1000(abs(value))} {word}" + (f" {noun}" if i == 0 else ""))
    return "Per 1,000 patients of each group: " + ", ".join(parts) + "."


def describe_base_rates(rates, metrics, *, group: str, reference: str) -> str:
    """Why not every error can be equal: different base rates, on the trainee's numbers.

    ``rates`` holds crises per 1,000 by group; ``metrics`` has ``sensitivity`` and
    ``PPV`` by group.

    Examples
    --------
    >>> import pandas as pd
    >>> rates = pd.Series({"White": 18.0, "Black": 22.0})
    >>> metrics = pd.DataFrame({"sensitivity": [0.5, 0.4], "PPV": [0.2, 0.25]},
    ...                        index=["White", "Black"])
    >>> print(describe_base_rates(rates, metrics, group="Black", reference="White"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Crises are not equally common: 22 per 1,000 Black patients, 18 per 1,000 White
    patients. With different base rates no threshold makes both the share of crises
    caught (Black 40 %, White 50 %) and the share of flags that are real crises (Black
    25 %, White 20 %) equal at once: choose which error matters more.
    """
    m = metrics
    return (
        f"Crises are not equally common: {per_1000(rates[group])} per 1,000 {group} "
        f"patients, {per_1000(rates[reference])} per 1,000 {reference} patients. With "
        f"different base rates no threshold makes both the share of crises caught "
        f"({group} {percent(m.loc[group, 'sensitivity'])}, {reference} "
        f"{percent(m.loc[reference, 'sensitivity'])}) and the share of flags that are "
        f"real crises ({group} {percent(m.loc[group, 'PPV'])}, {reference} "
        f"{percent(m.loc[reference, 'PPV'])}) equal at once: choose which error matters "
        f"more."
    )
