"""What a board weighs: a proposal's deployment, run, and its consequences in one row.

A proposal is a small table of lever values (:data:`BOARD_LEVERS`): consent, the consent
text, who acts on a flag, reviews a day, the escalation rule, and the chatbot arm; the
triage model is the logistic regression of the earlier lessons (``model`` may be set to
the usual rule through the API; gradient boosting takes a minute to train on a busy
machine, too slow for a room deciding together). :func:`board_deployment` turns it into a
:class:`~teachkit.stages.Deployment` with the consent and oversight stages (validated
with the standard messages); :func:`measure` runs it (:func:`teachkit.stages.run_all`)
and returns :class:`Outcomes`: the consequences every role weighs, each per 1,000
patients unless its unit says otherwise. Lower is better for every one of them.

Lesson 07's checklist (``teachkit.rules.evaluate``) counts the reds when it is
installed; without it the reds are unknown (``None``) and weigh nothing.

Examples
--------
>>> d, chatbot = board_deployment({"consent": "honoured"})
>>> d.stages, d.consent, chatbot
(('consent', 'oversight'), 'honoured', 'off')
>>> board_deployment({"model": "boosting"})
Traceback (most recent call last):
...
teachkit._validation.TeachkitError: The board's 'model' must be one of rule, logistic. \
Got 'boosting' instead.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

from .._validation import TeachkitError
from ..stages import Deployment, run_all
from .design import chatbot_reach, check_chatbot

__all__ = ["BOARD_LEVERS", "PIPELINE_LEVERS", "BOARD_STAGES", "BOARD_MODELS",
           "CONSEQUENCES", "Outcomes", "board_deployment", "measure", "checklist_reds",
           "FOLLOW_UP_HOURS", "MIN_GROUP"]

#: The stages a board's deployment runs.
BOARD_STAGES = ("consent", "oversight")
#: Models a proposal may name (the app keeps the logistic regression).
BOARD_MODELS = ("rule", "logistic")
#: The levers the app shows, in its order; a proposal may also name ``model``.
BOARD_LEVERS = ("consent", "consent_design", "oversight", "review_capacity", "escalation",
                "chatbot")
#: The levers of the pipeline among them (the chatbot arm is the board's own).
PIPELINE_LEVERS = BOARD_LEVERS[:-1]
#: Staff time for one urgent follow-up, in hours (A: a teaching choice; no source).
FOLLOW_UP_HOURS = 1.0
#: A group counts for "crises missed by group" and "disparity" from this many patients.
MIN_GROUP = 500

#: consequence -> (label, unit, basis)
CONSEQUENCES = {
    "missed": ("Crises missed", "per 1,000 patients", "the pipeline"),
    "missed_worst_group": ("Crises missed in the worst-served group",
                           "per 1,000 patients of that group",
                           "the pipeline; groups by ethnicity and language"),
    "needless": ("Needless escalations", "per 1,000 patients", "the pipeline"),
    "without_consent": ("Records used without consent", "per 1,000 patients",
                        "lesson 03's consent columns"),
    "reviewer_hours": ("Reviewer hours", "per 1,000 patients",
                       "lesson 04: 20 minutes a review (A)"),
    "disparity": ("Gap in crises caught between groups", "percentage points",
                  "best- minus worst-served group"),
    "reds": ("Checklist reds", "items (lesson 07)", "teachkit.rules"),
    "cost": ("Staff time", "hours per 1,000 patients",
             f"reviews plus {FOLLOW_UP_HOURS:g} h per follow-up (A)"),
}


@dataclass(frozen=True)
class Outcomes:
    """A deployment's consequences as the board weighs them (lower is better)."""

    missed: float
    missed_worst_group: float
    worst_group: str
    needless: float
    without_consent: float
    reviewer_hours: float
    disparity: float
    reds: int | None
    cost: float
    #: Patients per 1,000 still using the chatbot when the model reads it (not weighed).
    chatbot_reach: float
    crises: float

    def values(self) -> dict[str, float]:
        """The weighed consequences, by name (unknown reds count as 0)."""
        out = {k: v for k, v in asdict(self).items() if k in CONSEQUENCES}
        out["reds"] = 0 if self.reds is None else self.reds
        return out


