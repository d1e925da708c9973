"""Lesson 03's consent app driven in plain pytest by setting ``.value`` (no browser)."""

import re

import pytest

from teachkit.consent import (
    CONSENT_BASELINE_NAME,
    ConsentSettings,
    consent_masks,
    ledger_patient,
    run_consent,
)
from teachkit.pipeline import lesson_cohort
from teachkit.ui.consent import CONSENT_LAB_LEVERS, ConsentLab, consent_html, ledger_html


def _data(view: str, key: str) -> int:
    return int(re.search(rf'data-{key}="(\d+)"', view).group(1))


@pytest.fixture(scope="module")
def lab():
    return ConsentLab()


def test_consent_lab_starts_with_consent_honoured_under_opt_out(lab):
    assert tuple(lab.panel.rows) == CONSENT_LAB_LEVERS
    assert lab.panel.settings == ConsentSettings(model="logistic", consent="honoured")
    assert lab.dashboard.updates >= 1
    assert lab.banner.message == ""
    view = lab.views["consent"].value
    assert "No record is used without consent" in view
    assert _data(view, "without-consent") == 0 and _data(view, "shared") == 0
    assert f"{CONSENT_BASELINE_NAME.removeprefix('the ')}: <b>" in \
        lab.dashboard._headline.value
    assert f'data-patient="{ledger_patient()}"' in lab.views["ledger"].table.value
    assert "tk-consent-lab" in lab._dom_classes


def _expected(key: str, design: str) -> int:
    """What the view must show, counted from the consent masks themselves."""
    masks = consent_masks(lesson_cohort(), design=design)
    if key == "without-consent":
        return int((~masks["training"]).sum())
    return int(masks["training" if key == "consented" else "sharing"].sum())


@pytest.mark.parametrize(("lever", "value", "key", "design"), [
    ("consent", "ignored", "without-consent", "opt_out"),
    ("consent_design", "layered", "consented", "layered"),
    ("consent_design", "opt_in", "consented", "opt_in"),
    ("secondary_use", "partner", "shared", "opt_out"),
    ("secondary_use", "advertiser", "shared", "opt_out"),
])
def test_each_consent_lever_updates_the_consent_view(lever, value, key, design):
    expected = _expected(key, design)
    lab = ConsentLab()
    before = lab.views["consent"].value
    lab.panel.rows[lever].value = value
    assert lab.banner.message == ""
    assert lab.dashboard.updates == 2
    view = lab.views["consent"].value
    assert view != before
    assert _data(view, key) == expected
    lab.panel.rows[lever]._reset.click()
    assert lab.banner.message == ""


def test_ignoring_consent_shows_who_and_the_ledger_says_so():
    lab = ConsentLab()
    lab.panel.rows["consent"].value = "ignored"
    assert lab.dashboard.sentence.startswith("Compared with the usual rule")
    view = lab.views["consent"].value
    assert f"{_expected('without-consent', 'opt_out'):,} of 60,000 patients" in view
    assert 'data-group="under 60"' in view
    assert "yes, without consent" in lab.views["ledger"].table.value


def test_advertising_names_the_betterhelp_ban():
    lab = ConsentLab()
    lab.panel.rows["secondary_use"].value = "advertiser"
    assert "banned even with consent" in lab.views["consent"].value
    assert "advertisers" in lab.views["ledger"].table.value


def test_threshold_lever_moves_the_flags(lab):
    before = lab.dashboard.result.consequences.overall["flagged"].iloc[0]
    lab.panel.rows["threshold"].value = 0.1
    assert lab.dashboard.result.consequences.overall["flagged"].iloc[0] < before
    lab.panel.rows["threshold"].value = 0.05


def test_ledger_viewer_follows_the_patient_number():
    lab = ConsentLab()
    viewer = lab.views["ledger"]
    viewer.patient.value = 10
    assert 'data-patient="10"' in viewer.table.value
    viewer.patient.value = 0  # a BoundedIntText keeps the value in range
    assert viewer.patient.value == 1 and lab.banner.message == ""


def test_views_render_for_the_usual_rule():
    result = run_consent(ConsentSettings(consent="honoured"))
    view = consent_html(result)
    assert "learns nothing from records" in view
    assert "synthetic" in ledger_html(ConsentSettings(), 3)
