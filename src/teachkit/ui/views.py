"""Small views a lesson adds to its lab: each is a widget with one ``show(result)``.

A view never computes: it reads the run the lab already made. A lab shows every view it
holds after each run (:meth:`teachkit.ui.Lab.add_view`), so a view displayed in another
cell of the lesson stays in step with the levers above it.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..levers import REGISTRY
from ..pipeline import RunResult

__all__ = ["NumbersTable", "settings_call"]

_COLUMNS = ("patients", "flagged", "crises", "caught", "missed", "needless")


def settings_call(settings) -> str:
    """The one pipeline call that gives these numbers, as a developer would type it.

    Examples
    --------
    >>> from teachkit.pipeline import Settings
    >>> settings_call(Settings(model="logistic", threshold=0.05))
    "simulate(Settings(model='logistic'))"
    >>> settings_call(Settings())
    'simulate(Settings())'
    """
    moved = settings.changed_levers()
    args = ", ".join(f"{name}={value!r}" for name, value in moved.items())
    return f"simulate({type(settings).__name__}({args}))"


def _describe(settings) -> str:
    """The settings in a clinician's words: "Triage model: Logistic regression; ..."."""
    parts = []
    for name in ("model", "policy", "threshold", "capacity"):
        spec = REGISTRY[name]
        if name == "threshold" and not settings.uses_threshold:
            continue
        if name == "capacity" and settings.policy != "capacity":
            continue
        parts.append(f"{spec.label}: {spec.display(getattr(settings, name))}")
    return "; ".join(parts)


class NumbersTable(widgets.HTML):
    """The numbers behind the picture: the run on show in a lab, as a table.

    It follows the lab's levers (same settings as the dashboard above it) and names them
    in plain words, with the one pipeline call that gives them for developers.

    Parameters
    ----------
    lab : Lab, default=None
        The lab whose runs it shows; None: call :meth:`show` yourself.

    Examples
    --------
    >>> from teachkit.ui import TriageLab
    >>> lab = TriageLab()
    >>> table = NumbersTable(lab)
    >>> "Triage model: Usual rule" in table.value
    True
    >>> lab.panel.rows["model"].value = "logistic"
    >>> "Logistic regression" in table.value
    True
    """

    def __init__(self, lab=None):
        super().__init__()
        self.add_class("tk-numbers")
        if lab is not None:
            lab.add_view(self)

    def show(self, result: RunResult) -> None:
        """Display the overall consequences of ``result`` and the settings behind them."""
        row = result.consequences.overall.iloc[0]
        cells = "".join(
            f"<td style='padding:2px 10px'>{row[c]:,.0f}</td>" if c == "patients" else
            f"<td style='padding:2px 10px'>{row[c]:.1f}</td>" for c in _COLUMNS)
        head = "".join(f"<th style='padding:2px 10px'>{c}</th>" for c in _COLUMNS)
        self.value = (
            '<div style="font-size:13px">'
            f"<div><b>Settings:</b> {html.escape(_describe(result.settings))} (the same "
            "as the dashboard above; per 1,000 patients except <i>patients</i>)</div>"
            f'<table class="tk-numbers-table" style="border-collapse:collapse">'
            f"<thead><tr>{head}</tr></thead><tbody><tr>{cells}</tr></tbody></table>"
            f'<div style="color:#555">Developers: <code>'
            f"{html.escape(settings_call(result.settings))}.consequences.overall</code>"
            "</div></div>")
