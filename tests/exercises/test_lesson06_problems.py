"""Lesson 06's problems: the known answers that test_exercise_problems.py judges (right, wrong,
unattempted) for every problem, the
common mistakes each gets its own message for, and the function question on the
grader's fresh inputs.

The known-right answers are computed here, in tests/, never in the package.
``right_06`` and ``wrong_06`` have the shape of ``RIGHT`` / ``WRONG`` in
test_exercise_problems.py, so the shared test lists lesson 06 too.
"""

from __future__ import annotations

import numpy as np
import pytest
from _known import computed_once

from teachkit.exercises import lesson06
from teachkit.exercises._plain import call_answer
from teachkit.exercises._problem import INCORRECT, PASSED
from teachkit.monitor import MonitorSettings, run_monitor


def psi(expected, actual):
    e, a = np.asarray(expected, dtype=float), np.asarray(actual, dtype=float)
    return float(np.sum((a - e) * np.log(a / e)))


@computed_once
def right_06():
    fall = run_monitor(MonitorSettings(drift_base_rate=1))
    coding = run_monitor(MonitorSettings(drift_coding=12, monitoring="labels"))
    small = run_monitor(MonitorSettings(monthly_volume=100, monitoring="inputs"))
    vendor = MonitorSettings(model_source="vendor", monitoring="both")
    never = run_monitor(vendor).totals()
    recalibrated = run_monitor(vendor.replace(update_policy="recalibrate")).totals()
    return {
        "oe_year3": fall.period(25, 36)["O:E"],
        "months_to_notice": int(coding.alarms.query("month >= 24")["month"].iloc[0]) - 12,
        "psi": psi,
        "amber_share": float(np.mean(small.months["psi"] >= 0.1)),
        "missed_change": recalibrated["missed"] - never["missed"],
    }


def wrong_06():
    right = right_06()
    return {
        "oe_year3": 1 / right["oe_year3"],  # expected over observed
        "months_to_notice": right["months_to_notice"] + 12,  # the month itself
        "psi": lambda expected, actual: float(np.sum(np.asarray(actual) * np.log(
            np.asarray(actual) / np.asarray(expected)))),  # one direction of the KL
        "amber_share": 100 * right["amber_share"],  # a percentage
        "missed_change": -right["missed_change"],
    }


@pytest.fixture(scope="module")
def answers():
    return right_06(), wrong_06()


def _judge(problem, value):
    return problem.judge(problem.answer_from({problem.inspects: value}))



def test_common_mistakes_are_named(answers):
    right = answers[0]
    fall = run_monitor(MonitorSettings(drift_base_rate=1))
    outcome = _judge(lesson06.Q1, fall.period(1, 12)["O:E"])
    assert outcome.status == INCORRECT and "year 1" in outcome.message
    outcome = _judge(lesson06.Q2, right["months_to_notice"] + 12)
    assert outcome.status == INCORRECT and "month of the alarm" in outcome.message
    outcome = _judge(lesson06.Q4, 36 * right["amber_share"])
    assert outcome.status == INCORRECT and "count of months" in outcome.message


def _calls(function, rng):
    cases = lesson06.Q3.extraction(rng)["cases"]
    return {"__type__": "calls", "cases": cases,
            "outcomes": [call_answer(function, c) for c in cases]}


def test_psi_right_and_wrong_on_the_graders_inputs(answers):
    assert lesson06.Q3.judge(_calls(psi, np.random.default_rng(5))).status == PASSED
    outcome = lesson06.Q3.judge(_calls(answers[1]["psi"], np.random.default_rng(5)))
    assert outcome.status == INCORRECT and "one direction" in outcome.message


def test_the_solutions_notebook_source_matches_the_right_answers(answers):
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "solutions" / "source"
              / "06-it-worked-last-year.py").read_text()
    assert "oe_year3 = result.period(25, 36)[\"O:E\"]" in source
    assert "missed_change = recalibrated[\"missed\"] - never[\"missed\"]" in source


