"""The lever panel: rows of levers that turn into a new frozen ``Settings`` and a run.

The panel's observers only translate a widget change into ``settings.replace(...)`` and
call :meth:`LeverPanel.update`, one pure path from settings to a
:class:`~teachkit.pipeline.RunResult`. Tests drive it by setting ``row.value``.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..levers import get_spec
from ..pipeline import RunResult, Settings
from ..stages import run as run_deployment
from ._safety import Banner, guarded
from .rows import LeverRow

__all__ = ["LeverPanel"]

_MODEL_NAMES = {"logistic": "logistic-regression", "boosting": "gradient-boosting",
                "records": "record-based"}


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
        HTML shown above a lever's row (a section title), by lever name.
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
                 banner: Banner | None = None, run=None, headings: dict | None = None):
        self.settings = settings or Settings()
        self._run = run
        self.on_result = on_result
        own_banner = banner is None
        self.banner = banner or Banner()
        self._trained = {"rule"}
        self._status = widgets.HTML()
        self._status.add_class("tk-status")
        self.rows = {
            name: LeverRow(get_spec(name), value=getattr(self.settings, name),
                           on_change=guarded(self.banner)(self._lever_moved))
            for name in levers
        }
        self._syncing = False
        children = []
        for name, row in self.rows.items():
            if name in (headings or {}):
                children.append(widgets.HTML(headings[name]))
            children.append(row)
        children.append(self._status)
        super().__init__(([self.banner] if own_banner else []) + children)
        self.add_class("tk-panel")
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
