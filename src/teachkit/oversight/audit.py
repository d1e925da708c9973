"""Accountability: a responsibility map of a whole run, and one patient's audit log.

- :func:`responsibility_map`: for each decider (the model's silence, a clinician, the
  model alone, nobody), how many cases it decided per 1,000 patients, the crises caught
  and missed and the needless escalations under it, and who answers for those decisions;
- :func:`audit_log`: for a single patient, who decided what, on what, and when: the
  questionnaire, the model's flag, the escalation rule, the queue, the reviewer, and the
  outcome (known here only because the patients are synthetic).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import TeachkitError
from ..levers.oversight import TIER_SHARES
from .deployment import HUMAN, MODEL, NOBODY, NOT_FLAGGED, OversightResult

__all__ = ["responsibility_map", "audit_log", "example_patients", "ITEM9_ANSWERS",
           "ACCOUNTABLE"]

ITEM9_ANSWERS = ("not at all", "several days", "more than half the days",
                 "nearly every day")

#: Who answers for the decisions of each decider (a teaching proposal, DOMAIN.md T4).
ACCOUNTABLE = {
    NOT_FLAGGED: "the vendor and the practice that chose the model and its threshold",
    HUMAN: "the reviewing clinician, and the practice that set their workload",
    MODEL: "the practice that let the model act alone, and the vendor",
    NOBODY: "the practice's management: staffing, queue and escalation rules",
}
_ROWS = {
    NOT_FLAGGED: "Not flagged (the model's silence)",
    HUMAN: "Decided by a clinician",
    MODEL: "Decided by the model alone",
    NOBODY: "Decided by nobody (queue full or flags dropped)",
}


def responsibility_map(result: OversightResult) -> pd.DataFrame:
    """Who decided each patient's case, what came of it, and who answers for it.

    Parameters
    ----------
    result : OversightResult

    Returns
    -------
    DataFrame
        One row per decider; columns ``cases``, ``followed_up``, ``caught``,
        ``missed``, ``needless`` (per 1,000 patients) and ``accountable``.

    Examples
    --------
    >>> from teachkit.oversight import OversightSettings, run_oversight
    >>> table = responsibility_map(run_oversight(OversightSettings(model="logistic")))
    >>> list(table.columns)
    ['cases', 'followed_up', 'caught', 'missed', 'needless', 'accountable']
    >>> round(float(table["missed"].sum()), 2) == round(float(
    ...     run_oversight(OversightSettings(model="logistic")).consequences.overall[
    ...     "missed"].iloc[0]), 2)
    True
    """
    if not isinstance(result, OversightResult):
        raise TeachkitError("The 'result' parameter of responsibility_map must be an "
                            f"OversightResult from run_oversight. Got "
                            f"{type(result).__name__} instead.")
    d = result.deployment
    y = result.records["crisis"].to_numpy(dtype=bool)
    n = len(y)
    rows = []
    for code in (NOT_FLAGGED, HUMAN, MODEL, NOBODY):
        mine = d.decided_by == code
        rows.append({
            "cases": 1000 * mine.sum() / n if code != NOT_FLAGGED else np.nan,
            "followed_up": 1000 * (mine & d.acted).sum() / n,
            "caught": 1000 * (mine & d.acted & y).sum() / n,
            "missed": 1000 * (mine & ~d.acted & y).sum() / n,
            "needless": 1000 * (mine & d.acted & ~y).sum() / n,
            "accountable": ACCOUNTABLE[code],
        })
    return pd.DataFrame(rows, index=pd.Index([_ROWS[c] for c in _ROWS], name="decided by"))


def example_patients(result: OversightResult) -> dict[str, int]:
    """One patient (their ``patient_id``) for each story the audit log can tell.

    Keys, when such a patient exists: ``"caught by a clinician"``, ``"lost in the
    queue"``, ``"dismissed by a clinician"``, ``"followed wrong advice"``,
    ``"never flagged"``, ``"the model alone"``, ``"escalated (self-harm thoughts)"``.
    The first such patient in the cohort's order is taken, so the choice is stable.

    Examples
    --------
    >>> from teachkit.oversight import OversightSettings, run_oversight
    >>> examples = example_patients(run_oversight(OversightSettings(model="logistic")))
    >>> "caught by a clinician" in examples and "lost in the queue" in examples
    True
    """
    d = result.deployment
    y = result.records["crisis"].to_numpy(dtype=bool)
    stories = {
        "caught by a clinician": y & d.reviewed & d.acted,
        "lost in the queue": y & d.overflow,
        "dismissed by a clinician": y & d.reviewed & ~d.acted,
        "followed wrong advice": d.blind_follow & d.acted,
        "never flagged": y & (d.decided_by == NOT_FLAGGED),
        "the model alone": d.decided_by == MODEL,
        "flags dropped": (d.decided_by == NOBODY) & (d.queue_rank < 0),
        "escalated (self-harm thoughts)": d.escalated & d.reviewed,
    }
    ids = result.records["patient_id"].to_numpy()
    return {name: int(ids[np.argmax(mask)]) for name, mask in stories.items() if mask.any()}


def _row(records, patient_id) -> int:
    ids = records["patient_id"].to_numpy()
    if isinstance(patient_id, bool) or not isinstance(patient_id, int | np.integer):
        raise TeachkitError(f"The 'patient' parameter of audit_log must be a patient number "
                            f"(an int). Got {patient_id!r} instead.")
    where = np.flatnonzero(ids == patient_id)
    if not len(where):
        raise TeachkitError(f"The 'patient' parameter of audit_log must be a patient number "
                            f"between {ids.min()} and {ids.max()}. Got {patient_id!r} "
                            f"instead.")
    return int(where[0])


def audit_log(result: OversightResult, patient: int) -> pd.DataFrame:
    """Who decided what about one patient, on what, and when.

    Parameters
    ----------
    result : OversightResult
    patient : int
        The patient's ``patient_id``.

    Returns
    -------
    DataFrame
        One row per step, columns ``when``, ``who``, ``on what`` and ``decided``.

    Raises
    ------
    TeachkitError
        If there is no such patient.

    Examples
    --------
    >>> from teachkit.oversight import OversightSettings, run_oversight
    >>> result = run_oversight(OversightSettings(model="logistic"))
    >>> log = audit_log(result, example_patients(result)["lost in the queue"])
    >>> log["who"].tolist()
    ['the patient', 'the triage model', 'the review queue', 'the outcome']
    >>> print(log.iloc[2]["decided"])
    not reviewed: the day's queue was full, so nobody decided
    >>> audit_log(result, 0)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'patient' parameter of audit_log must be a \
