"""The lessons as trainees meet them: the real Voila apps in real Chromium.

Each lesson's page is opened once and shared (opening one takes a preheated kernel);
the tests that move levers first bring the levers where they need them, so they do not
depend on their order. The reflection tests open their own pages, since they reload.
"""

from __future__ import annotations

import re
import time

import pytest
from harness import (
    FIGURE,
    app_text,
    banners,
    element_screenshot,
    figure,
    read_reflection,
    screenshot,
    state,
    wait_for_app,
    wait_for_updates,
)

from teachkit.levers import get_spec
from teachkit.plotting import ATTRIBUTE_TITLES

pytestmark = pytest.mark.browser

# Requests a page may attempt (they are aborted anyway) and why. None: teachkit's Voila
# template drops the Font Awesome CDN links of Voila's own (VOILA-NOTES.md), so a lesson
# works on a hospital network with no internet.
JUSTIFIED_OFF_MACHINE: tuple[re.Pattern, ...] = ()
TRACEBACK_WORDS = ("Traceback", "Error", "Exception")
VOILA_CELL_ERRORS = ("There was an error when executing cell", "Please run Voilà with")
STARTING_SENTENCE = "No change against the usual rule"
CHANGED_SENTENCE = "Compared with the usual rule"


# -- helpers ----------------------------------------------------------------------------
def option_label(lever: str, value: str) -> str:
    """The text a Dropdown shows (and uses as <option value>) for a lever's value."""
    return get_spec(lever).option_labels.get(value, value)


def choose(page, select_css: str, label: str) -> dict:
    """Choose ``label`` in a <select> and wait for the dashboard to update."""
    select = page.locator(select_css)
    if select.input_value() == label:
        return state(page)
    before = state(page)["updates"]
    select.select_option(value=label)
    return wait_for_updates(page, before)


def choose_lever(page, lever: str, value: str) -> dict:
    return choose(page, f".tk-lever-{lever} select", option_label(lever, value))


def press(page, lever: str, key: str) -> dict:
    """Focus a slider's handle, press ``key`` and wait for the dashboard to update."""
    before = state(page)["updates"]
    handle = page.locator(f".tk-lever-{lever} .noUi-handle")
    handle.focus()
    handle.press(key)
    return wait_for_updates(page, before)


def reset(page, lever: str) -> dict:
    before = state(page)["updates"]
    page.locator(f".tk-reset-{lever}").click()
    return wait_for_updates(page, before)


def readout(page, lever: str) -> str:
    return page.locator(f".tk-lever-{lever} .widget-readout").inner_text().strip()


def slider_disabled(page, lever: str) -> bool:
    return page.locator(f".tk-lever-{lever} .noUi-target").get_attribute("disabled") \
        not in (None, "false")


def sentence(page) -> str:
    return page.locator(".tk-sentence").inner_text().strip()


def card(page, key: str) -> str:
    return page.locator(f'.tk-card-value[data-key="{key}"]').inner_text().strip()


def settings_of(st: dict) -> dict:
    """The run's settings, from the dashboard state's ``data-settings``."""
    return dict(item.split("=", 1) for item in st["settings"].split(";"))


def tour_step(page) -> int:
    return int(page.locator(".tk-tour-step [data-step]").get_attribute("data-step"))


def wait_for_tour_step(page, step: int) -> None:
    page.wait_for_function(
        "(n) => { const el = document.querySelector('.tk-tour-step [data-step]');"
        " return el && parseInt(el.dataset.step, 10) === n; }", arg=step, timeout=30_000)


