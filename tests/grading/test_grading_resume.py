"""A run is resumable: nothing graded twice, nothing lost; bad input gets one clear line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from make_submissions import write_not_a_notebook

from teachkit import TeachkitError
from teachkit.cli import main
from teachkit.grading import grade_folder
from teachkit.grading import run as run_module

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


def _folder(tmp_path, names):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in names:
        if name == "not_a_notebook":
            write_not_a_notebook(folder)
        else:
            shutil.copytree(SUBMISSIONS / name, folder / name)
    return folder


def test_resume_grades_each_submission_once(tmp_path, monkeypatch):
    folder = _folder(tmp_path, ["not_a_notebook", "wrong_lesson"])
    (folder / "late.ipynb").write_text("not yet")
    calls = []
    original = run_module.GradingRun.grade

    def counting(self, sub):
        calls.append(sub.trainee)
        return original(self, sub)

    monkeypatch.setattr(run_module.GradingRun, "grade", counting)
    grade_folder(folder, lesson="01", out=tmp_path / "out", progress=False,
                 log=lambda m: None)
    assert sorted(calls) == ["late", "not_a_notebook", "wrong_lesson"]
    calls.clear()
    (folder / "late.ipynb").write_text("changed: graded again")
    results, out = grade_folder(folder, lesson="01", out=tmp_path / "out", progress=False,
                                log=lambda m: None)
    assert calls == ["late"]
    assert [r.trainee for r in results] == ["late", "not_a_notebook", "wrong_lesson"]
    assert (out / "gradebook.csv").read_text().count("\n") == 4


def test_interrupted_run_keeps_what_was_graded(tmp_path, monkeypatch):
    folder = _folder(tmp_path, ["not_a_notebook", "wrong_lesson"])
    original = run_module.GradingRun.grade

    def interrupt(self, sub):
        if sub.trainee == "wrong_lesson":
            raise KeyboardInterrupt
        return original(self, sub)

    monkeypatch.setattr(run_module.GradingRun, "grade", interrupt)
    with pytest.raises(KeyboardInterrupt):
        grade_folder(folder, lesson="01", out=tmp_path / "out", jobs=1, progress=False,
                     log=lambda m: None)
    saved = sorted(p.stem for p in (tmp_path / "out/.grading/results").glob("*.json"))
    assert saved == ["not_a_notebook"]


@pytest.mark.parametrize("argv, message", [
    (["grade", "/no/such/folder", "--lesson", "01"], "does not exist"),
    (["grade", "{empty}", "--lesson", "01"], "No submissions"),
    (["grade", "{class}", "--lesson", "99"], "No exercises for lesson '99'"),
    (["grade", "{class}", "--lesson", "01", "--jobs", "0"], "--jobs must be at least 1"),
])
def test_cli_errors_are_one_line(tmp_path, capsys, argv, message):
    (tmp_path / "empty").mkdir()
    _folder(tmp_path, ["not_a_notebook"])
    argv = [a.format(empty=tmp_path / "empty", **{"class": tmp_path / "class"}) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("teachkit: error: ") and "\n" not in err and message in err


def test_cli_grades_a_folder(tmp_path, capsys):
    folder = _folder(tmp_path, ["not_a_notebook"])
    assert main(["grade", str(folder), "--lesson", "01", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "graded 1 submissions (1 not a notebook)" in out
    assert (tmp_path / "class-graded" / "gradebook.csv").exists()


def test_out_folder_of_another_lesson_is_refused(tmp_path):
    folder = _folder(tmp_path, ["not_a_notebook"])
    grade_folder(folder, lesson="01", out=tmp_path / "out", progress=False, log=lambda m: 0)
    with pytest.raises(TeachkitError, match="already holds grades for lesson 01"):
        grade_folder(folder, lesson="00", out=tmp_path / "out", progress=False,
                     log=lambda m: 0)


def test_sandbox_modes_are_validated():
    from teachkit.grading.sandbox import detect_mode

    with pytest.raises(TeachkitError, match="must be one of auto, root, userns, none"):
        detect_mode("docker")
    assert detect_mode("none") == "none"
