"""Lesson 04's app driven in plain pytest by setting ``.value`` (no browser)."""

from __future__ import annotations

import pytest

from teachkit.levers import get_spec
from teachkit.oversight import OversightSettings, run_oversight
from teachkit.ui.oversight import OVERSIGHT_LAB_LEVERS, OversightLab, tessa_case

MOVES = [
    ("oversight", "model_alone", "the same flags with a clinician reviewing"),
    ("oversight", "dropped", "the same flags with a clinician reviewing"),
    ("review_capacity", 40, "the usual review set-up"),
    ("flag_tier", "top_1", "the model acting alone"),
    ("threshold", 0.08, "the model acting alone"),
    ("reviewer_accuracy", 0.9, "the usual review set-up"),
    ("automation_bias", 0.2, "the usual review set-up"),
    ("explanation", "shown", "the usual review set-up"),
    ("training", "trained", "the usual review set-up"),
    ("escalation", "item9", "the usual review set-up"),
    ("other_alerts", 2, "the usual review set-up"),
]


def test_the_lab_starts_with_one_reviewer_against_the_model_alone():
    lab = OversightLab()
    assert tuple(lab.panel.rows) == OVERSIGHT_LAB_LEVERS
    assert lab.panel.settings == OversightSettings(model="logistic")
    assert lab.dashboard.updates == 1 and lab.banner.message == ""
    assert "model acting alone: <b>" in lab.dashboard._headline.value
    assert 'data-key="nobody"' in lab.dashboard._headline.value
    assert 'data-group="Black"' in lab.views["who_decided"].value
    assert "tk-responsibility-table" in lab.views["responsibility"].value
    assert 'data-tier="top_0.1"' in lab.views["tiers"].value
    assert "tk-audit-table" in lab.views["audit"].log
    reviews = run_oversight(OversightSettings(model="logistic"), with_baseline=False)
    assert f'data-reviews="{reviews.workload["reviews"]}"' in lab.views["oversight_state"].value


def test_every_lab_lever_is_an_oversight_or_triage_lever_with_a_row():
    assert set(OVERSIGHT_LAB_LEVERS) - {"threshold"} <= set(
        spec.name for spec in OversightSettings().lever_specs())
    for name in OVERSIGHT_LAB_LEVERS:
        assert get_spec(name).label


@pytest.mark.parametrize(("lever", "value", "baseline"), MOVES,
                         ids=[f"{m[0]}={m[1]}" for m in MOVES])
def test_each_lever_updates_every_view_against_one_step_back(lever, value, baseline):
    lab = OversightLab()
    views = {"headline": lab.dashboard._headline.value,
             **{name: view.value for name, view in lab.views.items()
                if name in ("who_decided", "workload", "responsibility", "oversight_state")}}
    lab.panel.rows[lever].value = value
    assert lab.banner.message == ""
    assert lab.dashboard.updates == 2
    assert getattr(lab.panel.settings, lever) == value
    assert lab.dashboard.result.baseline_name == baseline
    assert lab.dashboard.sentence.startswith((
        f"Compared with {baseline}", f"No change against {baseline}",
        f"Less than 1 in 1,000 patients changes against {baseline}"))
    now = {"headline": lab.dashboard._headline.value,
           **{name: lab.views[name].value for name in views if name != "headline"}}
    changed = [name for name, before in views.items() if now[name] != before]
    assert "headline" in changed and "oversight_state" in changed, changed


def test_review_levers_grey_out_when_nobody_reviews_and_come_back_with_escalation():
    lab = OversightLab()
    lab.panel.rows["oversight"].value = "dropped"
    for name in ("review_capacity", "automation_bias", "training", "other_alerts"):
        assert lab.panel.rows[name].disabled, name
    assert not lab.panel.rows["escalation"].disabled
    assert "No clinician sees any case" in lab.panel._status.value
    lab.panel.rows["escalation"].value = "item9"
    assert not lab.panel.rows["review_capacity"].disabled
    assert 'data-human="0.000"' not in lab.views["oversight_state"].value


def test_the_threshold_greys_out_for_a_fixed_tier():
    lab = OversightLab()
    assert not lab.panel.rows["threshold"].disabled
    lab.panel.rows["flag_tier"].value = "top_0.1"
    assert lab.panel.rows["threshold"].disabled


def test_the_audit_log_follows_the_story_and_the_patient_number():
    lab = OversightLab()
    audit = lab.views["audit"]
    stories = list(audit._story.options)
    assert "lost in the queue" in stories and stories[-1].startswith("the patient number")
    audit._story.value = "lost in the queue"
    assert "nobody decided" in audit.log
    audit.show_patient(5)
    assert 'data-patient="5"' in audit.log
    assert audit._story.value.startswith("the patient number")
    lab.panel.rows["review_capacity"].value = 60  # the story may be a new patient now
    assert 'data-patient="5"' in audit.log
    audit._story.value = "caught by a clinician"
    assert "crisis caught" in audit.log


def test_no_human_in_the_audit_log_without_oversight():
    lab = OversightLab()
    lab.panel.rows["oversight"].value = "model_alone"
    for story in lab.views["audit"]._story.options[:-1]:
        lab.views["audit"]._story.value = story
        assert "a clinician (reviewer)" not in lab.views["audit"].log


def test_group_chooser_redraws_the_who_decided_bars_and_the_table_by_group():
    lab = OversightLab()
    lab.dashboard._group.value = "language"
    assert 'data-group="Limited English"' in lab.views["who_decided"].value
    assert "tk-group-review-table" in lab.views["who_decided"].value
    assert "crises caught per reviewer-hour" in lab.views["who_decided"].value
    assert lab.dashboard.updates == 2


def test_the_lab_names_its_assumptions():
    lab = OversightLab()
    assert "Assumptions, not findings" in lab.views["workload"].value


def test_reset_brings_the_starting_numbers_back():
    lab = OversightLab()
    start = lab.views["oversight_state"].value
    lab.panel.rows["training"].value = "trained"
    lab.panel.rows["training"]._reset.click()
    assert lab.views["oversight_state"].value == start


def test_tessa_case_box():
    box = tessa_case()
    assert "30 May 2023" in box.value and "70,000" in box.value
    assert "tk-case" in box._dom_classes
