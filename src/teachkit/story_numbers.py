"""The numbers the lesson stories quote, computed for one seed.

A lesson quotes a *typical* value: the median over 20 cohorts (seeds 2024-2043) of the
lesson's size, with the range where it matters, never the value of one lucky seed.
``scripts/typical_values.py`` runs :func:`story_numbers` over those seeds and commits the
result to ``data/synthetic/typical_values.json``; the notebook tests check that each
lesson quotes the committed median and re-derive a few seeds to check the file still
matches the code.

All data here is synthetic: no row describes a real person.

Examples
--------
>>> from teachkit.story_numbers import LESSONS
>>> sorted(LESSONS)
['01', '02', '03', '04', '05']
"""

from __future__ import annotations

import numpy as np

__all__ = ["LESSONS", "SEEDS", "story_numbers"]

#: The seeds a typical value is the median over (20 lesson-size cohorts).
SEEDS = tuple(range(2024, 2044))


def _lesson01(seed: int) -> dict[str, float]:
    from .pipeline import lesson_cohort

    cohort = lesson_cohort(seed=seed)
    crises = cohort["crisis"].to_numpy()
    return {
        "depression_share": float(np.mean(cohort["phq9_total"] >= 10)),
        "crisis_rate": float(np.mean(crises)),
        "crises_item9_zero": float(np.mean(cohort["phq9"].to_numpy()[crises] == 0)),
    }


def _lesson02(seed: int) -> dict[str, float]:
    from .consequences import equal_score_gap
    from .pipeline import Settings, simulate

    programme = Settings(seed=seed, model="logistic", policy="capacity", capacity=0.03)

    def black_share(settings):
        return float(simulate(settings).programme_shares().loc["Black", "in_programme"])

    records = Settings(seed=seed, model="records", policy="capacity", capacity=0.03)
    run = simulate(records)
    by_group = run.consequences.metrics.loc["ethnicity"]
    unrecorded = simulate(records.replace(self_harm_unrecorded=1.0)).consequences.metrics
    top5 = Settings(seed=seed, model="logistic", policy="capacity", capacity=0.05)
    black = ("ethnicity", "Black")
    crises = run.records.groupby("ethnicity", observed=True)["crisis"].sum()
    return {
        "white_crises": float(crises["White"]),
        "black_crises": float(crises["Black"]),
        "black_share_truth": black_share(programme),
        "black_share_cost": black_share(programme.replace(label="cost")),
        "black_share_cost_gap": black_share(programme.replace(label="cost", access_gap=0.1)),
        "equal_score_cost": float(equal_score_gap(
            simulate(programme.replace(label="cost")).calibration_by_group(), "Black",
            "White", ratio=True)),
        "equal_score_truth": float(equal_score_gap(
            simulate(programme).calibration_by_group(), "Black", "White", ratio=True)),
        "records_white_sensitivity": float(by_group.loc["White", "sensitivity"]),
        "records_black_sensitivity": float(by_group.loc["Black", "sensitivity"]),
        "records_white_auc": float(by_group.loc["White", "AUC"]),
        "records_black_auc": float(by_group.loc["Black", "AUC"]),
        "records_unrecorded_black_sensitivity": float(unrecorded.loc[black, "sensitivity"]),
        "top5_unrecorded_drop": float(
            simulate(top5).consequences.metrics.loc[black, "sensitivity"]
            - simulate(top5.replace(self_harm_unrecorded=1.0)).consequences.metrics.loc[
                black, "sensitivity"]),
    }


def _lesson03(seed: int) -> dict[str, float]:
    from .consent.story import lesson03_numbers

    return lesson03_numbers(seed)


def _lesson04(seed: int) -> dict[str, float]:
    from .oversight import OversightSettings, capacity_tradeoff, run_oversight

    settings = OversightSettings(model="logistic", seed=seed)
    review = run_oversight(settings)
    now = review.consequences.overall.iloc[0]
    alone = review.baseline_result.consequences.overall.iloc[0]
    tiers = capacity_tradeoff(settings)
    flagged_crises = review.flagged & review.records["crisis"].to_numpy(dtype=bool)
    return {
        "flags_per_day": float(review.workload["flags_per_day"]),
        "needless_alone": float(alone["needless"]),
        "needless_review": float(now["needless"]),
        "caught_review": float(now["caught"]),
        "caught_alone": float(alone["caught"]),
        "crises": float(now["crises"]),
        "overflow": float(review.decisions.iloc[0]["overflow"]),
        "days_over_capacity": float(review.workload["days_over_capacity"]),
        "wrong_advice_followed": float(review.workload["wrong_advice_followed_share"]),
        "flagged_crises_item9_zero": float(
            np.mean(review.records["phq9"].to_numpy()[flagged_crises] == 0)),
        "top01_ppv": float(tiers.loc["top_0.1", "flag_ppv"]),
        "top01_capture": float(tiers.loc["top_0.1", "crises_in_tier"]),
        "top5_capture": float(tiers.loc["top_5", "crises_in_tier"]),
        "top5_ppv": float(tiers.loc["top_5", "flag_ppv"]),
        "top5_caught_per_hour": float(tiers.loc["top_5", "caught_per_hour"]),
        "top01_caught_per_hour": float(tiers.loc["top_0.1", "caught_per_hour"]),
    }


def _lesson05(seed: int) -> dict[str, float]:
    from .explain.story import lesson05_numbers

    return lesson05_numbers(seed)


#: The lessons whose stories quote numbers, and the function that computes them.
LESSONS = {"01": _lesson01, "02": _lesson02, "03": _lesson03, "04": _lesson04,
           "05": _lesson05}


def story_numbers(lesson: str, seed: int) -> dict[str, float]:
    """The numbers lesson ``lesson``'s story quotes, on the lesson's cohort with ``seed``.

    Examples
    --------
    >>> numbers = story_numbers("01", 2024)
    >>> 0.005 < numbers["crisis_rate"] < 0.01
    True
    """
    return LESSONS[lesson](seed)
