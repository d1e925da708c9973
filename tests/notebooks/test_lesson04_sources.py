"""Lesson 04's story quotes typical numbers: medians over 20 synthetic practices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _typical import check_rederived, median, spread

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
    assert "the model flags about 13 of them a day" in text
    assert round(m("flags_per_day")) == 13
    assert "On most days Sam can look at all of them" in text
    assert m("days_over_capacity") < SCREENING_DAYS / 10
    assert "from **about 33 to 23 per 1,000 patients**" in text
    assert (round(m("needless_alone")), round(m("needless_review"))) == (33, 23)
    assert "**about 3.9 of 20 crises per 1,000 are caught, against 5.0 with the model " \
           "alone**" in text
    assert (per_1000(m("caught_review")), per_1000(m("crises")), per_1000(m("caught_alone"))) \
        == ("3.9", "20", "5.0")
    assert "**7 cases out of 10**" in text
    assert round(10 * m("wrong_advice_followed")) == 7


def test_the_reviewer_assumption_is_stated(text):
    assert "right 73 % of the time *whatever the patient*" in text
    assert "typical of 20 synthetic practices" in text


def test_the_reach_vet_tiers(text):
    assert "one flag every three days" in text
    assert "**about 1 in 3 of those flags is a real crisis** (1 in 5 to 2 in 5" in text
    assert round(1 / m("top01_ppv")) == 3
    low, high = spread("04", "top01_ppv")
    assert (round(5 * low), round(5 * high)) == (1, 2)
    assert "only **about 1.5 %** of the crises" in text
    assert round(100 * m("top01_capture"), 1) == 1.5
    assert "the top 5 % reaches **about 28 %** of them" in text
    assert round(100 * m("top5_capture")) == 28
    assert "about **1 flag in 9** is a crisis" in text
    assert round(1 / m("top5_ppv")) == 9
    assert "about **0.25 crises instead of 0.75**" in text
    assert round(m("top5_caught_per_hour"), 2) == 0.25
    assert round(m("top01_caught_per_hour"), 2) == 0.75


def test_the_sources_it_cites(text):
    for source in ("Jabbour et al. 2023", "Lyell et al. 2017", "Ancker et al. 2017",
                   "McCarthy et al. 2021", "Simon et al. 2018", "Kessler et al. 2017",
                   "**assumptions**"):
        assert source in text
