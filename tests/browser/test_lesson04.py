"""Lesson 04 ("Who is watching") as trainees meet it: the real Voila app in Chromium.

Every lever of the oversight lab is moved: each time the dashboard must update (its
hidden state counter and settings), the numbers must change (the follow-ups, or who
decided the cases), no error banner and no traceback may appear, and Reset must bring the
starting numbers back. The audit log is opened for a story and for a patient number. The
time from a lever move to the updated dashboard is written to
``test-artifacts/latency-lesson04.json``.
"""

from __future__ import annotations

import json

import pytest
from harness import (
    ROOT,
    app_text,
    banners,
    element_screenshot,
    figure,
    move_lever,
    reset_lever,
    screenshot,
    settings_of,
    state,
    wait_for_updates,
)

from teachkit.levers import get_spec
from teachkit.oversight import OversightSettings, run_oversight

pytestmark = pytest.mark.browser

LESSON = "04_who_is_watching.ipynb"
TRACEBACK_WORDS = ("Traceback", "Error", "Exception")
#: Every lever of the lab and the value it is moved to (options by value, sliders by key).
MOVES = (
    ("oversight", "model_alone"),
    ("oversight", "dropped"),
    ("review_capacity", "ArrowRight"),
    ("review_capacity", "Home"),
    ("flag_tier", "top_0.1"),
    ("flag_tier", "top_1"),
    ("flag_tier", "top_5"),
    ("threshold", "ArrowRight"),
    ("reviewer_accuracy", "End"),
    ("automation_bias", "Home"),
    ("automation_bias", "End"),
    ("explanation", "shown"),
    ("training", "trained"),
    ("escalation", "item9"),
    ("other_alerts", "End"),
)
LATENCIES: dict[str, float] = {}
_OVERSIGHT_JS = """() => {
  const el = document.querySelector('.tk-oversight-state .tk-oversight-data');
  return el ? {...el.dataset} : null;
}"""


@pytest.fixture(scope="module")
def lesson04(open_lesson):
    rec = open_lesson(LESSON)
    yield rec
    if LATENCIES:
        out = ROOT / "test-artifacts" / "latency-lesson04.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(LATENCIES, indent=2) + "\n")


def oversight_state(page) -> dict:
    return page.evaluate(_OVERSIGHT_JS)








NUMBERS = ("flagged", "caught", "missed", "needless")
DECIDED = ("human", "model", "nobody", "reviews", "overflow")


def test_lesson04_renders_the_oversight_lab(lesson04):
    page = lesson04.page
    assert page.locator(".tk-app").count() == 1
    assert "synthetic" in page.locator(".tk-synthetic").inner_text().lower()
    assert "Tessa" in page.locator(".tk-case").inner_text()
    for lever, _ in MOVES:
        assert page.locator(f".tk-lever-{lever}").count() == 1, lever
    for view in (".tk-who-decided", ".tk-responsibility-table", ".tk-tiers-table",
                 ".tk-audit-table", ".tk-workload"):
        assert page.locator(view).is_visible(), view
    assert "the model acting alone" in page.locator(".tk-sentence").inner_text()
    fig = figure(page)
    assert fig is not None and fig.is_png
    assert banners(page) == []
    st = state(page)
    assert settings_of(st)["model"] == "logistic" and settings_of(st)["oversight"] == "review"
    usual = run_oversight(OversightSettings(model="logistic"), with_baseline=False)
    assert oversight_state(page)["reviews"] == str(usual.workload["reviews"])
    screenshot(page, "lesson04")
    element_screenshot(page, ".tk-app", "lesson04-app")


@pytest.mark.parametrize(("lever", "value"), MOVES, ids=[f"{lv}={v}" for lv, v in MOVES])
def test_every_lever_changes_the_numbers_and_resets(lesson04, lever, value):
    page = lesson04.page
    start, start_decided = state(page), oversight_state(page)
    moved, seconds = move_lever(page, lever, value)
    LATENCIES[f"{lever}={value}"] = round(seconds, 3)
    assert banners(page) == []
    assert settings_of(moved)[lever] != settings_of(start)[lever]
    decided = oversight_state(page)
    changed = [k for k in NUMBERS if moved[k] != pytest.approx(start[k])] + \
        [k for k in DECIDED if decided[k] != start_decided[k]]
    assert changed, f"moving {lever} changed no number"
    assert settings_of(start)[lever] == str(get_spec(lever).rest)
    back = reset_lever(page, lever)
    assert settings_of(back)[lever] == str(get_spec(lever).rest)
    for key in NUMBERS:
        assert back[key] == pytest.approx(start[key])
    assert oversight_state(page) == start_decided


def test_without_oversight_nobody_reviews_and_the_review_levers_grey_out(lesson04):
    page = lesson04.page
    move_lever(page, "oversight", "model_alone")
    assert oversight_state(page)["reviews"] == "0"
    assert page.locator(".tk-reset-review_capacity").is_disabled()
    assert not page.locator(".tk-reset-escalation").is_disabled()
    assert "a clinician (reviewer)" not in page.locator(".tk-audit-view").inner_text()
    reset_lever(page, "oversight")


def test_the_audit_log_opens_for_a_story_and_for_a_patient_number(lesson04):
    page = lesson04.page
    page.locator(".tk-audit-story select").select_option(value="lost in the queue")
    page.wait_for_function("() => document.querySelector('.tk-audit-view').innerText"
                           ".includes('nobody decided')")
    box = page.locator(".tk-audit-patient input")
    box.fill("5")
    box.press("Enter")
    page.wait_for_selector('.tk-audit-table[data-patient="5"]')
    assert "day " in page.locator(".tk-audit-view").inner_text()
    assert banners(page) == []


def test_group_chooser_switches_the_who_decided_bars(lesson04):
    page = lesson04.page
    select = page.locator(".tk-group select")
    before = state(page)["updates"]
    select.select_option(value="Language")
    wait_for_updates(page, before)
    assert "Limited English" in page.locator(".tk-who-decided").inner_text()
    before = state(page)["updates"]
    select.select_option(value="Ethnicity")
    wait_for_updates(page, before)


def test_lesson04_shows_no_traceback_and_no_page_error(lesson04):
    text = app_text(lesson04.page)
    assert text.strip()
    assert not [w for w in TRACEBACK_WORDS if w in text]
    assert lesson04.page_errors == []
    assert lesson04.unexplained_console_errors() == []
