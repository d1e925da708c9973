"""Exercises of lesson 01, meet the cohort and the triage model.

In the notebook::

    from teachkit.exercises.lesson01 import q1, q2, q3, q4, q5, q6, r1
    rule_flagged_per_1000 = ...   # your answer
    q1.check()

All patients are synthetic.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._plain import from_plain
from ._problem import (
    Diagnosis,
    FunctionProblem,
    Incorrect,
    Problem,
    ProblemView,
    as_text,
    number_check,
    reflection,
    show,
    tag,
)

LESSON = "01"
SLUG = "01-cohort-and-model"
TITLE = "Meet the cohort and the triage model"
#: The thresholds question 4 searches: the threshold lever's own steps.
THRESHOLD_GRID = tuple(round(0.001 * k, 3) for k in range(1, 51))
ETHNICITIES = ("White", "Hispanic", "Black", "Asian", "Other")


@lru_cache(maxsize=1)
def _facts() -> dict:
    """Everything the checks compare with, computed once from the lesson's cohort."""
    from ..pipeline import Settings, lesson_cohort, simulate

    cohort = lesson_cohort()
    y = cohort["crisis"].to_numpy().astype(bool)
    total_rule = (cohort["phq9_total"] >= 10).to_numpy()
    item9 = (cohort["phq9"] > 0).to_numpy()
    flagged = total_rule | item9
    caught = int((flagged & y).sum())
    logistic = simulate(Settings(model="logistic"))
    scores = logistic.scores
    rule_caught = caught
    best = max(t for t in THRESHOLD_GRID if int((y & (scores >= t)).sum()) >= rule_caught)
    missed = logistic.consequences.by_group.loc["ethnicity", "missed"]
    return {
        "n": len(cohort),
        "flagged_per_1000": 1000 * flagged.mean(),
        "total_only_per_1000": 1000 * total_rule.mean(),
        "item9_only_per_1000": 1000 * item9.mean(),
        "sensitivity": caught / y.sum(),
        "ppv": caught / flagged.sum(),
        "specificity": float((~flagged & ~y).sum() / (~y).sum()),
        "largest_threshold": best,
        "worst_missed": str(missed.idxmax()),
        "missed_by_ethnicity": {str(k): float(v) for k, v in missed.items()},
        "worst_flagged": str(logistic.consequences.by_group.loc["ethnicity",
                                                                "flagged"].idxmax()),
        "needless_per_caught": float((flagged & ~y).sum() / caught),
        "caught_per_needless": float(caught / (flagged & ~y).sum()),
        "needless_per_flagged": float((flagged & ~y).sum() / flagged.sum()),
    }


def f(key):
    return lambda: _facts()[key]


Q1 = Problem(
    "q1", "rule_flagged_per_1000", "patients the usual rule flags, per 1,000, by hand",
    number_check(
        "rule_flagged_per_1000", f("flagged_per_1000"), tol=0.05,
        diagnoses=(
            Diagnosis(f("total_only_per_1000"),
                      "That counts PHQ-9 totals of 10 or more only; the rule also flags "
                      "anyone with thoughts of self-harm (item 9 above zero)."),
            Diagnosis(f("item9_only_per_1000"),
                      "That counts item 9 only; the rule also flags PHQ-9 totals of 10 or "
                      "more."),
            Diagnosis(lambda: _facts()["flagged_per_1000"] / 1000,
                      "That is a share of patients; the question asks per 1,000.", tol=5e-4),
            Diagnosis(lambda: _facts()["flagged_per_1000"] * 20,
                      "That is a count over 60,000 patients; the question asks per 1,000.",
                      tol=1),
        ),
        fallback="The rule: `phq9_total >= 10` or `phq9 > 0` (`|` joins the two).",
        low=0, high=1000),
    hints=("Build a True/False column with the rule, then take its mean.",
           "`(cohort['phq9_total'] >= 10) | (cohort['phq9'] > 0)`: the brackets matter."),
)

Q2 = Problem(
    "q2", "rule_sensitivity", "sensitivity of the rule, by hand",
    number_check(
        "rule_sensitivity", f("sensitivity"), tol=0.002,
        diagnoses=(
            Diagnosis(lambda: 100 * _facts()["sensitivity"],
                      "That looks like a percentage; give a share between 0 and 1.",
                      tol=0.2),
            Diagnosis(f("ppv"), "That is the PPV: of those flagged, the share with a "
                      "crisis. Sensitivity starts from the patients with a crisis.",
                      tol=0.002),
            Diagnosis(f("specificity"), "That is the specificity (patients without a "
                      "crisis left unflagged).", tol=0.002),
            Diagnosis(lambda: 1 - _facts()["sensitivity"],
                      "That is the share of crises missed; sensitivity is the share caught.",
                      tol=0.002),
        ),
        fallback="Sensitivity = crises caught / all crises, using `crisis`.",
        low=0, high=1),
    hints=("Among the patients with `crisis` true, what share does the rule flag?",),
)


def _public_cases():
    return [
        {"scores": {"__type__": "array", "dtype": "f", "shape": [10],
                    "data": [0.9, 0.1, 0.5, 0.3, 0.8, 0.05, 0.6, 0.2, 0.7, 0.4]},
         "capacity": 0.3},
        {"scores": {"__type__": "array", "dtype": "f", "shape": [8],
                    "data": [0.2, 0.9, 0.4, 0.1, 0.3, 0.8, 0.6, 0.5]}, "capacity": 0.25},
    ]


def _array(values):
    return {"__type__": "array", "dtype": "f", "shape": [len(values)],
            "data": [float(v) for v in values]}


