"""One submission's failure is that trainee's status: the grader's side, without kernels."""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from teachkit.exercises import get_lesson
from teachkit.grading.judge import judge_report
from teachkit.grading.reports import _safe_cell, write_reports
from teachkit.grading.run import GradingRun
from teachkit.grading.sandbox import Limits
from teachkit.grading.submissions import (
    Submission,
    find_submissions,
    read_notebook,
    trainee_key,
)

LESSON = get_lesson("01")


@pytest.fixture
def run(tmp_path):
    (tmp_path / "subs").mkdir()
    return GradingRun(tmp_path / "subs", tmp_path / "out", LESSON, limits=Limits(),
                      mode="none", hide=[])


def _report(run, payloads, cells=None):
    n = len(run.spec) + 1
    return {"cells": cells or [{"status": "ok"}] * (2 + n), "payloads": payloads}


def _record(name, answer):
    return json.dumps({"name": name, "answer": answer})


def test_answers_not_collected_are_not_called_tampering(run):
    result = judge_report(LESSON, _report(run, []), run.spec, trainee="a", notebook="n",
                          sha256="")
    assert result.status == "errors" and result.score == 0
    assert all("could not collect" in n for n in result.notes)


def test_a_deeply_nested_record_is_one_answer_lost(run):
    names = list(run.spec)
    payloads = [_record(name, 0.0) for name in names] + [json.dumps({"tampered": []})]
    payloads[0] = "[" * 100_000 + "]" * 100_000
    payloads[1] = _record(names[1], json.loads("[" * 60 + "1" + "]" * 60))
    result = judge_report(LESSON, _report(run, payloads), run.spec, trainee="a",
                          notebook="n", sha256="")
    by_variable = {p.inspects: o for p, o in zip(LESSON.problems, result.outcomes,
                                                 strict=True)}
    assert result.status == "errors"
    assert by_variable[names[0]]["message"] == "Not collected: see the notes."
    assert by_variable[names[1]]["status"] == "incorrect"  # a deep list, judged as wrong
    assert sum(o["message"] == "Not collected: see the notes." for o in result.outcomes) == 1


def test_lone_surrogates_reach_the_reports_as_replacement_characters(run, tmp_path):
    names = list(run.spec)
    text = "A reflection long enough to count as written, with more words than fifteen " \
           "words in it \ud800 and <b>markup</b>."
    payloads = [_record(name, text if name.startswith("reflection") else 0.0)
                for name in names] + [json.dumps({"tampered": []})]
    report = _report(run, payloads)
    report["cells"][1] = {"status": "error", "ename": "ValueError", "evalue": "bad \udcff"}
    result = judge_report(LESSON, report, run.spec, trainee="x\udce9", notebook="n\ud800",
                          sha256="")
    write_reports([result], tmp_path / "out", LESSON)
    page = (tmp_path / "out" / "reflections.html").read_text(encoding="utf-8")
    assert "\ufffd" in page and "&lt;b&gt;markup" in page
    assert "\ufffd" in (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8")


def test_any_failure_of_the_grader_is_one_trainee_status(run, monkeypatch):
    def explode(sub):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(run, "grade", explode)
    result = run.grade_safely(Submission("ana", "ana", None))
    assert result.status == "crashed" and "RecursionError" in result.notes[0]
    assert result.sha256 == "retry"  # graded again by the next run


@pytest.mark.parametrize("metadata", [
    {"teachkit": "lesson 01"}, {"teachkit": {"lesson": ["01"]}}, {"teachkit": None},
    {"teachkit": {"lesson": True}}, {"teachkit": 7},
])
def test_metadata_of_the_wrong_type_is_no_lesson_id(tmp_path, metadata):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata.update(metadata)
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert read_notebook(path) == (None, ["x = 1"], None)


def test_links_fifos_and_huge_files_are_never_read(tmp_path):
    (tmp_path / "real.ipynb").write_text("{}")
    os.symlink(tmp_path / "real.ipynb", tmp_path / "link.ipynb")
    os.mkfifo(tmp_path / "fifo.ipynb")
    with open(tmp_path / "huge.ipynb", "wb") as fh:
        fh.truncate(2 * 1024**3)
    (tmp_path / "deep").mkdir()
    os.symlink("/etc", tmp_path / "deep" / "etc")
    subs = {s.trainee: s for s in find_submissions(tmp_path)}
    assert subs["link"].refused and "symbolic link" in subs["link"].refused
    assert subs["fifo"].refused and "special file" in subs["fifo"].refused
    assert subs["deep"].path is None and "symbolic link" in subs["deep"].refused
    assert "larger than 20 MB" in read_notebook(subs["huge"].path)[2]


def test_distinct_names_get_distinct_keys():
    names = ["José", "Jose", "Josè", "Jos", os.fsdecode(b"Jos\xe9"), "jos", "x" * 80,
             "x" * 81]
    assert len({trainee_key(n) for n in names}) == len(names)
    assert trainee_key("alice") == "alice"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1",
                                  "  =1", "\uff1d1+1"])
def test_formula_guard(text):
    assert _safe_cell(text).startswith("'")


def test_plain_text_is_left_alone():
    assert _safe_cell("Ana López") == "Ana López" and _safe_cell("") == ""


@pytest.mark.parametrize("field, value", [
    ("cell_timeout", float("inf")), ("cell_timeout", float("nan")), ("notebook_timeout", 0),
    ("memory_mb", -5), ("processes", 2.5), ("scratch_mb", True),
])
def test_limits_refuse_values_that_would_mark_everyone_crashed(field, value):
    from teachkit import TeachkitError

    with pytest.raises(TeachkitError, match=f"'{field}' parameter of Limits"):
        Limits(**{field: value})
