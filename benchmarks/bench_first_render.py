"""First render of every lesson in Chromium with a preheated kernel, and lever p95.

Runs ``teachkit serve`` (a pool of one preheated kernel for each lesson measured, and
only those) and Debian's Chromium, as the browser tests do (tests/browser/harness.py).
For each lesson:

- first render: from navigation to the whole page ready (the app visible, its
  dashboard's first update and figure shown, and the reflection box, the last cell, on
  the page), median of ``--runs``; the pool refills and goes quiet before each run.
  Beside it, from the same runs: the page's load event, the widget models the page
  received and the kernel's bytes, and Chromium's own script,
  layout and style seconds (DevTools ``Performance.getMetrics``);
- ``--from-landing``: the way a trainee comes, instead of a lesson opened directly in
  a browser with an empty cache: the landing page (``teachkit serve``'s address) is
  opened first, in a new browser profile, and left while it fetches the lesson pages'
  JavaScript ahead (teachkit.page_assets; the seconds it took are printed), then the
  lesson's link is clicked: from the click to the whole page ready in the new tab. (No
  request routing in this mode: Playwright turns the HTTP cache off when any route is
  set; a request off the machine fails the run instead.) Beside it, the requests the
  lesson page still made to the server;
- lever p95 (``--steps`` > 0): ArrowRight / ArrowLeft on the lesson's first slider
  lever that can be moved, from the keydown to the dashboard updated
  (``bench_lesson_levers.lever_latency``), p95 over the presses, median of
  ``--lever-runs`` pages.

The 1-minute load average is printed with every figure: compare runs made at similar
loads, as paired ratios (before / after on the same machine, close in time).

Usage: .venv/bin/python benchmarks/bench_first_render.py [LESSON ...] [--runs 5]
       [--steps 40] [--lever-runs 3] [--profile] [--json FILE] [--before main]
       [--from-landing]
``--before DIR_OR_REF`` compares first renders instead: two servers, this checkout's and
one of another checkout (or git ref), renders alternating, paired ratios printed.
``--profile`` also prints, for the last run of each lesson, the page's JavaScript
functions that took most time (Chromium's sampling profiler).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from _timing import FrameCounter, browser_metrics, load_average, median, write_json  # noqa: E402
from bench_lesson_levers import lever_latency  # noqa: E402
from harness import (  # noqa: E402
    LESSONS,
    VoilaServer,
    chromium_missing_message,
    is_loopback,
    launch_chromium,
    open_page,
)

#: Goals of issue 15 (item 6), for every lesson.
GOALS = {"first_render_s": 2.0, "lever_p95_ms": 150.0}
# The lever the lever benchmark presses: the first slider of the page's first app that
# can be moved (a lesson without one is left out of the lever figures).
_SLIDER_JS = """() => {
  for (const row of document.querySelectorAll('.tk-app .tk-lever')) {
    const handle = row.querySelector('.noUi-handle');
    const target = row.querySelector('.noUi-target');
    if (!handle || (target && target.hasAttribute('disabled'))) continue;
    const name = [...row.classList].find(c => c.startsWith('tk-lever-'));
    if (name) return name.slice('tk-lever-'.length);
  }
  return null;
}"""

# The page is ready when every cell's widgets are on screen: the app, its dashboard's
# first result and figure (when it has them), and the reflection box (the last cell).
_READY_JS = """() => {
  const app = document.querySelector('.tk-app');
  if (!app || app.getBoundingClientRect().height === 0) return false;
  if (document.querySelector('.tk-state')) {
    const st = document.querySelector('.tk-state .tk-state-data');
    if (!st || parseInt(st.dataset.updates, 10) < 1) return false;
  }
  const img = document.querySelector('img.tk-figure');
  if (img && !(img.src && img.getBoundingClientRect().width > 0)) return false;
  const box = document.querySelector('.tk-reflection textarea');
  return !!(box && box.getBoundingClientRect().height > 0);
}"""

_NAV_JS = """() => { const n = performance.getEntriesByType('navigation')[0];
  return [n.responseEnd / 1000, n.domContentLoadedEventEnd / 1000, n.loadEventEnd / 1000]; }"""


def top_functions(profile: dict, n: int = 12) -> list[tuple[str, float]]:
    """Self time (ms) by function and script of a DevTools CPU profile, largest first."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    deltas = profile.get("timeDeltas", [])
    spent: Counter = Counter()
    for sample, delta in zip(profile.get("samples", []), deltas):
        frame = nodes[sample]["callFrame"]
        where = frame["url"].rsplit("/", 1)[-1][:40] or "(native)"
        spent[f"{frame['functionName'] or '(anonymous)'} @ {where}"] += delta / 1000
    return spent.most_common(n)


