"""Lesson 05 ("Explain it to me") as trainees meet it: the real Voila app in Chromium.

Every lever of the explain lab is moved: each time the dashboard must update, some
number must change (the consequences, the patient's explanation, who opted out, the
decision or the disclosure), no error banner and no traceback may appear, and Reset must
bring the starting numbers back. One patient's explanation is opened by number, and the
letter link is checked. The time from a lever move to the updated dashboard is written to
``test-artifacts/latency-lesson05.json``, with the first render (a preheated kernel) and
the kernel's PSS.
"""

from __future__ import annotations

import json
import time

import pytest
from harness import (
    ROOT,
    app_text,
    banners,
    element_screenshot,
    move_lever,
    pss_mb,
    reset_lever,
    screenshot,
    settings_of,
    state,
)

from teachkit.levers import get_spec

pytestmark = pytest.mark.browser

LESSON = "05_explain_it_to_me.ipynb"
TRACEBACK_WORDS = ("Traceback", "Error", "Exception")
#: Every lever of the lab and the value it is moved to (options by value, sliders by key).
MOVES = (
    ("model", "rule"),
    ("label", "cost"),
    ("access_gap", "End"),
    ("explain_inputs", "with_ethnicity"),
    ("explain_inputs", "without_ethnicity"),
    ("explain_duplicate", "item9_copy"),
    ("explain_background", "not_flagged"),
    ("explain_reviewer", "shown"),
    ("explain_opt_out", "End"),
    ("explain_decision", "automatic"),
    ("explain_disclosure", "told"),
)
LATENCIES: dict[str, float] = {}
NUMBERS = ("flagged", "caught", "missed", "needless")
_EXPLAIN_JS = """() => {
  const el = document.querySelector('.tk-explain-state .tk-explain-data');
  return el ? {...el.dataset} : null;
}"""


@pytest.fixture(scope="module")
def lesson05(open_lesson, voila_server):
    voila_server.wait_pool_ready()  # time a trainee's page, not the server's start
    start = time.perf_counter()
    rec = open_lesson(LESSON)
    LATENCIES["first_render_seconds"] = round(time.perf_counter() - start, 3)
    LATENCIES["kernel_pss_mb"] = round(pss_mb(voila_server.kernel_pid(rec.kernel_id)), 1)
    yield rec
    if LATENCIES:
        out = ROOT / "test-artifacts" / "latency-lesson05.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(LATENCIES, indent=2) + "\n")


def explain_state(page) -> dict:
    return page.evaluate(_EXPLAIN_JS)


def _start(page, lever):
    return "logistic" if lever == "model" else str(get_spec(lever).rest)


def test_lesson05_renders_the_explain_lab(lesson05):
    page = lesson05.page
    assert page.locator(".tk-app").count() == 1
    assert "synthetic" in page.locator(".tk-synthetic").inner_text().lower()
    assert "Slack" in page.locator(".tk-case").inner_text()
    for lever in {lever for lever, _ in MOVES} | {"explain_opt_out_route"}:
        assert page.locator(f".tk-lever-{lever}").count() == 1, lever
    for view in (".tk-explanation", ".tk-explain-bar", ".tk-counterfactual",
                 ".tk-letter-download", ".tk-importance-table", ".tk-autonomy",
                 ".tk-reviewer-table"):
        assert page.locator(view).first.is_visible(), view
    assert banners(page) == []
    st = state(page)
    assert settings_of(st)["model"] == "logistic"
    assert explain_state(page)["opted"] == "0.000"
    screenshot(page, "lesson05")
    element_screenshot(page, ".tk-patient-explanation", "lesson05-explanation")


@pytest.mark.parametrize(("lever", "value"), MOVES, ids=[f"{lv}={v}" for lv, v in MOVES])
def test_every_lever_changes_the_numbers_and_resets(lesson05, lever, value):
    page = lesson05.page
    start, start_explained = state(page), explain_state(page)
    moved, seconds = move_lever(page, lever, value)
    LATENCIES[f"{lever}={value}"] = round(seconds, 3)
    assert banners(page) == []
    assert settings_of(moved)[lever] != settings_of(start)[lever]
    explained = explain_state(page)
    changed = [k for k in NUMBERS if moved[k] != pytest.approx(start[k])] + \
        [k for k in explained if explained[k] != start_explained[k]]
    assert changed, f"moving {lever} changed no number"
    assert settings_of(start)[lever] == _start(page, lever)
    back = reset_lever(page, lever) if lever != "model" else \
        move_lever(page, "model", "logistic")[0]
    assert settings_of(back)[lever] == _start(page, lever)
    for key in NUMBERS:
        assert back[key] == pytest.approx(start[key])
    assert explain_state(page) == start_explained


def test_what_the_patients_who_opt_out_get(lesson05):
    page = lesson05.page
    assert page.locator(".tk-reset-explain_opt_out_route").is_disabled()
    move_lever(page, "explain_opt_out", "End")
    before = state(page)
    moved, seconds = move_lever(page, "explain_opt_out_route", "nothing")
    LATENCIES["explain_opt_out_route=nothing"] = round(seconds, 3)
    assert float(moved["caught"]) < float(before["caught"])
    assert "no triage at all" in page.locator(".tk-autonomy").inner_text()
    reset_lever(page, "explain_opt_out_route")
    reset_lever(page, "explain_opt_out")
    assert banners(page) == []


def test_one_patients_explanation_opens_by_number(lesson05):
    page = lesson05.page
    box = page.locator(".tk-explain-patient input")
    box.fill("5")
    box.press("Enter")
    page.wait_for_selector('.tk-explanation[data-patient="5"]')
    text = page.locator(".tk-patient-explanation").inner_text()
    assert "Patient 5" in text and "risk points" in text
    page.wait_for_selector('.tk-letter-download[download="explanation-letter-patient-5.txt"]')
    link = page.locator(".tk-letter-download")
    assert "Dear%20patient%205" in link.get_attribute("href")
    assert banners(page) == []


def test_lesson05_shows_no_traceback_and_no_page_error(lesson05):
    text = app_text(lesson05.page)
    assert text.strip()
    assert not [w for w in TRACEBACK_WORDS if w in text]
    assert lesson05.page_errors == []
    assert lesson05.unexplained_console_errors() == []
