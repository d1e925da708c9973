#!/usr/bin/env python
"""Benchmark: seconds to grade a class of lesson-01 submissions, and peak memory.

    .venv/bin/python benchmarks/bench_grading.py [--n 30] [--jobs 2]

The class is made of the test folder's realistic notebooks (a fully solved one and a
wrong one, alternating), each in its own sandbox, as ``teachkit grade`` runs them.
Prints the wall-clock time, the time per notebook, the extrapolation to a class of 100,
the CPU time of the drivers per notebook (user + system, with what each reaped: it moves
far less than the wall-clock time on a shared machine), the peak resident memory of the
whole process tree (sampled every 0.2 s) and of the largest single process. The goal: a
class of 100 in 5 minutes or less on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "tests" / "grading" / "submissions"


def _tree_rss_kib(root_pid: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--n", type=int, default=30, help="submissions (default 30)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel sandboxes (default 2)")
    args = parser.parse_args()

    from teachkit.grading import grade_folder

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        for i in range(args.n):
            source = SUBMISSIONS / ("correct" if i % 2 == 0 else "wrong")
            shutil.copytree(source, folder / f"trainee{i:03d}")
        peak = [0]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], _tree_rss_kib(os.getpid()))
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        results, _ = grade_folder(folder, lesson="01", out=Path(tmp) / "out",
                                  jobs=args.jobs, progress=sys.stderr.isatty())
        seconds = time.perf_counter() - start
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        stop.set()
        sampler.join()
    statuses = {r.status for r in results}
    per = seconds / args.n
    child_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"graded {args.n} lesson-01 submissions with {args.jobs} jobs in {seconds:.1f} s "
          f"({per:.2f} s per notebook); statuses: {', '.join(sorted(statuses))}")
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime -
                                                         cpu_before.ru_stime)
    print(f"CPU time of the drivers (each submission's nbclient process, and what it "
          f"reaped): {cpu / args.n:.2f} s per notebook")
    print(f"extrapolated to a class of 100: {100 * per:.0f} s "
          f"({'within' if 100 * per <= 300 else 'OVER'} the 5-minute goal)")
    print(f"peak memory: {peak[0] / 1024:.0f} MiB for the whole process tree; largest "
          f"single process {child_max:.0f} MiB")
    return 0 if statuses == {"ok"} else 1


if __name__ == "__main__":
    sys.exit(main())
