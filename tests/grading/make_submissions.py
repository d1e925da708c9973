"""Make the folder of hostile and broken lesson-01 submissions the grading tests use.

    .venv/bin/python tests/grading/make_submissions.py

Each trainee's folder under tests/grading/submissions/ holds one notebook, made from the
built exercise or solution notebook plus a few cells; EXPECTED says how each must be
graded. Re-run after rebuilding the lesson notebooks.
"""

from __future__ import annotations

import os
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
    # Issue 13: one bad answer costs one mark; nothing stops the class.
    "bad_answers": ("timed out", 2),  # q3 loops, q4 cannot convert, q5 HTML, q6 deep
    "deep_record": ("tampered", 0),
    "metadata_wrong_type": ("ok", FULL),
    "reads_expected": ("errors", FULL - 1),
    # Issue 13: the sandbox (its probe cell always raises, saying what it could reach).
    "sandbox_probe": ("errors", FULL),
    "fork_bomb": ("errors", FULL),
}
#: Made when the tests copy the folder (links, FIFOs, odd names cannot live in git):
#: trainee -> (status, score).
RUNTIME = {
    "linked": ("refused", 0),
    "linked_file": ("refused", 0),
    "pipe": ("refused", 0),
    "huge": ("not a notebook", 0),
    "caf\u00e9": ("wrong lesson", 0),  # a folder name that is not UTF-8 (Latin-1 bytes)
    "Jos\u00e9": ("wrong lesson", 0),
    "Jos": ("wrong lesson", 0),
    "\t=1+1": ("wrong lesson", 0),
    "@SUM(A1)": ("wrong lesson", 0),
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


BAD_ANSWERS = """\
import numpy as np
def flag_top(scores, capacity):  # an honest mistake: it never returns
    while True:
        pass
class Sneaky(dict):  # an answer whose conversion raises
    def items(self):
        raise RuntimeError("cannot list")
largest_threshold = Sneaky()
worst_group_missed = "<img src=x onerror=alert(1)> [click](http://example.org)"
deep = []
for _ in range(100_000):
    deep = [deep]
needless_per_caught = deep
reflection_model_choice = reflection_model_choice + " and a lone surrogate " + chr(0xD800)
"""

DEEP_RECORD = """\
import teachkit.exercises._plain as P
P.answer_record = lambda *a, **k: "[" * 200_000 + "]" * 200_000
"""

READS_EXPECTED = """\
from teachkit.exercises import lesson01
rule_sensitivity = lesson01._facts()["sensitivity"]
"""

#: Looks for everything the allow-list root must not hold; raises "SANDBOX-OK" or "LEAK".
SANDBOX_PROBE = """\
import os, stat, sys, pathlib, teachkit
leaks = []
checkout = pathlib.Path(teachkit.__file__).resolve().parents[2]
# (folders on the way to the allowed ones, such as /home or /work, exist but are empty)
for p in (checkout / ".git", checkout / "solutions", checkout / "tests", "/run", "/var",
          "/sys", "/root/.ssh", "/etc/shadow", "/etc/hostname"):
    if pathlib.Path(p).exists():
        leaks.append(f"sees {p}")
run_dir = os.path.dirname(sys.argv[sys.argv.index("-f") + 1]) if "-f" in sys.argv else ""
for top, dirs, files in os.walk("/"):
    if top.startswith(("/proc", "/tmp", "/dev")) or top.count("/") > 4:
        dirs[:] = []
        continue
    for name in dirs + files:
        path = os.path.join(top, name)
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue
        if stat.S_ISSOCK(mode):
            leaks.append(f"socket {path}")
        if name.endswith("-graded") or name in (".grading", ".git"):
            leaks.append(f"sees {path}")
    try:
        with open(os.path.join(top, ".probe"), "x"):
            pass
        leaks.append(f"wrote in {top}")
    except OSError:
        pass
try:
    with open(os.path.join(run_dir, "filler"), "wb") as fh:
        fh.write(b"x")
    leaks.append("RUNDIR-WRITABLE")
except OSError:
    pass
written = 0
try:
    for i in range(40):
        with open(f"/tmp/fill{i}", "wb") as fh:
            for _ in range(50):
                fh.write(b"x" * 1024 * 1024)
                written += 1
except OSError:
    pass
if written > 300:
    leaks.append(f"wrote {written} MiB in /tmp")
from teachkit.exercises import lesson01
if hasattr(lesson01, "_facts") or hasattr(lesson01, "PROBLEMS"):
    leaks.append("expected values importable")
raise RuntimeError("LEAK " + "; ".join(leaks[:6]) if leaks else "SANDBOX-OK")
"""

FORK_BOMB = """\
import os, time
children = []
for _ in range(500):
    pid = os.fork()
    if pid == 0:
        time.sleep(120)
        os._exit(0)
    children.append(pid)
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


def _light(solved, *extra, metadata=None):
    """A quick notebook: the right answers as literals (the grader's own facts), then
    ``extra`` cells. It runs none of the lesson's computations, so it grades in seconds."""
    from teachkit.exercises.lesson01 import _facts

    facts = _facts()
    answers = (f"rule_flagged_per_1000 = {facts['flagged_per_1000']!r}\n"
               f"rule_sensitivity = {facts['sensitivity']!r}\n"
               f"largest_threshold = {facts['largest_threshold']!r}\n"
               f"worst_group_missed = {facts['worst_missed']!r}\n"
               f"needless_per_caught = {facts['needless_per_caught']!r}\n")
    function = next(c.source for c in solved.cells if "def flag_top" in c.source)
    reflection = next(c.source for c in solved.cells
                      if c.source.startswith("reflection_model_choice ="))
    nb = nbformat.v4.new_notebook(metadata=dict(solved.metadata))
    nb.metadata["teachkit"] = metadata or dict(solved.metadata["teachkit"])
    nb.cells = [_cell("import numpy as np\n"
                      "from teachkit.exercises.lesson01 import q1, q2, q3, q4, q5, q6, r1"),
                _cell(answers), _cell(function), _cell(reflection),
                *[_cell(x) for x in extra]]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"
    return nb


def make():
    solved = nbformat.read(ROOT / "solutions" / NOTEBOOK, as_version=4)
    starter = nbformat.read(ROOT / "exercises" / NOTEBOOK, as_version=4)
    lesson00 = nbformat.read(ROOT / "exercises" / "00-orientation.ipynb", as_version=4)
    solved.metadata.teachkit["variant"] = starter.metadata.teachkit["variant"]
    # Only the submissions whose point is the lesson's own code (right, wrong, cheating
    # around it) run the whole lesson; a submission whose point is one hostile cell is
    # the right answers as literals plus that cell (_light), so it grades in seconds.
    notebooks = {
        "correct": solved,
        "wrong": _insert(starter, WRONG_ANSWERS, after=len(starter.cells)),
        "raises": _light(solved, "total = 1 / 0"),
        "infinite_loop": _light(solved, "while True:\n    pass"),
        "loop_ignoring_interrupt": _light(solved, "import signal\n"
                                          "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                          "while True:\n    pass"),
        "memory_hog": _light(solved, "hog = bytearray(6 * 1024**3)  # 6 GiB"),
        "network": _light(solved, "import urllib.request\n"
                          "urllib.request.urlopen('http://1.1.1.1/', timeout=5).read()"),
        "reads_solutions": _insert(starter, READ_SOLUTIONS, after=len(starter.cells)),
        "monkeypatches_checker": _insert(_insert(starter, WRONG_ANSWERS, len(starter.cells)),
                                         CHEAT, after=len(starter.cells) + 1),
        "overwrites_results": _insert(_insert(starter, WRONG_ANSWERS, len(starter.cells)),
                                      FORGE, after=len(starter.cells) + 1),
        "exits": _light(solved, "import os\nos._exit(3)"),
        "wrong_lesson": lesson00,
        "bad_answers": _light(solved, BAD_ANSWERS),
        "deep_record": _light(solved, DEEP_RECORD),
        "metadata_wrong_type": _light(solved, metadata="lesson 01, as a string"),
        "reads_expected": _light(solved, "del rule_sensitivity", READS_EXPECTED),
        "sandbox_probe": _light(solved, SANDBOX_PROBE),
        "fork_bomb": _light(solved, FORK_BOMB),
    }
    if HERE.exists():
        shutil.rmtree(HERE)
    for trainee, nb in notebooks.items():
        (HERE / trainee).mkdir(parents=True)
        nbformat.write(nb, HERE / trainee / NOTEBOOK)
    (HERE / "renamed").mkdir()
    nbformat.write(_light(solved), HERE / "renamed" / "Untitled (1) copy.ipynb")
    (HERE / "ruff.toml").write_text(RUFF_TOML)
    # "not_a_notebook" is written by write_not_a_notebook() when the tests copy the
    # folder: a committed .ipynb that is not JSON would trip every notebook tool.
    assert sorted(p.name for p in HERE.iterdir() if p.is_dir()) == sorted(
        set(EXPECTED) - {"not_a_notebook"})


def write_not_a_notebook(folder: Path) -> None:
    """Add the submission that is a text file named like a notebook."""
    (folder / "not_a_notebook").mkdir()
    (folder / "not_a_notebook" / NOTEBOOK).write_text("My answers: 181, 0.69, Other.\n")


def write_runtime_submissions(folder: Path) -> None:
    """Add what git cannot hold: links to the solutions, a FIFO, a 1 GiB file, names that
    are not UTF-8, look alike once simplified, or start like a spreadsheet formula."""
    solution = ROOT / "solutions" / NOTEBOOK
    (folder / "linked").mkdir()
    os.symlink(solution, folder / "linked" / NOTEBOOK)
    os.symlink(solution, folder / "linked_file.ipynb")
    os.mkfifo(folder / "pipe.ipynb")
    (folder / "huge").mkdir()
    with open(folder / "huge" / NOTEBOOK, "wb") as fh:
        fh.truncate(1024**3)  # sparse: 1 GiB long, no disk used
    lesson00 = HERE / "wrong_lesson" / NOTEBOOK
    for name in (b"caf\xe9", "José".encode(), b"Jos", b"\t=1+1", b"@SUM(A1)"):
        target = os.path.join(os.fsencode(folder), name)
        os.mkdir(target)
        shutil.copy(lesson00, os.path.join(target, NOTEBOOK.encode()))


if __name__ == "__main__":
    make()
