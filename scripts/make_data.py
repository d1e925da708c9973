"""Regenerate the committed synthetic cohort and its data card.

Writes, from the code alone:

- ``data/synthetic/cohort.csv``: ``teachkit.pipeline.lesson_cohort(**DEFAULT_COHORT)``
  (60,000 synthetic primary-care patients, seed 2024, at the sourced crisis rate),
  written by
  :func:`teachkit.io.save_cohort` (byte-for-byte reproducible);
- ``data/synthetic/DATACARD.md``: :func:`teachkit.datacard.render_datacard`.

``tests/unit/test_datacard.py`` fails when either committed file differs from what this
script makes, so run it (``make data``) after any change to the generator or the card.

Usage::

    .venv/bin/python scripts/make_data.py [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from teachkit.datacard import render_datacard
from teachkit.io import save_cohort
from teachkit.pipeline import DEFAULT_COHORT, lesson_cohort

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data" / "synthetic"
#: The committed CSV must stay small enough to live in git comfortably: 60,000 patients
#: are about 12 MB of text, which git stores compressed (about 2.3 MB).
MAX_CSV_BYTES = 13_000_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DATA_DIR,
                        help=f"where to write the files (default {DATA_DIR})")
    args = parser.parse_args(argv)

    cohort = lesson_cohort(**DEFAULT_COHORT)
    csv_path = save_cohort(cohort, args.out_dir / "cohort.csv")
    card_path = args.out_dir / "DATACARD.md"
    card_path.write_text(render_datacard(cohort), encoding="utf-8", newline="\n")

    size = csv_path.stat().st_size
    print(f"wrote {csv_path} ({len(cohort):,} synthetic patients, {size / 1e6:.2f} MB)")
    print(f"wrote {card_path}")
    if size > MAX_CSV_BYTES:
        print(f"warning: {csv_path.name} is over {MAX_CSV_BYTES / 1e6:.0f} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
