"""Explanation and autonomy levers (lesson 05): how an explanation can mislead, and the
patient's right to say no.

Explanation levers (what the model reads and how shap explains it):

- ``explain_inputs``: the model reads the usual questionnaires and records, or also
  what the records say about access (language, insurance, rurality) with or
  without ethnicity: dropping ethnicity moves its attribution to these proxies;
- ``explain_duplicate``: a second copy of PHQ-9 item 9 (thoughts of self-harm):
  predictions stay the same, the attribution splits or jumps (shap issues #269, #2458);
- ``explain_background``: who shap compares the patient with (everyone, or the patients
  the model does not flag): the same prediction tells another story.

The reviewer lever (what lesson 04's reviewer sees, in a deployment that runs the
oversight stage after this one):

- ``explain_reviewer``: the reviewer sees the explanation with the model's advice, and
  follows right and wrong advice more often (Bansal 2021; Jabbour 2023: 11.3 points lost
  to wrong advice, 9.1 with an explanation); the oversight stage's queue then catches,
  misses and escalates accordingly.

Autonomy levers (what the patient may say, and what they are told):

- ``explain_opt_out``: the share of patients uncomfortable with AI in their care who
  opt out of algorithmic triage (discomfort by age and sex from the surveys, (A));
- ``explain_opt_out_route``: what happens to them: the usual PHQ-9 rule, or nothing;
- ``explain_decision``: the flag is a recommendation a clinician can review (FDA CDS
  criterion 4) or an automatic decision (GDPR Art. 22);
- ``explain_disclosure``: patients are told an AI was used, or not (Cavalier 2025).

Lever names start with ``explain_``: lesson 04 owns ``explanation`` (the reviewer sees
why the model flagged a patient).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._validation import Interval, Options
from . import LeverSpec, register

__all__ = [
    "EXPLAIN_LEVERS", "EXPLANATION_LEVERS", "REVIEWER_LEVERS", "AUTONOMY_LEVERS", "INPUT_SETS",
    "DISCOMFORT_BY_AGE", "DISCOMFORT_SEX_FACTOR", "DISCLOSURE_SATISFACTION_COST",
    "WANT_NOTIFICATION", "discomfort", "fit_on_inputs", "reference_patients",
    "shown_to_reviewer", "opt_out_flags", "autonomy_counts",
]

INPUT_SETS = ("usual", "with_ethnicity", "without_ethnicity")

#: Share uncomfortable with AI in mental-health care, by age (YouGov 2024: 55 % of
#: 18-29s comfortable, 73 % of 65+ uncomfortable; Pew 2023: 60 % of all adults
#: uncomfortable with a provider relying on AI). Straight lines between these anchors
#: are an assumption (A).
DISCOMFORT_BY_AGE = ((18, 0.45), (29, 0.45), (47, 0.60), (65, 0.73), (90, 0.73))
#: Women rate notification a little higher than men (Platt 2024: 3.45 vs 3.32 of 4);
#: the same ratio on discomfort is an assumption (A).
DISCOMFORT_SEX_FACTOR = {"female": 3.45 / 3.385, "male": 3.32 / 3.385}
#: Cavalier et al. 2025: AI disclosure cut satisfaction by 0.09 points (S2).
DISCLOSURE_SATISFACTION_COST = 0.09
#: Platt et al. 2024: 62.7 % say being notified is "very true" for them (S2).
WANT_NOTIFICATION = 0.627

_SURVEYS = ("YouGov 2024 and Pew 2023 (DOMAIN-05-08.md, lesson 05); the straight lines "
            "between their age anchors and the sex ratio (Platt 2024) are assumptions (A)")

INPUTS = LeverSpec(
    name="explain_inputs",
    label="What the model reads",
    tooltip=(
        "The usual questionnaires and records, or also what the records say about "
        "access to care (language, insurance, rural home), with or without "
        "the patient's ethnicity."
    ),
    constraint=Options(INPUT_SETS),
    rest="usual",
    option_labels={"usual": "Questionnaires and records (usual)",
                   "with_ethnicity": "Also access to care and ethnicity",
                   "without_ethnicity": "Also access to care, ethnicity dropped"},
    source="a design proposal echoing Obermeyer 2019 and Slack 2020 (DOMAIN.md)",
)

DUPLICATE = LeverSpec(
    name="explain_duplicate",
    label="A second copy of a strong signal",
    tooltip=(
        "Adds a second copy of the self-harm question (PHQ-9 item 9): the model's "
        "predictions barely move, but the explanation splits or jumps between the copies."
    ),
    constraint=Options(("none", "item9_copy")),
    rest="none",
    option_labels={"none": "No copy", "item9_copy": "Add a copy of PHQ-9 item 9"},
    source="shap issues #269 and #2458 on correlated features (DOMAIN-05-08.md)",
)

BACKGROUND = LeverSpec(
    name="explain_background",
    label="Compared with whom",
    tooltip=(
        "An explanation says why a patient's risk differs from a reference group's: "
        "everyone, or only the patients the model does not flag."
    ),
    constraint=Options(("everyone", "not_flagged")),
    rest="everyone",
    option_labels={"everyone": "The average patient",
                   "not_flagged": "The average patient the model does not flag"},
    source="shap's feature_perturbation and background data (shap issue #2458)",
)

REVIEWER = LeverSpec(
    name="explain_reviewer",
    label="The reviewer sees the explanation",
    tooltip=(
        "Show the clinician who reviews each flag why the model raised it. Clinicians "
        "then follow right and wrong advice alike more often."
    ),
    constraint=Options(("not_shown", "shown")),
    rest="not_shown",
    option_labels={"not_shown": "Advice only", "shown": "Advice with the explanation"},
    source="Bansal et al. 2021, CHI; Jabbour et al. 2023, JAMA (DOMAIN-05-08.md)",
)

OPT_OUT = LeverSpec(
    name="explain_opt_out",
    label="Uncomfortable patients who opt out",
    tooltip=(
        "Of patients uneasy about AI in their care (45 % of under-30s, 73 % of over-65s), the "
        "share who say no to it."
    ),
    constraint=Interval(0.0, 1.0),
    rest=0.0,
    unit="%",
    step=0.1,
    source=_SURVEYS,
)

OPT_OUT_ROUTE = LeverSpec(
    name="explain_opt_out_route",
    label="Patients who opt out get",
    tooltip=(
        "What happens to a patient who says no to the model: the usual PHQ-9 rule, read "
        "by a clinician, or no triage at all."
    ),
    constraint=Options(("usual_rule", "nothing")),
    rest="usual_rule",
    option_labels={"usual_rule": "The usual PHQ-9 rule", "nothing": "No triage at all"},
    source="a design proposal (A): respecting a refusal needs a fallback",
)

DECISION = LeverSpec(
    name="explain_decision",
    label="The model's flag is",
    tooltip=(
        "Advice a clinician can review and override, or an automatic decision, which gives the "
        "patient a right to a human review (GDPR Art. 22)."
    ),
    constraint=Options(("recommendation", "automatic")),
    rest="recommendation",
    option_labels={"recommendation": "A recommendation a clinician reviews",
                   "automatic": "An automatic decision"},
    source="FDA CDS guidance (2022) criterion 4; GDPR Art. 22 and Recital 71",
)

DISCLOSURE = LeverSpec(
    name="explain_disclosure",
    label="Patients are told an AI was used",
    tooltip=(
        "Tell each patient that an AI helped decide their care. In a trial it cut satisfaction by "
        "only 0.09 points; 63 % say it matters."
    ),
    constraint=Options(("not_told", "told")),
    rest="not_told",
    option_labels={"not_told": "Not told", "told": "Told"},
    source="Cavalier et al. 2025 and Platt et al. 2024, JAMA Netw Open (S2)",
)

EXPLANATION_SPECS = (INPUTS, DUPLICATE, BACKGROUND)
REVIEWER_SPECS = (REVIEWER,)
AUTONOMY_SPECS = (OPT_OUT, OPT_OUT_ROUTE, DECISION, DISCLOSURE)
EXPLANATION_LEVERS = tuple(s.name for s in EXPLANATION_SPECS)
REVIEWER_LEVERS = tuple(s.name for s in REVIEWER_SPECS)
AUTONOMY_LEVERS = tuple(s.name for s in AUTONOMY_SPECS)
EXPLAIN_LEVERS = EXPLANATION_LEVERS + REVIEWER_LEVERS + AUTONOMY_LEVERS
#: The stage these levers belong to, and the module that registers it (the specs are
#: registered at the end of this module, once bound to their functions).
STAGE, STAGE_MODULE = "explain", "teachkit.explain.stage"


def discomfort(age, sex) -> np.ndarray:
    """Each patient's chance of being uncomfortable with AI in their care (A).

    Parameters
    ----------
    age : array-like of int
    sex : array-like of str
        ``"female"``, ``"male"`` or anything else (no factor).

    Returns
    -------
    ndarray of float in [0, 1]

    Examples
    --------
    >>> discomfort([20, 70], ["male", "female"]).round(3).tolist()
    [0.441, 0.744]
    """
    ages, shares = zip(*DISCOMFORT_BY_AGE)
    base = np.interp(np.asarray(age, dtype=float), ages, shares)
    sex = np.asarray(sex).astype(str)
    factor = np.ones(len(sex))
    for name, value in DISCOMFORT_SEX_FACTOR.items():  # no loop over 60,000 patients
        factor[sex == name] = value
    return np.clip(base * factor, 0.0, 1.0)


# ---------------------------------------------------------------------------------------
# The functions the levers are bound to: each receives the value the trainee set.


def fit_on_inputs(records, kind: str, y, *, seed: int, train_mask=None,
                  inputs: str = "usual", duplicate: str = "none", key=None):
    """The triage model refitted on what ``inputs`` and ``duplicate`` let it read, ready
    to be explained (:func:`teachkit.explain.attributions.fit_explained`; shap and the
    fit are loaded on first use).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(1_000, seed=3)
    >>> model = fit_on_inputs(cohort, "logistic", cohort["crisis"].to_numpy(int), seed=3,
    ...                       duplicate="item9_copy")
    >>> model.features[-1], model.scores().shape
    ('phq9_copy', (1000,))
    """
    from ..explain.attributions import fit_explained

    return fit_explained(records, kind, y, seed=seed, train_mask=train_mask,
                         inputs=inputs, duplicate=duplicate, key=key)


def reference_patients(model_flags, *, background: str = "everyone") -> np.ndarray:
    """Who an explanation compares a patient with: everyone, or the patients the model
    does not flag.

    Examples
    --------
    >>> reference_patients(np.array([True, False]), background="not_flagged").tolist()
    [False, True]
    """
    BACKGROUND.validate(background, caller="reference_patients")
    model_flags = np.asarray(model_flags, dtype=bool)
    return ~model_flags if background == "not_flagged" else np.ones(len(model_flags), bool)


def shown_to_reviewer(*, reviewer: str = "not_shown") -> bool:
    """Whether a reviewer after the explain stage (lesson 04's) sees the explanation with
    each flag: it then acts as lesson 04's ``explanation`` lever set to ``"shown"``.

    Examples
    --------
    >>> shown_to_reviewer(), shown_to_reviewer(reviewer="shown")
    (False, True)
    """
    return REVIEWER.validate(reviewer, caller="shown_to_reviewer") == "shown"


def opt_out_flags(records, model_flags, *, opt_out: float = 0.0,
                  route: str = "usual_rule", seed: int = 0):
    """Who opts out of algorithmic triage, and the flags once they have.

    Each patient is uncomfortable with AI with the chance :func:`discomfort` gives; the
    ``opt_out`` share of them says no (a seeded draw, the same patients at every
    share). Those who opt out get the usual PHQ-9 rule (``"usual_rule"``) or nothing.

    Returns
    -------
    opted, flags : ndarray of bool

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(2_000, seed=4)
    >>> flags = np.ones(2_000, dtype=bool)
    >>> opted, after = opt_out_flags(cohort, flags, opt_out=1.0, route="nothing", seed=4)
    >>> bool(0.4 < opted.mean() < 0.75), bool((after == ~opted).all())
    (True, True)
    """
    caller = "opt_out_flags"
    opt_out = float(OPT_OUT.validate(opt_out, caller=caller))
    OPT_OUT_ROUTE.validate(route, caller=caller)
    from ..models import RuleScreener

    u = np.random.default_rng([seed, 51]).random(len(records))
    chance = discomfort(records["age"].to_numpy(), records["sex"].astype(str).to_numpy())
    opted = u < chance * opt_out
    flags = np.array(model_flags, dtype=bool)
    if route == "usual_rule":
        flags[opted] = RuleScreener().predict(records).astype(bool)[opted]
    else:
        flags[opted] = False
    return opted, flags


def autonomy_counts(crisis, flags, opted, model_flags, *,
                    decision: str = "recommendation", disclosure: str = "not_told") -> dict:
    """What autonomy costs and gives, per 1,000 patients: who opted out, their crises
    and how many are caught (now, and by the model had they stayed), decisions made
    automatically or open to review, patients told an AI was used and the satisfaction
    that costs (points on a 5-point scale, Cavalier 2025).

    Examples
    --------
    >>> yes, no = np.array([True, False]), np.array([False, True])
    >>> counts = autonomy_counts(yes, yes, no, yes, disclosure="told")
    >>> [float(counts[k]) for k in ("opted_out", "reviewable", "satisfaction_change")]
    [500.0, 500.0, -0.09]
    """
    caller = "autonomy_counts"
    DECISION.validate(decision, caller=caller)
    DISCLOSURE.validate(disclosure, caller=caller)
    y, flags = np.asarray(crisis, dtype=bool), np.asarray(flags, dtype=bool)
    opted, model_flags = np.asarray(opted, dtype=bool), np.asarray(model_flags, dtype=bool)
    per = 1000 / len(y)
    stayed = per * (~opted).sum()
    told = disclosure == "told"
    return {
        "opted_out": per * opted.sum(),
        "opted_out_crises": per * (opted & y).sum(),
        "opted_out_caught": per * (opted & y & flags).sum(),
        "opted_out_caught_by_model": per * (opted & y & model_flags).sum(),
        "automatic": stayed if decision == "automatic" else 0.0,
        "reviewable": stayed if decision == "recommendation" else 0.0,
        "told": 1000.0 if told else 0.0,
        "satisfaction_change": -DISCLOSURE_SATISFACTION_COST if told else 0.0,
    }


# ---------------------------------------------------------------------------------------
# Each spec bound to the function that receives its value, then registered.

_BOUND = {"explain_inputs": (fit_on_inputs, "inputs"),
          "explain_duplicate": (fit_on_inputs, "duplicate"),
          "explain_background": (reference_patients, "background"),
          "explain_reviewer": (shown_to_reviewer, "reviewer"),
          "explain_opt_out": (opt_out_flags, "opt_out"),
          "explain_opt_out_route": (opt_out_flags, "route"),
          "explain_decision": (autonomy_counts, "decision"),
          "explain_disclosure": (autonomy_counts, "disclosure")}
EXPLANATION_SPECS, REVIEWER_SPECS, AUTONOMY_SPECS = (
    tuple(dataclasses.replace(spec, function=_BOUND[spec.name][0],
                              parameter=_BOUND[spec.name][1]) for spec in specs)
    for specs in (EXPLANATION_SPECS, REVIEWER_SPECS, AUTONOMY_SPECS))
(INPUTS, DUPLICATE, BACKGROUND), (REVIEWER,), (OPT_OUT, OPT_OUT_ROUTE, DECISION,
                                              DISCLOSURE) = (EXPLANATION_SPECS,
                                                             REVIEWER_SPECS, AUTONOMY_SPECS)
register(*EXPLANATION_SPECS, *REVIEWER_SPECS, *AUTONOMY_SPECS, owner=STAGE)