# -- every lesson -----------------------------------------------------------------------
def test_page_renders_the_app(any_lesson):
    lesson, rec = any_lesson
    page = rec.page
    assert page.locator(".tk-app").count() == 1
    notice = page.locator(".tk-synthetic")
    assert notice.is_visible()
    assert "synthetic" in notice.inner_text().lower()
    cards = page.locator(".tk-headline .tk-card-value")
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.key)")) == \
        ["caught", "flagged", "missed", "needless"]
    assert all(re.fullmatch(r"[\d.,]+", card(page, k))
               for k in ("flagged", "caught", "missed", "needless"))
    assert page.locator(FIGURE).is_visible()
    fig = figure(page)
    assert fig is not None and fig.src, "the figure <img> has no src"
    assert fig.is_png, f"the figure is not a PNG ({len(fig.png)} bytes)"
    assert fig.width > 300 and fig.height > 100
    assert page.locator(".tk-group select").is_visible()
    assert sentence(page)
    assert banners(page) == []
    st = state(page)
    assert st["updates"] >= 1 and st["attribute"] in ATTRIBUTE_TITLES
    screenshot(page, f"lesson{lesson}")
    element_screenshot(page, ".tk-app", f"lesson{lesson}-app")


def test_no_page_errors(any_lesson):
    lesson, rec = any_lesson
    assert rec.page_errors == [], f"lesson {lesson}: uncaught errors in the page"
    assert rec.unexplained_console_errors() == [], f"lesson {lesson}: console errors"


def test_no_traceback_text(any_lesson):
    lesson, rec = any_lesson
    text = app_text(rec.page)
    assert text.strip(), "no outputs rendered"
    found = [w for w in TRACEBACK_WORDS if w in text]
    assert not found, f"lesson {lesson} shows {found} in its outputs:\n{text[:3000]}"
    page_text = rec.page.locator("body").inner_text()
    for message in VOILA_CELL_ERRORS:  # what Voila shows instead of a hidden traceback
        assert message not in page_text, f"lesson {lesson}: a cell failed ({message!r})"


def test_no_request_leaves_the_machine(any_lesson):
    """Every off-machine request is aborted by the harness; only justified ones may be
    attempted at all (the list is printed at the end of the session)."""
    lesson, rec = any_lesson
    unexplained = [u for u in rec.blocked
                   if not any(p.match(u) for p in JUSTIFIED_OFF_MACHINE)]
    assert unexplained == [], f"lesson {lesson} tried to reach {unexplained}"
    assert all(ws.startswith("ws://127.0.0.1:") for ws in rec.websockets), rec.websockets


# -- lesson 00: the tour ----------------------------------------------------------------
def test_tour_next_and_back_move_the_step(lesson00):
    from playwright.sync_api import expect

    page = lesson00.page
    back, nxt = page.locator(".tk-tour-back"), page.locator(".tk-tour-next")
    while tour_step(page) > 0:  # back to the start, whatever ran before
        step = tour_step(page)
        back.click()
        wait_for_tour_step(page, step - 1)
    # The buttons' disabled state arrives as its own widget message, just after the step:
    # wait for it rather than read it once.
    expect(back).to_be_disabled()
    expect(nxt).to_be_enabled()
    expect(page.locator(".tk-tour-step")).to_contain_text("Step 1 of")
    last = int(page.locator(".tk-tour-step").inner_text().split("Step 1 of", 1)[1].split()[0]
              .rstrip(":."))
    nxt.click()
    wait_for_tour_step(page, 1)
    nxt.click()
    wait_for_tour_step(page, 2)
    expect(page.locator(".tk-tour-step")).to_contain_text("Step 3 of")
    back.click()
    wait_for_tour_step(page, 1)
    expect(back).to_be_enabled()
    for step in range(1, last - 1):  # to the last step: Next is disabled there
        expect(nxt).to_be_enabled()
        nxt.click()
        wait_for_tour_step(page, step + 1)
    expect(nxt).to_be_disabled()
    expect(page.locator(".tk-tour-step")).to_contain_text("Your turn")


def test_tour_capacity_lever_changes_the_numbers(lesson00):
    page = lesson00.page
    assert not slider_disabled(page, "capacity")
    start = state(page)
    start_fig = figure(page)
    start_readout = readout(page, "capacity")
    moved = press(page, "capacity", "ArrowRight")
    assert moved["flagged"] > start["flagged"], "more capacity should flag more patients"
    assert readout(page, "capacity") != start_readout
    assert figure(page).digest != start_fig.digest
    back = press(page, "capacity", "ArrowLeft")
    assert back["flagged"] == pytest.approx(start["flagged"])
    assert readout(page, "capacity") == start_readout


