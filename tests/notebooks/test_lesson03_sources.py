"""Lesson 03 as a file: its story and closing note quote typical values (medians over 20
synthetic practices, data/synthetic/typical_values.json), seed 2024 re-derives, and its case
boxes cite their sources."""

import json
from pathlib import Path

import pytest
from _typical import check_rederived, median, spread

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "03_consent_and_privacy.ipynb"


@pytest.fixture(scope="module")
def text():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells
                             if c["cell_type"] == "markdown").split())


def test_case_boxes_quote_domain_with_sources(text):
    for case, source in (("Crisis Text Line and Loris.ai", "siliconrepublic.com"),
                         ("Koko", "nbcnews.com"), ("BetterHelp", "FTC press release"),
                         ("Sweeney 2000; Rocher et al. 2019", "doi:10.1038/s41467-019-10933-3")):
        assert case in text and source in text
    assert "about 50 paragraphs" in text and "**4,000 people**" in text
    assert "**87 %**" in text and "**99.98 %**" in text


def m(name):
    return median("03", name)


def pct(share):
    return f"{100 * share:.1f} %"


def test_the_committed_typical_values_are_what_the_code_computes():
    check_rederived("03", (2024,))


def test_quotes_are_typical_values_of_20_practices(text):
    assert "typical values of 20 synthetic practices" in text


def test_refusals_under_each_design(text):
    for design in ("opt_out", "opt_in"):
        count = f"{round(m(f'{design}_refusals'), -1):,.0f}"
        assert f"**about {count} patients ({pct(m(f'{design}_refusal_share'))})**" in text
    assert f"PHQ-9 ≥ 10: {pct(m('depression_opt_out'))} against " \
           f"{pct(m('depression_clinic'))} in the clinic" in text


def test_who_says_no_under_opt_in(text):
    assert f"{100 * m('young_opted_out'):.0f} % of the under-60s and " \
           f"{100 * m('diagnosed_opted_out'):.0f} % of the" in text
    assert f"against {100 * m('old_opted_out'):.0f} % of those aged 60" in text
    assert m("young_opted_out") > 2 * m("old_opted_out")


def test_selection_bias_figures(text):
    assert f"from **{pct(m('depression_clinic'))} to {pct(m('depression_opt_in'))}**" in text
    assert m("depression_opt_in") < m("depression_opt_out") < m("depression_clinic")
    crises = f"crises from **{m('crises_clinic'):.1f} to {m('crises_opt_in'):.1f} per 1,000**"
    assert crises in text and m("crises_opt_in") < m("crises_clinic")


def test_calibration_is_within_chance_and_says_so(text):
    low, high = spread("03", "diagnosed_oe_consenters")
    s_low, s_high = spread("03", "diagnosed_oe_sample")
    assert f"typically **{m('diagnosed_oe_consenters'):.2f}** ({low:.2f} to {high:.2f} " \
           "across the 20 practices)" in text
    assert f"gives **{m('diagnosed_oe_sample'):.2f}** ({s_low:.2f} to {s_high:.2f})" in text
    # "the same, within chance": each median inside the other's 10th-90th range
    assert s_low < m("diagnosed_oe_consenters") < s_high and low < m("diagnosed_oe_sample") < high
    assert f"under-60s ({m('young_oe_consenters'):.2f} against " \
           f"{m('young_oe_sample'):.2f})" in text
    assert f"barely moves ({100 * m('sensitivity_everyone'):.0f} % to " \
           f"{100 * m('sensitivity_consenters'):.0f} %)" in text


def test_closing_note_gives_the_consent_only_figures(text):
    note = text[text.index("## Closing note"):]
    for figure in (f"about {round(m('opt_out_refusals'), -1):,.0f} records",
                   f"about {round(m('opt_in_refusals'), -1):,.0f}.",
                   f"{pct(m('depression_opt_in'))} instead of {pct(m('depression_clinic'))}",
                   f"{m('crises_opt_in'):.1f} instead of {m('crises_clinic'):.1f} crises",
                   f"observed / expected {m('diagnosed_oe_consenters'):.2f}"):
        assert figure in note, figure


def test_the_privacy_lab_names_the_town_and_its_uniqueness(text):
    from teachkit.privacy.town import TOWN_ADULTS

    assert "of the town the patients live in, 7.6 million synthetic adults" in text
    assert round(TOWN_ADULTS / 1e6, 1) == 7.6
    assert "about 87 % of the town are the only one with their ZIP code, birth date" in text
