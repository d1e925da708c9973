"""Accessibility audit: axe-core (WCAG 2.0/2.1 A and AA) on the landing page and every lesson.

Serves the lessons with ``teachkit serve`` on a loopback port (the browser tests' harness),
opens each page in Debian's Chromium, waits for the app, runs axe-core (bundled by
``axe-playwright-python``: nothing is downloaded) and prints, per page, the number of
violations by rule and impact, and the total number of failing elements. This is the
figure issue 14 tracks ("axe counts before and after"); the browser tests assert the goal.

Usage::

    .venv/bin/python benchmarks/audit_a11y.py            # every page
    .venv/bin/python benchmarks/audit_a11y.py 01 04      # some lessons
    .venv/bin/python benchmarks/audit_a11y.py --details  # each failing element too
    .venv/bin/python benchmarks/audit_a11y.py --shots    # and screenshots to look at

``--shots`` also saves, in test-artifacts/screenshots/, each lesson's first app at 200 %
zoom (a 640 px window: ``a11y-NN-640.png``) and, for the first lesson audited, the same
app as a person with deuteranopia sees it (Chromium's vision-deficiency emulation through
CDP: ``a11y-NN-deuteranopia.png``), with one lever explanation opened.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import (  # noqa: E402
    VoilaServer,
    element_screenshot,
    launch_chromium,
    open_page,
    wait_for_app,
)

#: The WCAG levels issue 14 holds the lessons to.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """axe-core's violations on ``page`` at WCAG 2.0/2.1 A and AA."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS},
               "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def summary(violations: list[dict]) -> tuple[int, Counter]:
    """(failing elements, {(rule, impact): elements})."""
    by_rule = Counter({(v["id"], v["impact"]): len(v["nodes"]) for v in violations})
    return sum(by_rule.values()), by_rule


def shoot(browser, url: str, number: str, *, deuteranopia: bool = False) -> None:
    """Screenshots of a lesson's first app at 640 px, and (optionally) under
    deuteranopia at 1280 px with the first lever explanation opened."""
    views = [((640, 900), None)] + ([((1280, 900), "deuteranopia")] if deuteranopia else [])
    for viewport, deficiency in views:
        rec = open_page(browser, viewport=viewport)
        rec.page.goto(url, wait_until="commit", timeout=120_000)
        wait_for_app(rec.page, 120_000)
        name = f"a11y-{number}-640"
        if deficiency:
            cdp = rec.page.context.new_cdp_session(rec.page)
            cdp.send("Emulation.setEmulatedVisionDeficiency", {"type": deficiency})
            help_ = rec.page.locator(".tk-help summary").first
            if help_.count():
                help_.click()
            name = f"a11y-{number}-{deficiency}"
        widths = rec.page.evaluate("() => [document.documentElement.scrollWidth, "
                                   "document.documentElement.clientWidth]")
        path = element_screenshot(rec.page, ".tk-app", name)
        print(f"{name}: {path} (page {widths[0]} px wide in {widths[1]})")
        rec.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    parser.add_argument("--details", action="store_true", help="print each failing element")
    parser.add_argument("--shots", action="store_true",
                        help="save screenshots at 640 px and under deuteranopia")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from teachkit.lessons import find_lessons

    lessons = [lesson for lesson in find_lessons(ROOT / "notebooks")
               if not args.lessons or lesson.number in args.lessons]
    grand = 0
    with VoilaServer(pool_size=1) as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        pages = [("landing", server.url + "/", False)]
        pages += [(lesson.number, server.lesson_url(lesson.name), True) for lesson in lessons]
        for name, url, is_app in pages:
            rec = open_page(browser)
            rec.page.goto(url, wait_until="commit", timeout=120_000)
            if is_app:
                wait_for_app(rec.page, 120_000)
            else:
                rec.page.wait_for_load_state("load")
            violations = axe_violations(rec.page)
            total, by_rule = summary(violations)
            grand += total
            print(f"{name}: {len(violations)} rules, {total} elements")
            for (rule, impact), count in sorted(by_rule.items()):
                print(f"    {rule} ({impact}): {count}")
            if args.details:
                for v in violations:
                    for node in v["nodes"]:
                        print(f"      {v['id']}: {node['target']} {node['html'][:120]}")
            rec.close()
        if args.shots:
            for i, lesson in enumerate(lessons):
                shoot(browser, server.lesson_url(lesson.name), lesson.number,
                      deuteranopia=i == 0)
        browser.close()
    print(f"total failing elements: {grand}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
