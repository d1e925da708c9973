"""Grade the folder of hostile and broken submissions once, for every test to read."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from make_submissions import write_not_a_notebook, write_runtime_submissions

from teachkit.grading import Limits, grade_folder

# The submissions are data for the grader, not notebooks for nbval to run.
collect_ignore_glob = ["submissions/*"]

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
#: Short limits keep the suite quick, yet leave a loaded 2-core machine time to run the
#: whole lesson (the "correct", "wrong" and cheating notebooks) and each cell of it.
TEST_LIMITS = Limits(cell_timeout=15, notebook_timeout=45, memory_mb=3072)
#: The notebooks that run away spend their limit, whatever it is: one ignores interrupts
#: (stopped at the notebook limit), one loops in a cell (interrupted at the cell limit),
#: one answers with a function that never returns (each call stopped at its share of the
#: cell limit). They are graded first under short limits (the grader's own option;
#: the defaults are tested in test_sandbox_limits.py), then the class, resumed in the
#: same output folder, keeps their results (a run is resumable).
RUNAWAYS = ("loop_ignoring_interrupt", "infinite_loop", "bad_answers")
RUNAWAY_LIMITS = Limits(cell_timeout=6, notebook_timeout=20, memory_mb=3072)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "submissions"
    shutil.copytree(SUBMISSIONS, folder, ignore=shutil.ignore_patterns("ruff.toml"))
    write_not_a_notebook(folder)
    write_runtime_submissions(folder)
    out = base / "graded"
    runaways = base / "runaways"
    for trainee in RUNAWAYS:
        shutil.copytree(folder / trainee, runaways / trainee)
    grade_folder(runaways, lesson="01", out=out, jobs=2, limits=RUNAWAY_LIMITS,
                 progress=False, log=lambda msg: None)
    results, out = grade_folder(folder, lesson="01", out=out, jobs=2, limits=TEST_LIMITS,
                                progress=False, log=lambda msg: None)
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as fh:
        # the gradebook keeps the results' order (its trainee cells may be guarded)
        rows = {r.trainee: row for r, row in zip(results, csv.DictReader(fh), strict=True)}
    return {"results": {r.trainee: r for r in results}, "rows": rows, "out": out,
            "folder": folder}
