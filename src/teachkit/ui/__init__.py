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

__all__ = [
    "Banner",
    "BiasLab",
    "Dashboard",
    "LeverPanel",
    "LeverRow",
    "ReflectionBox",
    "Tour",
    "TriageLab",
    "guarded",
    "synthetic_notice",
]
