"""Exercises of lesson 07, rules of the road.

In the notebook::

    from teachkit.exercises.lesson07 import q1, q2, q3, q4, q5, r1, r2
    reds_at_rest = ...   # your answer
    q1.check()

All patients are synthetic.
"""

from __future__ import annotations

from functools import lru_cache

from ._problem import (
    Diagnosis,
    FunctionProblem,
    Incorrect,
    Problem,
    ProblemView,
    number_check,
    reflection,
    show,
    tag,
)

LESSON = "07"
SLUG = "07-rules-of-the-road"
TITLE = "Rules of the road"
#: The AIA's level bounds (shares of the raw maximum) and its deduction rule, as the
#: exercise states them (canada.ca; canada-ca/aia-eia-js src/store.ts).
_BOUNDS, _LEVELS = (0.25, 0.50, 0.75), ("I", "II", "III", "IV")


@lru_cache(maxsize=1)
def _facts() -> dict:
    """Everything the checks compare with, computed once (the lesson's cohort)."""
    from ..rules import ALL_STAGES, evaluate
    from ..stages import Deployment

    def check(**levers):
        return evaluate(Deployment(ALL_STAGES, model="logistic", **levers))

    rest, dropped = check(), check(oversight="dropped")
    biased = check(label="cost", access_gap=0.3)
    decided = rest.facts.decided
    sens = biased.facts.sensitivity_by_group
    return {
        "reds": len(rest.reds), "ambers": len(rest.ambers),
        "not_green": len(rest.reds) + len(rest.ambers),
        "dropped_reds": len(dropped.reds),
        "more_reds": len(dropped.reds) - len(rest.reds),
        "human_share": decided["human"] / sum(decided.values()),
        "human_per_patient": decided["human"] / rest.facts.patients,
        "nobody_share": decided["nobody"] / sum(decided.values()),
        "ratio": min(sens.values()) / max(sens.values()),
        "gap": max(sens.values()) - min(sens.values()),
    }


def f(key):
    return lambda: _facts()[key]


Q1 = Problem(
    "q1", "reds_at_rest",
    "how many checklist rules are red for the deployment at rest (every stage, a "
    "logistic-regression model)",
    number_check(
        "reds_at_rest", f("reds"), tol=0,
        diagnoses=(
            Diagnosis(f("ambers"), "That is the number of amber rules; count the red "
                      "ones.", tol=0),
            Diagnosis(f("not_green"), "That counts amber and red together; count only "
                      "the red ones.", tol=0),
        ),
        fallback="`len(evaluate(deployment).reds)` counts them.",
        low=0, high=100),
    hints=("`evaluate(deployment)` returns a checklist; `checklist.reds` holds its red "
           "items.",),
)

Q2 = Problem(
    "q2", "more_reds_when_dropped",
    "how many more rules are red when nobody acts on a flag (oversight='dropped') than "
    "at rest",
    number_check(
        "more_reds_when_dropped", f("more_reds"), tol=0,
        diagnoses=(
            Diagnosis(f("dropped_reds"), "That is every red rule with the flags dropped; "
                      "give how many MORE than at rest.", tol=0),
            Diagnosis(lambda: -_facts()["more_reds"], "That has the wrong sign: dropped "
                      "minus at rest.", tol=0),
        ),
        fallback="Subtract the number of red rules at rest from the number with "
                 "`oversight=\"dropped\"`.",
        low=-100, high=100),
    hints=("`deployment.replace(oversight=\"dropped\")` gives the same deployment with "
           "the flags dropped.",),
)

Q3 = Problem(
    "q3", "clinician_share",
    "at rest, the share of flags a clinician decided (the rest were decided by nobody "
    "or the model alone)",
    number_check(
        "clinician_share", f("human_share"), tol=0.001,
        diagnoses=(
            Diagnosis(lambda: 100 * _facts()["human_share"], "That looks like a "
                      "percentage; give a share between 0 and 1.", tol=0.1),
            Diagnosis(f("human_per_patient"), "That divides by every patient; divide by "
                      "the flags (the three deciders together).", tol=0.001),
            Diagnosis(f("nobody_share"), "That is the share decided by nobody; the "
                      "question asks about the clinician.", tol=0.001),
        ),
        fallback="`checklist.facts.decided` counts the flags decided by 'human', 'model' "
                 "and 'nobody'.",
        low=0, high=100),
    hints=("The human-oversight rule's reason quotes this share, rounded.",
           "Divide the clinician's count by the sum of the three counts."),
)

