"""The landing page fetches the lesson pages' JavaScript ahead (teachkit.page_assets), so a
lesson opened from it, as a trainee does, asks the server for none of its scripts: every
one comes from the browser's cache, none is even revalidated.

The context here sets no request route (Playwright turns the HTTP cache off when one is
set), so instead of aborting requests off the machine the test records every request
and fails on any that is not to loopback (tests/browser/test_offline.py aborts them).
"""

from __future__ import annotations

import pytest
from harness import LESSONS, is_loopback, wait_for_app

pytestmark = pytest.mark.browser

_SCRIPTS_JS = """() => performance.getEntriesByType('resource')
  .filter(e => e.initiatorType === 'script').map(e => [e.name, e.transferSize])"""
_DONE_JS = """() => { const d = document.body.dataset;
  return parseInt(d.prefetched || '0', 10) >= parseInt(d.prefetchTotal, 10); }"""


def test_a_lesson_opened_from_the_landing_page_needs_no_script_from_the_server(
        browser, voila_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    requested, errors = [], []
    context.on("request", lambda request: requested.append(request.url))
    context.on("page", lambda page: page.on("pageerror", lambda e: errors.append(str(e))))
    try:
        landing = context.new_page()
        landing.goto(voila_server.url + "/", wait_until="load", timeout=60_000)
        total = int(landing.evaluate("() => document.body.dataset.prefetchTotal || 0"))
        assert total > 50, "the landing page lists no lesson scripts to fetch ahead"
        landing.wait_for_function(_DONE_JS, timeout=120_000, polling=100)
        link = landing.locator(f'.tk-lesson[data-notebook="{LESSONS["00"]}"] '
                               "a.tk-lesson-link")
        with context.expect_page(timeout=60_000) as opened:
            link.click()
        page = opened.value
        wait_for_app(page, 120_000)
        scripts = page.evaluate(_SCRIPTS_JS)
        from_server = [name for name, size in scripts if size > 0]
        assert len(scripts) > 50, scripts
        assert from_server == [], f"{len(from_server)} of {len(scripts)} scripts came " \
            f"from the server: {from_server[:5]}"
        assert [url for url in requested if not is_loopback(url)] == []
        assert errors == []
        page.close(run_before_unload=True)
    finally:
        context.close()
