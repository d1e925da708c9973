"""Lesson 00's known-right and known-wrong answers (every problem is judged with them in
test_exercise_problems.py, which finds ``right_00`` / ``wrong_00`` here by their names).

The known-right answers are computed here, in tests/, never in the package.
"""

from __future__ import annotations

from _known import computed_once

from teachkit.pipeline import Settings, simulate


@computed_once
def right_00():
    overall = simulate().consequences.overall.iloc[0]
    change = simulate(Settings(model="logistic")).versus_baseline()
    return {
        "crises_per_1000": float(overall["crises"]),
        "needless_toy": 146.0,
        "grid_counts": {"caught": 2, "missed": 2, "needless": 4},
        "change_in_caught": float(change.loc[("all", "all patients"), "caught"]),
    }


def wrong_00():
    right = right_00()
    return {
        "crises_per_1000": right["crises_per_1000"] / 1000,  # a share, not per 1,000
        "needless_toy": 365,  # a count, not per 1,000
        "grid_counts": {"caught": 2, "missed": 4, "needless": 2},
        "change_in_caught": -right["change_in_caught"],  # wrong sign
    }
