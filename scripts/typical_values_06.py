"""Compute the typical values lesson 06's story quotes and commit them.

The twin of ``scripts/typical_values.py`` for lesson 06 (a file of its own): runs
:func:`teachkit.monitor.story.story_numbers_06` over the 20 seeds of
:data:`teachkit.story_numbers.SEEDS` and writes ``data/synthetic/typical_values_06.json``
(per number: every seed's value, the median and the 10th-90th percentiles). About two
minutes.

With ``--calibrate-shock`` it first prints what the shock's calibration rule
(:func:`teachkit.monitor.calibration.calibrate_shock_weight`) finds now, beside
:data:`teachkit.monitor.events.SHOCK_SEVERITY_WEIGHT`, and stops (exit 1) if they differ:
put the weight it prints into ``events.py``, then run the script again.

Usage::

    PYTHONPATH=src .venv/bin/python scripts/typical_values_06.py [--calibrate-shock]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from teachkit.monitor.story import story_numbers_06
from teachkit.story_numbers import SEEDS

OUT = Path(__file__).resolve().parents[1] / "data" / "synthetic" / "typical_values_06.json"


def calibrate_shock() -> bool:
    """Print the shock's calibrated weight; whether events.py already holds it."""
    from teachkit.monitor.calibration import WONG_ALERTS_RISE, calibrate_shock_weight
    from teachkit.monitor.events import SHOCK_SEVERITY_WEIGHT

    weight, rise = calibrate_shock_weight()
    print(f"shock: weight {weight:.2f} gives a median alert rise of {100 * rise:.1f} % "
          f"(Wong et al. 2021: {100 * WONG_ALERTS_RISE:.0f} %); events.py holds "
          f"{SHOCK_SEVERITY_WEIGHT:.2f}", file=sys.stderr)
    return weight == SHOCK_SEVERITY_WEIGHT


def main() -> int:
    parser = argparse.ArgumentParser(description="Lesson 06's typical values.")
    parser.add_argument("--calibrate-shock", action="store_true",
                        help="first re-run the shock's calibration and check events.py")
    if parser.parse_args().calibrate_shock and not calibrate_shock():
        return 1
    per_seed = []
    for i, seed in enumerate(SEEDS):
        print(f"lesson 06: seed {seed} ({i + 1}/{len(SEEDS)})", file=sys.stderr)
        per_seed.append(story_numbers_06(seed))
    numbers = {}
    for name in per_seed[0]:
        values = np.array([row[name] for row in per_seed], dtype=float)
        finite = values[np.isfinite(values)]
        numbers[name] = {
            "median": round(float(np.median(finite)), 6) if len(finite) else None,
            "p10": round(float(np.percentile(finite, 10)), 6) if len(finite) else None,
            "p90": round(float(np.percentile(finite, 90)), 6) if len(finite) else None,
            "values": [None if not np.isfinite(v) else round(float(v), 6) for v in values],
        }
    OUT.write_text(json.dumps({"seeds": list(SEEDS), "lessons": {"06": numbers}},
                              indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
