"""Every problem with known-right, known-wrong and unattempted answers (learntools style).

Each lesson's known-right and known-wrong answers are ``right_NN()`` / ``wrong_NN()`` in
its own ``test_lessonNN_problems.py``, found by those names: a new lesson adds its file,
never a line here. They are computed in tests/, which the grading sandbox cannot read,
never in the package.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_lesson01_problems import flag_top

from teachkit.exercises import LESSONS, get_lesson, lesson00, lesson01
from teachkit.exercises._plain import ELLIPSIS, MISSING, to_plain
from teachkit.exercises._problem import INCORRECT, NOT_ATTEMPTED, PASSED, WRITTEN
from teachkit.pipeline import simulate

HERE = Path(__file__).parent


def known_answers(lesson_id: str):
    """``right_NN`` and ``wrong_NN`` from ``test_lessonNN_problems.py`` beside this file,
    found by their names (a new lesson adds its own file; no list here); None if absent."""
    name = f"test_lesson{lesson_id}_problems"
    if not (HERE / f"{name}.py").exists():
        return None
    module = importlib.import_module(name)
    right, wrong = (getattr(module, f"{kind}_{lesson_id}", None) for kind in ("right", "wrong"))
    return (right, wrong) if right and wrong else None


CASES = [(lesson_id, p) for lesson_id, lesson in LESSONS.items()
         if known_answers(lesson_id) for p in lesson.problems if p.kind != "reflection"]


@pytest.fixture(scope="module")
def answers():
    computed = {}

    def of(lesson_id):
        if lesson_id not in computed:
            right, wrong = known_answers(lesson_id)
            computed[lesson_id] = (right(), wrong())
        return computed[lesson_id]

    return of


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_every_lesson_has_known_right_and_wrong_answers(lesson_id):
    assert known_answers(lesson_id), (
        f"lesson {lesson_id} needs right_{lesson_id}() and wrong_{lesson_id}() (a dict of "
        f"answers by variable) in tests/exercises/test_lesson{lesson_id}_problems.py")


def test_known_answers_are_found_by_convention(tmp_path, monkeypatch):
    (tmp_path / "test_lesson97_problems.py").write_text(
        "def right_97():\n    return {'x': 1}\n\n\ndef wrong_97():\n    return {'x': 2}\n")
    (tmp_path / "test_lesson98_problems.py").write_text("def right_98():\n    return {}\n")
    monkeypatch.setattr(f"{__name__}.HERE", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    right, wrong = known_answers("97")
    assert (right(), wrong()) == ({"x": 1}, {"x": 2})
    assert known_answers("98") is None and known_answers("99") is None


@pytest.mark.parametrize("lesson_id, problem", CASES, ids=lambda x: getattr(x, "name", x))
def test_right_answer_passes(answers, lesson_id, problem):
    right, _ = answers(lesson_id)
    outcome = problem.judge(problem.answer_from({problem.inspects: right[problem.inspects]}))
    assert outcome.status == PASSED, outcome.message
    assert outcome.points == problem.points > 0


@pytest.mark.parametrize("lesson_id, problem", CASES, ids=lambda x: getattr(x, "name", x))
def test_wrong_answer_fails_and_names_it(answers, lesson_id, problem):
    _, wrong = answers(lesson_id)
    outcome = problem.judge(problem.answer_from({problem.inspects: wrong[problem.inspects]}))
    assert outcome.status == INCORRECT
    assert outcome.points == 0
    assert problem.inspects in outcome.message or "flag_top" in outcome.message


@pytest.mark.parametrize("lesson_id, problem", CASES, ids=lambda x: getattr(x, "name", x))
@pytest.mark.parametrize("namespace", [{}, "ellipsis"])
def test_unattempted(lesson_id, problem, namespace):
    if namespace == "ellipsis":
        namespace = {problem.inspects: ...}
    outcome = problem.judge(problem.answer_from(namespace))
    assert outcome.status == NOT_ATTEMPTED
    assert outcome.points == 0


def test_a_starter_function_is_not_attempted():
    def flag_top(scores, capacity):
        ...

    outcome = lesson01.Q3.judge(lesson01.Q3.answer_from({"flag_top": flag_top}))
    assert outcome.status == NOT_ATTEMPTED


@pytest.mark.parametrize("message_part, value", [
    ("share of all patients", 0.01925),
    ("not a usable number", float("nan")),
    ("should be a single number", "about twenty"),
])
def test_messages_name_the_trainees_value(message_part, value):
    outcome = lesson00.Q1.judge(to_plain(value))
    assert outcome.status == INCORRECT
    if message_part == "share of all patients":
        value = simulate().consequences.overall["crises"].iloc[0] / 1000
        outcome = lesson00.Q1.judge(to_plain(value))
    assert message_part in outcome.message


def test_hints_do_not_give_the_answer_away(answers):
    for lesson_id, problem in CASES:
        right = answers(lesson_id)[0][problem.inspects]
        if isinstance(right, int | float | np.floating):
            for hint in problem.hints:
                assert f"{float(right):.3g}" not in hint


def test_flag_top_grading_cases_catch_an_off_by_one():
    rng = np.random.default_rng(1)
    cases = lesson01.Q3.extraction(rng)["cases"]
    assert len(cases) > len(lesson01.Q3.public_cases())
    from teachkit.exercises._plain import call_answer

    def floor_k(scores, capacity):  # int() instead of round(): wrong on some inputs
        k = int(capacity * len(scores))
        flags = np.zeros(len(scores), dtype=bool)
        if k:
            flags[np.argsort(scores)[-k:]] = True
        return flags

    plain = {"__type__": "calls", "cases": cases,
             "outcomes": [call_answer(floor_k, c) for c in cases]}
    assert lesson01.Q3.judge(plain).status == INCORRECT


def test_a_function_that_changes_its_input_fails():
    def sorts_in_place(scores, capacity):
        scores.sort()
        return flag_top(scores, capacity)

    outcome = lesson01.Q3.judge(lesson01.Q3.answer_from({"flag_top": sorts_in_place}))
    assert outcome.status == INCORRECT and "changed its input" in outcome.message


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_reflections_are_never_passed(lesson_id):
    reflections = [p for p in LESSONS[lesson_id].problems if p.kind == "reflection"]
    assert reflections, "every lesson has at least one reflection"
    for p in reflections:
        text = "A missed crisis harms the patient; a needless escalation costs " * 3
        outcome = p.judge(to_plain(text))
        assert outcome.status == WRITTEN and not outcome.passed and outcome.points == 0
        assert p.judge(to_plain("too short")).status == NOT_ATTEMPTED
        assert p.judge(dict(MISSING)).status == NOT_ATTEMPTED


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_each_lesson_has_enough_questions(lesson_id):
    problems = LESSONS[lesson_id].problems
    assert sum(p.kind != "reflection" for p in problems) >= 4
    assert len({p.name for p in problems}) == len(problems)
    assert len({p.inspects for p in problems}) == len(problems)


def test_view_reads_the_callers_variables():
    crises_per_1000 = ...  # noqa: F841  (read from the namespace below)
    outcome = lesson00.q1.check({"crises_per_1000": ...})
    assert outcome.status == NOT_ATTEMPTED
    assert "still `...`" in str(outcome) and "Not attempted" in outcome._repr_html_()
    assert "q1" in repr(lesson00.q1)
    first, second = lesson00.q1.hint(), lesson00.q1.hint()
    assert (first.number, second.number) == (1, 2)


#: The checked questions and reflections each lesson's issue asked for, at least.
LEAST = {"02": (5, 2), "03": (5, 2), "04": (5, 2), "05": (5, 2), "06": (5, 2), "07": (5, 2),
         "08": (4, 2)}


@pytest.mark.parametrize("lesson_id", sorted(LESSONS))
def test_each_lesson_is_registered_for_the_grader(lesson_id):
    lesson = LESSONS[lesson_id]
    assert get_lesson(str(int(lesson_id))) is get_lesson(lesson.slug) is lesson
    assert lesson.problems is importlib.import_module(lesson.module).PROBLEMS
    checked, reflections = LEAST.get(lesson_id, (4, 1))
    assert sum(p.kind == "reflection" for p in lesson.problems) >= reflections
    assert sum(p.kind != "reflection" for p in lesson.problems) >= checked


def test_get_lesson_accepts_ids_and_names():
    assert get_lesson("1") is get_lesson("01") is get_lesson("01-cohort-and-model")


@pytest.mark.parametrize("value", [3, 2.5, "text", None, True, [1, 2], ..., np.int64(3),
                                   np.array([1.0, 2.0]), pd.Series([1, 2], name="a"),
                                   pd.DataFrame({"a": [1]}), {"k": 1}])
def test_plain_roundtrip_is_json(value):
    import json

    from teachkit.exercises._plain import from_plain

    plain = to_plain(value)
    assert json.loads(json.dumps(plain)) == plain
    back = from_plain(plain)
    if isinstance(value, np.ndarray):
        assert np.array_equal(back, value)
    elif isinstance(value, pd.Series | pd.DataFrame):
        assert back.equals(value) or (back.values == value.values).all()
    elif value is ...:
        assert plain == ELLIPSIS
    else:
        assert back == value
