"""Lesson 04's problems: the known answers that test_exercise_problems.py judges (right, wrong,
unattempted) for every problem, the
common mistakes each gets its own message for, and the function question on the
grader's fresh inputs.

The known-right answers are computed here, in tests/, never in the package.
``right_04`` and ``wrong_04`` have the shape of ``RIGHT`` / ``WRONG`` in
test_exercise_problems.py, so the shared test can list lesson 04 too.
"""

from __future__ import annotations

import numpy as np
import pytest
from _known import computed_once

from teachkit.exercises import lesson04
from teachkit.exercises._plain import call_answer
from teachkit.exercises._problem import INCORRECT, PASSED
from teachkit.oversight import OversightSettings, run_oversight
from teachkit.pipeline import lesson_cohort

REVIEW = OversightSettings(model="logistic")


def unreviewed(days, capacity):
    if len(days) == 0:
        return 0
    return int(np.maximum(np.bincount(days) - capacity, 0).sum())


def _missed():
    return {c: run_oversight(REVIEW.replace(review_capacity=c), with_baseline=False)
            .consequences.overall["missed"].iloc[0] for c in range(0, 121)}


@computed_once
def right_04():
    usual = run_oversight(REVIEW)
    missed = _missed()
    top1 = run_oversight(REVIEW.replace(flag_tier="top_1")).workload
    rule = lesson_cohort()["phq9"].to_numpy() > 0
    escalated = run_oversight(REVIEW.replace(review_capacity=40), escalate=rule)
    trained = run_oversight(REVIEW.replace(training="trained")).workload
    return {
        "unreviewed_per_1000": 1000 * usual.workload["overflow"] / REVIEW.n,
        "smallest_capacity": min(c for c, m in missed.items() if m <= missed[120] + 1 + 1e-9),
        "captured_per_hour": top1["caught_by_human"] / top1["reviewer_hours"],
        "unreviewed": unreviewed,
        "escalation_change_in_caught": escalated.versus_baseline().loc[
            ("all", "all patients"), "caught"],
        "followed_wrong_share": trained["wrong_advice_followed"] / trained[
            "wrong_advice_seen"],
    }


def wrong_04():
    right = right_04()
    return {
        "unreviewed_per_1000": run_oversight(REVIEW).workload["overflow"],  # a count
        "smallest_capacity": 25,  # the slider's steps of 5
        "captured_per_hour": right["captured_per_hour"] / 3,  # per review
        "unreviewed": lambda days, capacity: max(len(days) - capacity, 0),  # not per day
        "escalation_change_in_caught": -right["escalation_change_in_caught"],
        "followed_wrong_share": 100 * right["followed_wrong_share"],
    }


@pytest.fixture(scope="module")
def answers():
    return right_04(), wrong_04()


def _judge(problem, value):
    return problem.judge(problem.answer_from({problem.inspects: value}))



@pytest.mark.parametrize("kind, part", [
    ("count", "count of flags"),
    ("share", "share of the flags"),
])
def test_unreviewed_mistakes_are_named(kind, part):
    work = run_oversight(REVIEW, with_baseline=False).workload
    value = {"count": work["overflow"], "share": round(work["overflow"] / work["flags"], 3)}[kind]
    outcome = _judge(lesson04.Q1, value)
    assert outcome.status == INCORRECT and part in outcome.message
    assert f"{value:g}" in outcome.message


def test_per_working_day_is_per_1000_patients_here():
    # 60,000 patients over 60 working days: 1,000 screened a day, so the flags left
    # unreviewed per working day are the answer itself, not a mistake to name
    work = run_oversight(REVIEW, with_baseline=False).workload
    assert REVIEW.n / work["days"] == 1000
    assert _judge(lesson04.Q1, work["overflow"] / work["days"]).status == PASSED


def test_smallest_capacity_mistakes_are_named(answers):
    smallest = answers[0]["smallest_capacity"]
    no_overflow = min(c for c in range(121) if run_oversight(
        REVIEW.replace(review_capacity=c), with_baseline=False).workload["overflow"] == 0)
    assert 0 < smallest < no_overflow  # the queue costs crises, and fewer reviews do
    for value, part in ((no_overflow, "no flag goes unreviewed"),
                        (no_overflow + 1, "a smaller capacity does too"),
                        (smallest - 1, "crises missed are more than 1 per 1,000 above"),
                        (smallest + 0.5, "whole number")):
        outcome = _judge(lesson04.Q2, value)
        assert outcome.status == INCORRECT and part in outcome.message, (value, outcome)


def test_captured_per_hour_tier_mistakes_are_named():
    top5 = run_oversight(REVIEW.replace(flag_tier="top_5")).workload
    outcome = _judge(lesson04.Q3, top5["caught_per_hour"])
    assert outcome.status == INCORRECT and "top 5 %" in outcome.message


def test_escalation_at_the_wrong_capacity_is_named():
    rule = lesson_cohort()["phq9"].to_numpy() > 0
    at_rest = run_oversight(REVIEW, escalate=rule).versus_baseline().loc[
        ("all", "all patients"), "caught"]
    outcome = _judge(lesson04.Q5, at_rest)
    assert outcome.status == INCORRECT and "the usual reviews a day" in outcome.message


def test_untrained_share_is_named():
    share = run_oversight(REVIEW).workload["wrong_advice_followed_share"]
    outcome = _judge(lesson04.Q6, share)
    assert outcome.status == INCORRECT and "without training" in outcome.message


def _calls(function, rng):
    cases = lesson04.Q4.extraction(rng)["cases"]
    return {"__type__": "calls", "cases": cases,
            "outcomes": [call_answer(function, c) for c in cases]}


def test_unreviewed_right_on_the_graders_inputs():
    assert lesson04.Q4.judge(_calls(unreviewed, np.random.default_rng(5))).status == PASSED

    def as_numpy(days, capacity):
        counts = np.bincount(days) if len(days) else np.zeros(0, int)
        return np.maximum(counts - capacity, 0).sum()  # a numpy integer is fine

    assert lesson04.Q4.judge(_calls(as_numpy, np.random.default_rng(5))).status == PASSED


@pytest.mark.parametrize("name, part", [
    ("reviewed", "*are* reviewed"),
    ("overall", "for each day"),
])
def test_unreviewed_wrong_functions_are_caught(name, part):
    def reviewed(days, capacity):
        return int(np.minimum(np.bincount(days), capacity).sum()) if len(days) else 0

    def overall(days, capacity):
        return max(len(days) - capacity, 0)

    function = {"reviewed": reviewed, "overall": overall}[name]
    outcome = lesson04.Q4.judge(_calls(function, np.random.default_rng(2)))
    assert outcome.status == INCORRECT and part in outcome.message, outcome.message


