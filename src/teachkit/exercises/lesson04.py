"""Exercises of lesson 04, who is watching.

In the notebook::

    from teachkit.exercises.lesson04 import q1, q2, q3, q4, q5, q6, r1, r2
    unreviewed_per_1000 = ...   # your answer
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
    as_number,
    number_check,
    reflection,
    show,
    tag,
)

LESSON = "04"
SLUG = "04-who-is-watching"
TITLE = "Who is watching"
#: The margin of question 2: crises missed per 1,000 patients above unlimited review.
MISSED_MARGIN = 1.0
#: "Unlimited" review in question 2: the largest capacity the lever allows.
UNLIMITED = 120
#: The capacity of question 5 (reviews a day).
ESCALATION_CAPACITY = 40


@lru_cache(maxsize=1)
def _facts() -> dict:
    """Everything the checks compare with, computed once from the lesson's cohort."""
    from ..oversight import OversightSettings, capacity_tradeoff, deploy, run_oversight
    from ..pipeline import lesson_cohort

    base = OversightSettings(model="logistic")
    usual = run_oversight(base, with_baseline=False)
    row = usual.decisions.loc[("all", "all patients")]
    records = usual.records
    crisis = records["crisis"].to_numpy(dtype=bool)
    missed, overflow = {}, {}
    for c in range(0, UNLIMITED + 1):  # the deployment stage alone: the flags stay
        d = deploy(usual.flagged, usual.scores, crisis, records["phq9"].to_numpy(),
                   base.replace(review_capacity=c))
        missed[c] = 1000 * float((crisis & ~d.acted).sum()) / len(crisis)
        overflow[c] = int(d.overflow.sum())
    bound = missed[UNLIMITED] + MISSED_MARGIN
    smallest = min(c for c, m in missed.items() if m <= bound + 1e-9)
    strictly = min(c for c, m in missed.items() if m < bound - 1e-9)
    no_overflow = min(c for c, o in overflow.items() if o == 0)
    tiers = capacity_tradeoff(base)
    item9 = (lesson_cohort()["phq9"] > 0).to_numpy()

    def escalation_change(capacity):
        run = run_oversight(base.replace(review_capacity=capacity), escalate=item9)
        return float(run.versus_baseline().loc[("all", "all patients"), "caught"])

    trained = run_oversight(base.replace(training="trained"), with_baseline=False).workload
    return {
        "overflow_per_1000": float(row["overflow"]),
        "overflow_count": float(usual.workload["overflow"]),
        "overflow_share_of_flags": usual.workload["overflow"] / usual.workload["flags"],
        "smallest": smallest,
        "smallest_strict": strictly,
        "no_overflow": no_overflow,
        "per_hour": {tier: float(v) for tier, v in tiers["caught_per_hour"].items()},
        "top1_ppv": float(tiers.loc["top_1", "flag_ppv"]),
        "escalation_change": escalation_change(ESCALATION_CAPACITY),
        "escalation_change_rest": escalation_change(base.review_capacity),
        "followed_trained": trained["wrong_advice_followed_share"],
        "blind_trained": trained["blind_follows"] / trained["wrong_advice_seen"],
        "followed_untrained": usual.workload["wrong_advice_followed_share"],
        "n": base.n,
    }


def f(key):
    return lambda: _facts()[key]


Q1 = Problem(
    "q1", "unreviewed_per_1000",
    "flags nobody reviews per 1,000 patients with one reviewer (10 a day)",
    number_check(
        "unreviewed_per_1000", f("overflow_per_1000"), tol=0.05,
        diagnoses=(
            Diagnosis(f("overflow_count"), "That is a count of flags over all 60,000 "
                      "patients; the question asks per 1,000 patients.", tol=0.5),
            Diagnosis(f("overflow_share_of_flags"), "That is the share of the flags that "
                      "go unreviewed; the question asks per 1,000 patients.", tol=0.002),
            # per working day is the answer itself: 1,000 patients are screened a day
            Diagnosis(lambda: _facts()["overflow_per_1000"] / 1000, "That is a share of "
                      "patients; the question asks per 1,000.", tol=5e-5),
        ),
        fallback="Run `run_oversight(OversightSettings(model='logistic'))` and read the "
                 "`overflow` column of the all-patients row of `result.decisions`.",
        low=0, high=1000),
    hints=("`result.decisions` has one row per group and an all-patients row first.",
           "Its `overflow` column counts, per 1,000 patients, the cases left in the queue "
           "when the day's capacity ran out."),
)


