"""Lesson 06's app: a model that worked last year, 36 months of drift, and who notices.

- :class:`MonitorLab`: the monitoring levers, the consequence dashboard over the 36
  months, the time-series figure (:mod:`.monitor_figure`), plain sentences on what
  changed and when it was noticed, the monitoring log as an audit trail, a table by
  year and group, and the model's card against local validation;
- :func:`epic_case`: the case box (the Epic sepsis model; Michigan's pause, 2020).

Presentation only: the numbers come from :mod:`teachkit.monitor`.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..levers.monitor import MONITOR_LEVERS
from ..monitor import MonitorResult, MonitorSettings
from ..monitor.deployment import time_axis_key
from ..monitor.monitors import psi_false_alarm_rate
from ..monitor.timeline import TRAINING_MONTHS
from ..text import per_1000
from ._safety import Banner
from .apps import Lab
from .dashboard import Dashboard, alt_html, alt_widget
from .monitor_figure import monitor_alt_text, monitor_png
from .views import View

__all__ = ["MonitorLab", "MonitorDashboard", "SeriesView", "MonitorTextView", "epic_case",
           "MONITOR_LAB_LEVERS",
           "log_html", "by_year_html", "card_html", "what_changed_html"]

#: The levers of the lab, in the order shown.
MONITOR_LAB_LEVERS = MONITOR_LEVERS
_TABLE = 'style="border-collapse:collapse;font-size:13px;margin:4px 0"'
_TH = 'style="padding:2px 8px;text-align:left;border-bottom:1px solid #999"'
_TD = 'style="padding:2px 8px;text-align:left"'
_TDR = 'style="padding:2px 8px;text-align:right"'
#: What the lab assumes where no source was found (A).
ASSUMPTIONS = (
    "Assumptions, not findings: the clinic screens 1,000 patients a month; crises fall by "
    "10 % a year in the base-rate event; the coding change adds one recorded crisis per "
    "100 patients; the shock lasts three months; the CUSUM's limits (0.5 and 4 standard "
    "deviations) and the six labelled months a recalibration learns from are teaching "
    "choices; how much sicker the shock's patients are was fitted so that alerts rise by "
    "Wong's 43 %. The shock's census fall (35 %) and alert rise, the PSI lights and the "
    "Davis 2022 O:E figures are published.")


def epic_case() -> widgets.HTML:
    """The case box: a vendor's sepsis model meets a real hospital, then a pandemic."""
    body = (
        "<b>Case: the Epic sepsis model (2021) and Michigan's pause (2020).</b> The "
        "vendor's documentation reported an AUC of 0.76-0.83. When Michigan Medicine "
        "validated it on 27,697 of its own patients it found 0.63: at the recommended "
        "threshold it alerted on 18 % of inpatients and missed 67 % of sepsis cases "
        "(Wong et al. 2021, <i>JAMA Intern Med</i>). In spring 2020, across 24 hospitals, "
        "the share of patients alerting each day rose from 9 % to 21 % while the census "
        "fell 35 %; total alerts rose 43 % (Wong et al. 2021, <i>JAMA Netw Open</i>). "
        "Michigan's AI committee paused the alert: COVID-19 had changed the link between "
        "fever and sepsis (Finlayson et al. 2021, <i>NEJM</i> 385:283). Nobody had "
        "changed the model; the world around it had moved.")
    box = widgets.HTML(
        f'<div style="border-left:4px solid #D55E00;padding:6px 12px;max-width:60em;'
        f'font-size:14px;line-height:1.45;background:#fbf4ee">{body}</div>')
    box.add_class("tk-case")
    return box


