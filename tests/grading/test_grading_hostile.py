"""Each hostile or broken submission gets the right status and score; the run completes."""

from __future__ import annotations

import json
import os

import pytest
from make_submissions import EXPECTED

pytestmark = pytest.mark.slow


def test_every_submission_is_in_the_gradebook(hostile_run):
    assert sorted(hostile_run["rows"]) == sorted(EXPECTED)


@pytest.mark.parametrize("trainee", sorted(EXPECTED))
def test_status_and_score(hostile_run, trainee):
    status, score = EXPECTED[trainee]
    row = hostile_run["rows"][trainee]
    assert (row["status"], float(row["total"])) == (status, score), row["notes"]


def test_monkeypatching_the_checker_is_seen_and_earns_nothing(hostile_run):
    result = hostile_run["results"]["monkeypatches_checker"]
    assert "Problem.judge" in " ".join(result.notes)
    assert result.score == hostile_run["results"]["wrong"].score  # its real answers only


def test_forged_answer_record_is_ignored(hostile_run):
    result = hostile_run["results"]["overwrites_results"]
    assert any("imitates" in n for n in result.notes)
    by_name = {o["problem"]: o for o in result.outcomes}
    assert by_name["q2"]["status"] == "incorrect"  # the forged 0.688 was not used


def test_results_files_were_not_overwritten(hostile_run):
    for path in (hostile_run["out"] / ".grading" / "results").glob("*.json"):
        data = json.loads(path.read_text())
        assert data["trainee"] and data["outcomes"], path
    assert not (hostile_run["folder"] / "gradebook.csv").exists()


def test_network_and_solutions_were_out_of_reach(hostile_run):
    network = " ".join(hostile_run["results"]["network"].notes)
    assert "Network is unreachable" in network
    reads = " ".join(hostile_run["results"]["reads_solutions"].notes)
    assert "FileNotFoundError" in reads and "solutions" in reads


def test_memory_cap_and_time_limits(hostile_run):
    assert "MemoryError" in " ".join(hostile_run["results"]["memory_hog"].notes)
    notes = " ".join(hostile_run["results"]["loop_ignoring_interrupt"].notes)
    assert "total time limit" in notes


def test_feedback_and_reflections_written(hostile_run):
    out = hostile_run["out"]
    for trainee in EXPECTED:
        assert (out / "feedback" / f"{trainee}.md").exists()
    page = (out / "reflections.html").read_text()
    assert page.count("<blockquote>") == sum(
        1 for r in hostile_run["results"].values() if "r1" in r.reflections)
    assert "correct" in page


def test_lms_exports(hostile_run):
    out = hostile_run["out"]
    canvas = (out / "lms-canvas.csv").read_text().splitlines()
    assert canvas[0].startswith("Student,ID,SIS User ID,SIS Login ID,Section,")
    assert canvas[1].startswith("Points Possible")
    assert len(canvas) == 2 + len(EXPECTED)
    moodle = (out / "lms-moodle.csv").read_text().splitlines()
    assert moodle[0].startswith("username,") and len(moodle) == 1 + len(EXPECTED)


def test_no_sandbox_process_left_behind(hostile_run):
    # A sandbox whose scratch folder is gone belongs to a finished grading: it must be dead.
    orphans = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                args = fh.read().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"teachkit/grading/_jail.py") for a in args):
            spec = args[args.index(b"--") - 1] if b"--" in args else b""
            if not os.path.exists(spec):
                orphans.append((pid, spec))
    assert not orphans
