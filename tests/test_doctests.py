"""Run the doctests of every module of the teachkit package.

Every module under ``src/teachkit`` is imported (one test each, so a module that fails to
import fails loudly rather than being skipped), and the examples in its docstrings are run
with the standard library's doctest machinery (pytest's ``--doctest-modules`` does the
same, with ELLIPSIS on by default).
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

import teachkit


def _module_names() -> list[str]:
    names = ["teachkit"]
    for info in pkgutil.walk_packages(teachkit.__path__, prefix="teachkit.",
                                      onerror=lambda name: names.append(name)):
        names.append(info.name)
    return sorted(set(names))


MODULES = _module_names()

def _params():
    yield from MODULES


def test_modules_are_found():
    for name in ("teachkit.cohort", "teachkit.models", "teachkit.pipeline",
                 "teachkit.consequences", "teachkit.levers", "teachkit.levers.triage",
                 "teachkit.text", "teachkit.io", "teachkit.datacard", "teachkit._validation",
                 "teachkit.sources"):
        assert name in MODULES


@pytest.mark.parametrize("name", list(_params()))
def test_doctests(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = [t for t in finder.find(module, name) if t.examples]
    # only the module's own objects, not those it imports from elsewhere
    tests = [t for t in tests if t.name.startswith(name)]
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    for test in sorted(tests, key=lambda t: t.name):
        runner.run(test, out=out.write)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, out.getvalue()


def test_the_core_has_doctests():
    """A module that documents examples must really run some (guards the finder)."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    for name in ("teachkit.cohort", "teachkit._validation", "teachkit.pipeline",
                 "teachkit.datacard", "teachkit.text"):
        module = importlib.import_module(name)
        assert sum(len(t.examples) for t in finder.find(module, name)) > 0, name
