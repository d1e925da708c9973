"""Benchmark of lesson 04: the capacity trade-off it teaches, and how fast its app updates.

Not a test: it prints

- the REACH VET capacity trade-off on the lessons' 60,000 synthetic patients (top 0.1 %,
  1 % and 5 % of risk, one reviewer doing 10 reviews a day): flags a day, reviews and
  crises caught per 1,000 patients, the share of all crises the tier flags, PPV, reviewer
  hours and crises caught per reviewer-hour, and crises caught per 1,000 by ethnicity;
- the kernel-side time of a lever move in the oversight lab (``OversightLab``, no
  browser): each lever moved to a new value and back, repeatedly, with the median and
  p95 (the lessons' goal: p95 at most 150 ms).

Usage::

    .venv/bin/python benchmarks/bench_oversight.py [--rounds 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from teachkit.oversight import OversightSettings, capacity_tradeoff
from teachkit.ui.oversight import OversightLab

GOAL_P95_MS = 150.0
MOVES = (("oversight", "model_alone"), ("oversight", "dropped"), ("review_capacity", 25),
         ("review_capacity", 40), ("flag_tier", "top_0.1"), ("flag_tier", "top_5"),
         ("threshold", 0.08), ("reviewer_accuracy", 0.9), ("automation_bias", 0.2),
         ("explanation", "shown"), ("training", "trained"), ("escalation", "item9"),
         ("other_alerts", 2))


def tradeoff() -> dict:
    settings = OversightSettings(model="logistic")
    table = capacity_tradeoff(settings)
    groups = capacity_tradeoff(settings, attribute="ethnicity")
    print("Capacity trade-off (logistic model, one reviewer, 10 reviews a day):")
    print(table.drop(columns="share").round(3).to_string())
    print("\nCrises caught per 1,000 patients of each ethnic group:")
    print(groups.round(2).to_string())
    return {"overall": table.round(4).to_dict(orient="index"),
            "caught_by_ethnicity": groups.round(3).to_dict(orient="index")}


def update_times(rounds: int) -> dict:
    lab = OversightLab()
    rest = lab.panel.settings
    times, cpu = {}, []
    for _ in range(rounds):
        for lever, value in MOVES:
            for target in (value, getattr(rest, lever)):
                start, start_cpu = time.perf_counter(), time.process_time()
                lab.panel.rows[lever].value = target
                times.setdefault(lever, []).append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
                assert lab.banner.message == "", lab.banner.message
    every = [t for ts in times.values() for t in ts]
    first = {lever: round(1000 * ts[0], 1) for lever, ts in times.items()}
    out = {"median_ms": round(1000 * statistics.median(every), 1),
           "p95_ms": round(1000 * float(np.percentile(every, 95)), 1),
           "max_ms": round(1000 * max(every), 1), "moves": len(every),
           "cpu_median_ms": round(1000 * statistics.median(cpu), 1),
           "cpu_p95_ms": round(1000 * float(np.percentile(cpu, 95)), 1),
           "first_move_ms": first}
    print(f"\nKernel-side lever update (OversightLab, {len(every)} moves): median "
          f"{out['median_ms']} ms, p95 {out['p95_ms']} ms (goal {GOAL_P95_MS:.0f} ms), "
          f"max {out['max_ms']} ms; CPU time median {out['cpu_median_ms']} ms, p95 "
          f"{out['cpu_p95_ms']} ms (wall time includes waiting for a busy machine's cores)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args()
    figures = {"tradeoff": tradeoff(), "update": update_times(args.rounds)}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, indent=2)


if __name__ == "__main__":
    main()
