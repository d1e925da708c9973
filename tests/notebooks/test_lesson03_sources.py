"""Lesson 03 as a file: the numbers its story and closing note quote hold on the lesson's
own cohort, and its case boxes cite their sources."""

import json
from pathlib import Path

import pytest

from teachkit.consent import ConsentSettings, consent_masks, run_consent

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "03_consent_and_privacy.ipynb"


@pytest.fixture(scope="module")
def text():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.fixture(scope="module")
def report():
    return run_consent(ConsentSettings(model="logistic", consent="honoured",
                                       consent_design="opt_in")).report


def test_case_boxes_quote_domain_with_sources(text):
    for case, source in (("Crisis Text Line and Loris.ai", "siliconrepublic.com"),
                         ("Koko", "nbcnews.com"), ("BetterHelp", "FTC press release"),
                         ("Sweeney 2000; Rocher et al. 2019", "doi:10.1038/s41467-019-10933-3")):
        assert case in text and source in text
    assert "about 50 paragraphs" in text and "**4,000 people**" in text
    assert "**87 %**" in text and "**99.98 %**" in text


def test_refusals_under_each_design(text):
    from teachkit.pipeline import lesson_cohort

    cohort = lesson_cohort()
    out = (~consent_masks(cohort, design="opt_out")["training"]).sum()
    opt_in = (~consent_masks(cohort, design="opt_in")["training"]).sum()
    assert out == 1115 and "**1,115 patients (5.6 %)**" in text
    assert opt_in == 6701 and "**6,701 patients (33.5 %)**" in text


def test_selection_bias_figures(text, report):
    t = report.training_set
    assert "from **16.7 % to 14.1 %**" in text
    assert round(100 * t.loc["full cohort", "depression"], 1) == 16.7
    assert round(100 * t.loc["consented", "depression"], 1) == 14.1
    assert "crises from **19.2 to 18.0 per 1,000**" in text
    assert f"{1000 * t.loc['full cohort', 'crisis_rate']:.1f}" == "19.2"  # as the app shows
    assert round(1000 * t.loc["consented", "crisis_rate"], 1) == 18.0
    m = report.model
    assert "40 % of the under-60s and 46 % of the" in text
    assert round(100 * m.loc[("age", "under 60"), "opted_out"]) == 40
    assert round(100 * m.loc[("diagnosis", "mental-health diagnosis"), "opted_out"]) == 46
    assert round(100 * m.loc[("age", "60 and over"), "opted_out"]) == 17


def test_calibration_figures(text, report):
    m = report.model
    assert "from **0.99 to 0.88** for the under-60s" in text
    assert round(m.loc[("age", "under 60"), "calibration_everyone"], 2) == 0.99
    assert round(m.loc[("age", "under 60"), "calibration_consenters"], 2) == 0.88
    assert "from **1.02 to 0.87** for" in text
    row = m.loc[("diagnosis", "mental-health diagnosis")]
    assert (round(row["calibration_everyone"], 2), round(row["calibration_consenters"], 2)) \
        == (1.02, 0.87)
    assert "stays at **1.05**" in text
    assert round(m.loc[("age", "60 and over"), "calibration_consenters"], 2) == 1.05
    assert "(49 % to 50 %)" in text
    overall = m.loc[("all", "all patients")]
    assert (round(100 * overall["sensitivity_everyone"]),
            round(100 * overall["sensitivity_consenters"])) == (49, 50)
    assert abs(m.loc[("all", "all patients"), "calibration_random_sample"] - 1) < 0.05


def test_chance_ranges(text, report):
    from teachkit.consent import calibration_by_chance

    chance = calibration_by_chance(report.settings.replace(consent="honoured"), repeats=12)
    diagnosed = chance.loc[("diagnosis", "mental-health diagnosis")]
    young = chance.loc[("age", "under 60")]
    assert "between **0.94 and 1.07** for" in text and "gives **0.89\n  to 1.03**" in text
    assert (round(diagnosed["low"], 2), round(diagnosed["high"], 2)) == (0.94, 1.07)
    assert (round(young["low"], 2), round(young["high"], 2)) == (0.89, 1.03)
    m = report.model
    assert m.loc[("diagnosis", "mental-health diagnosis"), "calibration_consenters"] < \
        diagnosed["low"] - 0.05  # beyond chance
    assert young["low"] - 0.02 < m.loc[("age", "under 60"), "calibration_consenters"] < \
        young["low"]  # at its edge


def test_closing_note_gives_the_consent_only_figures(text):
    note = text[text.index("## Closing note"):]
    for figure in ("1,115", "6,701", "14.1 %", "16.7 %", "18.0", "19.2", "0.88", "0.87"):
        assert figure in note
