"""Oversight levers: what happens to a flag after the triage model has raised it.

A flag is advice. Someone (or nothing) must act on it: a clinician who reviews it with
limited time, the model acting alone (an automatic follow-up), or nobody (the flags are
dropped, as when a helpline closes). These levers describe the human in the loop with
the rates published for clinicians working with decision support (DOMAIN.md d.1, d.2):

- ``oversight``: who acts on a flag;
- ``review_capacity``: how many cases the reviewer can look at per working day;
- ``flag_tier``: flag everyone above the triage threshold, or a fixed top tier of risk
  (REACH VET flags the top 0.1 %);
- ``reviewer_accuracy``: how often the reviewer decides right without the model;
- ``automation_bias``: how often the reviewer follows the model's advice when it is
  wrong;
- ``explanation``: whether the reviewer sees why the model flagged the patient;
- ``training``: whether reviewers were trained to check the model (lowers automation
  bias);
- ``escalation``: every patient with thoughts of self-harm (PHQ-9 item 9 > 0) goes to a
  clinician, flagged or not;
- ``other_alerts``: other alerts the reviewer sees in the same encounter (alert fatigue).

The rates behind the levers are module constants, each with its source; those marked
(A) in :data:`teachkit.sources.SOURCES` are assumptions, and the lesson says so.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._validation import Interval, Options
from . import LeverSpec, register

__all__ = [
    "OVERSIGHT_MODES", "FLAG_TIERS", "TIER_SHARES", "OVERSIGHT_LEVERS", "REVIEW_LEVERS",
    "BOOST_WITHOUT_EXPLANATION", "BOOST_WITH_EXPLANATION", "EXPLANATION_BIAS_FACTOR",
    "TRAINING_BIAS_FACTOR", "FATIGUE_FACTOR", "MINUTES_PER_REVIEW", "SCREENING_DAYS",
    "automation_bias_after", "reviewer_response", "who_acts", "escalated_patients",
    "reviewed_in_queue", "tier_flags", "reviewer_accuracy_on", "acted_on_share",
]

OVERSIGHT_MODES = ("review", "model_alone", "dropped")
FLAG_TIERS = ("threshold", "top_0.1", "top_1", "top_5")
#: The share of patients each fixed tier flags (REACH VET: the top 0.1 %).
TIER_SHARES = {"top_0.1": 0.001, "top_1": 0.01, "top_5": 0.05}

#: Jabbour et al. 2023 (JAMA): clinicians' accuracy rose 2.9 points with correct AI
#: advice, 4.4 points with correct advice and an explanation (source ``ai_advice``).
BOOST_WITHOUT_EXPLANATION = 0.029
BOOST_WITH_EXPLANATION = 0.044
#: Jabbour 2023: systematically wrong advice cost 11.3 points, 9.1 with an explanation:
#: an explanation leaves about 9.1 / 11.3 = 0.81 of the harm (not significant).
EXPLANATION_BIAS_FACTOR = 9.1 / 11.3
#: Training lowers automation bias (Goddard et al. 2012); halving it is an assumption.
TRAINING_BIAS_FACTOR = 0.5
#: Ancker et al. 2017: acceptance fell 30 % for each additional reminder per encounter.
FATIGUE_FACTOR = 0.7
#: One care manager does 15-25 reviews or contacts a day (DOMAIN.md d.2, an assumption):
#: about 20 minutes each in a working day.
MINUTES_PER_REVIEW = 20
#: The practice screens its patients over 60 working days (12 weeks), an equal number a
#: day (an assumption: it gives "reviews a day" a meaning).
SCREENING_DAYS = 60

OVERSIGHT = LeverSpec(
    name="oversight",
    label="Who acts on a flag",
    tooltip=(
        "A clinician reviews each flag first; the model acts alone (every flagged patient gets an "
        "automatic follow-up); or nobody acts (flags are dropped)."
    ),
    constraint=Options(OVERSIGHT_MODES),
    rest="review",
    option_labels={
        "review": "A clinician reviews every flag",
        "model_alone": "The model acts alone (automatic follow-up)",
        "dropped": "Nobody: the flags are dropped",
    },
    source="oversight_modes",
)

REVIEW_CAPACITY = LeverSpec(
    name="review_capacity",
    label="Reviews a day",
    tooltip=(
        "Cases the reviewers can look at in a working day; flags beyond that go unreviewed. "
        "One care manager: about 10 new flags (an assumption)."
    ),
    constraint=Interval(0, 120, kind="int"),
    rest=10,
    unit="a day",
    step=5,
    source="review_capacity",
)

FLAG_TIER = LeverSpec(
    name="flag_tier",
    label="Who the model flags",
    tooltip=(
        "Everyone above the risk threshold, or only a fixed top tier of risk, as the US veterans' "
        "REACH VET programme flags its top 0.1 %."
    ),
    constraint=Options(FLAG_TIERS),
    rest="threshold",
    option_labels={
        "threshold": "Everyone above the risk threshold",
        "top_0.1": "Top 0.1 % of risk (REACH VET)",
        "top_1": "Top 1 % of risk",
        "top_5": "Top 5 % of risk",
    },
    source="reach_vet",
)

REVIEWER_ACCURACY = LeverSpec(
    name="reviewer_accuracy",
    label="Reviewer's own accuracy",
    tooltip=(
        "How often the reviewing clinician decides right about a case without the "
        "model's advice; 73 % in a study of 457 hospital clinicians."
    ),
    constraint=Interval(0.5, 1.0),
    rest=0.73,
    unit="%",
    step=0.01,
    source="reviewer_accuracy",
)

AUTOMATION_BIAS = LeverSpec(
    name="automation_bias",
    label="Follows wrong advice",
    tooltip=(
        "When the model's advice is wrong, how often the reviewer follows it anyway (automation "
        "bias); 52 % to 66 % in a prescribing study."
    ),
    constraint=Interval(0.0, 1.0),
    rest=0.6,
    unit="%",
    step=0.05,
    source="automation_bias",
)

EXPLANATION = LeverSpec(
    name="explanation",
    label="Reviewer sees why",
    tooltip=(
        "Whether the reviewer is shown why the model flagged the patient; explanations "
        "helped with right advice and barely with wrong advice."
    ),
    constraint=Options(("none", "shown")),
    rest="none",
    option_labels={"none": "Advice only", "shown": "Advice with an explanation"},
    source="ai_advice",
)

TRAINING = LeverSpec(
    name="training",
    label="Reviewer training",
    tooltip=(
        "Whether reviewers were trained to check the model's advice and are held "
        "accountable for their decisions; training lowers automation bias (by half here, "
        "an assumption)."
    ),
    constraint=Options(("none", "trained")),
    rest="none",
    option_labels={"none": "No training", "trained": "Trained to check the model"},
    source="reviewer_training",
)

ESCALATION = LeverSpec(
    name="escalation",
    label="Self-harm thoughts go to a clinician",
    tooltip=(
        "Every patient who reports any thoughts of self-harm (PHQ-9 item 9) goes first in the "
        "clinician's queue, flagged by the model or not."
    ),
    constraint=Options(("none", "item9")),
    rest="none",
    option_labels={"none": "No automatic escalation",
                   "item9": "Every PHQ-9 item 9 > 0 goes to a clinician"},
    source="escalation_item9",
)

OTHER_ALERTS = LeverSpec(
    name="other_alerts",
    label="Other alerts per encounter",
    tooltip=(
        "Other alerts the reviewer sees in the same visit; each one makes any alert 30 % less "
        "likely to be acted on."
    ),
    constraint=Interval(0, 5, kind="int"),
    rest=0,
    unit="alerts",
    step=1,
    source="alert_fatigue",
)

OVERSIGHT_LEVER_SPECS = (OVERSIGHT, REVIEW_CAPACITY, FLAG_TIER, REVIEWER_ACCURACY,
                         AUTOMATION_BIAS, EXPLANATION, TRAINING, ESCALATION, OTHER_ALERTS)
#: Names of the levers of this module, in the order the lesson shows them.
OVERSIGHT_LEVERS = tuple(spec.name for spec in OVERSIGHT_LEVER_SPECS)
#: The levers that describe the review itself (not who acts, not which flags).
REVIEW_LEVERS = ("review_capacity", "reviewer_accuracy", "automation_bias", "explanation",
                 "training", "escalation", "other_alerts")
#: The stage these levers belong to, and the module that registers it (the specs are
#: registered at the end of this module, once bound to their functions).
STAGE, STAGE_MODULE = "oversight", "teachkit.oversight"


def automation_bias_after(*, automation_bias: float = 0.6, explanation: str = "none",
                          training: str = "none") -> float:
    """The chance of following wrong advice once explanation and training act on it.

    Parameters
    ----------
    automation_bias : float in [0, 1], default=0.6
        Automation bias without explanation or training.
    explanation : {"none", "shown"}, default="none"
        An explanation leaves :data:`EXPLANATION_BIAS_FACTOR` of it (Jabbour 2023).
    training : {"none", "trained"}, default="none"
        Training leaves :data:`TRAINING_BIAS_FACTOR` of it (an assumption).

    Returns
    -------
    float

    Examples
    --------
    >>> automation_bias_after()
    0.6
    >>> round(automation_bias_after(explanation="shown", training="trained"), 3)
    0.242
    >>> automation_bias_after(automation_bias=1.5)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'automation_bias' parameter of \
