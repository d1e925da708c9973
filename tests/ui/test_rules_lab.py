"""Lesson 07's app: a lever changes the checklist, the dossier is offered as HTML and PDF,
and the trainee's deployment survives a reload (a new lab under the same name)."""

from __future__ import annotations

import base64
import io
import re

import pypdf
import pytest

from teachkit.rules.modelcard import MODEL_CARD_SECTIONS
from teachkit.rules.saved import DeploymentStore
from teachkit.ui.rules import (
    RULES_LAB_LEVERS,
    RULES_START,
    RulesLab,
    cerebral_case,
    rules_statement,
)


def _rules_state(lab) -> dict:
    return dict(re.findall(r'data-([a-z0-9-]+)="([^"]*)"', lab.views["rules_state"].value))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return DeploymentStore(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def lab(store):
    return RulesLab(store=store, trainee="Ana")


def test_the_lab_starts_from_the_rest_deployment_with_every_lever(lab):
    assert lab.panel.settings == RULES_START
    assert set(lab.panel.rows) == set(RULES_LAB_LEVERS)
    state = _rules_state(lab)
    assert int(state["reds"]) == len(lab.dashboard.result.checklist.reds)
    assert state["eu-human-oversight"] == "amber"
    assert 'data-rule="eu_human_oversight" data-status="amber"' in lab.views["checklist"].value
    assert "Model details" in lab.views["model_card"].card


def test_a_lever_turns_a_rule_red_and_back(lab):
    lab.panel.rows["oversight"].value = "dropped"
    assert _rules_state(lab)["eu-human-oversight"] == "red"
    assert "✖ red" in lab.views["checklist"].value
    lab.panel.rows["oversight"].value = "review"
    assert _rules_state(lab)["eu-human-oversight"] == "amber"


def test_the_dossier_is_offered_as_html_and_pdf(lab):
    lab.views["dossier"]._make.click()
    links = lab.views["dossier"].links
    pdf = re.search(r'class="tk-dossier-pdf" download="dossier.pdf" '
                    r'href="data:application/pdf;base64,([^"]+)"', links)
    page = re.search(r'href="data:text/html;base64,([^"]+)"', links)
    assert pdf and page
    text = "\n".join(p.extract_text() for p in
                     pypdf.PdfReader(io.BytesIO(base64.b64decode(pdf.group(1)))).pages)
    for heading in MODEL_CARD_SECTIONS:
        assert heading in text
    assert "not legal advice" in base64.b64decode(page.group(1)).decode()
    # A lever move makes the offered dossier stale: the links go.
    lab.panel.rows["training"].value = "trained"
    assert "tk-dossier-pdf" not in lab.views["dossier"].links
    lab.panel.rows["training"].value = "none"


def test_the_deployment_survives_a_reload(lab, store):
    lab.panel.rows["secondary_use"].value = "advertiser"
    again = RulesLab(store=store, trainee="ana")  # a reload: a new kernel, the same name
    assert again.panel.settings.secondary_use == "advertiser"
    assert again.dashboard.result.checklist.status("ftc_health_data") == "red"
    lab.panel.rows["secondary_use"].value = "off"


def test_a_name_typed_later_restores_that_trainees_deployment(store):
    store.save_deployment("Ben", RULES_START.replace(monitoring="labels"))
    lab = RulesLab(store=store, trainee="")
    assert lab.panel.settings == RULES_START
    lab._name.value = "Ben"
    assert lab.panel.settings.monitoring == "labels"
    assert "restored" in lab._saved.value
    lab._name.value = "   "
    assert "Type your name" in lab._saved.value


def test_boxes_say_not_legal_advice_and_name_the_case():
    assert "not legal advice" in rules_statement().value
    assert "not yet confirmed" in rules_statement().value
    assert "Cerebral" in cerebral_case().value
