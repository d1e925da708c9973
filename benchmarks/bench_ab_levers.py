"""Lever -> updated dashboard in Chromium, before and after a change, interleaved.

Two ``teachkit serve`` servers run at once: one on the sources of ``--before`` (by
default a copy of ``main`` made with ``git archive``), one on ``--after`` (this
checkout). Each round measures every lesson's lever on both, in alternating order
(before first in even rounds, after first in odd ones), with
``bench_lesson_levers.lever_latency``, so machine load falls on both alike. It prints
each round's pair, the medians of p50 and p95 and the median of the paired ratios
(after / before; below 1 is faster).

Usage: .venv/bin/python benchmarks/bench_ab_levers.py [--before DIR] [--rounds 4]
       [--steps 20] [--lessons 02:capacity,04:review_capacity] [--json FILE]
This machine is noisy (2 cores, other work): read the paired ratios, not one run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from _timing import write_json  # noqa: E402
from bench_lesson_levers import lever_latency  # noqa: E402
from harness import VoilaServer, chromium_missing_message, launch_chromium  # noqa: E402

DEFAULT_LEVERS = "02:capacity,04:review_capacity"


def archive(ref: str, into: Path) -> Path:
    """The tree of git ``ref`` of this repository, written to ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    tar = subprocess.run(["git", "-C", str(ROOT.parent), "archive", ref],
                         check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=tar, check=True)
    return into


def server_for(tree: Path, lessons: list[str]) -> VoilaServer:
    """A server of ``tree``'s notebooks running ``tree``'s sources; only ``lessons`` are
    preheated (two kernels each, refilled to one once a page takes one), so two servers
    fit on the machine together."""
    return VoilaServer(
        pool_size=0, expected_kernels=len(lessons),
        extra_args=("--notebooks", str(tree / "notebooks"), "--trainees", "2",
                    "--lesson", ",".join(lessons)),
        env={"PYTHONPATH": str(tree / "src")})


def paired(rows: list[dict], key: str) -> dict:
    before = [r["before"][key] for r in rows]
    after = [r["after"][key] for r in rows]
    ratios = [a / b for a, b in zip(after, before)]
    return {"before": statistics.median(before), "after": statistics.median(after),
            "ratio": statistics.median(ratios), "ratios": ratios}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=None,
                        help="a checkout to compare with (default: git archive of main)")
    parser.add_argument("--after", default=str(ROOT.parent), help="default: this checkout")
    parser.add_argument("--lessons", default=DEFAULT_LEVERS,
                        help="lesson:slider pairs, comma separated")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=20, help="key presses per run (>= 20)")
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    missing = chromium_missing_message()
    if missing:
        print(f"bench_ab_levers: {missing}", file=sys.stderr)
        return 2
    pairs = [tuple(item.split(":", 1)) for item in args.lessons.split(",")]
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tk-ab-") as tmp:
        before = Path(args.before) if args.before else archive("main", Path(tmp) / "main")
        trees = {"before": before, "after": Path(args.after)}
        lessons = [lesson for lesson, _ in pairs]
        servers = {name: server_for(tree, lessons) for name, tree in trees.items()}
        rows = {pair: [] for pair in pairs}
        try:
            for server in servers.values():
                server.start()
            with sync_playwright() as pw:
                browser = launch_chromium(pw)
                try:
                    for round_ in range(args.rounds):
                        order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
                        for lesson, lever in pairs:
                            row = {}
                            try:
                                for name in order:
                                    row[name] = lever_latency(browser, servers[name], lesson,
                                                              lever, max(args.steps, 20))
                            except Exception as error:  # a page that never loads: no pair
                                print(f"  round {round_ + 1} lesson {lesson} {lever}: no pair "
                                      f"({type(error).__name__}: {str(error)[:80]})",
                                      flush=True)
                                continue
                            rows[(lesson, lever)].append(row)
                            print(f"  round {round_ + 1} lesson {lesson} {lever}: p95 before "
                                  f"{row['before']['p95_ms']:.0f} ms, after "
                                  f"{row['after']['p95_ms']:.0f} ms", flush=True)
                finally:
                    browser.close()
        finally:
            for server in servers.values():
                server.stop()
    print(f"bench_ab_levers: {args.rounds} rounds of {max(args.steps, 20)} presses, "
          f"{datetime.now():%Y-%m-%d %H:%M}, total {time.perf_counter() - started:.0f} s")
    out = {}
    for (lesson, lever), runs in rows.items():
        if not runs:
            print(f"  lesson {lesson} {lever}: no complete pair")
            continue
        p50, p95 = paired(runs, "p50_ms"), paired(runs, "p95_ms")
        out[f"{lesson}:{lever}"] = {"p50": p50, "p95": p95, "runs": runs}
        print(f"  lesson {lesson} {lever}: p50 {p50['before']:.0f} -> {p50['after']:.0f} ms "
              f"(paired ratio {p50['ratio']:.2f}); p95 {p95['before']:.0f} -> "
              f"{p95['after']:.0f} ms (paired ratio {p95['ratio']:.2f}; rounds: "
              + ", ".join(f"{r:.2f}" for r in p95["ratios"]) + ")")
    if args.json:
        write_json(args.json, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