automation_bias_after must be a float in the range [0.0, 1.0]. Got 1.5 instead.
    """
    caller = "automation_bias_after"
    bias = float(AUTOMATION_BIAS.validate(automation_bias, caller=caller))
    EXPLANATION.validate(explanation, caller=caller)
    TRAINING.validate(training, caller=caller)
    if explanation == "shown":
        bias *= EXPLANATION_BIAS_FACTOR
    if training == "trained":
        bias *= TRAINING_BIAS_FACTOR
    return bias


def reviewer_response(*, automation_bias: float = 0.6, explanation: str = "none",
                      training: str = "none") -> tuple[float, float]:
    """How the reviewer responds to the model's advice: the chance of following wrong
    advice (:func:`automation_bias_after`) and the boost in deciding right when the
    advice is right (Jabbour et al. 2023: larger with an explanation).

    Returns
    -------
    bias, boost : float

    Examples
    --------
    >>> reviewer_response()
    (0.6, 0.029)
    >>> [round(x, 3) for x in reviewer_response(explanation="shown")]
    [0.483, 0.044]
    """
    bias = automation_bias_after(automation_bias=automation_bias, explanation=explanation,
                                 training=training)
    return bias, (BOOST_WITH_EXPLANATION if explanation == "shown"
                  else BOOST_WITHOUT_EXPLANATION)


def who_acts(flagged, escalated, *, oversight: str = "review"):
    """Who may act on each case: the cases in the clinician's review queue, and the
    flags the model may act on alone.

    - ``"review"``: every flag (and every escalation) joins the queue;
    - ``"model_alone"``: only escalations join it; the model follows up its other flags;
    - ``"dropped"``: only escalations join it; nobody acts on the flags.

    Examples
    --------
    >>> import numpy as np
    >>> queue, alone = who_acts(np.array([True, False]), np.array([False, True]),
    ...                         oversight="model_alone")
    >>> queue.tolist(), alone.tolist()
    ([False, True], [True, False])
    """
    OVERSIGHT.validate(oversight, caller="who_acts")
    flagged, escalated = np.asarray(flagged, dtype=bool), np.asarray(escalated, dtype=bool)
    in_queue = escalated | flagged if oversight == "review" else escalated.copy()
    alone = flagged.copy() if oversight == "model_alone" else np.zeros_like(flagged)
    return in_queue, alone


def escalated_patients(item9, *, escalation: str = "none") -> np.ndarray:
    """The patients who go first to a clinician, flagged or not: every PHQ-9 item 9 > 0
    with ``"item9"``, nobody with ``"none"``.

    Examples
    --------
    >>> escalated_patients([0, 2, 1], escalation="item9").tolist()
    [False, True, True]
    """
    ESCALATION.validate(escalation, caller="escalated_patients")
    item9 = np.asarray(item9)
    return item9 > 0 if escalation == "item9" else np.zeros(len(item9), dtype=bool)


def reviewed_in_queue(queue_rank, in_queue, *, review_capacity: int = 10) -> np.ndarray:
    """The cases a clinician reviews: the first ``review_capacity`` of each day's queue
    (``queue_rank``: a case's place in its day's queue, from 0).

    Examples
    --------
    >>> import numpy as np
    >>> reviewed_in_queue(np.array([0, 1, 2, -1]), np.array([True, True, True, False]),
    ...                   review_capacity=2).tolist()
    [True, True, False, False]
    """
    review_capacity = REVIEW_CAPACITY.validate(review_capacity, caller="reviewed_in_queue")
    return np.asarray(in_queue, dtype=bool) & (np.asarray(queue_rank) < review_capacity)


def tier_flags(risk_order, *, flag_tier: str = "threshold"):
    """The model's flags under a fixed top tier of risk (``risk_order``: patients from
    the highest score down); None for ``"threshold"`` (the triage levers decide).

    Examples
    --------
    >>> import numpy as np
    >>> tier_flags(np.arange(1000)[::-1], flag_tier="top_0.1").nonzero()[0].tolist()
    [999]
    >>> tier_flags(np.arange(10)) is None
    True
    """
    FLAG_TIER.validate(flag_tier, caller="tier_flags")
    if flag_tier == "threshold":
        return None
    flags = np.zeros(len(risk_order), dtype=bool)
    flags[np.asarray(risk_order)[:int(round(TIER_SHARES[flag_tier] * len(risk_order)))]] = True
    return flags


def reviewer_accuracy_on(clear, *, reviewer_accuracy: float = 0.73) -> np.ndarray:
    """The reviewer's own accuracy on each case, from ``reviewer_accuracy`` on a typical
    case (:func:`teachkit.oversight.reviewer.own_accuracy`: clear cases are easier)."""
    from ..oversight.reviewer import own_accuracy

    return own_accuracy(REVIEWER_ACCURACY.validate(reviewer_accuracy,
                                                   caller="reviewer_accuracy_on"), clear)


def acted_on_share(*, other_alerts: int = 0) -> float:
    """The share of decisions to follow up that are carried out when the reviewer sees
    ``other_alerts`` other alerts in the same encounter (30 % fewer per alert, Ancker et
    al. 2017).

    Examples
    --------
    >>> round(acted_on_share(other_alerts=2), 3)
    0.49
    """
    other_alerts = OTHER_ALERTS.validate(other_alerts, caller="acted_on_share")
    return FATIGUE_FACTOR ** other_alerts


# ---------------------------------------------------------------------------------------
# Every spec bound to the function that receives its value unchanged, then registered.

_BOUND = {"oversight": who_acts, "review_capacity": reviewed_in_queue,
          "flag_tier": tier_flags, "reviewer_accuracy": reviewer_accuracy_on,
          "automation_bias": reviewer_response, "explanation": reviewer_response,
          "training": reviewer_response, "escalation": escalated_patients,
          "other_alerts": acted_on_share}
OVERSIGHT_LEVER_SPECS = tuple(dataclasses.replace(spec, function=_BOUND[spec.name])
                              for spec in OVERSIGHT_LEVER_SPECS)
(OVERSIGHT, REVIEW_CAPACITY, FLAG_TIER, REVIEWER_ACCURACY, AUTOMATION_BIAS, EXPLANATION,
 TRAINING, ESCALATION, OTHER_ALERTS) = OVERSIGHT_LEVER_SPECS
register(*OVERSIGHT_LEVER_SPECS, owner=STAGE)