def _check_model(value):
    if value not in BOARD_MODELS:
        raise TeachkitError(f"The board's 'model' must be one of {', '.join(BOARD_MODELS)}."
                            f" Got {str(value)[:40]!r} instead.")
    return value


def board_deployment(levers: dict, *, base: Deployment | None = None
                     ) -> tuple[Deployment, str]:
    """The deployment a proposal describes, and its chatbot arm.

    Parameters
    ----------
    levers : dict
        Lever name -> value, any of :data:`BOARD_LEVERS`; the others stay at rest (or
        as in ``base``).
    base : Deployment, default=a logistic model with the consent and oversight stages

    Raises
    ------
    TeachkitError
        An unknown lever or a value it does not allow (the standard message).
    """
    unknown = sorted(set(levers) - {"model", *BOARD_LEVERS})
    if unknown:
        raise TeachkitError(f"A board proposal may set model, {', '.join(BOARD_LEVERS)}. "
                            f"Got {', '.join(repr(u[:40]) for u in unknown)} instead.")
    levers = dict(levers)
    chatbot = check_chatbot(levers.pop("chatbot", "off"))
    if "model" in levers:
        _check_model(levers["model"])
    base = base or Deployment(BOARD_STAGES, model="logistic")
    return base.replace(**levers), chatbot


def checklist_reds(deployment: Deployment, results: dict | None = None) -> int | None:
    """Lesson 07's red checklist items for ``deployment`` (from its ``run_all`` results
    when given, so nothing runs twice), or None without lesson 07."""
    try:
        rules = importlib.import_module("teachkit.rules")
    except ImportError:
        return None
    return len(rules.evaluate(results if results is not None else deployment).reds)


def _group_rates(by_group, patients_min: int):
    rows = by_group[by_group["patients"] >= patients_min]
    caught_share = rows["caught"] / rows["crises"].where(rows["crises"] > 0)
    return rows, caught_share


@lru_cache(maxsize=256)
def _measure(deployment: Deployment, chatbot: str) -> Outcomes:
    results = run_all(deployment, with_baseline=False)
    last = results["oversight"]
    frame = last.consequences
    overall = frame.overall.iloc[0]
    groups = frame.by_group.loc[["ethnicity", "language"]]
    rows, caught_share = _group_rates(groups, MIN_GROUP)
    worst = rows["missed"].idxmax()
    n = deployment.n
    work = last.workload
    hours = 1000 * work["reviewer_hours"] / n
    report = results["consent"].report
    without = report.total_without_consent
    without = without() if callable(without) else without
    ethnic = caught_share.loc["ethnicity"].dropna()
    return Outcomes(
        missed=round(float(overall["missed"]), 2),
        missed_worst_group=round(float(rows.loc[worst, "missed"]), 2),
        worst_group=str(worst[1]),
        needless=round(float(overall["needless"]), 2),
        without_consent=round(1000 * float(without) / n, 2),
        reviewer_hours=round(hours, 2),
        disparity=round(100 * float(np.ptp(ethnic.to_numpy())), 2) if len(ethnic) else 0.0,
        reds=checklist_reds(deployment, results),
        cost=round(hours + FOLLOW_UP_HOURS * 1000 * work["acted"] / n, 2),
        chatbot_reach=chatbot_reach(chatbot),
        crises=round(float(overall["crises"]), 2),
    )


def measure(levers: dict, *, base: Deployment | None = None) -> Outcomes:
    """Run the deployment a proposal describes; its consequences as the board weighs them.

    The same levers give the same numbers (seeded cohort; cached per deployment).
    """
    deployment, chatbot = board_deployment(levers, base=base)
    return _measure(deployment, chatbot)
