"""Every problem with known-right, known-wrong and unattempted answers (learntools style).

The known-right answers are computed here, in tests/, which the grading sandbox cannot
read, never in the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from teachkit.exercises import LESSONS, get_lesson, lesson00, lesson01
from teachkit.exercises._plain import ELLIPSIS, MISSING, to_plain
from teachkit.exercises._problem import INCORRECT, NOT_ATTEMPTED, PASSED, WRITTEN
from teachkit.pipeline import Settings, lesson_cohort, simulate


def _right_00():
    overall = simulate().consequences.overall.iloc[0]
    change = simulate(Settings(model="logistic")).versus_baseline()
    return {
        "crises_per_1000": float(overall["crises"]),
        "needless_toy": 146.0,
        "grid_counts": {"caught": 2, "missed": 2, "needless": 4},
        "change_in_caught": float(change.loc[("all", "all patients"), "caught"]),
    }


def flag_top(scores, capacity):
    k = int(round(capacity * len(scores)))
    flags = np.zeros(len(scores), dtype=bool)
    if k:
        flags[np.argsort(scores, kind="stable")[-k:]] = True
    return flags


def _right_01():
    cohort = lesson_cohort()
    flags = ((cohort["phq9_total"] >= 10) | (cohort["phq9"] > 0)).to_numpy()
    y = cohort["crisis_90d"].to_numpy().astype(bool)
    rule_caught = (flags & y).sum()
    scores = simulate(Settings(model="logistic")).scores
    steps = [round(0.005 * k, 3) for k in range(1, 101)]
    best = max(t for t in steps if (y & (scores >= t)).sum() >= rule_caught)
    missed = simulate(Settings(model="logistic")).consequences.by_group.loc[
        "ethnicity", "missed"]
    return {
        "rule_flagged_per_1000": pd.Series(flags).mean() * 1000,  # a numpy float
        "rule_sensitivity": rule_caught / y.sum(),
        "flag_top": flag_top,
        "largest_threshold": best,
        "worst_group_missed": missed.idxmax(),
        "needless_per_caught": (flags & ~y).sum() / rule_caught,
    }


def _wrong_00():
    right = _right_00()
    return {
        "crises_per_1000": right["crises_per_1000"] / 1000,  # a share, not per 1,000
        "needless_toy": 365,  # a count, not per 1,000
        "grid_counts": {"caught": 2, "missed": 4, "needless": 2},
        "change_in_caught": -right["change_in_caught"],  # wrong sign
    }


def _wrong_01():
    return {
        "rule_flagged_per_1000": 1000 * (lesson_cohort()["phq9_total"] >= 10).mean(),
        "rule_sensitivity": 0.07,
        "flag_top": lambda scores, capacity: scores > 0.5,
        "largest_threshold": 0.5,
        "worst_group_missed": "Asian",
        "needless_per_caught": 0.08,
    }


def top_shares(scores, groups, capacity):
    k = int(round(capacity * len(scores)))
    enrolled = groups[np.argsort(-scores, kind="stable")[:k]]
    return {g: (enrolled == g).sum() / k for g in np.unique(groups)}


def _right_02():
    programme = Settings(model="logistic", policy="capacity", capacity=0.03)
    sens = simulate(programme).consequences.metric_frames["ethnicity"].by_group["sensitivity"]
    shares = {label: simulate(programme.replace(label=label)).programme_shares()
              .loc["Black", "in_programme"] for label in ("crisis", "cost", "diagnosis")}
    unrecorded = simulate(Settings(model="logistic", self_harm_unrecorded=1.0))
    relabel = simulate(programme.replace(mitigation="relabel"))
    return {
        "sensitivity_gap": sens["Black"] - sens["White"],
        "black_share_cost": shares["cost"],
        "fairest_label": max(shares, key=shares.get),
        "top_shares": top_shares,
        "missed_black_unrecorded": unrecorded.consequences.by_group.loc[
            ("ethnicity", "Black"), "missed"],
        "relabel_change_in_caught": relabel.versus_baseline().loc[
            ("all", "all patients"), "caught"],
    }


def _wrong_02():
    right = _right_02()
    return {
        "sensitivity_gap": -right["sensitivity_gap"],  # White minus Black
        "black_share_cost": 100 * right["black_share_cost"],  # a percentage
        "fairest_label": "cost",
        "top_shares": lambda scores, groups, capacity: {g: 1 / len(set(groups))
                                                        for g in set(groups)},
        "missed_black_unrecorded": right["missed_black_unrecorded"] / 1000,
        "relabel_change_in_caught": -right["relabel_change_in_caught"],
    }


from test_lesson03_problems import right_03, wrong_03  # noqa: E402
from test_lesson04_problems import right_04, wrong_04  # noqa: E402
from test_lesson05_problems import right_05, wrong_05  # noqa: E402
from test_lesson06_problems import right_06, wrong_06  # noqa: E402
from test_lesson08_problems import right_08, wrong_08  # noqa: E402

RIGHT = {"00": _right_00, "01": _right_01, "02": _right_02, "03": right_03, "04": right_04,
         "05": right_05, "06": right_06, "08": right_08}
WRONG = {"00": _wrong_00, "01": _wrong_01, "02": _wrong_02, "03": wrong_03, "04": wrong_04,
         "05": wrong_05, "06": wrong_06, "08": wrong_08}
CASES = [(lesson_id, p) for lesson_id, lesson in LESSONS.items() for p in lesson.problems
         if p.kind != "reflection"]


@pytest.fixture(scope="module")
def answers():
    return {k: (RIGHT[k](), WRONG[k]()) for k in LESSONS}


@pytest.mark.parametrize("lesson_id, problem", CASES, ids=lambda x: getattr(x, "name", x))
def test_right_answer_passes(answers, lesson_id, problem):
    right, _ = answers[lesson_id]
    outcome = problem.judge(problem.answer_from({problem.inspects: right[problem.inspects]}))
    assert outcome.status == PASSED, outcome.message
    assert outcome.points == problem.points > 0


@pytest.mark.parametrize("lesson_id, problem", CASES, ids=lambda x: getattr(x, "name", x))
def test_wrong_answer_fails_and_names_it(answers, lesson_id, problem):
    _, wrong = answers[lesson_id]
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
        right = answers[lesson_id][0][problem.inspects]
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
