"""The ``teachkit grade`` command (added to ``teachkit``'s parser by :func:`add_commands`)."""

from __future__ import annotations

import argparse
import sys

from .._validation import TeachkitError

__all__ = ["add_commands"]


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0, got {text!r}")
        return value
    return parse


def _grade(args) -> int:
    from .reports import CANVAS, GRADEBOOK, MOODLE, REFLECTIONS
    from .run import grade_folder
    from .sandbox import Limits

    if args.jobs < 1:
        raise TeachkitError(f"--jobs must be at least 1. Got {args.jobs} instead.")
    limits = Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.timeout,
                    memory_mb=args.memory)
    try:
        results, out = grade_folder(args.submissions, lesson=args.lesson, out=args.out,
                                    jobs=args.jobs, limits=limits, sandbox=args.sandbox,
                                    progress=not args.no_progress)
    except KeyboardInterrupt:
        print("teachkit: stopped; graded notebooks are kept. Run the same command to "
              "continue.", file=sys.stderr)
        return 130
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"teachkit: graded {len(results)} submissions ({summary})")
    print(f"teachkit: gradebook   {out / GRADEBOOK}")
    print(f"teachkit: feedback    {out / 'feedback'}/<trainee>.md")
    print(f"teachkit: reflections {out / REFLECTIONS}")
    print(f"teachkit: LMS import  {out / CANVAS} (Canvas), {out / MOODLE} (Moodle)")
    return 0


def add_commands(subparsers) -> None:
    """Add ``grade`` to the ``teachkit`` command's subparsers."""
    grade = subparsers.add_parser(
        "grade", help="grade a folder of submitted exercise notebooks into a gradebook",
        description="Run every submitted notebook in its own sandbox (no network, time "
                    "and memory limits, solutions hidden), judge the answers, and write "
                    "gradebook.csv, feedback per trainee, the reflections and LMS CSVs. "
                    "Re-running continues an interrupted run.")
    grade.add_argument("submissions", help="folder with one notebook (or one folder) per "
                                           "trainee")
    grade.add_argument("--lesson", default=None,
                       help="lesson id, e.g. 01 (default: read from the notebooks)")
    grade.add_argument("--out", default=None,
                       help="output folder (default: SUBMISSIONS-graded beside it)")
    grade.add_argument("--jobs", type=int, default=2,
                       help="notebooks graded at once (default 2: one per core)")
    grade.add_argument("--cell-timeout", type=_positive(float), default=60.0,
                       help="seconds one cell may run (default 60)")
    grade.add_argument("--timeout", type=_positive(float), default=300.0,
                       help="seconds a whole notebook may run (default 300)")
    grade.add_argument("--memory", type=_positive(int), default=3072,
                       help="memory cap per notebook in MiB (default 3072)")
    grade.add_argument("--sandbox", default="auto", choices=("auto", "root", "userns", "none"),
                       help="containment (default auto: root if run as root, else a user "
                            "namespace; 'none' only for notebooks you trust)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.set_defaults(func=_grade)
