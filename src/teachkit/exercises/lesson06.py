"""Exercises of lesson 06, it worked last year.

In the notebook::

    from teachkit.exercises.lesson06 import q1, q2, q3, q4, q5, r1, r2
    oe_year3 = ...   # your answer
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
    number_check,
    reflection,
    show,
    tag,
)

LESSON = "06"
SLUG = "06-it-worked-last-year"
TITLE = "It worked last year"


@lru_cache(maxsize=1)
def _facts() -> dict:
    """Everything the checks compare with, computed once (the lesson's default seed)."""
    from ..monitor import MonitorSettings, psi_false_alarm_rate, run_monitor
    from ..monitor.monitors import LABEL_DELAY
    from ..monitor.timeline import TRAINING_MONTHS

    def run(**levers):
        return run_monitor(MonitorSettings(**levers), with_baseline=False)

    fall = run(drift_base_rate=1)
    coding = run(drift_coding=12, monitoring="labels")
    # the first alarm about the crises of a month at or after the change (known a year
    # later); an earlier one is a false alarm about the months before it
    alarms = [a["month"] for a in coding.timeline.alarms if a["month"] - LABEL_DELAY >= 12]
    small = run(monthly_volume=100, monitoring="inputs")
    amber = small.months["psi"] >= 0.1
    vendor = run(model_source="vendor", monitoring="both").totals()
    vendor_recal = run(model_source="vendor", monitoring="both",
                       update_policy="recalibrate").totals()
    return {
        "oe_y3": fall.period(25, 36)["O:E"], "oe_y1": fall.period(1, 12)["O:E"],
        "auc_y3": fall.period(25, 36)["AUC"],
        "coding_alarm": alarms[0], "lag": alarms[0] - 12,
        "lag_after_known": alarms[0] - 12 - LABEL_DELAY,
        "amber_share": float(amber.mean()), "amber_count": float(amber.sum()),
        "amber_predicted": psi_false_alarm_rate(100, TRAINING_MONTHS * 100),
        "change": float(vendor_recal["missed"] - vendor["missed"]),
        "needless_change": float(vendor_recal["needless"] - vendor["needless"]),
    }


def f(key):
    return lambda: _facts()[key]


Q1 = Problem(
    "q1", "oe_year3",
    "observed / expected crises in year 3 when crises become rarer from month 1 and "
    "the model is never updated",
    number_check(
        "oe_year3", f("oe_y3"), tol=0.005,
        diagnoses=(
            Diagnosis(f("oe_y1"), "That is year 1 (months 1-12); the question asks for "
                      "year 3 (months 25-36).", tol=0.005),
            Diagnosis(lambda: 1 / _facts()["oe_y3"], "That is expected over observed; "
                      "give observed over expected.", tol=0.01),
            Diagnosis(f("auc_y3"), "That is the AUC; the question asks for observed / "
                      "expected crises.", tol=0.005),
        ),
        fallback="`run_monitor(MonitorSettings(drift_base_rate=1)).period(25, 36)` "
                 "holds 'O:E'.",
        low=0, high=10),
    hints=("Months 25-36 are year 3.",
           "`result.period(first, last)` gives AUC, O:E and more for a range of months."),
)

Q2 = Problem(
    "q2", "months_to_notice",
    "months from the coding change (month 12) to the first alarm about the crises of "
    "month 12 or later, with performance monitoring",
    number_check(
        "months_to_notice", f("lag"), tol=0,
        diagnoses=(
            Diagnosis(f("coding_alarm"), "That is the month of the alarm; the question "
                      "asks how many months after month 12 it came.", tol=0),
            Diagnosis(f("lag_after_known"), "That leaves out the year before a "
                      "crisis is known; count from the change to the alarm itself.",
                      tol=0),
        ),
        fallback="Run `MonitorSettings(drift_coding=12, monitoring='labels')` and read "
                 "the first alarm in `result.alarms` about the crises of month 12 or "
                 "later (they are known from month 24).",
        low=0, high=36),
    hints=("`result.alarms` is a table with a `month` column.",
           "The performance monitor sees a month's crises a year later."),
)


def _public_cases():
    return [
        {"expected": [0.5, 0.5], "actual": [0.5, 0.5]},
        {"expected": [0.25, 0.25, 0.5], "actual": [0.5, 0.25, 0.25]},
    ]


def _grading_cases(rng):
    cases = []
    for bins in (2, 5, 10, 10, 3):
        e = rng.dirichlet(np.ones(bins))
        a = rng.dirichlet(np.ones(bins))
        cases.append({"expected": [float(x) for x in e], "actual": [float(x) for x in a]})
    cases.append({"expected": [0.1] * 10, "actual": [0.1] * 10})
    return cases


def _expected_psi(expected, actual) -> float:
    e, a = np.asarray(expected, dtype=float), np.asarray(actual, dtype=float)
    return float(np.sum((a - e) * np.log(a / e)))


def _check_psi(case, value):
    e, a = from_plain(case["expected"]), from_plain(case["actual"])
    where = f"expected shares {list(e)} and actual shares {list(a)}"
    if tag(value) is not None or isinstance(value, bool) or not isinstance(value, int | float):
        raise Incorrect(f"`psi` should return one number; on {where} it returned "
                        f"{show(value)}.")
    right = _expected_psi(e, a)
    if abs(value - right) <= 1e-6:
        return
    e_arr, a_arr = np.asarray(e, dtype=float), np.asarray(a, dtype=float)
    kl = float(np.sum(a_arr * np.log(a_arr / e_arr)))
    if abs(value - kl) <= 1e-6:
        raise Incorrect(f"On {where}, `psi` returned {value:.4f}: that is one direction "
                        "of the divergence; PSI multiplies the log ratio by (actual - "
                        "expected).")
    raise Incorrect(f"On {where}, `psi` returned {value:.4f}, not {right:.4f}: sum "
                    "(actual - expected) * ln(actual / expected) over the bins.")


Q3 = FunctionProblem(
    "q3", "psi",
    "write psi(expected, actual): the population stability index of two lists of bin "
    "shares",
    _check_psi,
    hints=("Turn both lists into arrays with `np.asarray`.",
           "PSI = sum over the bins of (actual - expected) * ln(actual / expected).",
           "Return one number; identical shares give 0."),
    public_cases=_public_cases, grading_cases=_grading_cases,
)

Q4 = Problem(
    "q4", "amber_share",
    "with 100 patients a month and no drift at all, the share of months whose PSI "
    "lights amber or red (0.10 or more)",
    number_check(
        "amber_share", f("amber_share"), tol=0.001,
        diagnoses=(
            Diagnosis(f("amber_count"), "That is a count of months; give the share of "
                      "the 36.", tol=0.01),
            Diagnosis(f("amber_predicted"), "That is the chi-squared prediction; the "
                      "question asks what this clinic's 36 months show.", tol=0.001),
            Diagnosis(lambda: 100 * _facts()["amber_share"], "That looks like a "
                      "percentage; give a share between 0 and 1.", tol=0.1),
        ),
        fallback="`np.mean(result.months['psi'] >= 0.1)` with "
                 "`MonitorSettings(monthly_volume=100, monitoring='inputs')`: a share "
                 "between 0 and 1.",
        low=0, high=100),
    hints=("`result.months['psi']` holds each month's PSI of the model's scores.",),
)

Q5 = Problem(
    "q5", "missed_change",
    "with the vendor's model and both monitors on, the change in crises missed over 36 "
    "months when the model is recalibrated on each alarm instead of never updated",
    number_check(
        "missed_change", f("change"), tol=0,
        diagnoses=(
            Diagnosis(lambda: -_facts()["change"], "That has the wrong sign: give "
                      "recalibrated minus never updated (positive: more crises missed).",
                      tol=0),
            Diagnosis(f("needless_change"), "That is the change in needless "
                      "escalations; the question asks about crises missed.", tol=0),
        ),
        fallback="Compare `result.totals()['missed']` for update_policy 'recalibrate' "
                 "and 'never'.",
        low=-5000, high=5000),
    hints=("`result.totals()` counts crises caught and missed over the 36 months.",
           "Recalibrating a model that over-predicts lowers its risks: at the same 5 % "
           "threshold it flags fewer patients."),
)

R1 = reflection(
    "r1", "reflection_epic",
    "the Epic sepsis case: who should have validated the model locally before go-live, "
    "and who had the authority to pause it?",
    hints=("Think of the vendor, the hospital's AI committee, the clinicians receiving "
           "the alerts and the patients.",),
)

R2 = reflection(
    "r2", "reflection_watching",
    "what would your monitoring plan watch, who reads the log, and who decides when an "
    "alarm means the model must stop?",
    hints=("Think of the year's delay, a small clinic's false alarms and the incident "
           "clock.",),
)

PROBLEMS = (Q1, Q2, Q3, Q4, Q5, R1, R2)
q1, q2, q3, q4, q5, r1, r2 = (ProblemView(p) for p in PROBLEMS)
