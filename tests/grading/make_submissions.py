"""Make the folder of hostile and broken lesson-01 submissions the grading tests use.

    .venv/bin/python tests/grading/make_submissions.py

Each trainee's folder under tests/grading/submissions/ holds one notebook, made from the
built exercise or solution notebook plus a few cells; EXPECTED says how each must be
graded. Re-run after rebuilding the lesson notebooks.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "submissions"
NOTEBOOK = "01-cohort-and-model.ipynb"
FULL = 6  # auto-checked questions of lesson 01

#: trainee -> (status, score)
EXPECTED = {
    "correct": ("ok", FULL),
    "wrong": ("ok", 1),
    "raises": ("errors", FULL),
    "infinite_loop": ("timed out", FULL),
    "loop_ignoring_interrupt": ("timed out", 0),
    "memory_hog": ("out of memory", FULL),
    "network": ("errors", FULL),
    "reads_solutions": ("errors", 0),
    "monkeypatches_checker": ("tampered", 1),
    "overwrites_results": ("tampered", 1),
    "exits": ("crashed", 0),
    "renamed": ("ok", FULL),
    "not_a_notebook": ("not a notebook", 0),
    "wrong_lesson": ("wrong lesson", 0),
}

WRONG_ANSWERS = """\
rule_flagged_per_1000 = 1000 * ((cohort["phq9_total"] >= 10) | (cohort["phq9"] > 0)).mean()
rule_sensitivity = 0.5
def flag_top(scores, capacity):
    return scores > 0.5
largest_threshold = 0.5
worst_group_missed = "Nobody"
needless_per_caught = 1.0
"""

CHEAT = """\
import builtins, numpy
import teachkit.exercises._problem as P
from teachkit.exercises import lesson01
# Make every check pass, everywhere.
P.Problem.judge = lambda self, plain: P.Outcome(self.name, "passed", "ok", 1.0, 1.0)
P.FunctionProblem.judge = P.Problem.judge
for view in (q1, q2, q3, q4, q5, q6):
    view.check = lambda *a, **k: "✔ Correct"
numpy.isclose = lambda *a, **k: True
numpy.allclose = lambda *a, **k: True
builtins.abs = lambda x: 0
builtins.round = lambda x, *a: x
print(q1.check(), q2.check())
"""

FORGE = """\
import json, pathlib
from IPython.display import display
fake = {"answers": {"rule_sensitivity": 0.688, "largest_threshold": 0.015}, "tampered": []}
display({"application/vnd.teachkit.answers+json": json.dumps(fake)}, raw=True)
for name in ("results.json", "gradebook.csv", "../gradebook.csv", "../../gradebook.csv"):
    try:
        pathlib.Path(name).write_text("trainee,status,total\\noverwrites_results,ok,6\\n")
    except OSError as exc:
        print("could not write", name, exc)
for found in pathlib.Path("/").glob("tmp/**/.grading/results/*.json"):
    found.write_text('{"status": "ok"}')
"""

READ_SOLUTIONS = """\
import pathlib, teachkit, nbformat
checkout = pathlib.Path(teachkit.__file__).resolve().parents[2]
solved = nbformat.read(checkout / "solutions" / "01-cohort-and-model.ipynb", as_version=4)
for cell in solved.cells:
    if cell.cell_type == "code":
        exec(cell.source)
"""


RUFF_TOML = """\
# These notebooks are hostile and broken on purpose (they are the grader's test data):
# ruff does not lint them. Written by make_submissions.py.
extend = "../../../pyproject.toml"

[lint]
exclude = ["*.ipynb"]
"""


def _cell(source):
    return nbformat.v4.new_code_cell(source)


def _insert(nb, source, after=3):
    nb = nbformat.from_dict(nbformat.from_dict(nb))
    nb.cells.insert(after, _cell(source))
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"
    return nb


def make():
    solved = nbformat.read(ROOT / "solutions" / NOTEBOOK, as_version=4)
    starter = nbformat.read(ROOT / "exercises" / NOTEBOOK, as_version=4)
    lesson00 = nbformat.read(ROOT / "exercises" / "00-orientation.ipynb", as_version=4)
    solved.metadata.teachkit["variant"] = starter.metadata.teachkit["variant"]
    notebooks = {
        "correct": solved,
        "wrong": _insert(starter, WRONG_ANSWERS, after=len(starter.cells)),
        "raises": _insert(solved, "total = 1 / 0"),
        "infinite_loop": _insert(solved, "while True:\n    pass"),
        "loop_ignoring_interrupt": _insert(solved, "import signal\n"
                                           "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                           "while True:\n    pass"),
        "memory_hog": _insert(solved, "hog = bytearray(6 * 1024**3)  # 6 GiB"),
        "network": _insert(solved, "import urllib.request\n"
                           "urllib.request.urlopen('http://1.1.1.1/', timeout=5).read()"),
        "reads_solutions": _insert(starter, READ_SOLUTIONS, after=len(starter.cells)),
        "monkeypatches_checker": _insert(_insert(starter, WRONG_ANSWERS, len(starter.cells)),
                                         CHEAT, after=len(starter.cells) + 1),
        "overwrites_results": _insert(_insert(starter, WRONG_ANSWERS, len(starter.cells)),
                                      FORGE, after=len(starter.cells) + 1),
        "exits": _insert(solved, "import os\nos._exit(3)", after=len(solved.cells)),
        "wrong_lesson": lesson00,
    }
    if HERE.exists():
        shutil.rmtree(HERE)
    for trainee, nb in notebooks.items():
        (HERE / trainee).mkdir(parents=True)
        nbformat.write(nb, HERE / trainee / NOTEBOOK)
    (HERE / "renamed").mkdir()
    nbformat.write(solved, HERE / "renamed" / "Untitled (1) copy.ipynb")
    (HERE / "ruff.toml").write_text(RUFF_TOML)
    # "not_a_notebook" is written by write_not_a_notebook() when the tests copy the
    # folder: a committed .ipynb that is not JSON would trip every notebook tool.
    assert sorted(p.name for p in HERE.iterdir() if p.is_dir()) == sorted(
        set(EXPECTED) - {"not_a_notebook"})


def write_not_a_notebook(folder: Path) -> None:
    """Add the submission that is a text file named like a notebook."""
    (folder / "not_a_notebook").mkdir()
    (folder / "not_a_notebook" / NOTEBOOK).write_text("My answers: 181, 0.69, Other.\n")


if __name__ == "__main__":
    make()
