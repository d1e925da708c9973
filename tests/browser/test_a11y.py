"""Every clinician can use every lesson (issue 14): axe-core, keyboard alone, 200 % zoom.

- axe-core (bundled by ``axe-playwright-python``; nothing downloaded) finds no WCAG 2.0/2.1
  A or AA violation on the landing page and on every lesson, at rest and after every
  lever has been moved;
- every lever can be reached with Tab and operated with the keyboard alone (arrow keys
  on a slider's handle and on a drop-down), and the dashboard answers;
- at 200 % zoom (the page narrowed to 640 px) it does not scroll sideways;
- a lever's explanation ("?") opens and closes from the keyboard (a ``<details>``, so
  touch and screen readers reach it too); the dashboard's sentence and the reflection
  box's note are live regions; app sections are real headings;
- a cell tagged ``developer`` shows nothing in Voila.

Lessons are discovered from ``notebooks/``, so a new lesson is held to the same tests.
"""

from __future__ import annotations

import json
import sys

import pytest
from harness import ROOT, AppError, banners, open_page, settle

from teachkit.lessons import find_lessons

sys.path.insert(0, str(ROOT / "benchmarks"))
from audit_a11y import axe_violations  # noqa: E402

pytestmark = pytest.mark.browser

NOTEBOOKS = {lesson.number: lesson.name for lesson in find_lessons(ROOT / "notebooks")}
LESSONS = list(NOTEBOOKS)


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations)


_UPDATES_JS = """() => Array.from(document.querySelectorAll('.tk-state-data'))
    .reduce((sum, el) => sum + parseInt(el.dataset.updates || '0', 10), 0)"""


def updates(page) -> int:
    """Updates shown so far by every app on the page (a lesson may hold several)."""
    return page.evaluate(_UPDATES_JS)


def wait_for_any_update(page, above: int, timeout_ms: float = 60_000) -> None:
    page.wait_for_function(
        "(n) => (" + _UPDATES_JS + ")() > n || Array.from(document.querySelectorAll("
        "'.tk-banner')).some(b => b.offsetParent !== null && b.innerText.trim())",
        arg=above, timeout=timeout_ms)
    if banners(page):
        raise AppError(f"the app shows an error banner: {banners(page)}")


@pytest.fixture(scope="module")
def pages(open_lesson):
    """``pages(number)`` -> that lesson's page, opened once for this module."""
    opened = {}

    def page(number: str):
        if number not in opened:
            opened[number] = open_lesson(NOTEBOOKS[number]).page
        return opened[number]

    return page


def test_lessons_are_discovered():
    assert len(LESSONS) >= 5 and LESSONS[0] == "00"


def test_landing_page_has_no_axe_violation(browser, voila_server):
    rec = open_page(browser)
    try:
        rec.page.goto(voila_server.url + "/", wait_until="load")
        violations = axe_violations(rec.page)
        assert not violations, describe(violations)
        assert rec.page.get_attribute("html", "lang") == "en"
        assert rec.page.locator("main").count() == 1
    finally:
        rec.close()


@pytest.mark.parametrize("number", LESSONS)
def test_lesson_at_rest_has_no_axe_violation(pages, number):
    page = pages(number)
    violations = axe_violations(page)
    assert not violations, describe(violations)
    assert page.locator("[role=main], main").count() >= 1


def page_widths(page) -> tuple[int, int]:
    """The page's (scroll width, client width) in CSS pixels."""
    return tuple(page.evaluate("() => [document.documentElement.scrollWidth, "
                               "document.documentElement.clientWidth]"))


@pytest.mark.parametrize("number", LESSONS)
def test_no_sideways_scroll_at_200_percent_zoom(pages, number):
    """The module's page is narrowed to 640 px, as zooming a 1280 px window to 200 %
    narrows a page already open (a new page opened at 640 px cost a kernel and a
    render per lesson, and gave the same widths)."""
    page = pages(number)
    size = page.viewport_size
    page.set_viewport_size({"width": 640, "height": size["height"]})
    try:
        settle(page)
        scroll, client = page_widths(page)
    finally:
        page.set_viewport_size(size)
        settle(page)
    assert client <= 640
    assert scroll <= client + 1, (
        f"lesson {number} scrolls sideways at 640 px: {scroll} px wide in {client}")


