"""Lesson 07's problems: the known answers that test_exercise_problems.py judges (right, wrong,
unattempted) for every problem, the
common mistakes each gets its own message for, and the function question on the
grader's fresh inputs.

The known-right answers are computed here, in tests/, never in the package.
``right_07`` and ``wrong_07`` have the shape of ``RIGHT`` / ``WRONG`` in
test_exercise_problems.py, so the shared test lists lesson 07 too.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from _known import computed_once

from teachkit.exercises import lesson07
from teachkit.exercises._plain import call_answer
from teachkit.exercises._problem import INCORRECT, NOT_ATTEMPTED
from teachkit.rules import ALL_STAGES, evaluate
from teachkit.stages import Deployment


def level_of(raw, raw_max, mitigation, mitigation_max):
    score = raw * 0.85 if mitigation >= 0.8 * mitigation_max else raw
    share = score / raw_max
    return "I" if share <= 0.25 else "II" if share <= 0.5 else "III" if share <= 0.75 \
        else "IV"


@cache
def _checklists():
    d = Deployment(ALL_STAGES, model="logistic")
    return (evaluate(d), evaluate(d.replace(oversight="dropped")),
            evaluate(d.replace(label="cost", access_gap=0.3)))


@computed_once
def right_07():
    rest, dropped, biased = _checklists()
    decided = rest.facts.decided
    shares = biased.facts.sensitivity_by_group
    return {
        "reds_at_rest": len(rest.reds),
        "more_reds_when_dropped": len(dropped.reds) - len(rest.reds),
        "clinician_share": decided["human"] / sum(decided.values()),
        "caught_ratio": min(shares.values()) / max(shares.values()),
        "impact_level_of": level_of,
    }


def wrong_07():
    right = right_07()
    rest, dropped, _ = _checklists()
    return {
        "reds_at_rest": len(rest.reds) + len(rest.ambers),  # amber counted too
        "more_reds_when_dropped": len(dropped.reds),  # not the difference
        "clinician_share": 100 * right["clinician_share"],  # a percentage
        "caught_ratio": 1 / right["caught_ratio"],  # highest over lowest
        # the deduction forgotten
        "impact_level_of": lambda raw, raw_max, mitigation, mitigation_max:
            level_of(raw, raw_max, 0, mitigation_max),
    }


@pytest.fixture(scope="module")
def answers():
    return right_07(), wrong_07()


def _judge(problem, value):
    if problem.kind == "function":
        return problem.judge(_calls(value, np.random.default_rng(7)))
    return problem.judge(problem.answer_from({problem.inspects: value}))


def _calls(function, rng):
    cases = lesson07.Q5.extraction(rng)["cases"]
    return {"__type__": "calls", "cases": cases,
            "outcomes": [call_answer(function, c) for c in cases]}



def test_common_mistakes_are_named(answers):
    wrong = answers[1]
    assert "amber and red together" in _judge(lesson07.Q1, wrong["reds_at_rest"]).message
    assert "MORE than at rest" in _judge(lesson07.Q2,
                                         wrong["more_reds_when_dropped"]).message
    assert "percentage" in _judge(lesson07.Q3, wrong["clinician_share"]).message
    assert "highest over lowest" in _judge(lesson07.Q4, wrong["caught_ratio"]).message
    assert "cuts the raw score by 15 %" in _judge(lesson07.Q5,
                                                   wrong["impact_level_of"]).message


def test_level_function_unwritten_and_wrong_type():
    def unwritten(raw, raw_max, mitigation, mitigation_max):
        raise NotImplementedError

    assert _judge(lesson07.Q5, unwritten).status == NOT_ATTEMPTED
    outcome = _judge(lesson07.Q5, lambda raw, raw_max, mitigation, mitigation_max: 2)
    assert outcome.status == INCORRECT and "as text" in outcome.message


def test_the_solutions_notebook_source_matches_the_right_answers():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "solutions" / "source"
              / "07-rules-of-the-road.py").read_text()
    assert "reds_at_rest = len(checklist.reds)" in source
    assert "caught_ratio = min(shares.values()) / max(shares.values())" in source


