"""Lesson 05's problems: the known answers that test_exercise_problems.py judges (right, wrong,
unattempted) for every problem, and
the common mistakes each names. The known-right answers are computed here, in tests/,
never in the package; ``right_05`` / ``wrong_05`` have the shape of ``RIGHT`` / ``WRONG``
in test_exercise_problems.py."""

from __future__ import annotations

import numpy as np
import pytest
from _known import computed_once

from teachkit.exercises import lesson05
from teachkit.explain import ExplainSettings, run_explain

USUAL = ExplainSettings(model="logistic")


@computed_once
def right_05():
    result = run_explain(USUAL)
    e = result.explain(lesson05.PATIENT)
    opt = USUAL.replace(explain_opt_out=1.0)
    rule, nothing = run_explain(opt), run_explain(opt.replace(explain_opt_out_route="nothing"))
    copy = run_explain(USUAL.replace(explain_duplicate="item9_copy"))
    older = rule.records["age"].to_numpy() >= 65
    cost = run_explain(USUAL.replace(label="cost", access_gap=0.1))
    return {
        "top_points": e.points[np.argmax(np.abs(e.points))],
        "reference_risk": run_explain(USUAL.replace(explain_background="not_flagged"))
        .explain(lesson05.PATIENT).base_risk,
        "caught_lost": rule.consequences.overall["caught"].iloc[0]
        - nothing.consequences.overall["caught"].iloc[0],
        "flags_changed_per_1000": 1000 * np.mean(np.asarray(copy.flagged)
                                                 != np.asarray(result.flagged)),
        "older_opt_out_share": rule.opted_out[older].mean(),
        "visits_points_black": cost.importance(top=100).loc["visits_past_year", "Black"],
    }


def wrong_05():
    right = right_05()
    result = run_explain(USUAL)
    e = result.explain(lesson05.PATIENT)
    return {
        "top_points": e.attributions[np.argmax(np.abs(e.points))],  # log-odds
        "reference_risk": e.base_risk,  # compared with everyone
        "caught_lost": -right["caught_lost"],
        "flags_changed_per_1000": 20 * right["flags_changed_per_1000"],  # a count
        "older_opt_out_share": 100 * right["older_opt_out_share"],
        "visits_points_black": run_explain(USUAL.replace(label="cost", access_gap=0.1))
        .importance(top=100).loc["visits_past_year", "White"],
    }


@pytest.fixture(scope="module")
def answers():
    return right_05(), wrong_05()


def _judge(problem, value):
    return problem.judge(problem.answer_from({problem.inspects: value}))


PROBLEMS = [p for p in lesson05.PROBLEMS if p.kind != "reflection"]


@pytest.mark.parametrize("index, part", [(0, "log-odds"), (1, "reference for everyone"),
                                         (2, "wrong sign"), (4, "between 0 and 1"),
                                         (5, "White patients")])
def test_common_mistakes_are_named(answers, index, part):
    problem = PROBLEMS[index]
    outcome = _judge(problem, answers[1][problem.inspects])
    assert part in outcome.message, outcome.message


