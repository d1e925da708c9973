"""The core never imports the presentation layer (STYLE.md, "Module boundaries").

Like fairlearn's test that the library works without matplotlib: a fresh interpreter
blocks ``ipywidgets``, ``IPython`` and ``matplotlib`` with a ``sys.meta_path`` finder that
raises ImportError, then imports every core module and runs the pipeline.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

CORE_MODULES = (
    "teachkit",
    "teachkit.cohort",
    "teachkit.models",
    "teachkit.pipeline",
    "teachkit.consequences",
    "teachkit.levers",
    "teachkit.text",
    "teachkit.io",
    "teachkit.datacard",
    "teachkit.privacy",
)
BLOCKED = ("ipywidgets", "IPython", "matplotlib")

_SCRIPT = textwrap.dedent(
    """
    import importlib, sys

    BLOCKED = {blocked!r}

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{{name}} is blocked: the core must not import it")
            return None

    sys.meta_path.insert(0, Blocker())
    for name in {modules!r}:
        importlib.import_module(name)

    from teachkit.cohort import make_cohort
    from teachkit.pipeline import Settings, simulate

    cohort = make_cohort(1_000, seed=1, setting="specialty")
    result = simulate(Settings(model="logistic", threshold=0.1), cohort=cohort)
    assert result.sentence().startswith("Compared with")
    assert len(result.consequences.metrics) > 1
    assert set(result.consequences.metric_frames)  # fairlearn, without matplotlib
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not leaked, leaked
    print("core-ok")
    """
)


def _run(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)


def test_core_imports_and_runs_without_widgets_ipython_or_matplotlib():
    proc = _run(_SCRIPT.format(blocked=BLOCKED, modules=CORE_MODULES))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("core-ok")


def test_the_blocker_really_blocks():
    """The same finder makes importing matplotlib fail, so the test above can fail."""
    script = _SCRIPT.format(blocked=BLOCKED, modules=("matplotlib.pyplot",))
    proc = _run(script)
    assert proc.returncode != 0
    assert "matplotlib.pyplot is blocked" in proc.stderr or "matplotlib is blocked" in \
        proc.stderr
