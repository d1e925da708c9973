"""Fixtures for the browser tests: one Voila server and one Chromium for the session.

Without /usr/bin/chromium the tests are skipped with a hint (`make test` installs it),
except in CI (the ``CI`` environment variable is set), where they fail: a browser test
that silently skips in CI tests nothing.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict

import pytest
from harness import (
    ROOT,
    VoilaServer,
    chromium_missing_message,
    goto_lesson,
    launch_chromium,
    open_page,
)

_PAGES: list[tuple[str, object]] = []  # (lesson, RecordedPage) of every page opened


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def browser_ready():
    """Fail (in CI) or skip (elsewhere) when Chromium or playwright is missing."""
    message = chromium_missing_message()
    if message:
        if _in_ci():
            pytest.fail(f"Browser tests cannot run in CI: {message}", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def playwright_instance(browser_ready):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = launch_chromium(playwright_instance)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def voila_server(browser_ready):
    """``teachkit serve`` with a pool of one preheated kernel per lesson, for all tests;
    the kernels are forked from a warm parent, as in a room (teachkit serve says in its
    log when this installation cannot, and starts ordinary ones)."""
    with VoilaServer(pool_size=1, extra_args=("--fork",)) as server:
        yield server


@pytest.fixture(scope="session")
def open_lesson(browser, voila_server):
    """``open_lesson("01")`` -> a RecordedPage with the lesson's app rendered.

    Pages are recorded for the session's report of off-machine requests; each is
    closed at the end of the session (closing frees its kernel).
    """
    opened = []

    def open_(lesson: str):
        rec = open_page(browser)
        _PAGES.append((lesson, rec))
        opened.append(rec)
        goto_lesson(rec, voila_server, lesson)
        return rec

    yield open_
    for rec in opened:
        rec.close()


@pytest.fixture(scope="session")
def lesson00(open_lesson):
    """Lesson 00 (the tour), opened once and shared by the tests that only look at it
    or move its levers (each test brings the levers where it needs them)."""
    return open_lesson("00")


@pytest.fixture(scope="session")
def lesson01(open_lesson):
    """Lesson 01 (the triage lab), opened once and shared like ``lesson00``."""
    return open_lesson("01")


@pytest.fixture(params=["00", "01"])
def any_lesson(request):
    """Each lesson's shared page in turn: ``(lesson, RecordedPage)``."""
    return request.param, request.getfixturevalue(f"lesson{request.param}")


def pytest_terminal_summary(terminalreporter):
    """Report the off-machine requests the pages attempted (all were aborted)."""
    if not _PAGES:
        return
    attempts = defaultdict(set)
    for lesson, rec in _PAGES:
        for url in rec.blocked:
            attempts[url].add(lesson)
    out = ROOT / "test-artifacts" / "blocked-requests.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({u: sorted(ls) for u, ls in sorted(attempts.items())},
                              indent=2) + "\n")
    terminalreporter.section("browser: off-machine requests attempted (all aborted)")
    if not attempts:
        terminalreporter.write_line("none")
    for url, lessons in sorted(attempts.items()):
        terminalreporter.write_line(f"{url}  (lessons {', '.join(sorted(lessons))})")
    terminalreporter.write_line(f"(also written to {out.relative_to(ROOT)})")
