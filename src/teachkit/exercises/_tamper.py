"""Tamper evidence, taken inside the grading sandbox (informative: grades never use it).

The grader's first cell calls :func:`take_snapshot`: it notes the checker's own objects,
the builtins and a few numpy and json functions. Its last cell calls :func:`tampering`,
which names every one the submission replaced since. A submission that replaces them
gains nothing (its answers are judged in the grader's own process); the list only tells
the instructor what the notebook did.

This module imports both :mod:`._plain` and :mod:`._problem`; neither imports it.
"""

from __future__ import annotations

import builtins
import json
import sys

import numpy

from . import _plain, _problem

__all__ = ["take_snapshot", "tampering"]

_SNAPSHOT: dict = {}
# Builtins the Jupyter kernel itself swaps in and out around every cell.
_KERNEL_MANAGED = {"input", "raw_input", "get_ipython", "display", "exit", "quit", "help",
                   "copyright", "credits", "license", "breakpoint"}


def _watched() -> dict:
    items = {f"builtins.{k}": v for k, v in vars(builtins).items()
             if callable(v) and k not in _KERNEL_MANAGED}
    for name in ("isclose", "allclose", "array_equal", "sum", "mean", "round", "argsort",
                 "asarray", "array", "zeros", "isin"):
        items[f"numpy.{name}"] = getattr(numpy, name, None)
    items["json.dumps"], items["json.loads"] = json.dumps, json.loads
    for cls in (_problem.Problem, _problem.FunctionProblem, _problem.Reflection,
                _problem.ProblemView, _problem.Outcome):
        for attr, value in vars(cls).items():
            items[f"{cls.__name__}.{attr}"] = value
    for name in ("number_check", "as_number", "as_text", "unanswered", "close_enough"):
        items[f"_problem.{name}"] = getattr(_problem, name)
    for name in ("to_plain", "extract_answer", "answer_record", "call_answer"):
        items[f"_plain.{name}"] = getattr(_plain, name)
    return items


def take_snapshot() -> None:
    """Remember the checker's and the builtins' own objects (before the submission runs)."""
    _SNAPSHOT.clear()
    _SNAPSHOT.update(_watched())


def tampering() -> list[str]:
    """What the submission replaced since :func:`take_snapshot`: checker, builtins, numpy."""
    changed = [name for name, value in _watched().items()
               if name in _SNAPSHOT and _SNAPSHOT[name] is not value]
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("teachkit.exercises.lesson"):
            for attr, view in vars(module).items():
                if isinstance(view, type):  # a class (e.g. GradingView), not a view
                    continue
                if hasattr(view, "problem") and "check" in getattr(view, "__dict__", {}):
                    changed.append(f"{module_name}.{attr}.check")
    return sorted(changed)[:50]