def _focus_path(page, limit: int = 400) -> list[str]:
    """Press Tab from the top of the page; return each focused element's lever class
    (``tk-lever-<name>``) or tag, until focus wraps to the first element or ``limit``
    presses. The first element is marked, so two alike (two glossaries' summaries) are
    not taken for a wrap."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "document.querySelectorAll('[data-tk-first]').forEach("
                  "  el => el.removeAttribute('data-tk-first')); "
                  "window.scrollTo(0, 0); }")
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        where = page.evaluate("""(first) => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            if (el.hasAttribute('data-tk-first')) return 'wrapped';
            if (first) el.setAttribute('data-tk-first', '');
            const row = el.closest('.tk-lever');
            const lever = row ? Array.from(row.classList).find(
                c => c.startsWith('tk-lever-')) : null;
            return (lever || el.tagName.toLowerCase()) + '|' +
                   (el.classList.contains('noUi-handle') ? 'slider' : el.tagName.toLowerCase());
        }""", not seen)
        if where is None or where == "wrapped":
            break
        seen.append(where)
    return seen


_UNUSABLE_JS = """(levers) => levers.filter(lever => {
    const row = document.querySelector(`.tk-lever.${lever}`);
    return !row || row.offsetParent === null || row.querySelector(
        'select:disabled, .noUi-target[disabled]'); })"""


def unusable(page, levers: list[str]) -> list[str]:
    """The levers of ``levers`` that are greyed out or hidden now."""
    return page.evaluate(_UNUSABLE_JS, levers)


def step_by_keyboard(page, lever: str) -> str:
    """Move ``lever`` one step with an arrow key (away from the end it stands at) and
    wait for the dashboard to answer; return the key that moves it back."""
    handle = page.locator(f".{lever} .noUi-handle")
    if handle.count():
        control = handle
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute(
            "aria-valuemax")
        there, back = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
    else:
        control = page.locator(f".{lever} select")
        last = control.locator("option").count() - 1
        at_end = control.evaluate("el => el.selectedIndex") >= last
        there, back = ("ArrowUp", "ArrowDown") if at_end else ("ArrowDown", "ArrowUp")
    press_and_wait(page, control, there)
    return back


def press_and_wait(page, control, key: str) -> None:
    before = updates(page)
    control.focus()
    control.press(key)
    wait_for_any_update(page, before)


@pytest.mark.parametrize("number", LESSONS)
def test_every_lever_is_reached_and_operated_by_keyboard(pages, number):
    """Tab reaches every lever; an arrow key moves each enabled one a step and the
    dashboard answers; axe then finds no violation with the levers moved.

    A lever stays where it moved, so axe sees every lever's change at once (its control's
    value, the numbers, sentence, figure and greyed-out controls it changed), one axe run
    per lesson. A lever whose move greys out or hides a lever still to come is checked
    by axe there, then moved back, so the next lever can be operated.
    """
    page = pages(number)
    levers = page.evaluate("""() => Array.from(document.querySelectorAll('.tk-lever'))
        .filter(row => row.offsetParent !== null)
        .map(row => Array.from(row.classList).find(c => c.startsWith('tk-lever-')))""")
    reached = {entry.split("|")[0] for entry in _focus_path(page)}
    enabled = [lever for lever in levers if not unusable(page, [lever])]
    missing = [lever for lever in enabled if lever not in reached]
    assert not missing, f"Tab never reaches these levers: {missing}"

    for i, lever in enumerate(enabled):
        back = step_by_keyboard(page, lever)
        to_come = enabled[i + 1:]
        if unusable(page, to_come):
            violations = axe_violations(page)
            assert not violations, f"after moving {lever}:\n" + describe(violations)
            control = page.locator(f".{lever} .noUi-handle, .{lever} select").first
            press_and_wait(page, control, back)
            greyed = unusable(page, to_come)
            assert not greyed, f"moving {lever} back left {greyed} greyed out or hidden"

    violations = axe_violations(page)
    assert not violations, "after moving every lever:\n" + describe(violations)


@pytest.mark.parametrize("number", LESSONS)
def test_explanations_open_by_keyboard_and_updates_are_announced(pages, number):
    page = pages(number)
    summaries = page.locator(".tk-lever .tk-help summary")
    if summaries.count():
        summary = summaries.first
        details = page.locator(".tk-lever .tk-help").first
        summary.focus()
        page.keyboard.press("Enter")
        assert details.evaluate("d => d.open"), "Enter did not open the lever explanation"
        assert details.locator(".tk-help-text").is_visible()
        assert summary.get_attribute("aria-label").startswith("About ")
        page.keyboard.press("Enter")
        assert not details.evaluate("d => d.open")
    live = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.tk-sentence, .tk-reflection-status')).map(e => e.getAttribute('aria-live'))""")
    assert live and set(live) == {"polite"}, live
    assert page.locator("h3.tk-heading").count() >= 1


@pytest.mark.parametrize("number", LESSONS)
def test_developer_cells_show_nothing_in_voila(pages, number):
    cells = json.loads((ROOT / "notebooks" / NOTEBOOKS[number]).read_text())["cells"]
    hidden = [i + 1 for i, cell in enumerate(cells)  # Voila numbers cells from 1
              if "developer" in cell.get("metadata", {}).get("tags", [])]
    page = pages(number)
    assert page.locator("[cell-index]").count() == len(cells) - len(hidden)
    for index in hidden:
        assert page.locator(f'[cell-index="{index}"]').count() == 0
