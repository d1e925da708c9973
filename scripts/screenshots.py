"""Make the README's pictures again: Chromium screenshots of the served lessons.

Serves the lessons with ``teachkit serve`` on a loopback port through the browser tests'
harness (``tests/browser/harness.py``: its own process group, every request that would
leave the machine aborted, Debian's Chromium, never ``playwright install``), opens each
lesson at 1280 x 900, waits for its app, moves the levers :data:`SHOTS` names (as a
trainee would, waiting for the dashboard) and saves the first app (``.tk-app``) to
``docs/images/<name>.png``. Look at each picture before committing it. About a minute
per picture on a busy 2-core machine.

Usage::

    PYTHONPATH=src .venv/bin/python scripts/screenshots.py            # every picture
    PYTHONPATH=src .venv/bin/python scripts/screenshots.py lesson01   # one
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
#: Each picture in docs/images/ (its name without .png): the lesson it shows and the
#: levers moved first (lesson 01: a model against the usual rule, so the picture has a
#: change to show).
SHOTS = {"lesson01": ("01", {"model": "logistic"})}
VIEWPORT = (1280, 900)


def shoot(names: list[str]) -> list[Path]:
    """Serve the lessons, screenshot each picture's lesson; return the files written."""
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from harness import (
        VoilaServer,
        chromium_missing_message,
        element_screenshot,
        goto_lesson,
        launch_chromium,
        move_lever,
        open_page,
    )
    from playwright.sync_api import sync_playwright

    missing = chromium_missing_message()
    if missing:
        raise SystemExit(missing)
    written = []
    # no preheated kernels: each page starts its own, as when a trainee opens it
    with VoilaServer(pool_size=0, expected_kernels=0) as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        for name in names:
            rec = open_page(browser, viewport=VIEWPORT)
            try:
                lesson, levers = SHOTS[name]
                goto_lesson(rec, server, lesson, timeout_ms=180_000)
                for lever, value in levers.items():
                    move_lever(rec.page, lever, value)
                if rec.page_errors:
                    raise SystemExit(f"{name}: the page raised errors: {rec.page_errors}")
                shot = element_screenshot(rec.page, ".tk-app", f"readme-{name}")
            finally:
                rec.close()
            IMAGES.mkdir(parents=True, exist_ok=True)
            written.append(Path(shutil.copyfile(shot, IMAGES / f"{name}.png")))
            print(f"{name}: {written[-1].relative_to(ROOT)}", file=sys.stderr)
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"pictures to make, of {', '.join(SHOTS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in SHOTS]
    if unknown:
        parser.error(f"no picture named {', '.join(unknown)}; the pictures are "
                     f"{', '.join(SHOTS)}")
    shoot(args.names or list(SHOTS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
