"""Exercises of lesson 00, orientation: reading the dashboards.

In the notebook::

    from teachkit.exercises.lesson00 import q1, q2, q3, q4, r1
    crises_per_1000 = ...   # your answer
    q1.check()

All patients are synthetic.
"""

from __future__ import annotations

from functools import lru_cache

from ._problem import (
    Diagnosis,
    Incorrect,
    NotAttempted,
    Problem,
    ProblemView,
    as_number,
    number_check,
    reflection,
    show,
    tag,
    unanswered,
)

LESSON = "00"
SLUG = "00-orientation"
TITLE = "Orientation: reading the dashboards"

# A made-up clinic, for counting by hand (the numbers are the question's, not the cohort's).
TOY_PATIENTS, TOY_CRISES, TOY_FLAGGED, TOY_CAUGHT = 2_500, 50, 400, 35

#: A grid of 20 synthetic patients: who is flagged, and who has a crisis within 12 months.
GRID_FLAGGED = (1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0)
GRID_CRISIS = (1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0)


@lru_cache(maxsize=1)
def _rule_overall():
    from ..pipeline import simulate

    return simulate().consequences.overall.iloc[0]


@lru_cache(maxsize=1)
def _logistic_change():
    from ..pipeline import Settings, simulate

    return simulate(Settings(model="logistic")).versus_baseline().loc[("all", "all patients")]


def _grid():
    caught = sum(f and c for f, c in zip(GRID_FLAGGED, GRID_CRISIS))
    return {"caught": caught, "missed": sum(GRID_CRISIS) - caught,
            "needless": sum(GRID_FLAGGED) - caught}


Q1 = Problem(
    "q1", "crises_per_1000", "crises within 12 months, per 1,000 patients",
    number_check(
        "crises_per_1000", lambda: float(_rule_overall()["crises"]), tol=0.05,
        diagnoses=(
            Diagnosis(lambda: _rule_overall()["crises"] / 1000,
                      "That looks like a share of all patients; the dashboards count per "
                      "1,000 patients.", tol=5e-4),
            Diagnosis(lambda: _rule_overall()["crises"] * 20,
                      "That is a count over the whole cohort of 60,000; the dashboards "
                      "count per 1,000 patients.", tol=1),
            Diagnosis(lambda: _rule_overall()["flagged"],
                      "That is how many are flagged, not how many have a crisis."),
        ),
        fallback="Read the `crises` column of `result.consequences.overall`.", low=0,
        high=1000),
    hints=("`simulate()` with no settings runs the usual rule: the baseline.",
           "`result.consequences.overall` has one row; its `crises` column is per 1,000 "
           "patients."),
)

Q2 = Problem(
    "q2", "needless_toy", "needless escalations per 1,000 in the made-up clinic",
    number_check(
        "needless_toy",
        lambda: 1000 * (TOY_FLAGGED - TOY_CAUGHT) / TOY_PATIENTS, tol=0.05,
        diagnoses=(
            Diagnosis(lambda: TOY_FLAGGED - TOY_CAUGHT,
                      "That is the number of needless escalations in the clinic; now "
                      "scale it to 1,000 patients.", tol=0.5),
            Diagnosis(lambda: 1000 * (TOY_CRISES - TOY_CAUGHT) / TOY_PATIENTS,
                      "That counts the crises that were missed; a needless escalation is "
                      "a flag without a crisis."),
            Diagnosis(lambda: 1000 * TOY_CAUGHT / TOY_PATIENTS,
                      "That counts the crises caught; a needless escalation is a flag "
                      "without a crisis."),
            Diagnosis(lambda: 1000 * TOY_FLAGGED / TOY_PATIENTS,
                      "That counts everyone flagged, including those who do have a crisis."),
        ),
        fallback="Needless = flagged without a crisis; then divide by the clinic's size "
                 "and multiply by 1,000.", low=0, high=1000),
    hints=("Of the 400 flagged, how many did not have a crisis?",
           "Per 1,000 patients: divide by 2,500 patients, multiply by 1,000."),
)


def _check_grid(value):
    unanswered(value, "grid_counts")
    if tag(value) != "dict":
        raise Incorrect("`grid_counts` should be a dict like {'caught': ..., 'missed': ..., "
                        f"'needless': ...}}; you gave {show(value)}.")
    got = {k: v for k, v in value["items"] if isinstance(k, str)}
    expected = _grid()
    missing = [k for k in expected if k not in got]
    if missing:
        raise Incorrect(f"`grid_counts` has no {', '.join(repr(k) for k in missing)} key; "
                        f"it needs 'caught', 'missed' and 'needless'.")
    if all(got[k] is Ellipsis or tag(got[k]) == "ellipsis" for k in expected):
        raise NotAttempted("`grid_counts` still holds `...`: count the patients.")
    wrong = []
    for key in expected:
        number = as_number(got[key], f"grid_counts[{key!r}]")
        if number != expected[key]:
            wrong.append(f"{key} = {number:g}")
    if wrong:
        raise Incorrect(f"In `grid_counts`, {', '.join(wrong)} is not right. Caught = "
                        f"flagged and crisis; missed = crisis, not flagged; needless = "
                        f"flagged, no crisis.")


Q3 = Problem(
    "q3", "grid_counts", "caught, missed and needless in a grid of 20 patients",
    _check_grid,
    hints=("Go through the patients one by one: each is in at most one of the three boxes.",
           "Patients who are neither flagged nor in crisis count in none of them."),
)

Q4 = Problem(
    "q4", "change_in_caught", "change in crises caught per 1,000 with the logistic model",
    number_check(
        "change_in_caught", lambda: float(_logistic_change()["caught"]), tol=0.05,
        diagnoses=(
            Diagnosis(lambda: -float(_logistic_change()["caught"]),
                      "The size is right but the sign is not: the change is the new set-up "
                      "minus the baseline, so fewer crises caught is negative."),
            Diagnosis(lambda: float(_logistic_change()["missed"]),
                      "That is the change in crises missed; the question asks about crises "
                      "caught."),
        ),
        fallback="Use `versus_baseline()` of the logistic run, row ('all', 'all "
                 "patients'), column `caught`.", low=-1000, high=1000),
    hints=("`simulate(Settings(model='logistic'))` runs the change; the baseline comes "
           "with it.",
           "`result.versus_baseline()` gives new minus baseline, per 1,000 patients."),
)

R1 = reflection(
    "r1", "reflection_harm",
    "which error hurts whom: a missed crisis or a needless escalation?",
    hints=("Think of one patient behind each number: what happens to them next week?",),
)

PROBLEMS = (Q1, Q2, Q3, Q4, R1)
q1, q2, q3, q4, r1 = (ProblemView(p) for p in PROBLEMS)