# -- lesson 01: the triage lab ----------------------------------------------------------
def test_model_lever_changes_numbers_and_sentence(lesson01):
    page = lesson01.page
    choose_lever(page, "policy", "threshold")
    rule = choose_lever(page, "model", "rule")
    rule_sentence = sentence(page)
    assert rule_sentence.startswith(STARTING_SENTENCE)
    logistic = choose_lever(page, "model", "logistic")
    assert "model=logistic" in logistic["settings"]
    assert logistic["flagged"] != rule["flagged"]
    assert sentence(page) != rule_sentence
    assert sentence(page).startswith(CHANGED_SENTENCE), sentence(page)
    assert card(page, "flagged") != "" and not slider_disabled(page, "threshold")
    back = reset(page, "model")
    assert "model=rule" in back["settings"]
    assert back["flagged"] == pytest.approx(rule["flagged"])
    assert sentence(page) == rule_sentence
    assert page.locator(".tk-lever-model select").input_value() == \
        option_label("model", "rule")


def test_threshold_lever_changes_flagged(lesson01):
    page = lesson01.page
    choose_lever(page, "policy", "threshold")
    choose_lever(page, "model", "logistic")
    assert not slider_disabled(page, "threshold")
    if readout(page, "threshold") != "5.0%":
        reset(page, "threshold")
    start = state(page)
    start_readout = readout(page, "threshold")
    up = press(page, "threshold", "ArrowRight")
    assert up["flagged"] < start["flagged"], "a higher threshold should flag fewer"
    assert readout(page, "threshold") != start_readout
    step = get_spec("threshold").step
    assert float(settings_of(up)["threshold"]) == pytest.approx(
        float(settings_of(start)["threshold"]) + step)
    back = reset(page, "threshold")
    assert back["flagged"] == pytest.approx(start["flagged"])
    assert readout(page, "threshold") == start_readout


def test_policy_and_capacity_levers_change_flagged(lesson01):
    page = lesson01.page
    choose_lever(page, "model", "logistic")
    by_threshold = choose_lever(page, "policy", "threshold")
    by_capacity = choose_lever(page, "policy", "capacity")
    assert "policy=capacity" in by_capacity["settings"]
    assert by_capacity["flagged"] != by_threshold["flagged"]
    assert slider_disabled(page, "threshold") and not slider_disabled(page, "capacity")
    start_readout = readout(page, "capacity")
    more = press(page, "capacity", "ArrowRight")
    assert more["flagged"] > by_capacity["flagged"]
    assert readout(page, "capacity") != start_readout
    back = reset(page, "capacity")
    assert back["flagged"] == pytest.approx(by_capacity["flagged"])
    assert readout(page, "capacity") == start_readout
    choose_lever(page, "policy", "threshold")


def test_group_chooser_changes_the_figure(lesson01):
    page = lesson01.page
    select = ".tk-group select"
    start = state(page)
    start_fig = figure(page)
    target = "language" if start["attribute"] != "language" else "insurance"
    after = choose(page, select, ATTRIBUTE_TITLES[target].capitalize())
    assert after["attribute"] == target
    new_fig = figure(page)
    assert new_fig.is_png and new_fig.digest != start_fig.digest
    assert new_fig.src != start_fig.src
    assert after["flagged"] == pytest.approx(start["flagged"]), \
        "changing the groups shown must not change the numbers"
    choose(page, select, ATTRIBUTE_TITLES[start["attribute"]].capitalize())
    assert state(page)["attribute"] == start["attribute"]


def test_screenshot_after_moving_levers(lesson01):
    """The dashboard away from the starting point, for people to look at."""
    page = lesson01.page
    choose_lever(page, "model", "logistic")
    choose_lever(page, "policy", "threshold")
    assert sentence(page).startswith(CHANGED_SENTENCE)
    screenshot(page, "lesson01-logistic")
    element_screenshot(page, ".tk-app", "lesson01-logistic-app")


