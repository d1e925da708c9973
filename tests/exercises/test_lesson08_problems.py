"""Lesson 08's problems: the known answers that test_exercise_problems.py judges (right, wrong,
unattempted) for every problem, and
the common mistakes each gets its own message for.

The known-right answers are computed here, in tests/, never in the package.
``right_08`` and ``wrong_08`` have the shape of ``RIGHT`` / ``WRONG`` in
test_exercise_problems.py, so the shared test lists lesson 08 too.
"""

from __future__ import annotations

import pytest
from _known import computed_once

from teachkit.board.outcomes import measure
from teachkit.board.roles import ROLES, SCALES
from teachkit.exercises import lesson08
from teachkit.exercises.lesson08 import PATIENTS


def _satisfaction(outcomes, role):
    """Satisfaction written out again from the card's weights (not the package's)."""
    values = outcomes.values()
    loss = sum(w * min(1.0, values[k] / SCALES[k]) for k, w in ROLES[role].weights.items())
    return round(100 * (1 - loss), 1)


@computed_once
def right_08():
    tables = [{r: _satisfaction(measure(c), r) for r in ROLES} for c in lesson08.CANDIDATES]
    on_frontier = [i for i, mine in enumerate(tables) if not any(
        all(o[r] >= mine[r] for r in mine) and any(o[r] > mine[r] for r in mine)
        for j, o in enumerate(tables) if j != i)]
    return {
        "still_using_day30": PATIENTS * 0.033,  # Baumel 2019: 3.3 % on day 30
        "patient_gain": _satisfaction(measure({"consent": "honoured"}), "patient")
        - _satisfaction(measure({}), "patient"),
        "on_frontier": on_frontier,
        "agreed_proposal": 1,  # proposals 1 and 2 tie at two votes: the earliest
    }


def wrong_08():
    right = right_08()
    return {
        "still_using_day30": PATIENTS * 0.039,  # day 15
        "patient_gain": -right["patient_gain"],  # the wrong sign
        "on_frontier": [0, 1, 2, 3],  # everything
        "agreed_proposal": 2,
    }


@pytest.fixture(scope="module")
def answers():
    return right_08(), wrong_08()


def _judge(problem, value):
    return problem.judge(problem.answer_from({problem.inspects: value}))



def test_common_mistakes_are_named(answers):
    right = answers[0]
    assert "day 15" in _judge(lesson08.Q1, PATIENTS * 0.039).message
    assert "share" in _judge(lesson08.Q1, 0.033).message
    assert "wrong sign" in _judge(lesson08.Q2, -right["patient_gain"]).message
    assert "earliest" in _judge(lesson08.Q4, 2).message
    beaten = sorted(set(range(4)) - set(right["on_frontier"]))
    assert beaten and "is beaten" in _judge(lesson08.Q3, [0, 1, 2, 3]).message
    assert "list of proposal numbers" in _judge(lesson08.Q3, "0, 1").message


