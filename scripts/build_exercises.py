#!/usr/bin/env python
"""Build exercises/<lesson>.ipynb and solutions/<lesson>.ipynb from solutions/source/.

    python scripts/build_exercises.py            build, after checking that every
                                                 solution passes its own checks
    python scripts/build_exercises.py --check    only say whether the committed
                                                 notebooks are up to date (exit 1 if not)
    python scripts/build_exercises.py --lesson 01 --no-verify
"""

import argparse
import sys

from teachkit.exercises import get_lesson
from teachkit.exercises.build import build_all


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed notebooks; write nothing")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip running the notebooks (faster, less safe)")
    parser.add_argument("--lesson", action="append", help="only this lesson (repeatable)")
    args = parser.parse_args()
    lessons = [get_lesson(x) for x in args.lesson] if args.lesson else None
    return build_all(check_only=args.check, run_checks=not args.no_verify, lessons=lessons)


if __name__ == "__main__":
    sys.exit(main())
