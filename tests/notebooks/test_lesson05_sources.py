"""Lesson 05's story quotes typical numbers: medians over 20 synthetic practices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _typical import check_rederived, median, per_1000

from teachkit.explain import ExplainSettings

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "05_explain_it_to_me.ipynb"


@pytest.fixture(scope="module")
def text():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells
                             if c["cell_type"] == "markdown").split())


def m(name):
    return median("05", name)


def test_the_set_up(text):
    assert "**60,000 patients**" in text and ExplainSettings().n == 60_000
    assert "slack" in NOTEBOOK.read_text().lower() and "scaffold_case" in NOTEBOOK.read_text()


def test_the_committed_typical_values_are_what_the_code_computes():
    check_rederived("05", (2024,))


def test_opting_out_and_its_fallbacks(text):
    opted = round(1000 * m("opted_out_share"), -1)
    assert f"opts out, **about {opted:.0f} per 1,000** do" in text
    caught = per_1000(m("caught_model")), per_1000(m("caught_rule_fallback"))
    assert "rise from **about {} to {} per 1,000**".format(*caught) in text
    assert m("caught_rule_fallback") > m("caught_model") > m("caught_nothing")
    flagged = round(m("flagged_rule_fallback")), round(m("flagged_model"))
    assert "(**about {} per 1,000 instead of {}**)".format(*flagged) in text
    assert f"they fall to **about {per_1000(m('caught_nothing'))}**" in text
    assert "typical of 20 synthetic practices" in text


def test_the_misleading_explanations(text):
    assert f"ethnicity's own attribution is **about {round(100 * m('ethnicity_share'))} %**" \
        in text
    assert m("ethnicity_share") < 0.05
    black = 100 * m("black_flagged_with"), 100 * m("black_flagged_without")
    assert "**about {:.1f} % of Black patients flagged against {:.1f} %**".format(*black) \
        in text
    assert "changes **fewer than 1 flag in 1,000**" in text and m("duplicate_flags_changed") < 1
    assert "splits **exactly in half**" in text and m("duplicate_copy_share") == 0.5


def test_the_sources_it_cites(text):
    for source in ("Bansal et al. 2021", "Jabbour et al. 2023", "Slack et al. 2020",
                   "Obermeyer et al. 2019", "Khullar et al. 2022", "Pew 2023", "YouGov 2024",
                   "Cavalier et al. 2025", "GDPR Art. 22", "EU AI Act", "**assumptions**"):
        assert source in text