def what_changed_html(result: MonitorResult) -> str:
    """The plain sentences: what changed, and when it was noticed."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in result.sentences())
    return (f'<ul style="font-size:14px;max-width:60em;line-height:1.45">{items}</ul>')


def log_html(result: MonitorResult, limit: int = 12) -> str:
    """The monitoring log as an audit trail (the first ``limit`` entries)."""
    log = result.log
    head = "".join(f"<th {_TH}>{html.escape(c)}</th>" for c in log.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td {_TD}>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in log.head(limit).itertuples(index=False))
    more = (f"<p style='font-size:12px'>... and {len(log) - limit} more entries.</p>"
            if len(log) > limit else "")
    if result.settings.monitoring == "none":
        note = ("<p style='font-size:13px'>Nobody is watching: the log has nothing but "
                "the go-live. A missed crisis cannot be traced to anything.</p>")
    elif result.incidents:
        note = (f"<p style='font-size:13px'><b>Incident clock (EU AI Act Art. 73):</b> "
                f"{html.escape(result.incidents[0].sentence())}</p>")
    else:
        note = ""
    return (f'<div style="font-size:14px;font-weight:600;margin-top:8px">Monitoring log '
            f"(the Art. 72 plan's record)</div><table {_TABLE}><tr>{head}</tr>{rows}"
            f"</table>{more}{note}")


def by_year_html(result: MonitorResult, attribute: str = "language") -> str:
    """AUC, O:E and crises missed per 1,000, by year and group."""
    table = result.by_year(attribute)
    head = "".join(f"<th {_TH}>{c}</th>" for c in ("year", attribute, "patients", "AUC",
                                                   "observed / expected",
                                                   "missed per 1,000"))
    rows = "".join(
        f"<tr><td {_TD}>{year}</td><td {_TD}>{html.escape(str(group))}</td>"
        f"<td {_TDR}>{int(r['patients']):,}</td><td {_TDR}>{r['AUC']:.2f}</td>"
        f"<td {_TDR}>{r['O:E']:.2f}</td><td {_TDR}>{per_1000(r['missed per 1,000'])}</td></tr>"
        for (year, group), r in table.iterrows())
    return f"<table {_TABLE}><tr>{head}</tr>{rows}</table>"


def card_html(result: MonitorResult) -> str:
    """The model's card against what the clinic finds, and the small-clinic warning."""
    d = result.settings
    who = "The vendor's card" if d.model_source == "vendor" else \
        f"Our own validation on the {TRAINING_MONTHS} training months"
    rate = psi_false_alarm_rate(d.monthly_volume, TRAINING_MONTHS * d.monthly_volume)
    return (
        f'<p style="font-size:14px;max-width:60em">{who} says AUC '
        f"<b>{result.card_auc:.2f}</b>; the first year in this clinic gives "
        f"<b>{result.local_auc:.2f}</b> (observed / expected "
        f"{result.period(1, 12)['O:E']:.2f}). With {d.monthly_volume:,} patients a month, "
        f"the PSI 0.10 light fires in about {100 * rate:.0f} % of months with no drift "
        "at all (chance alone).</p>")


#: The views' HTML per setting, group attribute and baseline (a seen setting is instant).
_VIEWS: dict = {}


def _views(result: MonitorResult, attribute: str) -> tuple[str, ...]:
    totals = result.totals()
    state = (
        f'<span class="tk-monitor-data" data-alarms="{totals["alarms"]}" '
        f'data-ignored="{totals["ignored"]}" data-updates="{totals["updates"]}" '
        f'data-missed="{totals["missed"]}" '
        f'data-oe-y3="{result.period(25, 36)["O:E"]:.4f}" '
        f'data-incidents="{len(result.incidents)}" '
        f'data-baseline="{html.escape(result.baseline_name)}"></span>')
    return (what_changed_html(result), card_html(result), log_html(result),
            by_year_html(result, attribute), state)


