"""Lesson 04's story quotes numbers; they must hold on the lesson's own cohort."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teachkit.levers.oversight import MINUTES_PER_REVIEW, SCREENING_DAYS
from teachkit.oversight import OversightSettings, capacity_tradeoff, run_oversight
from teachkit.text import per_1000

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "04_who_is_watching.ipynb"
REVIEW = OversightSettings(model="logistic")


@pytest.fixture(scope="module")
def text():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells
                             if c["cell_type"] == "markdown").split())


@pytest.fixture(scope="module")
def runs():
    review = run_oversight(REVIEW)
    return review, review.baseline_result, capacity_tradeoff(REVIEW)


def test_the_set_up(text):
    assert "**20,000 patients**" in text and REVIEW.n == 20_000
    assert "about 20 cases a day" in text and REVIEW.review_capacity == 20
    assert "20 minutes each" in text and MINUTES_PER_REVIEW == 20
    assert "over 12 weeks, about 333 a day" in text and SCREENING_DAYS == 60
    assert "Tessa" not in text or "tessa_case" in NOTEBOOK.read_text()


def test_the_review_against_the_model_alone(text, runs):
    review, alone, _ = runs
    assert alone.settings.oversight == "model_alone"
    now, before = review.consequences.overall.iloc[0], alone.consequences.overall.iloc[0]
    assert "the model flags about 24 of them a day" in text
    assert round(review.workload["flags_per_day"]) == 24
    assert "from **62 to 35 per 1,000 patients**" in text
    assert (round(before["needless"]), round(now["needless"])) == (62, 35)
    assert "**6.7 of 19 crises per 1,000 are caught, against 9.5 with the model alone**" in text
    assert (per_1000(now["caught"]), per_1000(now["crises"]), per_1000(before["caught"])) == \
        ("6.7", "19", "9.5")  # as the app shows them
    assert "about **14 flags per 1,000 are never reviewed**" in text
    assert round(review.decisions.iloc[0]["overflow"]) == 14
    assert "the queue is full on most days" in text
    assert review.workload["days_over_capacity"] > SCREENING_DAYS / 2
    assert "**7 cases out of 10**" in text
    assert round(10 * review.workload["wrong_advice_followed_share"]) == 7


def test_the_reach_vet_tiers(text, runs):
    table = runs[2]
    assert "one flag every three days" in text
    assert table.loc["top_0.1", "flags_per_day"] == pytest.approx(1 / 3)
    assert "**3 in 4 of those flags are real crises**" in text
    assert table.loc["top_0.1", "flag_ppv"] == pytest.approx(0.75)
    assert "only **4 %** of the crises" in text
    assert round(100 * table.loc["top_0.1", "crises_in_tier"]) == 4
    assert "the top 5 % reaches **43 %** of them" in text
    assert round(100 * table.loc["top_5", "crises_in_tier"]) == 43
    assert "about **1 flag in 6** is a crisis" in text
    assert round(1 / table.loc["top_5", "flag_ppv"]) == 6
    assert "about **0.4 crises instead of 1.8**" in text
    assert round(table.loc["top_5", "caught_per_hour"], 1) == 0.4
    assert round(table.loc["top_0.1", "caught_per_hour"], 1) == 1.8


def test_the_sources_it_cites(text):
    for source in ("Jabbour et al. 2023", "Lyell et al. 2017", "Ancker et al. 2017",
                   "McCarthy et al. 2021", "Simon et al. 2018", "**assumptions**"):
        assert source in text
