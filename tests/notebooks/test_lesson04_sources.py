"""Lesson 04's story quotes typical numbers: medians over 20 synthetic practices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _typical import check_rederived, median, per_1000, spread

from teachkit.levers.oversight import MINUTES_PER_REVIEW, SCREENING_DAYS, TIER_SHARES
from teachkit.oversight import OversightSettings
from teachkit.oversight.reviewer import own_accuracy
from teachkit.sources import SOURCES

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
    assert "**60,000 patients**" in text and REVIEW.n == 60_000
    assert "about 10 cases a day" in text and REVIEW.review_capacity == 10
    assert "half of Sam's day" in text and 2 * 10 * MINUTES_PER_REVIEW / 60 <= 8
    assert "20 minutes each" in text and MINUTES_PER_REVIEW == 20
    assert "over 12 weeks, about 1,000 a day" in text and SCREENING_DAYS == 60
    assert REVIEW.n // SCREENING_DAYS == 1_000
    assert "Tessa" not in text or "tessa_case" in NOTEBOOK.read_text()


def test_the_committed_typical_values_are_what_the_code_computes():
    check_rederived("04", (2024, 2037))


def test_the_queue_overflows_on_most_days(text):
    """The design (10 reviews a day) against the flags: the queue story holds typically."""
    assert f"the model flags about {m('flags_per_day'):.0f} of them a day" in text
    assert m("flags_per_day") > REVIEW.review_capacity
    low, high = spread("04", "overflow")
    assert f"about **{m('overflow'):.0f} flags per 1,000 are never reviewed** " \
           f"({low:.0f} to {high:.0f} across the practices)" in text
    assert f"the queue is full on most days (typically {m('days_over_capacity'):.0f} of the " \
           f"{SCREENING_DAYS})" in text
    assert m("days_over_capacity") > SCREENING_DAYS / 2 and low > 0


def test_the_review_against_the_model_alone(text):
    assert f"from **about {m('needless_alone'):.0f} to {m('needless_review'):.0f} per 1,000 " \
           "patients**" in text
    assert m("needless_review") < m("needless_alone")
    caught = f"**about {per_1000(m('caught_review'))} of {per_1000(m('crises'))} crises per " \
             f"1,000 are caught, against {per_1000(m('caught_alone'))} with the model alone**"
    assert caught in text and m("caught_review") < m("caught_alone")  # as the app shows them
    assert f"**{round(10 * m('wrong_advice_followed'))} cases out of 10**" in text
    assert "typical values of 20 synthetic practices" in text


def test_the_reviewer_assumption_is_stated_and_explains_the_loss(text):
    clear, unclear = own_accuracy(REVIEW.reviewer_accuracy, [True, False])
    assert f"right **{100 * clear:.1f} %** of the time" in text
    assert f"**{100 * unclear:.1f} %** when it points the other" in text
    assert "an **assumption**" in text and "Louzon et al. 2016" in text
    assert f"**about {round(10 * m('flagged_crises_item9_zero'))} in 10 of the crises the " \
           "model flags**" in text
    assert "reviewer_clarity" in SOURCES and SOURCES["reviewer_clarity"][0] == "A"


def test_the_reach_vet_tiers(text):
    assert "about one flag a day" in text
    assert round(TIER_SHARES["top_0.1"] * REVIEW.n / SCREENING_DAYS, 2) == 1.0
    assert f"**about 1 in {round(1 / m('top01_ppv'))} of those flags is a real crisis**" in text
    assert f"only **about {100 * m('top01_capture'):.0f} %** of the crises" in text
    assert f"the top 5 % reaches **about {100 * m('top5_capture'):.0f} %** of them" in text
    assert f"only about **1 flag in {round(1 / m('top5_ppv'))}** is a crisis" in text
    assert f"about **{m('top5_caught_per_hour'):.2f} crises instead of " \
           f"{m('top01_caught_per_hour'):.2f}**" in text
    low, high = spread("04", "top01_caught_per_hour")
    assert f"for the top 0.1 %, {low:.2f} to {high:.2f} across the practices" in text
    assert m("top5_ppv") < m("top01_ppv") and m("top5_caught_per_hour") < m(
        "top01_caught_per_hour")
    # the two differences the page names, against Simon et al. 2018
    assert "Simon's top 5 % had 1 real crisis in 19 flags" in text and round(1 / 0.054) == 19
    # a year in primary care against 90 days in specialty care: the PPV comes out close
    assert "within a year in primary care" in text and "within 90 days in specialty" in text
    assert abs(1 / m("top5_ppv") - 1 / 0.054) < 5 and m("top5_capture") < 0.43


def test_the_sources_it_cites(text):
    for source in ("Jabbour et al. 2023", "Lyell et al. 2017", "Ancker et al. 2017",
                   "McCarthy et al. 2021", "Simon et al. 2018", "**assumptions**"):
        assert source in text
