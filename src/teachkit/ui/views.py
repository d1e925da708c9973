"""Views: the small parts of a lab's dashboard, each a widget with one ``update``.

A :class:`View` is to a lab what a :class:`~teachkit.levers.LeverSpec` is to a panel:
declared once (a class with a ``name``), registered when it is defined
(:data:`VIEWS`), checked by one contract test (``tests/common/test_view_contract.py``).
A view never computes: :meth:`View.update` reads the run the lab already made, and the
group attribute the trainee chose. It never reaches into another view or the dashboard.

A lab lists its views (``Lab(levers, views=[FairnessView])``); the dashboard lays them
out below its sentence and updates each after every run. A view may also be displayed
anywhere in the lesson and follow a lab's levers (:meth:`teachkit.ui.Lab.add_view`).
"""

from __future__ import annotations

import html
import importlib
import pkgutil
from typing import ClassVar

import ipywidgets as widgets

from ..levers import REGISTRY
from ..pipeline import RunResult
from ..plotting import ATTRIBUTE_TITLES
from ..text import whole
from ._layouts import shared_layout, shared_style
from ._opening import opens_when_built
from ._safety import Banner

__all__ = ["View", "HTMLView", "VIEWS", "all_views", "register_view", "GroupTable",
           "NumbersTable", "Paragraph", "group_table_html", "settings_call"]

_COLUMNS = ("patients", "flagged", "crises", "caught", "missed", "needless")
#: Every view class, by name (filled as the ``ui`` modules are imported).
VIEWS: dict[str, type] = {}


def register_view(cls: type) -> type:
    """Add the view class ``cls`` to :data:`VIEWS` under ``cls.name``.

    A name is registered once: the same class again (a module reloaded) is harmless, a
    different one raises an error that names both.
    """
    where = f"{cls.__module__}.{cls.__qualname__}"
    known = VIEWS.get(cls.name)
    if known is not None and f"{known.__module__}.{known.__qualname__}" != where:
        raise ValueError(f"The view name {cls.name!r} is taken: "
                         f"{known.__module__}.{known.__qualname__} registered it, and "
                         f"{where} asks for it too.")
    VIEWS[cls.name] = cls
    return cls


def all_views() -> dict[str, type]:
    """Every registered view, each ``ui`` module imported (none is listed by hand)."""
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__package__}.{info.name}")
    return dict(sorted(VIEWS.items()))


class View:
    """One part of a lab's dashboard: itself a widget, with one :meth:`update`.

    A subclass is a widget too (``class FairnessView(HTMLView)``, or
    ``class AuditView(View, widgets.VBox)``) and declares:

    - ``name``: its key in :data:`VIEWS` and in a lab's ``views``;
    - ``css``: the CSS class the page and the browser tests find it by;
    - ``stages``: the stages of the run it shows (empty: the triage model's run);
    - ``hidden``: True for an element the page never shows (numbers for tests);
    - :meth:`update`: show a result for a group attribute.

    Parameters
    ----------
    banner : Banner, default=None
        Where errors in the view's own controls are shown (the lab's).
    """

    name: ClassVar[str] = ""
    css: ClassVar[str] = ""
    stages: ClassVar[tuple[str, ...]] = ()
    hidden: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            register_view(cls)

    def __init__(self, *, banner: Banner | None = None, **kwargs):
        self.banner = banner or Banner()
        if self.hidden:
            kwargs.setdefault("layout", shared_layout(display="none"))
        kwargs.setdefault("layout", shared_layout())  # nobody changes a view's layout
        if self.css:  # set before the model opens: no update message follows
            kwargs["_dom_classes"] = (*kwargs.get("_dom_classes", ()), self.css)
        super().__init__(**kwargs)

    def update(self, result, attribute: str) -> None:
        """Show ``result`` (the lab's run), by ``attribute`` where it shows groups."""
        raise NotImplementedError

    @classmethod
    def sample(cls, deployment):
        """The result this view shows for ``deployment`` (what its lab runs)."""
        from ..stages import run

        return run(deployment)


class HTMLView(View, widgets.HTML):
    """A view that is one piece of HTML: a subclass says what, in :meth:`html`.

    Its style is the one every plain HTML widget shares (nobody changes a view's style).
    """

    def __init__(self, *, banner: Banner | None = None, **kwargs):
        kwargs.setdefault("style", shared_style(widgets.HTML))
        super().__init__(banner=banner, **kwargs)

    def html(self, result, attribute: str) -> str:
        raise NotImplementedError

    def update(self, result, attribute: str) -> None:
        self.value = self.html(result, attribute)


class Paragraph(widgets.HTML):
    """Plain text shown as a paragraph of the story (not a monospace print).

    Examples
    --------
    >>> Paragraph("20,000 synthetic patients.").value
    '<p style="font-size:15px;max-width:60em;line-height:1.4">20,000 synthetic patients.</p>'
    """

    def __init__(self, text: str):
        super().__init__(f'<p style="font-size:15px;max-width:60em;line-height:1.4">'
                         f"{html.escape(text)}</p>", _dom_classes=("tk-prose",),
                         layout=shared_layout(), style=shared_style(widgets.HTML))


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


class NumbersTable(HTMLView):
    """The numbers behind the picture: the run on show in a lab, as a table.

    It follows the lab's levers (same settings as the dashboard above it) and names them
    in plain words, with the one pipeline call that gives them for developers.

    Parameters
    ----------
    lab : Lab, default=None
        The lab whose runs it shows (its errors go to the lab's banner); None: call
        :meth:`update` yourself.
    banner : Banner, default=None
        Where errors are shown, without a lab.

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

    name, css = "numbers", "tk-numbers"

    @opens_when_built  # sent once, with the lab's current run
    def __init__(self, lab=None, *, banner: Banner | None = None):
        if banner is None and lab is not None:
            banner = lab.banner  # not a banner of its own, that nobody shows
        super().__init__(banner=banner)
        if lab is not None:
            lab.add_view(self)

    def html(self, result: RunResult, attribute: str = "ethnicity") -> str:
        """The overall consequences of ``result`` and the settings behind them."""
        row = result.consequences.overall.iloc[0]
        cells = "".join(
            f"<td style='padding:2px 10px'>{row[c]:,.0f}</td>" if c == "patients" else
            f"<td style='padding:2px 10px'>{row[c]:.1f}</td>" for c in _COLUMNS)
        head = "".join(f"<th style='padding:2px 10px'>{c}</th>" for c in _COLUMNS)
        return (
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
        super().__init__(_dom_classes=("tk-group-table-view",), layout=shared_layout(),
                         style=shared_style(widgets.HTML))

    def show_figure(self, figure, *, baseline_name: str = "starting point") -> None:
        """Show the numbers ``figure`` draws now."""
        self.value = group_table_html(figure, baseline_name=baseline_name)
