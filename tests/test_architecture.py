"""docs/ARCHITECTURE.md stays true: its worked example is run step by step.

The example's code blocks are run in order in a fresh interpreter (registering a lever
changes the process's registry), then the new lever is checked the way the contract
tests check every lever.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "ARCHITECTURE.md"

_CHECKS = '''
import inspect
from teachkit.levers import OWNERS, REGISTRY
from teachkit.stages import get_stage
from teachkit._validation import TeachkitError

assert OWNERS["consent_min_age"] == "consent"
assert "consent_min_age" in get_stage("consent").levers
spec = REGISTRY["consent_min_age"]
assert inspect.signature(spec.function).parameters[spec.argument].default == spec.rest
assert spec.display(18) == "18 years"
try:
    Deployment(("consent",), consent_min_age=31)
except TeachkitError as error:
    assert "'consent_min_age' parameter of Deployment" in str(error), error
else:
    raise AssertionError("an age of 31 was accepted")
from teachkit.pipeline import lesson_cohort
keep = spec.function(lesson_cohort(), min_age=30)
assert keep.dtype == bool and 0 < keep.sum() < len(keep)
print("architecture-ok")
'''


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_document_has_the_worked_example():
    text = DOC.read_text(encoding="utf-8")
    assert len(_blocks()) == 4
    for name in ("stages.py", "pipeline.py", "levers/", "Deployment", "run_all",
                 "call_bound", "## Adding a lesson", "## Adding a stage", "BaseDashboard"):
        assert name in text


def test_the_picture_lists_every_stage_with_its_order():
    from teachkit.stages import all_stages

    text = DOC.read_text(encoding="utf-8")
    stages = all_stages()
    assert len(stages) >= 5
    for stage in stages:
        assert re.search(rf"^\s+{stage.name}\s+\({stage.order}\)", text, flags=re.M), \
            f"docs/ARCHITECTURE.md does not list the stage {stage.name!r} ({stage.order})"


def test_the_lesson_recipe_names_the_files_discovery_reads():
    text = DOC.read_text(encoding="utf-8")
    for part in ("notebooks/NN_name.ipynb", "exercises/lessonNN.py", 'LESSON = "NN"',
                 "SLUG", "TITLE", "solutions/source/", "test_lessonNN_problems.py",
                 "right_NN()", "wrong_NN()"):
        assert part in text, part


def test_the_worked_example_runs_and_gives_a_working_lever():
    script = "\n".join(_blocks()) + _CHECKS
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("architecture-ok")