def _check_smallest(value):
    got = as_number(value, "smallest_capacity")
    facts = _facts()
    if got == facts["smallest"]:
        return
    if got != int(got) or not 0 <= got <= 120:
        raise Incorrect(f"`smallest_capacity` is {got:g}; give a whole number of reviews "
                        f"a day between 0 and 120.")
    margin = f"{MISSED_MARGIN:g} per 1,000 above unlimited review ({UNLIMITED} a day)"
    if got == facts["smallest_strict"]:
        raise Incorrect(f"`smallest_capacity` is {got:g}: that keeps crises missed *less* "
                        f"than {margin}; the question allows *at most* that.")
    if got == facts["no_overflow"]:
        raise Incorrect(f"`smallest_capacity` is {got:g}: that is where no flag goes "
                        f"unreviewed; fewer reviews already keep crises missed within "
                        f"{margin}.")
    if got > facts["smallest"]:
        raise Incorrect(f"`smallest_capacity` is {got:g}: that keeps crises missed low "
                        f"enough, but a smaller capacity does too. Try every whole number, "
                        f"not only the slider's steps of 5.")
    raise Incorrect(f"`smallest_capacity` is {got:g}: with so few reviews crises missed "
                    f"are more than {margin}.")


Q2 = Problem(
    "q2", "smallest_capacity",
    f"the smallest reviews a day that keeps crises missed within {MISSED_MARGIN:g} per "
    f"1,000 of unlimited review ({UNLIMITED} a day)",
    _check_smallest,
    hints=(f"Loop over the capacities from 0 to {UNLIMITED} and run the review with each "
           "`review_capacity`.",
           "Crises missed per 1,000 are in `result.consequences.overall['missed']`; keep "
           f"the smallest capacity whose missed is at most {MISSED_MARGIN:g} above the "
           f"missed at {UNLIMITED}."),
)

Q3 = Problem(
    "q3", "captured_per_hour",
    "crises caught by a clinician per reviewer-hour when the model flags the top 1 %",
    number_check(
        "captured_per_hour", lambda: _facts()["per_hour"]["top_1"], tol=0.005,
        diagnoses=(
            Diagnosis(lambda: _facts()["per_hour"]["top_1"] / 3, "That looks like per "
                      "review; a review takes 20 minutes, so give it per hour.", tol=0.003),
            Diagnosis(lambda: _facts()["per_hour"]["top_5"], "That is for the top 5 %; "
                      "set `flag_tier=\"top_1\"`.", tol=0.003),
            Diagnosis(lambda: _facts()["per_hour"]["top_0.1"], "That is for the top "
                      "0.1 % (REACH VET); the question asks for the top 1 %.", tol=0.01),
            Diagnosis(f("top1_ppv"), "That is the share of flags that are crises (PPV); "
                      "the question asks for crises caught per reviewer-hour.", tol=0.003),
        ),
        fallback="`capacity_tradeoff(OversightSettings(model='logistic'))` has a "
                 "`caught_per_hour` column; or divide the crises a clinician caught by "
                 "the reviewer hours in `result.workload`.",
        low=0, high=100),
    hints=("Each review takes `MINUTES_PER_REVIEW` minutes (in "
           "`teachkit.levers.oversight`).",
           "`result.workload` holds `caught_by_human` and `reviewer_hours`."),
)


def _array(values, kind="i"):
    values = [int(v) for v in values]
    return {"__type__": "array", "dtype": kind, "shape": [len(values)], "data": values}


def _public_cases():
    return [
        {"days": _array([0, 0, 0, 1, 2, 2]), "capacity": 2},
        {"days": _array([3, 1, 3, 3, 1, 0, 3]), "capacity": 1},
    ]


def _grading_cases(rng):
    cases = []
    for n, days, capacity in ((500, 60, 7), (50, 5, 0), (30, 10, 40), (1, 1, 0),
                              (200, 20, 9)):
        cases.append({"days": _array(rng.integers(0, days, n)), "capacity": capacity})
    cases.append({"days": _array([]), "capacity": 3})
    return cases


def _expected_unreviewed(days, capacity) -> int:
    if len(days) == 0:
        return 0
    counts = np.bincount(np.asarray(days, dtype=int))
    return int(np.maximum(counts - capacity, 0).sum())


