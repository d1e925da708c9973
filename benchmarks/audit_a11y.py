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
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import VoilaServer, launch_chromium, open_page, wait_for_app  # noqa: E402

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    parser.add_argument("--details", action="store_true", help="print each failing element")
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
        browser.close()
    print(f"total failing elements: {grand}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
