"""The lever panel: rows of levers that turn into a new frozen ``Settings`` and a run.

The panel's observers only translate a widget change into ``settings.replace(...)`` and
call :meth:`LeverPanel.update`, one pure path from settings to a
:class:`~teachkit.pipeline.RunResult`. Tests drive it by setting ``row.value``.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..glossary import glossary_html
from ..levers import get_spec
from ..pipeline import RunResult, Settings
from ..stages import run as run_deployment
from ._layouts import plain_html, shared_layout
from ._safety import Banner, guarded
from .rows import LeverRow

__all__ = ["LeverPanel", "heading_html"]

_MODEL_NAMES = {"logistic": "logistic-regression", "boosting": "gradient-boosting",
                "records": "record-based"}


def heading_html(text: str, *, level: int = 3) -> str:
    """A section title of an app as a real heading, so screen readers can jump to it.

    Examples
    --------
    >>> heading_html("Protections", level=4)
    '<h4 class="tk-heading" style="font-size:15px;margin:8px 0 4px">Protections</h4>'
    """
    size = {2: 18, 3: 16, 4: 15}.get(level, 14)
    return (f'<h{level} class="tk-heading" style="font-size:{size}px;margin:8px 0 4px">'
            f"{html.escape(text)}</h{level}>")


_glossary_shown = False  # a panel of this kernel has shown the glossary


def _glossary_wanted(asked: bool | None) -> bool:
    """Whether a new panel shows the glossary (``asked``; None: the first one only)."""
    global _glossary_shown
    wanted = (not _glossary_shown) if asked is None else asked
    _glossary_shown = _glossary_shown or wanted
    return wanted


class LeverPanel(widgets.VBox):
    """A panel of lever rows and the run they produce.

    Parameters
    ----------
    levers : sequence of str
        Names of the levers to show (keys of :data:`teachkit.levers.REGISTRY`).
    settings : Settings, default=Settings()
        Where the levers start (and, through ``at_rest()``, the baseline).
    on_result : callable(RunResult), default=None
        Called after every run (the dashboard's ``show``).
    banner : Banner, default=None
        Where errors are shown; a new one is made (and shown above the rows) if None.
    headings : dict of str to str, default={}
        A section title shown above a lever's row, by lever name: plain text becomes a
        real heading (``<h4>``); text starting with ``<`` is shown as HTML.
    title : str, default="What you can change"
        The panel's own heading (``<h3>``: a lesson's app sits under its ``##`` section).
    glossary : bool, default=None
        Show the glossary ("Words used in these lessons") under the heading. None: only
        in the first panel built in this kernel, so a page of two apps (a Voila page is
        one kernel) shows it once.
    run : callable(Settings) -> RunResult, default=None
        The path from settings to a result; None means :func:`teachkit.stages.run`:
        the triage model, then the stages of a :class:`~teachkit.stages.Deployment`.

    Attributes
    ----------
    rows : dict of str to LeverRow
    settings : Settings
        The settings of the last run.
    result : RunResult
        The last run.
    """

    def __init__(self, levers, *, settings: Settings | None = None, on_result=None,
                 banner: Banner | None = None, run=None, headings: dict | None = None,
                 title: str = "What you can change", glossary: bool | None = None):
        self.settings = settings or Settings()
        self._run = run
        self.on_result = on_result
        own_banner = banner is None
        self.banner = banner or Banner()
        self._trained = {"rule"}
        self._status = plain_html("", "tk-status")
        self.rows = {
            name: LeverRow(get_spec(name), value=getattr(self.settings, name),
                           on_change=guarded(self.banner)(self._lever_moved))
            for name in levers
        }
        self._syncing = False
        # the words, a click or tap away, once a page; one widget with the heading
        top = heading_html(title, level=3) if title else ""
        if _glossary_wanted(glossary):
            top += glossary_html()
        children = [plain_html(top, "tk-glossary-view")] if top else []
        for name, row in self.rows.items():
            if name in (headings or {}):
                text = headings[name]
                children.append(plain_html(
                    text if text.lstrip().startswith("<") else heading_html(text, level=4)))
            children.append(row)
        children.append(self._status)
        super().__init__(([self.banner] if own_banner else []) + children,
                         _dom_classes=("tk-panel",), layout=shared_layout())
        self.result: RunResult | None = None
        self._sync_rows()

    def _lever_moved(self, name, value):
        if self._syncing:
            return
        # every row as it stands: a lever moved while a run failed takes effect now
        self.update(self.settings.replace(**{n: row.value for n, row in self.rows.items()}))

    def update(self, settings: Settings) -> RunResult:
        """Run the pipeline for ``settings``, remember it and pass it to ``on_result``."""
        if settings.model not in self._trained:
            self._status.value = (
                f"<i>Training the {_MODEL_NAMES[settings.model]} model on 10,000 synthetic "
                "patients (first time only)…</i>"
            )
        result = (self._run or run_deployment)(settings)
        self._trained.add(settings.model)
        self._status.value = ""
        self.settings, self.result = settings, result
        self._syncing = True  # rows follow the settings run, without a new run
        try:
            for name, row in self.rows.items():
                if row.value != getattr(settings, name):
                    row.value = getattr(settings, name)
        finally:
            self._syncing = False
        self._sync_rows()
        if self.on_result is not None:
            self.on_result(result)
        return result

    def _sync_rows(self):
        """Grey out the levers that have no effect with the current settings."""
        s = self.settings
        if "threshold" in self.rows:
            self.rows["threshold"].disabled = not s.uses_threshold
        if "capacity" in self.rows:
            self.rows["capacity"].disabled = s.policy != "capacity"
        notes = []
        if s.model == "rule" and s.policy == "threshold" and "threshold" in self.rows:
            notes.append("The usual rule has its own cut-off (PHQ-9 ≥ 10 or any thoughts of "
                         "self-harm), so the risk threshold does not apply to it.")
        hint = " ".join(notes)
        if not self._status.value.startswith("<i>Training"):
            self._status.value = f'<span style="color:#555">{html.escape(hint)}</span>' if hint \
                else ""