def _check_unreviewed(case, value):
    days = from_plain(case["days"])
    capacity = case["capacity"]
    where = f"{len(days)} flags and a capacity of {capacity} a day"
    if tag(value) is not None or isinstance(value, bool) or not isinstance(value, int | float):
        raise Incorrect(f"`unreviewed` should return one number; on {where} it returned "
                        f"{show(value)}.")
    expected = _expected_unreviewed(days, capacity)
    if value == expected:
        return
    reviewed = len(days) - expected
    if value == reviewed:
        raise Incorrect(f"On {where}, `unreviewed` returned {value:g}, the number of flags "
                        f"that *are* reviewed; return those left over.")
    if value == max(len(days) - capacity, 0):
        raise Incorrect(f"On {where}, `unreviewed` returned {value:g}: the capacity holds "
                        f"for each day, not once for all the days together.")
    raise Incorrect(f"On {where}, `unreviewed` returned {value:g}, which is not right: "
                    f"count each day's flags, and keep what is beyond the capacity.")


Q4 = FunctionProblem(
    "q4", "unreviewed",
    "write unreviewed(days, capacity): the flags left over when each day's queue is full",
    _check_unreviewed,
    hints=("`np.bincount(days)` counts the flags of each day.",
           "A day with fewer flags than the capacity leaves none over: "
           "`np.maximum(counts - capacity, 0)`.",
           "Return one whole number (0 when there are no flags)."),
    public_cases=_public_cases, grading_cases=_grading_cases,
)

Q5 = Problem(
    "q5", "escalation_change_in_caught",
    f"what the self-harm escalation rule changes in crises caught, with "
    f"{ESCALATION_CAPACITY} reviews a day",
    number_check(
        "escalation_change_in_caught", f("escalation_change"), tol=0.01,
        diagnoses=(
            Diagnosis(f("escalation_change_rest"), "That is with the usual reviews a day; "
                      f"the question gives the reviewers {ESCALATION_CAPACITY}.", tol=0.01),
            Diagnosis(lambda: -_facts()["escalation_change"], "That has the wrong sign: "
                      "positive when the rule catches more crises.", tol=0.01),
            Diagnosis(lambda: _facts()["escalation_change"] * _facts()["n"] / 1000,
                      "That is a count over all 60,000 patients; give it per 1,000.",
                      tol=0.05),
        ),
        fallback=f"Pass your rule as `escalate=` to `run_oversight` with "
                 f"`review_capacity={ESCALATION_CAPACITY}`; `versus_baseline()` compares "
                 f"it with the same set-up without the rule.",
        low=-1000, high=1000),
    hints=("The rule is a boolean array: `lesson_cohort()['phq9'].to_numpy() > 0`.",
           "`result.versus_baseline().loc[('all', 'all patients'), 'caught']`."),
)

Q6 = Problem(
    "q6", "followed_wrong_share",
    "with trained reviewers, the share of wrong advice they still go along with",
    number_check(
        "followed_wrong_share", f("followed_trained"), tol=0.002,
        diagnoses=(
            Diagnosis(f("followed_untrained"), "That is without training; set "
                      "`training=\"trained\"`.", tol=0.002),
            Diagnosis(f("blind_trained"), "That counts only the blind follows; the "
                      "question also counts wrong advice a reviewer's own judgement agreed "
                      "with (`wrong_advice_followed`).", tol=0.002),
            Diagnosis(lambda: 100 * _facts()["followed_trained"], "That looks like a "
                      "percentage; give a share between 0 and 1.", tol=0.2),
        ),
        fallback="`result.workload['wrong_advice_followed_share']`, with "
                 "`OversightSettings(model='logistic', training='trained')`.",
        low=0, high=1),
    hints=("`result.workload` counts `wrong_advice_seen` and `wrong_advice_followed`.",),
)

R1 = reflection(
    "r1", "reflection_tessa",
    "the Tessa case: once the helpline was gone, who could catch a harmful answer, and "
    "who answers for it?",
    hints=("Think of NEDA, the vendor, the researchers, and the people who used the "
           "helpline.",),
)

R2 = reflection(
    "r2", "reflection_rubber_stamp",
    "what turns a human in the loop into oversight rather than a rubber stamp?",
    hints=("Think of time, training, the right to disagree and who reads the audit log.",),
)

PROBLEMS = (Q1, Q2, Q3, Q4, Q5, Q6, R1, R2)
q1, q2, q3, q4, q5, q6, r1, r2 = (ProblemView(p) for p in PROBLEMS)
