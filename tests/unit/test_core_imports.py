"""The core never imports the presentation layer (STYLE.md, "Module boundaries").

Like fairlearn's test that the library works without matplotlib: a fresh interpreter
blocks ``ipywidgets``, ``IPython`` and ``matplotlib`` with a ``sys.meta_path`` finder that
raises ImportError, then imports every module outside the presentation layer (found on
disk, never listed: a new module is covered the day it is added) and runs the pipeline
with every stage.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap

import teachkit
from teachkit.grading.judge import UNUSED_SLOW_IMPORTS

#: The presentation layer (STYLE.md): the only modules that may import widgets or figures.
PRESENTATION = ("teachkit.ui", "teachkit.plotting")
CORE_MODULES = tuple(sorted(
    info.name for info in pkgutil.walk_packages(teachkit.__path__, prefix="teachkit.")
    if not info.name.startswith(PRESENTATION)))
BLOCKED = ("ipywidgets", "IPython", "matplotlib")

_SCRIPT = textwrap.dedent(
    """
    import importlib, sys

    BLOCKED = {blocked!r}
    for name in {unused!r}:  # (an optional parser of jsonschema's, 2.5 s of CPU to import)
        sys.modules.setdefault(name, None)

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
    from teachkit.stages import Deployment, all_stages, run_all

    stages = tuple(stage.name for stage in all_stages())
    results = run_all(Deployment(stages, n=1_000, seed=1, model="logistic"))
    assert list(results) == ["triage", *stages]
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


def test_every_stage_and_lever_family_is_a_core_module():
    for name in ("teachkit.consent", "teachkit.oversight", "teachkit.mitigation",
                 "teachkit.stages", "teachkit.levers.consent", "teachkit.privacy.run"):
        assert name in CORE_MODULES
    assert not any(name.startswith(PRESENTATION) for name in CORE_MODULES)


def test_core_imports_and_runs_without_widgets_ipython_or_matplotlib():
    proc = _run(_SCRIPT.format(blocked=BLOCKED, modules=CORE_MODULES,
                               unused=UNUSED_SLOW_IMPORTS))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("core-ok")


def test_the_blocker_really_blocks():
    """The same finder makes importing matplotlib fail, so the test above can fail."""
    script = _SCRIPT.format(blocked=BLOCKED, modules=("matplotlib.pyplot",),
                            unused=UNUSED_SLOW_IMPORTS)
    proc = _run(script)
    assert proc.returncode != 0
    assert "matplotlib.pyplot is blocked" in proc.stderr or "matplotlib is blocked" in \
        proc.stderr


def test_the_server_side_modules_import_no_data_stack():
    """``teachkit serve``, Voila's config (page assets, facilitator view) and the grading
    driver run in processes that never build a cohort: importing them costs no pandas,
    scipy or scikit-learn (about 1-2.5 CPU-s at every server start, dozens in the suite)."""
    script = ("import sys\n"
              "import teachkit, teachkit.cli, teachkit.facilitator, teachkit.page_assets, "
              "teachkit.reflections, teachkit.grading._driver\n"
              "print(sorted(m for m in ('pandas', 'scipy', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True).stdout.strip()
    assert out == "[]"
