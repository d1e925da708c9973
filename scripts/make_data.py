"""Regenerate the synthetic cohort, its committed sample and its data card.

Writes, from the code alone:

- ``data/synthetic/cohort.csv``: ``teachkit.pipeline.lesson_cohort(**DEFAULT_COHORT)``
  (60,000 synthetic primary-care patients, seed 2024, at the sourced crisis rate),
  written by :func:`teachkit.io.save_cohort` (byte-for-byte reproducible). About 12 MB:
  it is not committed (``.gitignore``); ``scripts/setup.sh`` writes it on each machine
  (``--cohort-only``, when it is missing or older than the code that makes it);
- ``data/synthetic/cohort_sample.csv``: :func:`teachkit.datacard.sample_patients` of that
  cohort (5,000 of its patients with their ids, about 1 MB), committed;
- ``data/synthetic/DATACARD.md``: :func:`teachkit.datacard.render_datacard` (its figures
  describe the full cohort).

``tests/unit/test_datacard.py`` fails when the committed sample or card differs from what
this script makes, so run it (``make data``) after any change to the generator or the card.

Usage::

    .venv/bin/python scripts/make_data.py [--out-dir DIR] [--cohort-only]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from teachkit.datacard import render_datacard, sample_patients
from teachkit.io import save_cohort
from teachkit.pipeline import DEFAULT_COHORT, lesson_cohort

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data" / "synthetic"
FULL_NAME = "cohort.csv"
SAMPLE_NAME = "cohort_sample.csv"
#: The committed sample must stay small enough to live in git comfortably (the repository
#: refuses files over 5 MB): 5,000 patients are about 1 MB of text.
MAX_CSV_BYTES = 1_500_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DATA_DIR,
                        help=f"where to write the files (default {DATA_DIR})")
    parser.add_argument("--cohort-only", action="store_true",
                        help=f"write only the full {FULL_NAME} (what scripts/setup.sh does)")
    args = parser.parse_args(argv)

    cohort = lesson_cohort(**DEFAULT_COHORT)
    full_path = save_cohort(cohort, args.out_dir / FULL_NAME)
    print(f"wrote {full_path} ({len(cohort):,} synthetic patients, "
          f"{full_path.stat().st_size / 1e6:.2f} MB; generated, not committed)")
    if args.cohort_only:
        return 0
    sample = sample_patients(cohort)
    sample_path = save_cohort(sample, args.out_dir / SAMPLE_NAME)
    card_path = args.out_dir / "DATACARD.md"
    card_path.write_text(render_datacard(cohort), encoding="utf-8", newline="\n")

    size = sample_path.stat().st_size
    print(f"wrote {sample_path} ({len(sample):,} of those patients, {size / 1e6:.2f} MB)")
    print(f"wrote {card_path}")
    if size > MAX_CSV_BYTES:
        print(f"warning: {sample_path.name} is over {MAX_CSV_BYTES / 1e6:.1f} MB",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
