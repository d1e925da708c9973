"""Lesson 05's app in plain pytest: every lever moves the run, a patient's explanation
opens, the letter downloads. All data is synthetic."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from teachkit.levers import get_spec
from teachkit.ui.explain import EXPLAIN_LAB_LEVERS, ExplainLab, scaffold_case

MOVES = {"model": "rule", "label": "cost", "access_gap": 0.2, "explain_inputs":
         "without_ethnicity", "explain_duplicate": "item9_copy",
         "explain_background": "not_flagged", "explain_reviewer": "shown",
         "explain_opt_out": 0.5,
         "explain_opt_out_route": "nothing", "explain_decision": "automatic",
         "explain_disclosure": "told"}


def _numbers(d):
    return re.sub(r'data-updates="\d+" ', "", d._state.value.split("data-settings")[0])


@pytest.fixture(scope="module")
def lab():
    return ExplainLab()


def test_the_lab_shows_a_patient_and_its_views(lab):
    patient = lab.views["patient_explanation"]
    assert "tk-explain-bar" in patient._explanation.value
    assert "What would change the flag?" in patient._counterfactual.value
    assert "tk-letter-download" in patient._letter.value
    assert "tk-importance-table" in lab.views["importance"].value
    assert "Nobody opted out" in lab.views["autonomy"].value
    assert lab.views["reviewer"].value.count("<tr data-explanation") == 2
    assert lab.views["reviewer"].value.count('data-current="true"') == 1
    assert "Slack" in scaffold_case().value
    assert set(MOVES) == set(EXPLAIN_LAB_LEVERS)


@pytest.mark.parametrize("lever", list(MOVES))
def test_every_lever_changes_what_is_shown_and_resets(lab, lever):
    d = lab.dashboard
    before = (_numbers(d), lab.views["patient_explanation"]._estate.value, d._sentence.value)
    lab.panel.rows[lever].value = MOVES[lever]
    after = (_numbers(d), lab.views["patient_explanation"]._estate.value, d._sentence.value)
    assert getattr(d.result.settings, lever) == MOVES[lever]
    assert after != before, f"moving {lever} changed nothing"
    lab.panel.rows[lever].value = get_spec(lever).rest if lever != "model" else "logistic"
    assert (_numbers(d), lab.views["patient_explanation"]._estate.value) == before[:2]


def test_opening_a_patient_and_downloading_the_letter(lab):
    lab.views["patient_explanation"].show_patient(5)
    assert 'data-patient="5"' in lab.views["patient_explanation"]._explanation.value
    link = lab.views["patient_explanation"]._letter.value
    letter = urllib.parse.unquote(link.split("charset=utf-8,")[1].split('"')[0])
    assert letter.startswith("Dear patient 5,") and "synthetic" in letter


def test_a_bad_patient_number_is_refused_by_the_box(lab):
    box = lab.views["patient_explanation"]._patient
    box.value = 10**9  # a bounded box clamps it to the last patient
    assert box.value == box.max
    assert f'data-patient="{box.max}"' in lab.views["patient_explanation"]._explanation.value


def test_the_reviewer_table_follows_the_explain_levers(lab):
    """The flags after opt-outs join lesson 04's queue: the table moves with them."""

    def caught():
        return re.findall(r'data-caught="([\d.]+)"', lab.views["reviewer"].value)

    before = caught()
    lab.panel.rows["explain_opt_out"].value = 1.0
    lab.panel.rows["explain_opt_out_route"].value = "nothing"
    after = caught()
    lab.panel.rows["explain_opt_out_route"].value = "usual_rule"
    lab.panel.rows["explain_opt_out"].value = 0.0
    assert caught() == before
    assert all(float(a) < float(b) for a, b in zip(after, before))


def test_a_picture_or_a_search_already_made_is_not_made_again(lab, monkeypatch):
    """Telling patients an AI was used changes no flag: the patient's explanation and
    counterfactual are the ones already made; moving a lever back shows the picture
    already drawn."""
    import importlib

    from teachkit import plotting

    # the module (teachkit.explain's own name `counterfactual` is the function)
    cf_module = importlib.import_module("teachkit.explain.counterfactual")

    calls = {"draw": 0, "search": 0}

    def counted(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(plotting, "blitted_png", counted("draw", plotting.blitted_png))
    monkeypatch.setattr(cf_module, "_search", counted("search", cf_module._search))
    d, view = lab.dashboard, lab.views["patient_explanation"]
    png, explanation = bytes(d.png), view._current
    lab.panel.rows["explain_disclosure"].value = "told"
    assert calls["search"] == 0 and view._current is explanation
    told = dict(calls)  # a first "told" draws its baseline tick: 1 (0 if seen before)
    lab.panel.rows["explain_disclosure"].value = "not_told"
    assert calls == told and bytes(d.png) == png
    lab.panel.rows["access_gap"].value = 0.1  # a value no other test visits
    assert calls == {"draw": told["draw"] + 1, "search": 1} and bytes(d.png) != png
    lab.panel.rows["access_gap"].value = 0.0
    assert calls == {"draw": told["draw"] + 1, "search": 1} and bytes(d.png) == png
