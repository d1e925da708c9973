"""Batch grading an instructor can trust.

Each submission runs in its own sandboxed Jupyter kernel (:mod:`.sandbox`): no network,
a memory cap, time limits per cell and per notebook, the solutions and the grading
output hidden. The sandbox only hands back the answers, as plain data; the checks that
decide the grade run here, in the grader's own process (:mod:`.judge`). Results are
saved one by one, so an interrupted run resumes (:mod:`.run`), and the reports are
written for an instructor and an LMS (:mod:`.reports`). ``teachkit grade`` is the
command (:mod:`.cli`); docs/grading.md is the instructor's guide.
"""

from .judge import STATUSES, Result
from .run import grade_folder
from .sandbox import Limits

__all__ = ["grade_folder", "Limits", "Result", "STATUSES"]
