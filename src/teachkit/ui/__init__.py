"""Widgets for the lessons: lever rows and panels, the dashboard, reflection boxes, apps.

Presentation only: everything here reads the core (cohort, pipeline, consequences) and
never the reverse. A panel never calls ``display()``; a lesson cell builds an app and
leaves it as the cell's value.
"""

import ast
import importlib
from functools import cache
from pathlib import Path

from ._safety import Banner, guarded
from .apps import BiasLab, Lab, Tour, TriageLab, synthetic_notice
from .dashboard import Dashboard
from .panel import LeverPanel
from .reflection import ReflectionBox
from .rows import LeverRow

__all__ = ["Banner", "BiasLab", "Dashboard", "Lab", "LeverPanel", "LeverRow",
           "ReflectionBox", "Tour", "TriageLab", "guarded", "synthetic_notice"]
_EAGER = tuple(__all__)


@cache
def _lazy() -> dict[str, str]:
    """Name -> module for every name a later lesson's module exports (its ``__all__``,
    read from the source without importing it), so a lesson's kernel loads only its own
    app and a new module needs no entry here."""
    table = {}
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(
                    getattr(t, "id", "") == "__all__" for t in node.targets):
                for name in ast.literal_eval(node.value):
                    table.setdefault(name, f".{path.stem}")
    return table


def __getattr__(name):
    module = _lazy().get(name)
    if module is not None and name not in _EAGER:
        return getattr(importlib.import_module(module, __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_lazy()))


#: And every lesson's app (a class named ``...Lab``), found as above.
__all__ += sorted(name for name in _lazy() if name.endswith("Lab") and name not in _EAGER)
