"""Lesson 02's own checks: common mistakes get their own message, the function question
is judged on the grader's fresh inputs. (Right, wrong and unattempted answers for every
problem are in test_exercise_problems.py, parametrised over the lessons.)

The known-right answers are computed here, in tests/, never in the package.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from _known import computed_once

from teachkit.exercises import lesson02
from teachkit.exercises._plain import call_answer, to_plain
from teachkit.exercises._problem import INCORRECT, NOT_ATTEMPTED, PASSED
from teachkit.pipeline import Settings, simulate

PROGRAMME = Settings(model="logistic", policy="capacity", capacity=0.03)


@cache
def programme_run():
    """The lesson's programme on its cohort, run once for this module (results are
    read-only)."""
    return simulate(PROGRAMME)


def top_shares(scores, groups, capacity):
    k = int(round(capacity * len(scores)))
    enrolled = groups[np.argsort(-scores, kind="stable")[:k]]
    return {g: (enrolled == g).sum() / k for g in np.unique(groups)}


def _judge(problem, value):
    return problem.judge(problem.answer_from({problem.inspects: value}))


def _calls(problem, function, rng):
    cases = problem.extraction(rng)["cases"]
    return {"__type__": "calls", "cases": cases,
            "outcomes": [call_answer(function, c) for c in cases]}


@computed_once
def right_02():
    """Known-right answers to every problem (judged in test_exercise_problems.py)."""
    sens = programme_run().consequences.metric_frames["ethnicity"].by_group["sensitivity"]
    shares = {label: simulate(PROGRAMME.replace(label=label, access_gap=0.1))
              .programme_shares().loc["Black", "in_programme"]
              for label in ("crisis", "cost", "diagnosis")}
    unrecorded = simulate(Settings(model="logistic", self_harm_unrecorded=1.0))
    relabel = simulate(PROGRAMME.replace(mitigation="relabel"))
    return {
        "sensitivity_gap": sens["Black"] - sens["White"],
        "black_share_cost": shares["cost"],
        "fairest_label": max(shares, key=shares.get),
        "top_shares": top_shares,
        "missed_black_unrecorded": unrecorded.consequences.by_group.loc[
            ("ethnicity", "Black"), "missed"],
        "relabel_change_in_caught": relabel.versus_baseline().loc[
            ("all", "all patients"), "caught"],
    }


def wrong_02():
    right = right_02()
    return {
        "sensitivity_gap": -right["sensitivity_gap"],  # White minus Black
        "black_share_cost": 100 * right["black_share_cost"],  # a percentage
        "fairest_label": "cost",
        "top_shares": lambda scores, groups, capacity: {g: 1 / len(set(groups))
                                                        for g in set(groups)},
        "missed_black_unrecorded": right["missed_black_unrecorded"] / 1000,
        "relabel_change_in_caught": -right["relabel_change_in_caught"],
    }

def test_the_gap_is_computed_with_fairlearn_metricframe():
    frame = programme_run().consequences.metric_frames["ethnicity"]
    sens = frame.by_group["sensitivity"]
    assert _judge(lesson02.Q1, sens["Black"] - sens["White"]).status == PASSED
    outcome = _judge(lesson02.Q1, frame.difference()["sensitivity"])
    assert outcome.status == INCORRECT and "largest gap" in outcome.message


@pytest.mark.parametrize("label, gap, part", [("crisis", 0.1, "true outcome"),
                                               ("cost", 0.0, "access_gap=0.1"),
                                               ("cost", 0.1, None)])
def test_black_share_names_the_label_mistake(label, gap, part):
    share = simulate(PROGRAMME.replace(label=label, access_gap=gap)).programme_shares().loc[
        "Black", "in_programme"]
    outcome = _judge(lesson02.Q2, share)
    if part is None:
        assert outcome.status == PASSED
    else:
        assert outcome.status == INCORRECT and part in outcome.message
        assert f"{share:g}" in outcome.message  # names the trainee's own value


def test_black_share_as_a_cohort_share_is_diagnosed():
    shares = simulate(PROGRAMME.replace(label="cost", access_gap=0.1)).programme_shares()
    outcome = _judge(lesson02.Q2, shares.loc["Black", "in_cohort"])
    assert outcome.status == INCORRECT and "whole cohort" in outcome.message


@pytest.mark.parametrize("answer, status", [
    ("crisis", PASSED), (" Crisis ", PASSED), ("diagnosis", INCORRECT), ("cost", INCORRECT),
    ("income", INCORRECT), (3, INCORRECT),
])
def test_fairest_label(answer, status):
    outcome = _judge(lesson02.Q3, answer)
    assert outcome.status == status
    if status == INCORRECT:
        assert "fairest_label" in outcome.message


def test_top_shares_right_on_the_graders_inputs_and_as_a_series():
    rng = np.random.default_rng(7)
    assert lesson02.Q4.judge(_calls(lesson02.Q4, top_shares, rng)).status == PASSED

    def as_series(scores, groups, capacity):
        return pd.Series(top_shares(scores, groups, capacity))

    assert lesson02.Q4.judge(_calls(lesson02.Q4, as_series, rng)).status == PASSED


@pytest.mark.parametrize("name", ["floor", "lowest", "counts", "missing_zero_ok"])
def test_top_shares_wrong_answers_are_caught_by_the_grading_cases(name):
    def floor(scores, groups, capacity):  # int() instead of round()
        k = int(capacity * len(scores))
        enrolled = groups[np.argsort(-scores)[:k]]
        return {g: (enrolled == g).sum() / max(k, 1) for g in np.unique(groups)}

    def lowest(scores, groups, capacity):  # the lowest scores
        k = int(round(capacity * len(scores)))
        enrolled = groups[np.argsort(scores)[:k]]
        return {g: (enrolled == g).sum() / k for g in np.unique(groups)}

    def counts(scores, groups, capacity):
        k = int(round(capacity * len(scores)))
        enrolled = groups[np.argsort(-scores)[:k]]
        return {g: int((enrolled == g).sum()) for g in np.unique(groups)}

    def missing_zero_ok(scores, groups, capacity):  # leaving out empty groups is fine
        return {g: s for g, s in top_shares(scores, groups, capacity).items() if s > 0}

    function = {"floor": floor, "lowest": lowest, "counts": counts,
                "missing_zero_ok": missing_zero_ok}[name]
    outcome = lesson02.Q4.judge(_calls(lesson02.Q4, function, np.random.default_rng(3)))
    if name == "missing_zero_ok":
        assert outcome.status == PASSED, outcome.message
    else:
        assert outcome.status == INCORRECT and "top_shares" in outcome.message
    if name == "counts":
        assert "counts of patients" in outcome.message


def test_a_starter_top_shares_is_not_attempted():
    def top_shares(scores, groups, capacity):
        ...

    assert _judge(lesson02.Q4, top_shares).status == NOT_ATTEMPTED


def test_missed_with_records_intact_is_diagnosed():
    run = simulate(Settings(model="logistic"))
    value = run.consequences.by_group.loc[("ethnicity", "Black"), "missed"]
    outcome = _judge(lesson02.Q5, value)
    assert outcome.status == INCORRECT and "records intact" in outcome.message


def test_relabel_price_with_the_cost_label_is_diagnosed():
    run = simulate(PROGRAMME.replace(label="cost", mitigation="relabel"))
    value = run.versus_baseline().loc[("all", "all patients"), "caught"]
    outcome = _judge(lesson02.Q6, value)
    assert outcome.status == INCORRECT and "cost label" in outcome.message


def test_plain_answers_match_the_view():
    value = to_plain(np.float64(0.5))
    assert lesson02.Q1.judge(value).status == INCORRECT
    assert "q4" in repr(lesson02.q4) and "function" in repr(lesson02.q4)
