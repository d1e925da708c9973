"""Lesson 04's story quotes typical numbers: medians over 20 synthetic practices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _typical import check_rederived, median

from teachkit.levers.oversight import MINUTES_PER_REVIEW, SCREENING_DAYS
from teachkit.oversight import OversightSettings
from teachkit.text import per_1000

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "04_who_is_watching.ipynb"
REVIEW = OversightSettings(model="logistic")


@pytest.fixture(scope="module")
def text():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells
                             if c["cell_type"] == "markdown").split())


def m(name):
    return median("04", name)


def test_the_set_up(text):
    assert "**20,000 patients**" in text and REVIEW.n == 20_000
    assert "about 20 cases a day" in text and REVIEW.review_capacity == 20
    assert "20 minutes each" in text and MINUTES_PER_REVIEW == 20
    assert "over 12 weeks, about 333 a day" in text and SCREENING_DAYS == 60
    assert "Tessa" not in text or "tessa_case" in NOTEBOOK.read_text()


def test_the_committed_typical_values_are_what_the_code_computes():
    check_rederived("04", (2024, 2037))


def test_the_review_against_the_model_alone(text):
    assert "the model flags about 26 of them a day" in text
    assert round(m("flags_per_day")) == 26
    assert "from **about 66 to 35 per 1,000 patients**" in text
    assert (round(m("needless_alone")), round(m("needless_review"))) == (66, 35)
    assert "**about 7.0 of 20 crises per 1,000 are caught, against 11 with the model " \
           "alone**" in text
    assert (per_1000(m("caught_review")), per_1000(m("crises")), per_1000(m("caught_alone"))) \
        == ("7.0", "20", "11")  # as the app shows them
    assert "about **18 flags per 1,000 are never reviewed**" in text
    assert round(m("overflow")) == 18
    assert "the queue is full on most days" in text
    assert m("days_over_capacity") > SCREENING_DAYS / 2
    assert "**7 cases out of 10**" in text
    assert round(10 * m("wrong_advice_followed")) == 7
    assert "typical values of 20 synthetic practices" in text


def test_the_reviewer_assumption_is_stated(text):
    assert "right 73 % of the time *whatever the patient*" in text


def test_the_reach_vet_tiers(text):
    assert "one flag every three days" in text
    assert "**about 2 in 3 of those flags are real crises**" in text
    assert round(3 * m("top01_ppv")) == 2
    assert "only **about 3 %** of the crises" in text
    assert round(100 * m("top01_capture")) == 3
    assert "the top 5 % reaches **about 44 %** of them" in text
    assert round(100 * m("top5_capture")) == 44
    assert "only about **1 flag in 6** is a crisis" in text
    assert round(1 / m("top5_ppv")) == 6
    assert "about **0.4 crises instead of 1.4**" in text
    assert round(m("top5_caught_per_hour"), 1) == 0.4
    assert round(m("top01_caught_per_hour"), 1) == 1.4
    assert "about ten times too high: Simon's top 5 % had 1 real crisis in 19 flags" in text
    assert round(1 / 0.054) == 19


def test_the_sources_it_cites(text):
    for source in ("Jabbour et al. 2023", "Lyell et al. 2017", "Ancker et al. 2017",
                   "McCarthy et al. 2021", "Simon et al. 2018", "**assumptions**"):
        assert source in text