def render_once(browser, server, lesson: str, *, profile: bool = False,
                timeout_s: float = 120.0) -> dict:
    """Open ``lesson`` once on a quiet pool; return its timings and counts."""
    waited = server.wait_pool_ready(timeout=300)
    frames = FrameCounter()
    rec = open_page(browser, on_websocket=frames.attach)
    cdp = rec.context.new_cdp_session(rec.page)
    cdp.send("Performance.enable")
    if profile:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 500})
        cdp.send("Profiler.start")
    load = load_average()
    try:
        start = time.perf_counter()
        rec.page.goto(server.lesson_url(lesson), wait_until="commit",
                      timeout=timeout_s * 1000)
        rec.page.wait_for_function(_READY_JS, timeout=timeout_s * 1000, polling=20)
        total = time.perf_counter() - start
        rec.page.wait_for_load_state("load", timeout=timeout_s * 1000)
        html_done, dcl, loaded = rec.page.evaluate(_NAV_JS)
        metrics = browser_metrics(cdp)
        slider = rec.page.evaluate(_SLIDER_JS)
        top = top_functions(cdp.send("Profiler.stop")["profile"]) if profile else []
        if rec.page_errors:
            raise RuntimeError(f"lesson {lesson}: page errors {rec.page_errors}")
    finally:
        rec.close()
    return {"lesson": lesson, "first_render_s": total, "html_s": html_done, "dcl_s": dcl,
            "load_s": loaded, "pool_wait_s": waited, "load_average": load,
            "models": frames.models,
            "received": dict(frames.received), "received_kb": frames.received_bytes / 1024,
            "sent": dict(frames.sent), **metrics, "top": top, "slider": slider}


_FETCHED_JS = """() => performance.getEntriesByType('resource')
  .filter(e => e.transferSize > 0 && e.initiatorType !== 'fetch').length"""
_PREFETCHED_JS = """() => { const d = document.body.dataset;
  return !d.prefetchTotal || parseInt(d.prefetched || '0', 10) >= parseInt(d.prefetchTotal, 10);
}"""


def render_from_landing(browser, server, lesson: str, *, timeout_s: float = 120.0) -> dict:
    """Open the landing page in a new browser profile, let it fetch ahead, then click
    ``lesson``'s link: the seconds from the click to the lesson page ready."""
    waited = server.wait_pool_ready(timeout=300)
    frames = FrameCounter()
    # No route (it would turn the HTTP cache off): requests are watched instead.
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  service_workers="block")
    leaving, errors = [], []

    def watch(page):
        page.on("request", lambda r: leaving.append(r.url) if not is_loopback(r.url)
                else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))

    context.on("page", watch)
    try:
        landing = context.new_page()
        start = time.perf_counter()
        landing.goto(server.url + "/", wait_until="load", timeout=timeout_s * 1000)
        landing.wait_for_function(_PREFETCHED_JS, timeout=timeout_s * 1000, polling=50)
        prefetch_s = time.perf_counter() - start
        prefetched = int(landing.evaluate("() => document.body.dataset.prefetchTotal || 0"))
        load = load_average()
        link = landing.locator(f'.tk-lesson[data-notebook="{LESSONS[lesson]}"] '
                               "a.tk-lesson-link")
        with context.expect_page(timeout=timeout_s * 1000) as opened:
            start = time.perf_counter()
            link.click()
        page = opened.value
        page.on("websocket", frames.attach)
        page.wait_for_function(_READY_JS, timeout=timeout_s * 1000, polling=20)
        total = time.perf_counter() - start
        page.wait_for_load_state("load", timeout=timeout_s * 1000)
        html_done, dcl, loaded = page.evaluate(_NAV_JS)
        fetched = page.evaluate(_FETCHED_JS)
        if leaving or errors:
            raise RuntimeError(f"lesson {lesson}: requests off the machine {leaving}, "
                               f"page errors {errors}")
        page.close(run_before_unload=True)
    finally:
        context.close()
    return {"lesson": lesson, "first_render_s": total, "html_s": html_done, "dcl_s": dcl,
            "load_s": loaded, "pool_wait_s": waited, "load_average": load,
            "prefetch_s": prefetch_s, "prefetched": prefetched,
            "requests_to_server": fetched, "models": frames.models,
            "received_kb": frames.received_bytes / 1024, "script_s": float("nan"),
            "layout_s": float("nan"), "style_s": float("nan"), "top": [], "slider": None}


