"""How fast the lessons feel in a real browser, and what a trainee's kernel costs.

Runs ``teachkit serve`` (a pool of one preheated kernel per lesson) and Debian's
Chromium, as the browser tests do (tests/browser/harness.py), and prints medians:

(a) first render of lesson 01 with a preheated kernel: from navigation to the figure
    visible and the dashboard's first update (the pool refills between runs);
(b) lever -> updated dashboard: after choosing the logistic model, ArrowRight/ArrowLeft
    on the threshold handle, from the keydown event to ``data-updates`` incrementing
    AND the figure's src changing (measured inside the page); the kernel's share is
    read from the kernel's own busy/idle timestamps on the websocket, and the pure
    Python share (no kernel, no browser) from the same widgets driven in this process;
(c) memory (PSS, /proc/<pid>/smaps_rollup) of the lesson's kernel after render and
    after the interactions.

Usage: .venv/bin/python benchmarks/bench_voila.py [--runs 5] [--steps 40] [--json FILE]
This machine is noisy (2 cores, other work): compare medians, not single runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import struct
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import (  # noqa: E402
    VoilaServer,
    chromium_missing_message,
    launch_chromium,
    open_page,
    pss_mb,
    rss_mb,
    state,
    wait_for_app,
)

GOALS = {
    "first_render_s": 1.5,
    "lever_p95_ms": 150.0,
    "kernel_pss_mb": 150.0,
}
NOTES = {  # VOILA-NOTES.md, a toy notebook on a machine of this kind
    "first_render_s": "3.8 s (toy notebook, pool of 1)",
    "lever_p95_ms": "p50 516 / p95 564 ms (matplotlib PNG)",
    "kernel_pss_mb": "165-210 MB",
}

_READY_JS = """() => {
  const img = document.querySelector('img.tk-figure');
  const st = document.querySelector('.tk-state .tk-state-data');
  return !!(img && img.src && img.getBoundingClientRect().width > 0 &&
            st && parseInt(st.dataset.updates, 10) >= 1);
}"""

# Arms a watcher in the page: resolves when both the state counter went past `prev`
# and the figure's src changed, with performance.now() of the first keydown, of the
# state change and of the src change. MutationObserver callbacks run right after the
# DOM changes, so these are the times the page had the new numbers and picture.
_ARM_JS = """(prev) => {
  const img0 = document.querySelector('img.tk-figure').src;
  window.__tkKey = null;
  const onKey = () => { if (window.__tkKey === null) window.__tkKey = performance.now(); };
  document.addEventListener('keydown', onKey, true);
  window.__tkArmedAt = performance.now();
  window.__tkWait = new Promise((resolve) => {
    let tState = null, tImg = null;
    const done = (extra) => {
      obs.disconnect(); clearTimeout(timer);
      document.removeEventListener('keydown', onKey, true);
      const st = document.querySelector('.tk-state .tk-state-data');
      resolve(Object.assign({key: window.__tkKey ?? window.__tkArmedAt, state: tState,
                             img: tImg, updates: st ? +st.dataset.updates : 0,
                             settings: st ? st.dataset.settings : ''}, extra));
    };
    const check = () => {
      const now = performance.now();
      const st = document.querySelector('.tk-state .tk-state-data');
      const img = document.querySelector('img.tk-figure');
      if (tState === null && st && +st.dataset.updates > prev) tState = now;
      if (tImg === null && img && img.src !== img0) tImg = now;
      if (tState !== null && tImg !== null) done({});
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, {subtree: true, attributes: true, childList: true,
                                characterData: true});
    const timer = setTimeout(() => done({timeout: true}), 60000);
  });
}"""


# -- kernel messages on the websocket ---------------------------------------------------
def decode_frame(payload) -> dict | None:
    """A Jupyter message from a websocket frame (JSON text, or the v1 binary format)."""
    try:
        if isinstance(payload, str):
            msg = json.loads(payload)
            return {"channel": msg.get("channel"), "header": msg["header"],
                    "parent": msg.get("parent_header") or {}, "content": msg.get("content")}
        data = bytes(payload)
        n = struct.unpack_from("<Q", data, 0)[0]
        offsets = [struct.unpack_from("<Q", data, 8 * (i + 1))[0] for i in range(n)]
        parts = [data[offsets[i]:offsets[i + 1]] for i in range(n - 1)] + \
            [data[offsets[-1]:]]
        return {"channel": parts[0].decode(), "header": json.loads(parts[1]),
                "parent": json.loads(parts[2]), "content": json.loads(parts[4])}
    except (ValueError, KeyError, IndexError, struct.error, UnicodeDecodeError):
        return None


class KernelClock:
    """Collects busy/idle status messages to time the kernel's own work per request."""

    def __init__(self):
        self.sent: list[str] = []  # msg_ids of comm messages the page sent, in order
        self.busy: dict[str, datetime] = {}
        self.idle: dict[str, datetime] = {}

    def attach(self, ws) -> None:
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        msg = decode_frame(payload)
        if msg and msg["header"].get("msg_type") == "comm_msg":
            self.sent.append(msg["header"]["msg_id"])

    def _received(self, payload) -> None:
        msg = decode_frame(payload)
        if not msg or msg["header"].get("msg_type") != "status":
            return
        parent = msg["parent"].get("msg_id")
        when = datetime.fromisoformat(msg["header"]["date"].replace("Z", "+00:00"))
        state_ = (msg["content"] or {}).get("execution_state")
        if parent and state_ == "busy":
            self.busy[parent] = when
        elif parent and state_ == "idle":
            self.idle[parent] = when

    def busy_ms(self, msg_ids) -> float | None:
        """Kernel time (busy -> idle, kernel clock) summed over these requests."""
        spans = [(self.idle[m] - self.busy[m]).total_seconds() * 1000
                 for m in msg_ids if m in self.busy and m in self.idle]
        return sum(spans) if spans else None


