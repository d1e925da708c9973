"""Lesson 02 ("Bias creeps in") as trainees meet it: the real Voila app in Chromium.

Every lever of the bias lab is moved: each time the dashboard must update (its hidden
state counter and settings), the fairness view must change, no error banner and no
traceback may appear, and Reset must bring the starting numbers back. The time from a
lever move to the updated dashboard is written to
``test-artifacts/latency-lesson02.json``.
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

pytestmark = pytest.mark.browser

LESSON = "02_bias_creeps_in.ipynb"
TRACEBACK_WORDS = ("Traceback", "Error", "Exception")
#: Every lever of the lab and the value it is moved to (options by value, sliders by key).
MOVES = (
    ("label", "cost"),
    ("label", "diagnosis"),
    ("access_gap", "End"),
    ("undersample", "End"),
    ("underreport", "End"),
    ("self_harm_unrecorded", "End"),
    ("mitigation", "group_thresholds"),
    ("mitigation", "reduction"),
    ("mitigation", "relabel"),
    ("capacity", "ArrowRight"),
    ("model", "boosting"),
    ("model", "records"),
)
#: How to undo a move for the levers the lab starts away from their resting value.
UNDO = {"capacity": "ArrowLeft"}
LATENCIES: dict[str, float] = {}


@pytest.fixture(scope="module")
def lesson02(open_lesson):
    rec = open_lesson(LESSON)
    yield rec
    if LATENCIES:
        out = ROOT / "test-artifacts" / "latency-lesson02.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(LATENCIES, indent=2) + "\n")


def fairness(page) -> str:
    return page.locator(".tk-fairness-view").inner_text()








def test_lesson02_renders_the_bias_lab(lesson02):
    page = lesson02.page
    assert page.locator(".tk-app").count() == 1
    assert "synthetic" in page.locator(".tk-synthetic").inner_text().lower()
    for lever, _ in MOVES:
        assert page.locator(f".tk-lever-{lever}").count() == 1, lever
    assert page.locator(".tk-fairness-table").is_visible()
    assert "top 3 % programme" in fairness(page)
    fig = figure(page)
    assert fig is not None and fig.is_png
    assert banners(page) == []
    st = state(page)
    assert settings_of(st)["model"] == "logistic" and settings_of(st)["capacity"] == "0.03"
    screenshot(page, "lesson02")
    element_screenshot(page, ".tk-app", "lesson02-app")


@pytest.mark.parametrize(("lever", "value"), MOVES, ids=[f"{lv}={v}" for lv, v in MOVES])
def test_every_lever_changes_the_dashboard_and_resets(lesson02, lever, value):
    page = lesson02.page
    start = state(page)
    start_view = fairness(page)
    moved, seconds = move_lever(page, lever, value)
    LATENCIES[f"{lever}={value}"] = round(seconds, 3)
    assert banners(page) == []
    assert settings_of(moved)[lever] != settings_of(start)[lever]
    assert fairness(page) != start_view, "the fairness view did not change"
    if settings_of(start)[lever] == str(get_spec(lever).rest):
        back = reset_lever(page, lever)
        assert settings_of(back)[lever] == str(get_spec(lever).rest)
    else:  # the lab starts away from rest (logistic model, top 3 %): move back instead
        back, _ = move_lever(page, lever, UNDO.get(lever, settings_of(start)[lever]))
        assert settings_of(back)[lever] == settings_of(start)[lever]
    for key in ("flagged", "caught", "missed", "needless"):
        assert back[key] == pytest.approx(start[key])


def test_group_chooser_switches_the_fairness_view(lesson02):
    page = lesson02.page
    select = page.locator(".tk-group select")
    before = state(page)["updates"]
    select.select_option(value="Language")
    wait_for_updates(page, before)
    assert "Limited English" in fairness(page)
    before = state(page)["updates"]
    select.select_option(value="Ethnicity")
    wait_for_updates(page, before)


def test_lesson02_shows_no_traceback_and_no_page_error(lesson02):
    text = app_text(lesson02.page)
    assert text.strip()
    assert not [w for w in TRACEBACK_WORDS if w in text]
    assert lesson02.page_errors == []
    assert lesson02.unexplained_console_errors() == []
