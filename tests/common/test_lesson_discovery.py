"""Lessons are discovered, never listed: a new lesson needs no edit of a shared registry.

The exercises' lessons come from the ``exercises/lessonNN.py`` modules on disk (each
declares its own ``LESSON`` / ``SLUG`` / ``TITLE``), the served lessons from the
notebooks in ``notebooks/``; both are the one :class:`teachkit.lessons.Lesson`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import teachkit.exercises as exercises
from teachkit._validation import TeachkitError
from teachkit.exercises import LESSONS, find_exercises, get_lesson
from teachkit.lessons import Lesson, find_lessons

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(exercises.__file__).parent

MODULE = '''"""Exercises of lesson 42, a lesson written after this test."""

LESSON = "42"
SLUG = "42-the-answer"
TITLE = "The answer"
PROBLEMS = ()
'''


def test_a_new_lesson_module_is_discovered_with_no_registry_edit(tmp_path):
    (tmp_path / "lesson42.py").write_text(MODULE)
    (tmp_path / "lesson_helpers.py").write_text("X = 1\n")  # not a lesson
    found = find_exercises(tmp_path, package="extra")
    assert list(found) == ["42"]
    lesson = found["42"]
    assert isinstance(lesson, Lesson)
    assert (lesson.id, lesson.slug, lesson.title, lesson.module, lesson.notebook) == (
        "42", "42-the-answer", "The answer", "extra.lesson42", "42-the-answer.ipynb")


def test_the_registry_is_every_module_on_disk():
    on_disk = sorted(p.stem.removeprefix("lesson") for p in PACKAGE.glob("lesson[0-9]*.py"))
    assert sorted(LESSONS) == on_disk and len(on_disk) >= 7
    for number, lesson in LESSONS.items():
        assert lesson.module == f"teachkit.exercises.lesson{number}"
        assert lesson.problems, f"lesson {number} has no PROBLEMS"
        assert get_lesson(number) is lesson is get_lesson(lesson.slug)


@pytest.mark.parametrize("body, part", [
    ('LESSON = "42"\nTITLE = "T"\n', "must declare SLUG"),
    ('LESSON = "42"\nSLUG = 42\nTITLE = "T"\n', "must declare SLUG"),
    ('LESSON = "24"\nSLUG = "42-x"\nTITLE = "T"\n', "it must be '42'"),
])
def test_a_bad_declaration_is_named_in_one_line(tmp_path, body, part):
    (tmp_path / "lesson42.py").write_text(body)
    with pytest.raises(TeachkitError, match=part) as err:
        find_exercises(tmp_path)
    assert "lesson42.py" in str(err.value) and "\n" not in str(err.value)


def test_every_exercise_sheet_belongs_to_a_served_lesson():
    served = {lesson.number: lesson for lesson in find_lessons(ROOT / "notebooks")}
    for number, lesson in LESSONS.items():
        assert number in served, f"exercises of lesson {number} but no notebook for it"
        assert (ROOT / "solutions" / "source" / f"{lesson.slug}.py").exists()


def test_the_browser_harness_serves_every_notebook():
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    try:
        from harness import LESSONS as SERVED
    finally:
        sys.path.remove(str(ROOT / "tests" / "browser"))
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(SERVED.values()) == names
    assert all(name.startswith(number) for number, name in SERVED.items())
