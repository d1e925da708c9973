"""Lesson 01's known-right and known-wrong answers (every problem is judged with them in
test_exercise_problems.py, which finds ``right_01`` / ``wrong_01`` here by their names).

The known-right answers are computed here, in tests/, never in the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _known import computed_once

from teachkit.pipeline import Settings, lesson_cohort, simulate


def flag_top(scores, capacity):
    k = int(round(capacity * len(scores)))
    flags = np.zeros(len(scores), dtype=bool)
    if k:
        flags[np.argsort(scores, kind="stable")[-k:]] = True
    return flags


@computed_once
def right_01():
    cohort = lesson_cohort()
    flags = ((cohort["phq9_total"] >= 10) | (cohort["phq9"] > 0)).to_numpy()
    y = cohort["crisis"].to_numpy().astype(bool)
    rule_caught = (flags & y).sum()
    scores = simulate(Settings(model="logistic")).scores
    steps = [round(0.001 * k, 3) for k in range(1, 51)]
    best = max(t for t in steps if (y & (scores >= t)).sum() >= rule_caught)
    missed = simulate(Settings(model="logistic")).consequences.by_group.loc[
        "ethnicity", "missed"]
    return {
        "rule_flagged_per_1000": pd.Series(flags).mean() * 1000,  # a numpy float
        "rule_sensitivity": rule_caught / y.sum(),
        "flag_top": flag_top,
        "largest_threshold": best,
        "worst_group_missed": missed.idxmax(),
        "needless_per_caught": (flags & ~y).sum() / rule_caught,
    }


def wrong_01():
    return {
        "rule_flagged_per_1000": 1000 * (lesson_cohort()["phq9_total"] >= 10).mean(),
        "rule_sensitivity": 0.07,
        "flag_top": lambda scores, capacity: scores > 0.5,
        "largest_threshold": 0.5,
        "worst_group_missed": "Asian",
        "needless_per_caught": 0.08,
    }