def served(lessons, folder: Path, tree: Path = ROOT.parent) -> VoilaServer:
    """``teachkit serve`` with a pool of one preheated kernel for each of ``lessons``
    only (copied to ``folder``): the other lessons' kernels would only load the
    machine while they start. ``tree``: the checkout whose notebooks and sources run."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in lessons:
        shutil.copy(tree / "notebooks" / LESSONS[n], folder / LESSONS[n])
    return VoilaServer(pool_size=1, extra_args=("--notebooks", str(folder)),
                       expected_kernels=len(lessons), env={"PYTHONPATH": str(tree / "src")})


def paired_renders(browser, lessons, runs: int, before: str, timeout_s: float,
                   render=render_once) -> dict:
    """First renders on two servers at once, ``before`` (a checkout folder, or a git ref
    of this repository, archived) and this checkout, alternating which goes first, so
    the machine's load falls on both alike. Returns, per lesson, both medians and the
    median of the paired ratios (after / before: below 1 is faster)."""
    from bench_ab_levers import archive
    from playwright.sync_api import Error as PlaywrightError

    out = {}
    with tempfile.TemporaryDirectory(prefix="tk-bench-ab-") as tmp:
        tmp = Path(tmp)
        old = Path(before) if Path(before).is_dir() else archive(before, tmp / "before")
        servers = {"before": served(lessons, tmp / "nb-before", old),
                   "after": served(lessons, tmp / "nb-after")}
        try:
            for server in servers.values():
                server.start()
            for n in lessons:
                pairs = []
                for i in range(runs):
                    order = ("before", "after") if i % 2 == 0 else ("after", "before")
                    pair = {}
                    try:
                        for name in order:
                            for other in servers.values():  # both quiet before each render
                                other.wait_pool_ready(timeout=300)
                            pair[name] = render(browser, servers[name], n,
                                                timeout_s=timeout_s)
                    except (PlaywrightError, RuntimeError) as exc:
                        print(f"  {n} pair {i + 1}: FAILED ({str(exc).splitlines()[0]})",
                              flush=True)
                        continue
                    pairs.append(pair)
                    print(f"  {n} pair {i + 1}: before {pair['before']['first_render_s']:.2f}"
                          f" s, after {pair['after']['first_render_s']:.2f} s (load avg "
                          f"{pair['after']['load_average']:.1f})", flush=True)
                ratios = [p["after"]["first_render_s"] / p["before"]["first_render_s"]
                          for p in pairs]
                out[n] = {key: median(p[key]["first_render_s"] for p in pairs)
                          for key in ("before", "after")}
                out[n].update(ratio=median(ratios), ratios=ratios, pairs=pairs)
                print(f"  {n}: first render {out[n]['before']:.2f} -> {out[n]['after']:.2f} s,"
                      f" paired ratio {out[n]['ratio']:.2f} over {len(pairs)} pairs "
                      "(after / before; below 1 is faster)", flush=True)
        finally:
            for server in servers.values():
                server.stop()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: every lesson)")
    parser.add_argument("--runs", type=int, default=5, help="first renders per lesson")
    parser.add_argument("--steps", type=int, default=40,
                        help="key presses per lever run (0: no lever figures)")
    parser.add_argument("--lever-runs", type=int, default=3, help="lever pages per lesson")
    parser.add_argument("--profile", action="store_true", help="print the JS hot spots")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds a render may take before the run counts as failed")
    parser.add_argument("--json", default=None, help="also write every run here")
    parser.add_argument("--from-landing", action="store_true",
                        help="open each lesson from the landing page, as a trainee does, "
                             "after it has fetched ahead (default: the lesson's address "
                             "directly, in a browser with an empty cache)")
    parser.add_argument("--before", default=None, metavar="DIR_OR_REF",
                        help="compare: renders alternate between a server of this "
                             "checkout and one of DIR (a checkout) or REF (a git ref, e.g. "
                             "main); prints paired ratios (no lever runs)")
    args = parser.parse_args(argv)
    lessons = args.lessons or sorted(LESSONS)
    unknown = [n for n in lessons if n not in LESSONS]
    if unknown:
        print(f"bench_first_render: no lesson {', '.join(unknown)}; lessons are "
              f"{', '.join(sorted(LESSONS))}", file=sys.stderr)
        return 2
    missing = chromium_missing_message()
    if missing:
        print(f"bench_first_render: {missing}", file=sys.stderr)
        return 2
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if args.before:
        print(f"bench_first_render: load average {load_average():.1f} at start; this "
              f"checkout against {args.before}", flush=True)
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                out = paired_renders(browser, lessons, args.runs, args.before, args.timeout,
                                     render_from_landing if args.from_landing
                                     else render_once)
            finally:
                browser.close()
        if args.json:
            write_json(args.json, out)
        return 0

    started = time.perf_counter()
    renders: dict[str, list[dict]] = {n: [] for n in lessons}
    levers: dict[str, list[dict]] = {n: [] for n in lessons}
    failed = Counter()
    print(f"bench_first_render: load average {load_average():.1f} at start", flush=True)
    with tempfile.TemporaryDirectory(prefix="tk-bench-") as folder, \
            served(lessons, Path(folder)) as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            for n in lessons:
                for i in range(args.runs):
                    try:
                        if args.from_landing:
                            r = render_from_landing(browser, server, n,
                                                    timeout_s=args.timeout)
                        else:
                            r = render_once(browser, server, n, timeout_s=args.timeout,
                                            profile=args.profile and i == args.runs - 1)
                    except (PlaywrightError, RuntimeError) as exc:  # busy machine: go on
                        print(f"  {n} render {i + 1}: FAILED ({str(exc).splitlines()[0]}; "
                              f"load avg {load_average():.1f})", flush=True)
                        failed[n] += 1
                        continue
                    renders[n].append(r)
                    if args.from_landing:
                        print(f"  {n} from the landing page {i + 1}: "
                              f"{r['first_render_s']:.2f} s (load event {r['load_s']:.2f} s,"
                              f" {r['requests_to_server']} requests to the server; landing "
                              f"page fetched {r['prefetched']} files ahead in "
                              f"{r['prefetch_s']:.1f} s; load avg {r['load_average']:.1f})",
                              flush=True)
                        continue
                    print(f"  {n} render {i + 1}: {r['first_render_s']:.2f} s (load event "
                          f"{r['load_s']:.2f} s, {r['models']} models, "
                          f"{r['received_kb']:.0f} kB, script {r['script_s']:.2f} s, "
                          f"load avg {r['load_average']:.1f})", flush=True)
                    for name, ms in r["top"]:
                        print(f"      {ms:7.0f} ms  {name}")
                lever = renders[n][-1]["slider"] if renders[n] else None
                for i in range(args.lever_runs if args.steps > 0 and lever else 0):
                    try:
                        out = lever_latency(browser, server, n, lever, max(args.steps, 20))
                    except (PlaywrightError, RuntimeError) as exc:
                        print(f"  {n} lever {lever} run {i + 1}: FAILED "
                              f"({str(exc).splitlines()[0]})", flush=True)
                        continue
                    out["load_average"] = load_average()
                    levers[n].append(out)
                    print(f"  {n} lever {lever} run {i + 1}: p50 {out['p50_ms']:.0f} ms, "
                          f"p95 {out['p95_ms']:.0f} ms, kernel p50 "
                          f"{out['kernel_p50_ms'] or float('nan'):.0f} ms (load avg "
                          f"{out['load_average']:.1f})", flush=True)
        finally:
            browser.close()

    print(f"\nbench_first_render: {datetime.now():%Y-%m-%d %H:%M}, "
          f"total {time.perf_counter() - started:.0f} s; medians of {args.runs} renders and "
          f"{args.lever_runs} lever pages (goals: render <= {GOALS['first_render_s']} s, "
          f"lever p95 <= {GOALS['lever_p95_ms']:.0f} ms)")
    head = ("lesson", "render s", "load ev s", "models", "kB in", "script s", "layout+style s",
            "lever", "p50 ms", "p95 ms", "load avg", "failed")
    print("  ".join(f"{h:>9}" for h in head))
    summary = {}
    for n in lessons:
        rs, ls = renders[n], levers[n]
        row = {
            "render_s": median(r["first_render_s"] for r in rs),
            "load_s": median(r["load_s"] for r in rs),
            "models": median(r["models"] for r in rs),
            "kb": median(r["received_kb"] for r in rs),
            "script_s": median(r["script_s"] for r in rs),
            "layout_style_s": median(r["layout_s"] + r["style_s"] for r in rs),
            "lever": ls[0]["lever"] if ls else "",
            "lever_p50_ms": median(x["p50_ms"] for x in ls),
            "lever_p95_ms": median(x["p95_ms"] for x in ls),
            "load_average": median([r["load_average"] for r in rs]
                                   + [x["load_average"] for x in ls]),
            "failed_renders": failed[n],
        }
        summary[n] = row
        cells = [n, f"{row['render_s']:.2f}", f"{row['load_s']:.2f}", f"{row['models']:.0f}",
                 f"{row['kb']:.0f}", f"{row['script_s']:.2f}", f"{row['layout_style_s']:.2f}",
                 row["lever"] or "-", f"{row['lever_p50_ms']:.0f}",
                 f"{row['lever_p95_ms']:.0f}", f"{row['load_average']:.1f}",
                 str(failed[n])]
        print("  ".join(f"{c:>9}" for c in cells))
    all_p95 = [x["p95_ms"] for n in lessons for x in levers[n]]
    if all_p95:
        print(f"  every lever run: p95 median {median(all_p95):.0f} ms, "
              f"worst {max(all_p95):.0f} ms")
    if args.json:
        write_json(args.json, {"summary": summary, "renders": renders, "levers": levers})
    return 0


if __name__ == "__main__":
    sys.exit(main())
