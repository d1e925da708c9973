"""Compute the typical values the lesson stories quote and commit them.

For each lesson in :data:`teachkit.story_numbers.LESSONS` and each of the 20 seeds in
:data:`teachkit.story_numbers.SEEDS`, computes the numbers its story quotes on a
lesson-size cohort, then writes ``data/synthetic/typical_values.json``: per number, the
value for every seed, the median and the 10th-90th percentile range. The lessons quote
the medians; ``tests/notebooks`` checks the quotes against this file and re-derives a few
seeds to check the file still matches the code. Run it after any change to the generator
or the pipeline (about five minutes).

Usage::

    PYTHONPATH=src .venv/bin/python scripts/typical_values.py [--lessons 01 02]

``--lessons`` recomputes only those lessons and keeps the others' committed entries, so
developers changing different lessons do not recompute (or conflict on) each other's.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from teachkit.story_numbers import LESSONS, SEEDS, story_numbers

OUT = Path(__file__).resolve().parents[1] / "data" / "synthetic" / "typical_values.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", nargs="+", choices=sorted(LESSONS),
                        default=sorted(LESSONS), help="lessons to recompute (default: all)")
    args = parser.parse_args(argv)
    result = {"seeds": list(SEEDS), "lessons": {}}
    if OUT.exists() and set(args.lessons) != set(LESSONS):
        committed = json.loads(OUT.read_text(encoding="utf-8"))
        if committed.get("seeds") == list(SEEDS):
            result["lessons"] = committed["lessons"]
    for lesson in args.lessons:
        per_seed = []
        for i, seed in enumerate(SEEDS):
            print(f"lesson {lesson}: seed {seed} ({i + 1}/{len(SEEDS)})", file=sys.stderr)
            per_seed.append(story_numbers(lesson, seed))
        numbers = {}
        for name in per_seed[0]:
            values = np.array([row[name] for row in per_seed])
            numbers[name] = {
                "median": round(float(np.median(values)), 6),
                "p10": round(float(np.quantile(values, 0.1)), 6),
                "p90": round(float(np.quantile(values, 0.9)), 6),
                "values": [round(float(v), 6) for v in values],
            }
        result["lessons"][lesson] = numbers
    result["lessons"] = {k: result["lessons"][k] for k in LESSONS if k in result["lessons"]}
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
