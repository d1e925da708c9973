"""Exercises with instant feedback, and the lessons the grader reads.

Each lesson's problems live in a module (:mod:`.lesson00`, :mod:`.lesson01`, ...) that
declares, at its top, ``LESSON = "01"``, ``SLUG = "01-cohort-and-model"`` (its sheet's
name) and ``TITLE``. :data:`LESSONS` is computed from the modules on disk: a new
``lessonNN.py`` is a new lesson, with no list to edit.
A trainee imports the views and checks their answers::

    from teachkit.exercises.lesson01 import q1
    rule_flagged_per_1000 = 181.1
    q1.check()     # ✔ Correct / ✘ Not yet: ... / … Not attempted
    q1.hint()      # the next hint

The notebooks are built from one source per lesson (``solutions/source/``) by
``scripts/build_exercises.py``; see docs/grading.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .._validation import TeachkitError
from ..lessons import Lesson
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
    "Incorrect", "LESSONS", "Lesson", "find_exercises", "get_lesson",
]

#: What every ``lessonNN.py`` declares at module level, as plain strings.
DECLARED = ("LESSON", "SLUG", "TITLE")


def read_exercises(path: str | Path, package: str = __name__) -> Lesson:
    """The lesson a ``lessonNN.py`` declares (``LESSON``, ``SLUG``, ``TITLE``), read
    without importing it.

    Raises
    ------
    TeachkitError
        If a declaration is missing, is not a plain string, or ``LESSON`` is not the
        number in the file's name.
    """
    path = Path(path)
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in DECLARED):
            value = node.value
            found[node.targets[0].id] = (value.value if isinstance(value, ast.Constant)
                                         and isinstance(value.value, str) else None)
    number = path.stem.removeprefix("lesson")
    wanted = {"LESSON": number, "SLUG": f"{number}-short-name", "TITLE": "Its title"}
    wrong = [name for name in DECLARED if not found.get(name)]
    if wrong:
        raise TeachkitError(
            f"{path.name} must declare {', '.join(wrong)} as plain strings at module "
            "level, e.g. " + "; ".join(f"{n} = {wanted[n]!r}" for n in DECLARED) + ".")
    if found["LESSON"] != number:
        raise TeachkitError(f"{path.name} declares LESSON = {found['LESSON']!r}; it must "
                            f"be {number!r}, the number in its file name.")
    return Lesson(path=None, number=number, title=found["TITLE"], slug=found["SLUG"],
                  module=f"{package}.{path.stem}")


def find_exercises(folder: str | Path | None = None,
                   package: str = __name__) -> dict[str, Lesson]:
    """Every lesson with exercises: one per ``lessonNN.py`` in ``folder`` (this package's
    own by default), keyed by its number, in order. Adding a lesson's module adds it;
    no list is kept by hand.

    Examples
    --------
    >>> sorted(find_exercises())[:3]
    ['00', '01', '02']
    """
    folder = Path(folder) if folder is not None else Path(__file__).parent
    lessons = [read_exercises(p, package) for p in sorted(folder.glob("lesson[0-9]*.py"))
               if p.stem.removeprefix("lesson").isdigit()]
    return {lesson.id: lesson for lesson in lessons}


LESSONS = find_exercises()


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
