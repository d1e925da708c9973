"""Lesson 06's speed: a new 36-month run, and lever -> updated dashboard.

Prints medians (and p95 where it matters) of:

- a new 36-month run with its pool of synthetic patients already drawn (any lever but
  the volume or the seed), and with a new seed (the pool drawn too): goal <= 1 s;
- a lever move in the lab (``MonitorLab``, in this process: the kernel's side of the
  Chromium round trip, which ``bench_lesson_levers.py --lesson 06 --lever
  monthly_volume`` measures end to end) for a setting not seen yet, and for one seen
  before (the run, its baseline and the figure cached per setting): goal p95 <= 150 ms.

Usage: PYTHONPATH=src .venv/bin/python benchmarks/bench_monitor.py [--repeats 5]
This machine is noisy (2 cores shared): compare medians of several runs.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import numpy as np

from teachkit.monitor import MonitorSettings, run_monitor
from teachkit.monitor.deployment import _cached_key
from teachkit.monitor.timeline import local_model, pool


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    run_monitor(MonitorSettings(), with_baseline=False)  # imports, first pool
    settings = [MonitorSettings(**{lever: value}) for lever, value in (
        ("drift_base_rate", 1), ("drift_coding", 12), ("drift_shock", 6),
        ("drift_pipeline", 12), ("drift_case_mix", 12), ("update_policy", "yearly_refit"),
        ("monitoring", "both"))]
    same_pool = []
    for s in itertools.islice(itertools.cycle(settings), args.repeats * 2):
        _cached_key.cache_clear()
        same_pool.append(_timed(lambda s=s: run_monitor(s, with_baseline=False)))
    new_seed = []
    for seed in range(9000, 9000 + args.repeats):
        pool.cache_clear()
        local_model.cache_clear()
        new_seed.append(_timed(lambda seed=seed: run_monitor(MonitorSettings(seed=seed),
                                                             with_baseline=False)))
    print(f"new 36-month run, pool drawn:  median {statistics.median(same_pool):.3f} s "
          f"(n={len(same_pool)})")
    print(f"new 36-month run, new seed:    median {statistics.median(new_seed):.3f} s "
          f"(n={len(new_seed)})")

    from teachkit.ui.monitor import MonitorLab

    lab = MonitorLab()
    moves = [("drift_base_rate", 1), ("monitoring", "both"), ("drift_coding", 12),
             ("update_policy", "recalibrate"), ("model_source", "vendor")]
    cold, seen = [], []
    for round_ in range(args.repeats + 1):
        for lever, value in moves:
            row = lab.panel.rows[lever]
            for target in (value, get_rest(lever)):
                took = _timed(lambda row=row, target=target: setattr(row, "value", target))
                (cold if round_ == 0 else seen).append(took)
    print(f"lever -> dashboard, new setting:  median {statistics.median(cold) * 1000:.0f} ms")
    print(f"lever -> dashboard, seen setting: median {statistics.median(seen) * 1000:.0f} ms, "
          f"p95 {np.percentile(seen, 95) * 1000:.0f} ms (n={len(seen)})")
    return 0


def get_rest(lever):
    from teachkit.levers import REGISTRY

    return REGISTRY[lever].rest


if __name__ == "__main__":
    raise SystemExit(main())