patient number between 1 and 60000. Got 0 instead.
    """
    records = result.records
    i = _row(records, patient)
    d, s = result.deployment, result.settings
    rec = records.iloc[i]
    day = int(d.day[i])
    when = f"day {day + 1} (week {day // 5 + 1})"
    crisis = bool(rec["crisis"])
    item9 = int(rec["phq9"])
    rows = [(when, "the patient",
             f"PHQ-9 total {int(rec['phq9_total'])}; item 9 (thoughts of self-harm): "
             f"'{ITEM9_ANSWERS[item9]}'", "answered the questionnaire")]

    score = float(result.scores[i])
    if s.flag_tier != "threshold":
        share = TIER_SHARES[s.flag_tier]
        rank = int((result.scores > score).sum()) + 1
        basis = (f"risk rank {rank:,} of {len(records):,}; the top "
                 f"{100 * share:g} % ({int(round(share * len(records))):,} patients) are flagged")
    elif s.model == "rule":
        basis = "the usual rule: PHQ-9 total 10 or more, or item 9 above 'not at all'"
    else:
        basis = f"estimated crisis risk {100 * score:.1f} % (threshold {100 * s.threshold:g} %)"
    rows.append((when, "the triage model", basis,
                 "flagged for urgent follow-up" if d.flagged[i] else "not flagged"))

    if d.escalated[i]:
        rows.append((when, "the escalation rule", f"item 9 = '{ITEM9_ANSWERS[item9]}'"
                     if item9 else "your escalation rule",
                     "sent to a clinician, first in the queue"))
    if d.queue_rank[i] >= 0:
        place = (f"place {int(d.queue_rank[i]) + 1} of {int(d.queue_size[i])} cases that "
                 f"day; {d.capacity} reviews a day")
        rows.append((when, "the review queue", place,
                     "reviewed by a clinician" if d.reviewed[i] else
                     "not reviewed: the day's queue was full, so nobody decided"))
    elif d.flagged[i] and s.oversight == "dropped":
        rows.append((when, "nobody", "the flag",
                     "dropped: no clinician and no automatic follow-up"))

    if d.reviewed[i]:
        advice = "follow up" if d.flagged[i] else "no urgent need (not flagged)"
        shown = " with an explanation" if s.explanation == "shown" else ""
        right = "right" if d.ai_right[i] else "wrong"  # in hindsight: the outcome decides
        if d.wanted_act[i] == d.flagged[i]:
            how = "agreed with the model" if d.ai_right[i] else (
                "followed the wrong advice without checking" if d.blind_follow[i]
                else "followed the wrong advice (own judgement agreed)")
        else:
            how = "overrode the model's wrong advice" if not d.ai_right[i] \
                else "overrode the model's right advice"
        decided = ("urgent follow-up" if d.wanted_act[i] else "no urgent follow-up") + \
            f": {how}"
        if d.fatigued[i]:
            decided += (f"; the alert was then dismissed ({s.other_alerts} other alerts in "
                        f"the encounter: alert fatigue)")
        rows.append((when, "a clinician (reviewer)",
                     f"the model's advice: {advice}{shown} (in hindsight the advice was "
                     f"{right})",
                     decided))
    elif d.decided_by[i] == MODEL:
        rows.append((when, "the model alone", "its own flag",
                     "automatic urgent follow-up; no clinician saw the case"))

    acted = bool(d.acted[i])
    if crisis:
        outcome = "crisis caught" if acted else "crisis missed"
    else:
        outcome = "needless escalation" if acted else "no crisis, no follow-up"
    rows.append(("within 12 months", "the outcome",
                 "known here only because the patient is synthetic",
                 f"{'a crisis' if crisis else 'no crisis'}: {outcome}"))
    return pd.DataFrame(rows, columns=["when", "who", "on what", "decided"])
