"""Exercises with instant feedback, and the registry the grader reads.

Each lesson's problems live in a module (:mod:`.lesson00`, :mod:`.lesson01`, ...). A
trainee imports the views and checks their answers::

    from teachkit.exercises.lesson01 import q1
    rule_flagged_per_1000 = 181.1
    q1.check()     # ✔ Correct / ✘ Not yet: ... / … Not attempted
    q1.hint()      # the next hint

The notebooks are built from one source per lesson (``solutions/source/``) by
``scripts/build_exercises.py``; see docs/grading.md.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .._validation import TeachkitError
from ._problem import (
    FunctionProblem,
    Incorrect,
    NotAttempted,
    Outcome,
    Problem,
    ProblemView,
    Reflection,
)

__all__ = [
    "Problem", "FunctionProblem", "Reflection", "ProblemView", "Outcome", "NotAttempted",
    "Incorrect", "LESSONS", "Lesson", "get_lesson",
]


@dataclass(frozen=True)
class Lesson:
    """A lesson's exercises: its id, its notebook's name and its problems' module."""

    id: str
    slug: str
    title: str
    module: str

    @property
    def problems(self) -> tuple[Problem, ...]:
        return importlib.import_module(self.module).PROBLEMS

    @property
    def notebook(self) -> str:
        return f"{self.slug}.ipynb"


LESSONS = {
    "00": Lesson("00", "00-orientation", "Orientation: reading the dashboards",
                 "teachkit.exercises.lesson00"),
    "01": Lesson("01", "01-cohort-and-model", "Meet the cohort and the triage model",
                 "teachkit.exercises.lesson01"),
    "02": Lesson("02", "02-bias-creeps-in", "Bias creeps in", "teachkit.exercises.lesson02"),
    "03": Lesson("03", "03-consent-and-privacy", "Consent and privacy",
                 "teachkit.exercises.lesson03"),
    "04": Lesson("04", "04-who-is-watching", "Who is watching",
                 "teachkit.exercises.lesson04"),
    "05": Lesson("05", "05-explain-it-to-me", "Explain it to me",
                 "teachkit.exercises.lesson05"),
    "06": Lesson("06", "06-it-worked-last-year", "It worked last year",
                 "teachkit.exercises.lesson06"),
    "08": Lesson("08", "08-design-review-board", "Design review board",
                 "teachkit.exercises.lesson08"),
}


def get_lesson(name: str) -> Lesson:
    """The lesson called ``name``: ``"01"``, ``"1"`` or ``"01-cohort-and-model"``."""
    key = str(name).strip()
    for lesson in LESSONS.values():
        if key in (lesson.id, lesson.slug, lesson.notebook) or (
                key.isdigit() and int(key) == int(lesson.id)):
            return lesson
    raise TeachkitError(
        f"No exercises for lesson {name!r}. Lessons with exercises: "
        + ", ".join(f"{lesson.id} ({lesson.slug})" for lesson in LESSONS.values()) + "."
    )
