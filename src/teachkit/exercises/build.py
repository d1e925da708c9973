"""Build the trainee and solution notebooks from one source per lesson.

A source is a Jupytext "percent" script (``solutions/source/<lesson>.py``), so it opens
as a notebook in JupyterLab (with jupytext), VS Code or Spyder, and diffs as text. Cells:

- ``# %% [markdown]`` then ``# ``-prefixed lines: a markdown cell;
- ``# %%``: a code cell, the same in both notebooks;
- ``# %% tags=["solution"]``: a code cell whose solution is marked, as in otter-grader:
  a line ending in ``# SOLUTION`` becomes ``name = ...`` for trainees, and the lines
  between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` become ``...``;
- ``tags=["solutions-only"]`` / ``tags=["exercises-only"]``: kept in one output only.

The outputs carry fixed cell ids (lesson and position) and no outputs, execution counts
or timestamps, so rebuilding unchanged sources changes no byte. :func:`verify` runs
both notebooks through the real grading path: every auto-checked question of the
solutions must pass and every reflection be written; every question of the trainee
version must be "not attempted", with no cell raising.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from . import LESSONS, Lesson

__all__ = ["parse_source", "build_lesson", "render", "verify", "SOURCE_DIR"]

ROOT = Path(__file__).resolve().parents[3]
SOURCE_DIR = ROOT / "solutions" / "source"
_HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")
_LINE_SOLUTION = re.compile(r"^(?P<indent>\s*)(?P<lhs>[^=#]+?)\s*=\s*.*#\s*SOLUTION\s*$")


def parse_source(text: str) -> list[dict]:
    """Split a percent script into cells: ``{"type", "tags", "source"}``."""
    cells, current = [], None
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            current = {"type": "markdown" if match["md"] else "code",
                       "tags": json.loads(match["tags"]) if match["tags"] else [],
                       "lines": []}
            cells.append(current)
        elif current is not None:
            current["lines"].append(line)
    out = []
    for cell in cells:
        lines = cell.pop("lines")
        if cell["type"] == "markdown":
            lines = [re.sub(r"^# ?", "", x) for x in lines]
        cell["source"] = "\n".join(lines).strip("\n")
        out.append(cell)
    return out


def _starter(source: str) -> str:
    out, skipping = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == "# BEGIN SOLUTION":
            skipping = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}...  # your code here")
            continue
        if stripped == "# END SOLUTION":
            skipping = False
            continue
        if skipping:
            continue
        match = _LINE_SOLUTION.match(line)
        out.append(f"{match['indent']}{match['lhs'].strip()} = ...  # your answer"
                   if match else line)
    return "\n".join(out)


def _solved(source: str) -> str:
    out = []
    for line in source.splitlines():
        if line.strip() in ("# BEGIN SOLUTION", "# END SOLUTION"):
            continue
        out.append(re.sub(r"\s*#\s*SOLUTION\s*$", "", line))
    return "\n".join(out)


def build_lesson(lesson: Lesson, variant: str, source_dir: Path = SOURCE_DIR):
    """The notebook (nbformat node) of ``variant`` ``"exercises"`` or ``"solutions"``."""
    import nbformat

    cells = parse_source((source_dir / f"{lesson.slug}.py").read_text(encoding="utf-8"))
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
        "teachkit": {"lesson": lesson.id, "variant": variant, "format": 1},
    }
    skip = "exercises-only" if variant == "solutions" else "solutions-only"
    for i, cell in enumerate(cells):
        if skip in cell["tags"]:
            continue
        source = cell["source"]
        if "solution" in cell["tags"]:
            source = _starter(source) if variant == "exercises" else _solved(source)
        tags = [t for t in cell["tags"] if t not in ("solution", "solutions-only",
                                                     "exercises-only")]
        if cell["type"] == "markdown":
            node = nbformat.v4.new_markdown_cell(source)
        else:
            node = nbformat.v4.new_code_cell(source)
        node.id = f"lesson{lesson.id}-{i:03d}"
        node.metadata = {"tags": tags} if tags else {}
        nb.cells.append(node)
    nbformat.validate(nb)
    return nb


def render(nb) -> str:
    """The notebook as the bytes we commit (stable key order, final newline)."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def output_path(lesson: Lesson, variant: str) -> Path:
    return ROOT / variant / lesson.notebook


def verify(lesson: Lesson, variant: str, nb) -> list[str]:
    """Run the notebook through the grading path; return what is wrong (empty: fine)."""
    import tempfile

    from ..grading.judge import judge_report
    from ..grading.run import GradingRun
    from ..grading.sandbox import Limits

    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "subs"
        sub.mkdir()
        path = sub / lesson.notebook
        path.write_text(render(nb), encoding="utf-8")
        run = GradingRun(sub, Path(tmp) / "out", lesson, limits=Limits(), mode="none",
                         hide=[])
        from ..grading.run import read_notebook

        _, cells, _ = read_notebook(path)
        report = run.run_sandboxed(None, cells)
        result = judge_report(lesson, report, run.spec, trainee=variant,
                              notebook=path.name, sha256="")
    problems = []
    if result.status != "ok":
        problems.append(f"{variant}: status {result.status}: {'; '.join(result.notes)}")
    for outcome in result.outcomes:
        kind = {p.name: p.kind for p in lesson.problems}[outcome["problem"]]
        want = ("not attempted" if variant == "exercises"
                else "written" if kind == "reflection" else "passed")
        if outcome["status"] != want:
            problems.append(f"{variant}: {outcome['problem']} is {outcome['status']} "
                            f"(expected {want}): {outcome['message']}")
    return problems


def build_all(*, check_only: bool = False, run_checks: bool = True,
              lessons=None, log=print) -> int:
    """Build (or, with ``check_only``, compare) every lesson; return an exit code."""
    stale, failures = [], []
    for lesson in (lessons or LESSONS.values()):
        for variant in ("exercises", "solutions"):
            nb = build_lesson(lesson, variant)
            text = render(nb)
            path = output_path(lesson, variant)
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if check_only:
                if current != text:
                    stale.append(str(path.relative_to(ROOT)))
                continue
            if run_checks:
                problems = verify(lesson, variant, nb)
                if problems:
                    failures += [f"lesson {lesson.id} {p}" for p in problems]
                    continue
            if current != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                log(f"wrote {path.relative_to(ROOT)}")
            else:
                log(f"unchanged {path.relative_to(ROOT)}")
    for f in failures:
        log(f"FAILED {f}")
    if stale:
        log("out of date (run scripts/build_exercises.py): " + ", ".join(stale))
    return 1 if (stale or failures) else 0