# -- measurements -----------------------------------------------------------------------
def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def first_render(browser, server, runs: int) -> dict:
    totals, html, dcl, load, pool_waits = [], [], [], [], []
    for i in range(runs):
        pool_waits.append(server.wait_pool_ready(timeout=180))
        rec = open_page(browser)
        try:
            start = time.perf_counter()
            rec.page.goto(server.lesson_url("01"), wait_until="commit", timeout=120_000)
            rec.page.wait_for_function(_READY_JS, timeout=120_000, polling=10)
            totals.append(time.perf_counter() - start)
            nav = rec.page.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd]; }")
            html.append(nav[0] / 1000)
            dcl.append(nav[1] / 1000)
            load.append(nav[2] / 1000)
            assert not rec.page_errors, rec.page_errors
        finally:
            rec.close()
        print(f"  (a) run {i + 1}: {totals[-1]:.2f} s (page HTML done at {html[-1]:.2f} s; "
              f"waited {pool_waits[-1]:.1f} s for the pool)", flush=True)
    return {"runs_s": totals, "median_s": statistics.median(totals),
            "html_median_s": statistics.median(html),
            "dcl_median_s": statistics.median(dcl), "load_median_s": statistics.median(load)}


def lever_latency(browser, server, steps: int) -> dict:
    server.wait_pool_ready(timeout=180)
    clock = KernelClock()
    rec = open_page(browser, on_websocket=clock.attach)
    page = rec.page
    try:
        page.goto(server.lesson_url("01"), wait_until="commit", timeout=120_000)
        wait_for_app(page, 120_000)
        pid = server.kernel_pid(rec.kernel_id)
        mem_render = {"pss": pss_mb(pid), "rss": rss_mb(pid)}

        def timed(action) -> dict:
            before = state(page)["updates"]
            page.evaluate(_ARM_JS, before)
            first_sent = len(clock.sent)
            start = time.perf_counter()
            action()
            result = page.evaluate("window.__tkWait")
            result["wall_ms"] = (time.perf_counter() - start) * 1000
            if result.get("timeout"):
                raise RuntimeError(f"no dashboard update within 60 s: {result}")
            result["ms"] = max(result["state"], result["img"]) - result["key"]
            page.wait_for_timeout(50)  # let the idle status of this request arrive
            result["kernel_ms"] = clock.busy_ms(clock.sent[first_sent:])
            return result

        # the first choice of the logistic model trains it (once per kernel)
        model = page.locator(".tk-lever-model select")
        logistic = timed(lambda: model.select_option(value="Logistic regression"))
        assert "model=logistic" in logistic["settings"], logistic
        server.wait_pool_ready(in_use=1, timeout=180)  # the refill is done: less noise

        handle = page.locator(".tk-lever-threshold .noUi-handle")
        handle.focus()
        results = []
        for i in range(steps):
            key = "ArrowRight" if (i // 10) % 2 == 0 else "ArrowLeft"
            r = timed(lambda key=key: page.keyboard.press(key))
            if r["updates"] != state(page)["updates"]:
                raise RuntimeError("more than one update for one key press")
            results.append(r)
        group = timed(lambda: page.locator(".tk-group select").select_option(value="Language"))
        page.wait_for_timeout(500)
        mem_after = {"pss": pss_mb(pid), "rss": rss_mb(pid)}
        idle_pool = [p for p in server.kernel_pids() if p != pid]
        pool_pss = statistics.median(pss_mb(p) for p in idle_pool) if idle_pool else None
        server_pss = pss_mb(_voila_pid(server))
        assert not rec.page_errors, rec.page_errors
    finally:
        rec.close()
    ms = [r["ms"] for r in results]
    kernel = [r["kernel_ms"] for r in results if r["kernel_ms"] is not None]
    return {
        "steps": len(ms), "p50_ms": pct(ms, 0.5), "p95_ms": pct(ms, 0.95),
        "max_ms": max(ms),
        "kernel_p50_ms": pct(kernel, 0.5) if kernel else None,
        "kernel_p95_ms": pct(kernel, 0.95) if kernel else None,
        "wall_p50_ms": pct([r["wall_ms"] for r in results], 0.5),
        "logistic_first_ms": logistic["ms"], "logistic_kernel_ms": logistic["kernel_ms"],
        "group_ms": group["ms"], "group_kernel_ms": group["kernel_ms"],
        "mem_render": mem_render, "mem_after": mem_after,
        "pool_kernel_pss": pool_pss, "server_pss": server_pss,
    }


def _voila_pid(server) -> int:
    from harness import _children

    kids = _children(server.voila_pid)
    return kids[0] if kids else server.voila_pid


def in_process(steps: int) -> dict:
    """The same lever changes with the widgets in this process: pure Python cost."""
    from teachkit.ui import TriageLab

    lab = TriageLab()
    start = time.perf_counter()
    lab.panel.rows["model"].value = "logistic"
    first = (time.perf_counter() - start) * 1000
    row = lab.panel.rows["threshold"]
    step = row.spec.step
    ms = []
    for i in range(steps):
        sign = 1 if (i // 10) % 2 == 0 else -1
        start = time.perf_counter()
        row.value = round(row.value + sign * step, 6)
        ms.append((time.perf_counter() - start) * 1000)
    return {"logistic_first_ms": first, "p50_ms": pct(ms, 0.5), "p95_ms": pct(ms, 0.95)}


# -- report -----------------------------------------------------------------------------
def table(rows) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdict(value, goal) -> str:
    if value is None or value != value:
        return "?"
    return "ok" if value <= goal else "MISSED"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="first-render runs (>= 5)")
    parser.add_argument("--steps", type=int, default=40, help="lever key presses")
    parser.add_argument("--json", default=None, help="also write the figures here")
    parser.add_argument("--fork", action=argparse.BooleanOptionalAction, default=True,
                        help="kernels forked from a warm parent (teachkit serve's "
                             "default); --no-fork: ordinary kernels, to compare")
    args = parser.parse_args(argv)

    missing = chromium_missing_message()
    if missing:
        print(f"bench_voila: {missing}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    kernels = "forked" if args.fork else "ordinary"
    print(f"bench_voila: starting teachkit serve (pool of 1 per lesson, {kernels} "
          "kernels)...", flush=True)
    extra = () if args.fork else ("--no-fork",)
    with VoilaServer(pool_size=1, extra_args=extra) as server, sync_playwright() as pw:
        up = time.perf_counter() - started
        print(f"  server up and pool ready in {up:.1f} s", flush=True)
        browser = launch_chromium(pw)
        try:
            render = first_render(browser, server, args.runs)
            lever = lever_latency(browser, server, args.steps)
        finally:
            browser.close()
    local = in_process(args.steps)

    fmt = lambda v, unit="ms", d=0: "n/a" if v is None else f"{v:.{d}f} {unit}"  # noqa: E731
    rows = [
        ("measure", "value", "goal", "verdict", "notes' baseline"),
        (f"(a) first render, lesson 01, preheated (median of {args.runs})",
         fmt(render["median_s"], "s", 2), "<= 1.5 s",
         verdict(render["median_s"], GOALS["first_render_s"]), NOTES["first_render_s"]),
        ("    page HTML received (server) / DOMContentLoaded / load event",
         f"{render['html_median_s']:.2f} / {render['dcl_median_s']:.2f} / "
         f"{render['load_median_s']:.2f} s", "", "", "HTML ~20 ms"),
        (f"(b) threshold key -> numbers + figure, p50 ({lever['steps']} presses)",
         fmt(lever["p50_ms"]), "", "", "516 ms"),
        ("    p95", fmt(lever["p95_ms"]), "<= 150 ms",
         verdict(lever["p95_ms"], GOALS["lever_p95_ms"]), NOTES["lever_p95_ms"]),
        ("    kernel busy per press, p50 / p95",
         f"{fmt(lever['kernel_p50_ms'])} / {fmt(lever['kernel_p95_ms'])}", "", "", ""),
        ("    pure Python (no kernel, no browser), p50 / p95",
         f"{fmt(local['p50_ms'])} / {fmt(local['p95_ms'])}", "", "", ""),
        ("    first choice of logistic (first use of the model): page / kernel",
         f"{fmt(lever['logistic_first_ms'])} / {fmt(lever['logistic_kernel_ms'])}",
         "", "", f"in-process {local['logistic_first_ms']:.0f} ms"),
        ("    group chooser -> new figure: page / kernel",
         f"{fmt(lever['group_ms'])} / {fmt(lever['group_kernel_ms'])}", "", "", ""),
        ("(c) kernel PSS after render", fmt(lever["mem_render"]["pss"], "MB"), "<= 150 MB",
         verdict(lever["mem_render"]["pss"], GOALS["kernel_pss_mb"]),
         NOTES["kernel_pss_mb"]),
        ("    kernel PSS after the interactions", fmt(lever["mem_after"]["pss"], "MB"),
         "<= 150 MB", verdict(lever["mem_after"]["pss"], GOALS["kernel_pss_mb"]), ""),
        ("    (RSS after render / after)",
         f"{lever['mem_render']['rss']:.0f} / {lever['mem_after']['rss']:.0f} MB", "", "",
         ""),
        ("    an idle preheated kernel (PSS)", fmt(lever["pool_kernel_pss"], "MB"), "", "",
         ""),
        ("    the Voila server (PSS)", fmt(lever["server_pss"], "MB"), "", "", ""),
    ]
    print()
    print(f"bench_voila: lesson 01 in Chromium, {kernels} kernels, "
          f"{datetime.now():%Y-%m-%d %H:%M}, "
          f"total {time.perf_counter() - started:.0f} s")
    print(table(rows))
    print(f"(a) runs: {', '.join(f'{t:.2f}' for t in render['runs_s'])} s")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(
            {"render": render, "lever": lever, "in_process": local}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
