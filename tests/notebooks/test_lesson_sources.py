"""The lessons as files: clean, thin, and true to the numbers their stories quote."""

import json
import re
from pathlib import Path

import pytest
from _typical import check_rederived, median, spread

from teachkit.pipeline import Settings, lesson_cohort, simulate

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _markdown(path):
    return "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_thin_no_logic_in_the_lesson(path):
    code = [("".join(c["source"])) for c in _cells(path) if c["cell_type"] == "code"]
    assert len(code) <= 6
    for source in code:
        assert not re.search(r"^\s*(def|class|lambda)\b|\.observe\(|on_click", source, re.M)
        assert len(source.splitlines()) <= 8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_says_the_data_is_synthetic_and_has_a_reflection(path):
    text = _markdown(path)
    assert "synthetic" in text.lower()
    code = "".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "code")
    assert "ReflectionBox(" in code


def test_lesson_01_story_numbers_are_typical_values():
    text = _markdown(ROOT / "notebooks" / "01_meet_the_cohort.ipynb")
    assert "**60,000 patients**" in text and len(lesson_cohort()) == 60_000
    check_rederived("01", (2024, 2031, 2043))
    assert "About 1 in 6 patients screens positive" in text
    assert round(1 / median("01", "depression_share")) == 6
    assert "**about 8 in 1,000** will have a crisis" in text
    assert round(1000 * median("01", "crisis_rate")) == 8
    assert "about 3 in 4 of those answered" in text
    assert round(4 * median("01", "crises_item9_zero")) == 3
    low, high = spread("01", "crises_item9_zero")
    # Louzon's 71.6 %, within the calibration band (65-78 %)
    assert 0.65 < low <= median("01", "crises_item9_zero") <= high < 0.82


def test_lesson_01_says_what_a_crisis_is_and_that_the_rate_is_the_real_one():
    text = " ".join(_markdown(ROOT / "notebooks" / "01_meet_the_cohort.ipynb").split())
    assert "suicide attempt, self-harm that reaches care, or an emergency visit" in text
    assert "within 12 months" in text and "**5 to 10 in 1,000** patients in a year" in text
    from teachkit.cohort import COHORT_SETTINGS, LESSON_CRISIS_RATES

    assert 0.005 <= COHORT_SETTINGS["primary_care"].crisis_rate <= 0.010
    assert LESSON_CRISIS_RATES == {k: s.crisis_rate for k, s in COHORT_SETTINGS.items()}
    assert "this practice has the real rate: **about 460 crises** among its 60,000" in text
    assert round(60_000 * median("01", "crisis_rate"), -1) == 460
    assert "typical of 20 synthetic practices" in text
    for gone in ("teaching", "1 in 50", "3 times"):
        assert gone not in text


def test_lesson_01_takeaways_hold_on_the_lessons_own_numbers():
    # "A lower threshold ... catches more crises and flags more people needlessly"
    low = simulate(Settings(model="logistic", threshold=0.02)).consequences.overall.iloc[0]
    high = simulate(Settings(model="logistic", threshold=0.10)).consequences.overall.iloc[0]
    assert low["caught"] > high["caught"] and low["needless"] > high["needless"]
    # "even a good model flags many people who will not have one"
    assert high["needless"] > high["caught"]


def test_lesson_00_cites_its_numbers():
    text = _markdown(ROOT / "notebooks" / "00_orientation.ipynb")
    for source in ("Kroenke", "Simon et al. 2013", "Louzon et al. 2016", "71.6 %"):
        assert source in text
