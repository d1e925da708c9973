"""The lesson apps: a lever panel wired to a dashboard, ready to display in a notebook.

- :class:`TriageLab` (lesson 01): choose a model and a flagging policy, see who is
  flagged, caught and missed, by group, against the usual rule.
- :class:`Tour` (lesson 00): a guided tour of the same dashboard, one step at a time,
  with a single lever to try.

Each app is one widget; a lesson cell builds it and leaves it as the cell's value.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..pipeline import Settings
from ..text import SYNTHETIC_NOTICE
from ._safety import Banner, guarded
from .dashboard import Dashboard
from .panel import LeverPanel

__all__ = ["TriageLab", "Tour", "synthetic_notice"]


def synthetic_notice() -> widgets.HTML:
    """The strip every app shows: these patients are synthetic."""
    notice = widgets.HTML(
        '<div style="background:#EAF4FB;border-left:4px solid #56B4E9;padding:6px 12px;'
        f'font-size:13px">{html.escape(SYNTHETIC_NOTICE)}</div>'
    )
    notice.add_class("tk-synthetic")
    return notice


class TriageLab(widgets.VBox):
    """Lesson 01's app: triage levers and the consequence dashboard.

    Parameters
    ----------
    levers : sequence of str, default=("model", "policy", "threshold", "capacity")
    settings : Settings, default=Settings()
        Where the levers start.
    attribute : str, default="ethnicity"
        The groups compared first.

    Attributes
    ----------
    panel : LeverPanel
    dashboard : Dashboard

    Examples
    --------
    >>> lab = TriageLab()
    >>> lab.panel.rows["model"].value = "logistic"
    >>> lab.dashboard.updates
    2
    """

    def __init__(self, levers=("model", "policy", "threshold", "capacity"), *,
                 settings: Settings | None = None, attribute: str = "ethnicity"):
        self.banner = Banner()
        self.dashboard = Dashboard(attribute=attribute, banner=self.banner)
        self.panel = LeverPanel(levers, settings=settings, banner=self.banner,
                                on_result=self.dashboard.show)
        super().__init__([synthetic_notice(), self.banner, self.panel, self.dashboard])
        self.add_class("tk-app")
        guarded(self.banner)(self.panel.update)(self.panel.settings)


TOUR_STEPS = (
    ("Patients", "Each small square on the left is one patient. We always show 1,000 "
     "patients, so you can read every number as 'out of 1,000 patients like ours'."),
    ("Caught", "Green squares are patients who will have a mental-health crisis in the "
     "next 90 days and were flagged for urgent follow-up: crises caught."),
    ("Missed", "Red squares will have a crisis but were not flagged: crises missed. "
     "These are the patients the triage tool failed."),
    ("Needless", "Orange squares were flagged but will not have a crisis: needless "
     "escalations. They cost clinicians' time and can worry or stigmatise patients."),
    ("Groups", "On the right, each bar is one group of patients: how many crises per 1,000 "
     "people in that group, green if caught, red if missed. The black tick shows how "
     "many were caught at the starting point, so you can see who gains and who loses."),
    ("Your turn", "Move the slider: it sets how many patients the team can follow up. "
     "Watch the green, red and orange squares, the bars and the sentence below."),
)


class Tour(widgets.VBox):
    """Lesson 00's app: a step-by-step tour of the dashboard with one lever.

    The dashboard shows a logistic-regression model that flags the top k % of risk,
    against the usual rule; the one lever is the team's capacity.
    """

    def __init__(self, settings: Settings | None = None):
        settings = settings or Settings(model="logistic", policy="capacity")
        self.banner = Banner()
        self.step = 0
        self._step_html = widgets.HTML()
        self._step_html.add_class("tk-tour-step")
        self._back = widgets.Button(description="◀ Back", layout=widgets.Layout(width="90px"))
        self._next = widgets.Button(description="Next ▶", button_style="info",
                                    layout=widgets.Layout(width="90px"))
        self._back.add_class("tk-tour-back")
        self._next.add_class("tk-tour-next")
        self._back.on_click(guarded(self.banner)(lambda _: self.go(self.step - 1)))
        self._next.on_click(guarded(self.banner)(lambda _: self.go(self.step + 1)))
        self.dashboard = Dashboard(banner=self.banner)
        self.panel = LeverPanel(("capacity",), settings=settings, banner=self.banner,
                                on_result=self.dashboard.show)
        nav = widgets.HBox([self._back, self._next, self._step_html],
                           layout=widgets.Layout(align_items="center"))
        super().__init__([synthetic_notice(), self.banner, nav, self.panel, self.dashboard])
        self.add_class("tk-app")
        guarded(self.banner)(self.panel.update)(settings)
        self.go(0)

    def go(self, step: int) -> None:
        """Show tour step ``step`` (clamped to the first and last)."""
        self.step = max(0, min(step, len(TOUR_STEPS) - 1))
        title, body = TOUR_STEPS[self.step]
        self._step_html.value = (
            f'<div data-step="{self.step}" style="font-size:15px;max-width:52em;'
            f'margin-left:10px"><b>Step {self.step + 1} of {len(TOUR_STEPS)}: '
            f"{html.escape(title)}.</b> {html.escape(body)}</div>"
        )
        self._back.disabled = self.step == 0
        self._next.disabled = self.step == len(TOUR_STEPS) - 1