def _grading_cases(rng):
    cases = []
    for n, capacity in ((1000, 0.1), (257, 0.05), (40, 0.5), (12, 0.0), (9, 1.0)):
        cases.append({"scores": _array(np.round(rng.random(n), 6)), "capacity": capacity})
    return cases


def _check_flag_top(case, value):
    scores = from_plain(case["scores"])
    capacity = case["capacity"]
    k = int(round(capacity * len(scores)))
    where = f"scores of {len(scores)} patients and capacity {capacity:g}"
    if tag(value) != "array" and not isinstance(value, list):
        raise Incorrect(f"`flag_top` should return an array of True/False, one per "
                        f"patient; on {where} it returned {show(value)}.")
    flags = np.asarray(from_plain(value))
    if flags.shape != scores.shape:
        raise Incorrect(f"On {where}, `flag_top` returned {flags.size} values; it needs "
                        f"one per patient ({scores.size}).")
    if flags.dtype != bool:
        if not np.isin(flags, (0, 1)).all():
            raise Incorrect(f"On {where}, `flag_top` returned values other than True/False.")
        flags = flags.astype(bool)
    if int(flags.sum()) != k:
        raise Incorrect(f"On {where}, `flag_top` flagged {int(flags.sum())} patients; the "
                        f"top share is exactly round(capacity × number of patients).")
    if 0 < k < len(scores) and scores[flags].min() < scores[~flags].max():
        raise Incorrect(f"On {where}, `flag_top` flagged a patient whose score is lower "
                        f"than that of someone left unflagged: flag the highest scores.")


Q3 = FunctionProblem(
    "q3", "flag_top", "write flag_top(scores, capacity): flag exactly the top share",
    _check_flag_top,
    hints=("How many patients is that? `k = round(capacity * len(scores))`.",
           "`np.argsort` sorts from low to high; the last k positions are the highest.",
           "Start from `np.zeros(len(scores), dtype=bool)` and set the top k to True."),
    public_cases=_public_cases, grading_cases=_grading_cases,
)


def _check_threshold(value):
    from ._problem import as_number

    got = as_number(value, "largest_threshold")
    best = _facts()["largest_threshold"]
    if abs(got - best) < 1e-9 + 1e-6:
        return
    if not 0 < got <= 0.05:
        raise Incorrect(f"`largest_threshold` is {got:g}; the steps go from 0.001 to 0.05.")
    if min(abs(got - t) for t in THRESHOLD_GRID) > 1e-6:
        raise Incorrect(f"`largest_threshold` is {got:g}, which is not one of the "
                        f"threshold steps (0.001, 0.002, ..., 0.05).")
    if got > best:
        raise Incorrect(f"`largest_threshold` is {got:g}, but at that threshold the logistic "
                        f"model catches fewer crises than the usual rule. Compare `caught` "
                        f"at each step.")
    raise Incorrect(f"`largest_threshold` is {got:g}: there the logistic model does catch at "
                    f"least as many crises as the rule, but a larger threshold still does too.")


Q4 = Problem(
    "q4", "largest_threshold",
    "largest threshold at which the logistic model catches as many crises as the rule",
    _check_threshold,
    hints=("Loop over the steps 0.001, 0.002, ..., 0.05 and run "
           "`simulate(Settings(model='logistic', threshold=t))` for each.",
           "Compare each run's `consequences.overall['caught']` with the baseline's; keep "
           "the largest t that is not worse."),
)


def _check_worst(value):
    got = as_text(value, "worst_group_missed")
    facts = _facts()
    if got == facts["worst_missed"]:
        return
    if got not in ETHNICITIES:
        raise Incorrect(f"`worst_group_missed` is {got!r}; give one of "
                        f"{', '.join(ETHNICITIES)}, spelled as in the cohort.")
    if got == facts["worst_flagged"]:
        raise Incorrect(f"`worst_group_missed` is {got!r}, the group with the most patients "
                        f"flagged, not the most crises missed. Read the `missed` column.")
    raise Incorrect(f"`worst_group_missed` is {got!r}, a group that misses "
                    f"{facts['missed_by_ethnicity'][got]:.1f} crises per 1,000; another group "
                    f"misses more.")


Q5 = Problem(
    "q5", "worst_group_missed",
    "ethnicity with the most missed crises per 1,000 under the logistic model",
    _check_worst,
    hints=("`result.consequences.by_group.loc['ethnicity']` has one row per group.",
           "Sort by the `missed` column, or use `.idxmax()`."),
)

Q6 = Problem(
    "q6", "needless_per_caught", "needless escalations per crisis caught, usual rule",
    number_check(
        "needless_per_caught", f("needless_per_caught"), tol=0.02,
        diagnoses=(
            Diagnosis(f("caught_per_needless"), "That is the other way round: crises caught "
                      "per needless escalation.", tol=0.002),
            Diagnosis(f("needless_per_flagged"), "That is needless escalations per patient "
                      "flagged; the question asks per crisis caught.", tol=0.002),
        ),
        fallback="Divide the needless escalations by the crises caught (both per 1,000, "
                 "or both as counts).", low=0),
    hints=("`overall['needless'] / overall['caught']` for the usual rule.",),
)

R1 = reflection(
    "r1", "reflection_model_choice",
    "the logistic model flags far fewer patients than the rule: who gains, who pays?",
    hints=("Think of the clinicians' time, the patients flagged without need, and the "
           "crises that go unseen.",),
)

PROBLEMS = (Q1, Q2, Q3, Q4, Q5, Q6, R1)
q1, q2, q3, q4, q5, q6, r1 = (ProblemView(p) for p in PROBLEMS)
