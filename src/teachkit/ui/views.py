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
from ..plotting import ATTRIBUTE_TITLES
from ..text import whole

__all__ = ["GroupTable", "NumbersTable", "Paragraph", "group_table_html", "settings_call"]

_COLUMNS = ("patients", "flagged", "crises", "caught", "missed", "needless")


class Paragraph(widgets.HTML):
    """Plain text shown as a paragraph of the story (not a monospace print).

    Examples
    --------
    >>> Paragraph("20,000 synthetic patients.").value
    '<p style="font-size:15px;max-width:60em;line-height:1.4">20,000 synthetic patients.</p>'
    """

    def __init__(self, text: str):
        super().__init__(f'<p style="font-size:15px;max-width:60em;line-height:1.4">'
                         f"{html.escape(text)}</p>")
        self.add_class("tk-prose")


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


_CELL = "padding:1px 8px;text-align:right"


def group_table_html(figure, *, baseline_name: str = "starting point") -> str:
    """The by-group bars of ``figure`` (a ConsequenceFigure) as a text table.

    Crises per 1,000 patients of each group, caught and missed, in whole numbers as the
    figure's alt text rounds them, and the caught of the baseline (the black tick).

    Examples
    --------
    >>> from teachkit.pipeline import Settings, simulate
    >>> from teachkit.plotting import ConsequenceFigure
    >>> fig = ConsequenceFigure()
    >>> fig.update(simulate(Settings(model="logistic")).consequences, "language")
    >>> table = group_table_html(fig)
    >>> "<caption " in table and "Limited English" in table
    True
    """
    rows = getattr(figure, "group_rows", None)  # a figure without group bars: no table
    if not rows:
        return ""
    attribute = figure.attribute
    with_base = rows[0]["baseline_caught"] is not None
    head = ["Group", "Patients", "Crises caught", "Crises missed"]
    if with_base:
        head.append(f"Caught: {html.escape(baseline_name)}")
    body = []
    for row in rows:
        cells = [f"<th scope='row' style='padding:1px 8px;text-align:left'>"
                 f"{html.escape(row['group'])}</th>",
                 f"<td style='{_CELL}'>{row['patients']:,}</td>",
                 f"<td style='{_CELL}'>{whole(row['caught'])}</td>",
                 f"<td style='{_CELL}'>{whole(row['missed'])}</td>"]
        if with_base:
            cells.append(f"<td style='{_CELL}'>{whole(row['baseline_caught'])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    title = ATTRIBUTE_TITLES.get(attribute, attribute)
    return (
        '<table class="tk-group-table" style="border-collapse:collapse;font-size:13px;'
        'margin:2px 0 6px">'
        f"<caption style='text-align:left;font-size:13px;color:#333'>The bars as numbers: "
        f"crises per 1,000 patients of each group, by {html.escape(title)}</caption>"
        "<thead><tr>" + "".join(f"<th scope='col' style='padding:1px 8px'>{h}</th>"
                                for h in head)
        + "</tr></thead><tbody>" + "".join(body) + "</tbody></table>")


class GroupTable(widgets.HTML):
    """The figure's by-group bars as a text table, shown beside them in a dashboard.

    Examples
    --------
    >>> from teachkit.pipeline import Settings, simulate
    >>> from teachkit.plotting import ConsequenceFigure
    >>> fig = ConsequenceFigure()
    >>> fig.update(simulate(Settings()).consequences, "sex")
    >>> table = GroupTable()
    >>> table.show_figure(fig)
    >>> "tk-group-table" in table.value
    True
    """

    def __init__(self):
        super().__init__()
        self.add_class("tk-group-table-view")

    def show_figure(self, figure, *, baseline_name: str = "starting point") -> None:
        """Show the numbers ``figure`` draws now."""
        self.value = group_table_html(figure, baseline_name=baseline_name)
