"""Plain-language sentences about oversight: who decided, and what changed.

The wording follows :mod:`teachkit.text` (per 1,000 patients, "urgent follow-up",
"needless escalation"); numbers are formatted with its helpers.
"""

from __future__ import annotations

from ..text import describe_unchanged, more_fewer, per_1000, whole, whole_counts

__all__ = ["BASELINE_NAMES", "describe_oversight", "describe_deciders"]

#: How a sentence names the run it compares with (see ``OversightSettings.baseline``).
BASELINE_NAMES = {
    "review": "the same flags with a clinician reviewing",
    "usual": "the usual review set-up",
    "model": "the model acting alone",
    "own_rule": "the same set-up without your escalation rule",
    "self": "itself",
}


def describe_deciders(decisions) -> str:
    """Who decided the cases, per 1,000 patients (a row of ``OversightResult.decisions``).

    Examples
    --------
    >>> describe_deciders({"human": 52.0, "model": 0.0, "nobody": 19.7})
    'Of the 72 cases per 1,000 patients, 52 were decided by a clinician, 0 by the model \
alone and 20 by nobody (the queue was full or the flags were dropped).'
    """
    human, model, nobody = (whole(decisions[k]) for k in ("human", "model", "nobody"))
    cases = human + model + nobody
    return (f"Of the {per_1000(cases)} cases per 1,000 patients, {per_1000(human)} were "
            f"decided by a clinician, {per_1000(model)} by the model alone and "
            f"{per_1000(nobody)} by nobody (the queue was full or the flags were dropped).")


def describe_oversight(now, before, decisions, *, baseline_name: str) -> str:
    """What the deployment does, against one step back, in plain language.

    ``now`` and ``before`` are rows of ``ConsequenceFrame.overall`` (``flagged`` there
    counts urgent follow-ups); ``before`` may be None.

    Examples
    --------
    >>> before = {"flagged": 71.7, "crises": 19.3, "caught": 9.5, "missed": 9.8,
    ...           "needless": 62.2}
    >>> now = dict(before, flagged=30.0, caught=6.0, missed=13.3, needless=24.0)
    >>> print(describe_oversight(now, before, {"human": 60.0, "model": 0.0,
    ...       "nobody": 11.7}, baseline_name="the model acting alone"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Compared with the model acting alone, out of every 1,000 patients: 4 fewer crises
    caught (6 of 19), 4 more crises missed and 38 fewer needless escalations. 30 get
    an urgent follow-up (the model acting alone: 72). Of the 72 cases per 1,000
    patients, 60 were decided by a clinician, 0 by the model alone and 12 by nobody (the
    queue was full or the flags were dropped).
    """
    who = describe_deciders(decisions)
    unchanged = None if before is None else describe_unchanged(
        now, before, baseline_name=baseline_name)
    now = whole_counts(now)  # whole people that add up, as every view shows them
    before = None if before is None else whole_counts(before)
    if before is None:
        return (f"Out of every 1,000 patients, {per_1000(now['flagged'])} get an urgent "
                f"follow-up: {per_1000(now['caught'])} of the {per_1000(now['crises'])} "
                f"crises are caught, {per_1000(now['missed'])} missed, and "
                f"{per_1000(now['needless'])} follow-ups are needless. {who}")
    if unchanged:
        return (f"{unchanged} Out of every 1,000 patients, {per_1000(now['caught'])} of the "
                f"{per_1000(now['crises'])} crises are caught and "
                f"{per_1000(now['needless'])} follow-ups are needless. {who}")
    deltas = [now[k] - before[k] for k in ("caught", "missed", "needless")]
    return (
        f"Compared with {baseline_name}, out of every 1,000 patients: "
        f"{more_fewer(deltas[0], 'crises caught')} ({per_1000(now['caught'])} of "
        f"{per_1000(now['crises'])}), {more_fewer(deltas[1], 'crises missed')} and "
        f"{more_fewer(deltas[2], 'needless escalations')}. {per_1000(now['flagged'])} get an "
        f"urgent follow-up ({baseline_name}: {per_1000(before['flagged'])}). {who}"
    )
