"""Compute the typical values lesson 06's story quotes and commit them.

The twin of ``scripts/typical_values.py`` for lesson 06 (a file of its own): runs
:func:`teachkit.monitor.story.story_numbers_06` over the 20 seeds of
:data:`teachkit.story_numbers.SEEDS` and writes ``data/synthetic/typical_values_06.json``
(per number: every seed's value, the median and the 10th-90th percentiles). About two
minutes.

Usage::

    PYTHONPATH=src .venv/bin/python scripts/typical_values_06.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from teachkit.monitor.story import story_numbers_06
from teachkit.story_numbers import SEEDS

OUT = Path(__file__).resolve().parents[1] / "data" / "synthetic" / "typical_values_06.json"


def main() -> int:
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