class _RememberedFigure:
    """The consequence figure, remembering the PNG (and its alt text) it drew for each
    (frame, groups): a run seen before (the same cached frame) is not drawn again."""

    def __init__(self, figure, size: int = 64):
        self._figure, self._size = figure, size
        self._pngs: dict = {}
        self._now = None
        self._alt = ""

    def __getattr__(self, name):
        return getattr(self._figure, name)

    def update(self, frame, attribute) -> None:
        self._now = (frame, attribute)

    def to_png(self) -> bytes:
        frame, attribute = self._now
        key = (id(frame), attribute)
        hit = self._pngs.get(key)
        if hit is None or hit[0] is not frame:
            self._figure.update(frame, attribute)
            # the frame is kept: its id stays its own
            hit = self._pngs[key] = (frame, self._figure.to_png(), self._figure.alt_text())
            while len(self._pngs) > self._size:
                self._pngs.pop(next(iter(self._pngs)))
        self._alt = hit[2]
        return hit[1]

    def alt_text(self) -> str:
        """The words for the figure last drawn (or remembered)."""
        return self._alt


class MonitorDashboard(Dashboard):
    """The consequence dashboard over 36 months: a run seen before is not drawn again
    (its figure is remembered, :class:`_RememberedFigure`)."""

    def make_figure(self):
        return _RememberedFigure(super().make_figure())


class SeriesView(View, widgets.VBox):
    """The time-series figure over the 36 months, and its words (the image's alt)."""

    name, css, stages = "monitor_series", "tk-monitor-series", ("monitor",)

    def __init__(self, *, banner: Banner | None = None):
        self._series = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self._series.add_class("tk-monitor-figure")
        self._series_alt = alt_widget()  # the page makes its words the image's alt text
        super().__init__(banner=banner, children=[self._series, self._series_alt])

    def update(self, result: MonitorResult, attribute: str) -> None:
        self._series.value = monitor_png(result, attribute)
        self._series_alt.value = alt_html(monitor_alt_text(result))

    @property
    def png(self) -> bytes:
        """The time-series figure on show."""
        return self._series.value


class MonitorTextView(View, widgets.VBox):
    """What changed and when it was noticed, the model's card against local
    validation, the monitoring log and the table by year and group.

    Its hidden ``tk-monitor-state`` element carries ``data-alarms``, ``data-ignored``,
    ``data-updates``, ``data-missed``, ``data-oe-y3`` and ``data-incidents`` for browser
    tests. The HTML is remembered per setting, group attribute and baseline.
    """

    name, css, stages = "monitor_text", "tk-monitor-text", ("monitor",)

    def __init__(self, *, banner: Banner | None = None):
        self._changed = widgets.HTML()
        self._changed.add_class("tk-monitor-sentences")
        self._card = widgets.HTML()
        self._card.add_class("tk-monitor-card")
        self._log = widgets.HTML()
        self._log.add_class("tk-monitor-log")
        self._years = widgets.HTML()
        self._years.add_class("tk-monitor-years")
        self._mstate = widgets.HTML(layout=widgets.Layout(display="none"))
        self._mstate.add_class("tk-monitor-state")
        super().__init__(banner=banner, children=[self._changed, self._card, self._log,
                                                  self._years, self._mstate])

    def update(self, result: MonitorResult, attribute: str) -> None:
        key = (time_axis_key(result.settings), attribute, result.baseline_name)
        views = _VIEWS.get(key)
        if views is None:
            views = _VIEWS[key] = _views(result, attribute)
            while len(_VIEWS) > 128:
                _VIEWS.pop(next(iter(_VIEWS)))
        (self._changed.value, self._card.value, self._log.value, self._years.value,
         self._mstate.value) = views


class MonitorLab(Lab):
    """Lesson 06's app: a deployed model over 36 months.

    Starts with nothing changing, nobody watching and a model that is never updated;
    every change is compared one step back
    (:meth:`teachkit.monitor.MonitorSettings.baseline`).

    Examples
    --------
    >>> lab = MonitorLab()
    >>> lab.panel.rows["drift_base_rate"].value = 1
    >>> lab.dashboard.result.baseline_name
    'the same three years with nothing changing'
    """

    LEVERS = MONITOR_LAB_LEVERS
    VIEWS = (SeriesView, MonitorTextView)
    SETTINGS = MonitorSettings()
    DASHBOARD = MonitorDashboard
    ATTRIBUTE = "language"

