"""Lesson 06 ("It worked last year") as trainees meet it: the real Voila app in Chromium.

Every lever of the monitoring lab is moved: each time the dashboard must update (its
hidden state counter and settings), a number must change (the consequences over the 36
months, or the alarms, updates and year-3 calibration of the monitor's state), no error
banner and no traceback may appear, and Reset must bring the starting numbers back. The
time from a lever move to the updated dashboard is written to
``test-artifacts/latency-lesson06.json``.
"""

from __future__ import annotations

import json

import pytest
from harness import (
    ROOT,
    app_text,
    banners,
    element_screenshot,
    move_lever,
    reset_lever,
    screenshot,
    settings_of,
    state,
)

from teachkit.levers import get_spec

pytestmark = pytest.mark.browser

LESSON = "06_it_worked_last_year.ipynb"
TRACEBACK_WORDS = ("Traceback", "Error", "Exception")
#: Every lever of the lab and the value it is moved to (options by value, sliders by key).
MOVES = (
    ("monthly_volume", "Home"),
    ("model_source", "vendor"),
    ("drift_case_mix", 12),
    ("drift_base_rate", 1),
    ("drift_coding", 12),
    ("drift_shock", 12),
    ("drift_pipeline", 12),
    ("update_policy", "yearly_refit"),
)
LATENCIES: dict[str, float] = {}
_MONITOR_JS = """() => {
  const el = document.querySelector('.tk-monitor-state .tk-monitor-data');
  return el ? {...el.dataset} : null;
}"""
NUMBERS = ("flagged", "caught", "missed", "needless")
WATCHED = ("alarms", "ignored", "updates", "missed", "oeY3", "incidents")


@pytest.fixture(scope="module")
def lesson06(open_lesson):
    rec = open_lesson(LESSON)
    yield rec
    if LATENCIES:
        out = ROOT / "test-artifacts" / "latency-lesson06.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(LATENCIES, indent=2) + "\n")


def monitor_state(page) -> dict:
    return page.evaluate(_MONITOR_JS)


def _changed(start, start_watched, now, watched):
    return [k for k in NUMBERS if now[k] != pytest.approx(start[k])] + \
        [k for k in WATCHED if watched[k] != start_watched[k]]


def test_lesson06_renders_the_monitoring_lab(lesson06):
    page = lesson06.page
    assert page.locator(".tk-app").count() == 1
    assert "synthetic" in page.locator(".tk-synthetic").inner_text().lower()
    assert "Epic" in page.locator(".tk-case").inner_text()
    for lever in get_spec("monitoring"), get_spec("update_policy"):
        assert page.locator(f".tk-lever-{lever.name}").count() == 1
    for lever, _ in MOVES:
        assert page.locator(f".tk-lever-{lever}").count() == 1, lever
    for view in (".tk-monitor-figure", ".tk-monitor-sentences", ".tk-monitor-log",
                 ".tk-monitor-years", ".tk-monitor-card"):
        assert page.locator(view).is_visible(), view
    assert banners(page) == []
    assert monitor_state(page)["alarms"] == "0"
    screenshot(page, "lesson06")
    element_screenshot(page, ".tk-app", "lesson06-app")


@pytest.mark.parametrize(("lever", "value"), MOVES, ids=[f"{lv}={v}" for lv, v in MOVES])
def test_every_lever_changes_the_numbers_and_resets(lesson06, lever, value):
    page = lesson06.page
    start, start_watched = state(page), monitor_state(page)
    moved, seconds = move_lever(page, lever, value)
    LATENCIES[f"{lever}={value}"] = round(seconds, 3)
    assert banners(page) == []
    assert settings_of(moved)[lever] != settings_of(start)[lever]
    assert _changed(start, start_watched, moved, monitor_state(page)), \
        f"moving {lever} changed no number"
    back = reset_lever(page, lever)
    assert settings_of(back)[lever] == str(get_spec(lever).rest)
    for key in NUMBERS:
        assert back[key] == pytest.approx(start[key])
    assert monitor_state(page) == start_watched


def test_monitoring_raises_alarms_and_recalibration_acts_on_them(lesson06):
    page = lesson06.page
    move_lever(page, "drift_coding", 12)
    quiet = monitor_state(page)
    for mode in ("inputs", "labels", "both"):
        _, seconds = move_lever(page, "monitoring", mode)
        LATENCIES[f"monitoring={mode}"] = round(seconds, 3)
    watched = monitor_state(page)
    assert int(watched["alarms"]) > int(quiet["alarms"]) == 0
    assert int(watched["incidents"]) >= 1 and watched["ignored"] == watched["alarms"]
    assert "Art. 73" in page.locator(".tk-monitor-log").inner_text()
    _, seconds = move_lever(page, "update_policy", "recalibrate")
    LATENCIES["update_policy=recalibrate"] = round(seconds, 3)
    acted = monitor_state(page)
    assert int(acted["updates"]) >= 1 and acted["oeY3"] != watched["oeY3"]
    assert "model update" in page.locator(".tk-monitor-log").inner_text()
    for lever in ("update_policy", "monitoring", "drift_coding"):
        reset_lever(page, lever)
    assert monitor_state(page)["alarms"] == "0"


def test_lesson06_shows_no_traceback_and_no_page_error(lesson06):
    text = app_text(lesson06.page)
    assert text.strip()
    assert not [w for w in TRACEBACK_WORDS if w in text]
    assert lesson06.page_errors == []
    assert lesson06.unexplained_console_errors() == []