Q4 = Problem(
    "q4", "caught_ratio",
    "with the cost label and less care for Black patients (label='cost', "
    "access_gap=0.3): the lowest group's share of crises caught divided by the highest "
    "group's (groups with at least 20 crises)",
    number_check(
        "caught_ratio", f("ratio"), tol=0.005,
        diagnoses=(
            Diagnosis(lambda: 1 / _facts()["ratio"], "That is highest over lowest; "
                      "divide the lowest by the highest.", tol=0.05),
            Diagnosis(f("gap"), "That is the difference between the two shares; the "
                      "data-governance rule compares their ratio.", tol=0.005),
        ),
        fallback="`checklist.facts.sensitivity_by_group` holds each group's share of "
                 "crises caught: divide its smallest value by its largest.",
        low=0, high=100),
    hints=("The data-governance rule (EU AI Act Art. 10) quotes this ratio.",
           "Below 0.8 the rule turns amber, below 0.5 red (teaching bounds)."),
)


def _public_cases():
    return [
        {"raw": 10, "raw_max": 40, "mitigation": 0, "mitigation_max": 20},
        {"raw": 32, "raw_max": 40, "mitigation": 18, "mitigation_max": 20},
    ]


def _grading_cases(rng):
    cases = []
    for _ in range(8):
        raw_max = int(rng.integers(20, 120))
        mitigation_max = int(rng.integers(10, 60))
        cases.append({"raw": int(rng.integers(0, raw_max + 1)), "raw_max": raw_max,
                      "mitigation": int(rng.integers(0, mitigation_max + 1)),
                      "mitigation_max": mitigation_max})
    cases += [{"raw": 25, "raw_max": 100, "mitigation": 0, "mitigation_max": 10},
              {"raw": 58, "raw_max": 100, "mitigation": 8, "mitigation_max": 10},
              {"raw": 100, "raw_max": 100, "mitigation": 10, "mitigation_max": 10}]
    return cases


def _expected_level(raw, raw_max, mitigation, mitigation_max, *, deduct=True) -> str:
    score = raw * 0.85 if deduct and mitigation >= 0.8 * mitigation_max else raw
    share = score / raw_max
    return next((lv for lv, b in zip(_LEVELS, _BOUNDS) if share <= b), _LEVELS[-1])


def _check_level(case, value):
    where = (f"raw score {case['raw']} of {case['raw_max']}, mitigation "
             f"{case['mitigation']} of {case['mitigation_max']}")
    if tag(value) is not None or not isinstance(value, str):
        raise Incorrect(f"`impact_level_of` should return a level as text (\"I\" to "
                        f"\"IV\"); on {where} it returned {show(value)}.")
    right = _expected_level(**case)
    if value.strip() == right:
        return
    if value.strip() == _expected_level(**case, deduct=False):
        raise Incorrect(f"On {where}, `impact_level_of` returned {value!r}, not {right!r}: "
                        "mitigation of 80 % or more of its maximum cuts the raw score by "
                        "15 % first.")
    raise Incorrect(f"On {where}, `impact_level_of` returned {show(value)}, not {right!r}: "
                    "level I up to 25 % of the raw maximum, II up to 50 %, III up to 75 %, "
                    "else IV.")


Q5 = FunctionProblem(
    "q5", "impact_level_of",
    "write impact_level_of(raw, raw_max, mitigation, mitigation_max): the impact level "
    "of Canada's Algorithmic Impact Assessment",
    _check_level,
    hints=("First: if mitigation >= 0.8 * mitigation_max, the score is raw * 0.85, "
           "else raw.",
           "Then compare score / raw_max with 0.25, 0.50 and 0.75 (at most each bound).",
           "Return a string: \"I\", \"II\", \"III\" or \"IV\"."),
    public_cases=_public_cases, grading_cases=_grading_cases,
)

R1 = reflection(
    "r1", "reflection_cerebral",
    "the Cerebral case: why did the FTC act rather than a HIPAA regulator, and which "
    "item of your checklist would have warned the company?",
    hints=("Think of who HIPAA covers, what the company promised its users, and where "
           "its users' data went.",),
)

R2 = reflection(
    "r2", "reflection_sign_off",
    "you are asked to sign the dossier: which red item must be fixed before go-live, who "
    "in your service fixes it, and which rule do you think the checklist is missing?",
    hints=("Think of the people named in the audit log's responsibility table.",),
)

PROBLEMS = (Q1, Q2, Q3, Q4, Q5, R1, R2)
q1, q2, q3, q4, q5, r1, r2 = (ProblemView(p) for p in PROBLEMS)
