"""The committed notebooks are built from their sources, and the build is reproducible."""

from __future__ import annotations

import pytest

from teachkit.exercises import LESSONS
from teachkit.exercises.build import (
    _solved,
    _starter,
    build_lesson,
    output_path,
    parse_source,
    render,
    verify,
)


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
@pytest.mark.parametrize("variant", ["exercises", "solutions"])
def test_committed_notebooks_are_up_to_date(lesson_id, variant):
    lesson = LESSONS[lesson_id]
    built = render(build_lesson(lesson, variant))
    committed = output_path(lesson, variant).read_text(encoding="utf-8")
    assert built == committed, "run: .venv/bin/python scripts/build_exercises.py"
    assert render(build_lesson(lesson, variant)) == built  # no random ids or timestamps


def test_trainee_notebooks_hold_no_solution():
    for lesson in LESSONS.values():
        text = output_path(lesson, "exercises").read_text()
        assert "SOLUTION" not in text
        assert "argsort" not in text or lesson.id != "01"


def test_solution_markers():
    source = "x = 41 + 1  # SOLUTION\ndef f():\n    # BEGIN SOLUTION\n    return 1\n" \
             "    # END SOLUTION"
    assert _starter(source) == "x = ...  # your answer\ndef f():\n    ...  # your code here"
    assert _solved(source) == "x = 41 + 1\ndef f():\n    return 1"


def test_parse_source():
    cells = parse_source('# %% [markdown]\n# # Title\n# text\n\n# %% tags=["solution"]\n'
                         "x = 1  # SOLUTION\n")
    assert [(c["type"], c["tags"], c["source"]) for c in cells] == [
        ("markdown", [], "# Title\ntext"), ("code", ["solution"], "x = 1  # SOLUTION")]


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["exercises", "solutions"])
def test_a_solution_that_fails_its_checks_fails_the_build(variant):
    lesson = LESSONS["00"]
    nb = build_lesson(lesson, variant)
    for cell in nb.cells:  # break question 2 in both versions
        if "needless_toy =" in cell.source:
            cell.source = "needless_toy = 365"
    problems = verify(lesson, variant, nb)
    assert any("q2" in p for p in problems)
