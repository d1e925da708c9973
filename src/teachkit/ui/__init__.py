"""Widgets for the lessons: lever rows and panels, the dashboard, reflection boxes, apps.

Presentation only: everything here reads the core (cohort, pipeline, consequences) and
never the reverse. A panel never calls ``display()``; a lesson cell builds an app and
leaves it as the cell's value.
"""

from ._safety import Banner, guarded
from .apps import BiasLab, Tour, TriageLab, synthetic_notice
from .dashboard import Dashboard
from .panel import LeverPanel
from .reflection import ReflectionBox
from .rows import LeverRow

#: Apps of the later lessons, imported on first use (PEP 562) so a lesson's kernel loads
#: only its own.
_LAZY = {
    "ConsentLab": ".consent",
    "OversightLab": ".oversight",
    "PrivacyLab": ".privacy",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Banner",
    "BiasLab",
    "ConsentLab",
    "Dashboard",
    "LeverPanel",
    "LeverRow",
    "OversightLab",
    "PrivacyLab",
    "ReflectionBox",
    "Tour",
    "TriageLab",
    "guarded",
    "synthetic_notice",
]