# -- reflections survive a reload ---------------------------------------------------------
@pytest.mark.parametrize("lesson", ["00", "01"])
def test_reflection_survives_reload(lesson, browser, voila_server, open_lesson):
    rec = open_lesson(lesson)
    page = rec.page
    name = f"Browser Test {lesson}"
    slug = f"browser-test-{lesson}"
    text = f"Lesson {lesson}: a missed crisis hurts the patient; ask who decides."
    name_box = page.locator(".tk-reflection-name input")
    text_box = page.locator(".tk-reflection-text textarea")
    status = page.locator(".tk-reflection-status")

    name_box.fill(name)
    name_box.press("Enter")
    page.wait_for_function(
        "() => /Hello|Saved/.test(document.querySelector('.tk-reflection-status')"
        ".innerText)", timeout=30_000)
    text_box.click()
    text_box.press_sequentially(text)
    page.wait_for_function(
        "() => document.querySelector('.tk-reflection-status').innerText"
        ".includes('Saved')", timeout=30_000)
    deadline = time.monotonic() + 30  # the last keystroke's save, on disk
    while (read_reflection(voila_server.data_dir, lesson, slug) or {}).get("text") != text:
        assert time.monotonic() < deadline, (
            f"not saved: {read_reflection(voila_server.data_dir, lesson, slug)}; the box "
            f"shows {text_box.input_value()!r}; status {status.inner_text()!r}")
        page.wait_for_timeout(100)  # (not time.sleep: let Playwright pump its events)
    saved = read_reflection(voila_server.data_dir, lesson, slug)
    assert saved["trainee"] == name and saved["lesson"] == lesson
    assert (voila_server.data_dir / "reflections" / lesson / f"{slug}.json").is_file()

    page.reload(wait_until="commit", timeout=120_000)
    wait_for_app(page, 120_000)
    assert text_box.input_value() == "", "a fresh page starts with an empty box"
    name_box.fill(name)
    name_box.press("Enter")
    page.wait_for_function(
        "(t) => document.querySelector('.tk-reflection-text textarea').value === t",
        arg=text, timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('.tk-reflection-status').innerText"
        ".includes('Saved')", timeout=30_000)
    assert rec.page_errors == []
    assert banners(page) == []


def test_a_new_visit_starts_at_the_usual_rule(open_lesson):
    """Another trainee (a new page, a new kernel) starts from the usual rule, whatever
    the shared page's levers were moved to."""
    page = open_lesson("01").page
    st = state(page)
    assert st["updates"] == 1
    assert "model=rule" in st["settings"] and "policy=threshold" in st["settings"]
    assert sentence(page).startswith(STARTING_SENTENCE)
    assert slider_disabled(page, "threshold"), "the usual rule ignores the threshold"
    assert slider_disabled(page, "capacity"), "capacity only applies to the top-k policy"
    assert page.locator(".tk-lever-model select").input_value() == \
        option_label("model", "rule")


def test_no_lesson_cell_failed_when_voila_ran_the_notebooks(voila_server):
    """Voila runs every lesson notebook, developer cells included, to preheat its pool
    (before the first test) and again for every page opened; a cell that raises is
    logged as below, with its traceback. (This is what ran the lesson notebooks a second
    time under nbval checked; ``pytest notebooks`` still runs nbval on demand.)"""
    log = voila_server.log_tail(10**7)
    failed = log.count("Error at server while executing cell")
    assert not failed, f"{failed} lesson cell(s) raised in Voila:\n{log[-5000:]}"


def test_server_log_has_no_traceback(voila_server):
    """Voila's own errors and whatever a kernel writes to its real stderr (a crash)
    end up in the server's log, even when the pages look fine. (Kept last in this
    file, to read the log of the whole session.)"""
    log = voila_server.log_tail(10**7)
    assert "Traceback" not in log, log[-5000:]
