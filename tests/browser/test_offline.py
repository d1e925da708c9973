"""Offline: a hospital network has no internet, and neither has this test.

The landing page and a lesson are rendered in Chromium with every request that would
leave the machine aborted (harness.open_page routes them to an abort and records them),
and the test asserts that none was even attempted: every request the page made went to
the teachkit server on loopback, and the lesson still works (a lever moves the numbers).
"""

from __future__ import annotations

import time

import pytest
from harness import ROOT, is_loopback, open_page, wait_for_app, wait_for_updates

from teachkit.lessons import find_lessons

pytestmark = pytest.mark.browser


def _recording(browser):
    rec = open_page(browser)
    requested: list[str] = []
    rec.page.on("request", lambda request: requested.append(request.url))
    return rec, requested


@pytest.fixture
def offline_page(browser):
    rec, requested = _recording(browser)
    yield rec, requested
    rec.close()


@pytest.fixture(scope="module")
def offline_lesson(browser, voila_server):
    """Lesson 00 opened once, offline: its requests are checked, then its tab is closed
    (opening a lesson takes a kernel, so the two tests share one)."""
    rec, requested = _recording(browser)
    rec.page.goto(voila_server.lesson_url("00"), wait_until="commit", timeout=120_000)
    start = wait_for_app(rec.page, 120_000)
    yield rec, requested, start
    rec.close()


def _assert_stayed_on_the_machine(rec, requested) -> None:
    assert rec.blocked == [], f"the page tried to reach {rec.blocked}"
    assert requested, "no request was seen at all"
    leaving = [url for url in requested if not is_loopback(url)]
    assert leaving == [], f"requests off the machine: {leaving}"
    assert all(is_loopback(ws) for ws in rec.websockets), rec.websockets
    assert rec.page_errors == [], rec.page_errors


def test_landing_page_lists_the_lessons_offline(offline_page, voila_server):
    rec, requested = offline_page
    rec.page.goto(voila_server.url + "/", wait_until="load", timeout=60_000)
    lessons = rec.page.locator(".tk-lesson")
    expected = [lesson.name for lesson in find_lessons(ROOT / "notebooks")]
    assert lessons.evaluate_all("els => els.map(e => e.dataset.notebook)") == expected
    first = find_lessons(ROOT / "notebooks")[1]
    item = rec.page.locator(f'.tk-lesson[data-notebook="{first.name}"]')
    assert first.title in item.locator("a.tk-lesson-link").inner_text()
    if first.minutes:
        assert f"about {first.minutes} min" in item.inner_text()
    for objective in first.objectives:
        assert objective in item.inner_text()
    _assert_stayed_on_the_machine(rec, requested)


def test_a_lesson_renders_and_works_with_no_request_off_the_machine(offline_lesson):
    rec, requested, start = offline_lesson
    handle = rec.page.locator(".tk-lever-capacity .noUi-handle")
    handle.focus()
    handle.press("ArrowRight")
    moved = wait_for_updates(rec.page, start["updates"])
    assert moved["flagged"] > start["flagged"]
    rec.page.wait_for_load_state("load")
    _assert_stayed_on_the_machine(rec, requested)


def test_closing_the_tab_frees_its_kernel(offline_lesson, voila_server):
    """A trainee who closes the tab gives back their kernel's memory at once (the page's
    shutdown beacon is accepted on loopback; voila issue 1458), not hours later. (The
    offline lesson's tab, after the test above: kept after it in this file.)"""
    rec = offline_lesson[0]
    pid = voila_server.kernel_pid(rec.kernel_id)
    # Close the tab only, as a trainee does: the browser stays open, so the page's
    # shutdown beacon is delivered (closing the whole browser context at once can
    # drop it, which made this test flaky).
    rec.page.close(run_before_unload=True)
    deadline = time.monotonic() + 30
    while pid in voila_server.kernel_pids():
        assert time.monotonic() < deadline, "the closed tab's kernel is still running"
        time.sleep(0.2)
