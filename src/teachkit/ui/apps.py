"""The lesson apps: a lever panel wired to a dashboard, ready to display in a notebook.

- :class:`TriageLab` (lesson 01): choose a model and a flagging policy, see who is
  flagged, caught and missed, by group, against the usual rule.
- :class:`Tour` (lesson 00): a guided tour of the same dashboard, one step at a time,
  with a single lever to try.
- :class:`BiasLab` (lesson 02): inject bias (proxy label, under-sampling, measurement
  bias), then mitigate, and see who is missed, who fills the programme and the price.

Each app is one widget; a lesson cell builds it and leaves it as the cell's value.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..consequences import equal_score_gap
from ..levers import get_spec
from ..palette import ACCENT, BASELINE_COLOUR
from ..pipeline import RunResult, Settings
from ..stages import prepare_run
from ..stages import run as run_deployment
from ..text import (
    LABEL_NAMES,
    SYNTHETIC_NOTICE,
    describe_base_rates,
    describe_equal_score,
    describe_group_change,
    describe_programme,
    per_1000,
    percent,
)
from ._layouts import plain_html, shared_layout
from ._opening import opens_when_built
from ._safety import Banner, guarded
from .dashboard import Dashboard
from .panel import LeverPanel, heading_html
from .rows import on_step
from .views import HTMLView, View

__all__ = ["Lab", "BiasLab", "FairnessView", "TriageLab", "Tour", "draw_resting_figures",
           "prepare_lever_states", "synthetic_notice", "threshold_steps"]


def synthetic_notice() -> widgets.HTML:
    """The strip every app shows: these patients are synthetic."""
    notice = plain_html(
        '<div style="background:#EAF4FB;border-left:4px solid #56B4E9;padding:6px 12px;'
        f'font-size:13px">{html.escape(SYNTHETIC_NOTICE)}</div>', "tk-synthetic")
    return notice


class Lab(widgets.VBox):
    """Any lesson's app: a lever panel wired to a dashboard and the lesson's views.

    ``Lab(levers, views=[...])`` builds any lesson's app. A lesson's own lab is this
    class with its defaults declared as class attributes (``LEVERS``, ``VIEWS``,
    ``SETTINGS``, and where the lesson needs them ``DASHBOARD``, ``PANEL``, ``RUN``,
    ``ATTRIBUTE``, ``CSS``): it writes no constructor.

    Its widgets, and those a lesson's own constructor makes, reach the page once built,
    each with the first run's state (:func:`~teachkit.ui._opening.opened_when_built`):
    no update message follows their opening.

    Parameters
    ----------
    levers : sequence of str, default=LEVERS
        The levers the trainee may move (names in :data:`teachkit.levers.REGISTRY`).
    views : sequence of View classes or objects, default=VIEWS
        The lesson's views (:class:`~teachkit.ui.views.View`), below the dashboard's
        sentence in this order; a class is built with the lab's banner.
    settings : Settings or Deployment, default=SETTINGS, else Settings()
        Where the levers start; a :class:`~teachkit.stages.Deployment` runs its stages.
    dashboard : callable(*, views, attribute, banner) -> BaseDashboard, default=DASHBOARD
        What shows each result: cards, figure and sentence, then the views.
    panel : callable, default=PANEL
        The lever panel class (a lesson may grey out levers its own way).
    run : callable(settings) -> result, default=RUN, else :func:`teachkit.stages.run`
    attribute : str, default=ATTRIBUTE
        The patient groups compared first.

    Attributes
    ----------
    panel : LeverPanel
    dashboard : BaseDashboard
    views : dict of str to View
        Every view the lab updates: the dashboard's, then any added later.

    Examples
    --------
    >>> from teachkit.ui.views import NumbersTable
    >>> lab = Lab(("model", "threshold"), views=[NumbersTable])
    >>> lab.panel.rows["model"].value = "logistic"
    >>> lab.dashboard.updates, "Logistic regression" in lab.views["numbers"].value
    (2, True)
    """

    LEVERS: tuple[str, ...] = ()
    VIEWS: tuple = ()
    SETTINGS = None
    DASHBOARD: type = Dashboard
    PANEL: type = LeverPanel
    RUN = None
    ATTRIBUTE = "ethnicity"
    #: A CSS class of the lesson's own (two labs in one page tell themselves apart).
    CSS = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:  # a lesson's own constructor: held as a whole
            cls.__init__ = opens_when_built(cls.__dict__["__init__"])

    @opens_when_built
    def __init__(self, levers=None, *, views=None, settings=None, dashboard=None,
                 panel=None, run=None, attribute: str | None = None):
        self.banner = Banner()
        built = [view if isinstance(view, View) else view(banner=self.banner)
                 for view in (self.VIEWS if views is None else views)]
        self.dashboard = (dashboard or self.DASHBOARD)(
            views=built, attribute=attribute or self.ATTRIBUTE, banner=self.banner)
        self.views = dict(self.dashboard.views)
        self.panel = (panel or self.PANEL)(
            self.LEVERS if levers is None else levers,
            settings=settings if settings is not None else self.SETTINGS,
            banner=self.banner, on_result=self._show, run=run or type(self).RUN)
        super().__init__([synthetic_notice(), self.banner, *self.header(), self.panel,
                          plain_html(heading_html("What happens to patients")),
                          self.dashboard],
                         _dom_classes=("tk-app", self.CSS) if self.CSS else ("tk-app",),
                         layout=shared_layout())
        guarded(self.banner)(self.panel.update)(self.panel.settings)

    def header(self) -> tuple:
        """Widgets a lesson shows between the banner and the levers (none here)."""
        return ()

    def _show(self, result) -> None:
        self.dashboard.show(result)
        for name, view in self.views.items():
            if name not in self.dashboard.views:
                view.update(result, self.dashboard.attribute)

    def add_view(self, view) -> None:
        """Update ``view`` (a :class:`~teachkit.ui.views.View`) with every run, from the
        current one on; it may be displayed anywhere in the lesson."""
        self.views[view.name] = view
        if self.panel.result is not None:
            guarded(self.banner)(view.update)(self.panel.result, self.dashboard.attribute)


class TriageLab(Lab):
    """Lesson 01's app: triage levers and the consequence dashboard.

    Parameters
    ----------
    levers : sequence of str, default=("model", "policy", "threshold", "capacity")
    settings : Settings, default=Settings()
        Where the levers start.
    attribute : str, default="ethnicity"
        The groups compared first.

    Examples
    --------
    >>> lab = TriageLab()
    >>> lab.panel.rows["model"].value = "logistic"
    >>> lab.dashboard.updates
    2
    """

    LEVERS = ("model", "policy", "threshold", "capacity")


TOUR_STEPS = (
    ("Patients", "Each small square on the left is one patient. We always show 1,000 "
     "patients, so you can read every number as 'out of 1,000 patients like ours'."),
    ("Caught", "Solid dark squares (green) are patients who will have a mental-health "
     "crisis in the next year and were flagged for urgent follow-up: crises caught."),
    ("Missed", "Hollow squares (an outline with a white middle) will have a crisis but "
     "were not flagged: crises missed. "
     "These are the patients the triage tool failed."),
    ("Needless", "Solid light squares (orange) were flagged but will not have a crisis: "
     "needless escalations. They cost clinicians' time and can worry or stigmatise patients."),
    ("Groups", "On the right, each bar is one group of patients: how many crises per 1,000 "
     "people in that group, solid if caught, striped if missed. The black tick shows how "
     "many were caught at the starting point, so you can see who gains and who loses."),
    ("Your turn", "Move the slider: it sets how many patients the team can follow up. "
     "Watch the solid, hollow and light squares, the bars and the sentence below."),
)


class Tour(Lab):
    """Lesson 00's app: a step-by-step tour of the dashboard with one lever.

    The dashboard shows a logistic-regression model that flags the top k % of risk,
    against the usual rule; the one lever is the team's capacity.
    """

    LEVERS = ("capacity",)
    SETTINGS = Settings(model="logistic", policy="capacity")

    def __init__(self, settings: Settings | None = None):
        self.step = 0
        self._step_html = plain_html("", "tk-tour-step")
        self._back = widgets.Button(description="◀ Back", layout=shared_layout(width="90px"),
                                    _dom_classes=("tk-tour-back",))
        self._next = widgets.Button(description="Next ▶", button_style="info",
                                    layout=shared_layout(width="90px"),
                                    _dom_classes=("tk-tour-next",))
        super().__init__(settings=settings)
        self._back.on_click(guarded(self.banner)(lambda _: self.go(self.step - 1)))
        self._next.on_click(guarded(self.banner)(lambda _: self.go(self.step + 1)))
        self.go(0)

    def header(self) -> tuple:
        """The tour's Back / Next buttons and the step on show, above the lever."""
        return (widgets.HBox([self._back, self._next, self._step_html],
                             layout=shared_layout(align_items="center")),)

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


# -- lesson 02 --------------------------------------------------------------------------
BIAS_LAB_LEVERS = ("model", "capacity", "label", "access_gap", "undersample", "underreport",
                   "self_harm_unrecorded", "mitigation")
#: The two groups each attribute's sentences compare (the group a lever acts on first).
_FOCUS = {"ethnicity": ("Black", "White"), "language": ("Limited English", "English"),
          "sex": ("female", "male"), "insurance": ("uninsured", "private"),
          "rurality": ("rural", "urban")}


def _label_name(settings: Settings) -> str:
    return LABEL_NAMES["need" if settings.mitigation == "relabel" else settings.label]


def _programme(frame, attribute: str):
    """Each group's share of the flagged patients (the programme), from a frame."""
    sub = frame.by_group.loc[attribute]
    counts = sub["flagged"] * sub["patients"] / 1000
    return counts / max(counts.sum(), 1e-12)


def programme_bars_html(share, before, population) -> str:
    """A picture of who fills the programme: one row per group, in plain HTML.

    Each row has a grey bar for the group's share of all patients, a blue bar for its
    share of the flagged patients now and a black tick for the share before, so an
    unfair programme shows as a blue bar far from its grey one. All three are Series
    indexed by group, as shares in [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> out = programme_bars_html(pd.Series({"A": 0.05}), pd.Series({"A": 0.14}),
    ...                           pd.Series({"A": 0.12}))
    >>> 'data-now="0.05"' in out and 'data-before="0.14"' in out
    True
    """
    top = max(float(share.max()), float(before.max()), float(population.max()), 1e-9)
    scale = 100 / top
    rows = []
    for group in share.index:
        now, then, pop = float(share[group]), float(before[group]), float(population[group])
        rows.append(
            f'<div class="tk-programme-row" data-group="{html.escape(str(group))}" '
            f'data-now="{now:.2f}" data-before="{then:.2f}" data-population="{pop:.2f}" '
            'style="display:flex;align-items:center;gap:8px;margin:2px 0">'
            f'<span style="width:9em;font-size:13px">{html.escape(str(group))}</span>'
            '<span style="position:relative;display:inline-block;width:320px;height:22px">'
            f'<span title="share of all patients: {percent(pop)}" style="position:absolute;'
            f'left:0;top:0;height:8px;width:{pop * scale:.1f}%;background:#BBBBBB"></span>'
            f'<span title="share of the programme now: {percent(now)}" style="position:'
            f'absolute;left:0;top:10px;height:10px;width:{now * scale:.1f}%;'
            f'background:{ACCENT}"></span>'
            f'<span title="share of the programme before: {percent(then)}" style="position:'
            f'absolute;top:7px;height:16px;width:2px;left:{then * scale:.1f}%;'
            f'background:{BASELINE_COLOUR}"></span></span>'
            f'<span style="font-size:13px">{percent(now)} of the programme '
            f'<span style="color:#555">(before {percent(then)}; {percent(pop)} of '
            "patients)</span></span></div>"
        )
    legend = (
        '<div style="font-size:12px;color:#555;margin:2px 0 6px 0">'
        '<span style="display:inline-block;width:14px;height:8px;background:#BBBBBB"></span> '
        "share of all patients &nbsp; "
        f'<span style="display:inline-block;width:14px;height:10px;background:{ACCENT}">'
        "</span> share of the programme now &nbsp; "
        f'<span style="display:inline-block;width:2px;height:12px;background:'
        f'{BASELINE_COLOUR}"></span> before</div>'
    )
    return ('<div class="tk-programme-bars" role="img" aria-label="Share of each group in '
            'the programme, now and before, beside its share of patients">'
            '<div style="font-size:13px;color:#333"><b>Who fills the programme</b></div>'
            + "".join(rows) + legend + "</div>")


def fairness_html(result: RunResult, attribute: str = "ethnicity") -> str:
    """The fairness view: a table by group, now against before, and four sentences.

    Columns: patients, crises per 1,000, share of the programme (the flagged patients),
    crises missed per 1,000, share of crises caught (sensitivity), share of flags that
    are crises (PPV) and AUC; each "now · before". Then: who fills the programme, who is
    sicker at the same score, who gains and who loses, and why not every error can be
    equal when base rates differ.
    """
    frame, base = result.consequences, result.baseline
    before = base if base is not None else frame
    sub, metrics = frame.by_group.loc[attribute], frame.metrics.loc[attribute]
    bsub, bmetrics = before.by_group.loc[attribute], before.metrics.loc[attribute]
    share, bshare = _programme(frame, attribute), _programme(before, attribute)
    population = sub["patients"] / sub["patients"].sum()
    rows = []
    for group in sub.index:
        cells = [
            f"{int(sub.loc[group, 'patients']):,}",
            per_1000(sub.loc[group, "crises"]),
            f"{percent(share[group])} · {percent(bshare[group])}",
            f"{per_1000(sub.loc[group, 'missed'])} · {per_1000(bsub.loc[group, 'missed'])}",
            f"{percent(metrics.loc[group, 'sensitivity'])} · "
            f"{percent(bmetrics.loc[group, 'sensitivity'])}",
            f"{percent(metrics.loc[group, 'PPV'])} · {percent(bmetrics.loc[group, 'PPV'])}",
            f"{metrics.loc[group, 'AUC']:.2f}",
        ]
        rows.append(f'<tr data-group="{html.escape(str(group))}"><th style="text-align:left">'
                    f"{html.escape(str(group))}</th>"
                    + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = ("group", "patients", "crises per 1,000", "share of flagged (programme)",
            "crises missed per 1,000", "crises caught", "flags that are crises", "AUC")
    table = (
        '<table class="tk-fairness-table" style="border-collapse:collapse;font-size:13px">'
        "<thead><tr>" + "".join(f'<th style="padding:2px 8px">{h}</th>' for h in head)
        + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    sentences = []
    focus, reference = _FOCUS.get(attribute, (sub.index[0], sub.index[-1]))
    if focus in sub.index and reference in sub.index:
        rest_settings = result.baseline_result.settings if result.baseline_result else None
        label_changed = rest_settings is not None and _label_name(rest_settings) != \
            _label_name(result.settings)
        now_name = _label_name(result.settings) if label_changed else "this set-up"
        before_name = _label_name(rest_settings) if label_changed else result.baseline_name
        programme = float(frame.overall["flagged"].iloc[0]) / 1000
        sentences.append(describe_programme(
            focus, share[focus], bshare[focus], programme=programme,
            population=population[focus], now_name=now_name, before_name=before_name))
        if frame.is_probability:
            gap = equal_score_gap(result.calibration_by_group(attribute), focus, reference,
                                  ratio=True)
            sentences.append(describe_equal_score(focus, reference, gap))
        sentences.append(describe_base_rates(sub["crises"], metrics, group=focus,
                                             reference=reference))
    if base is not None:
        sentences.insert(0, describe_group_change(
            result.versus_baseline().loc[attribute, "missed"]))
    text = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return (
        '<div class="tk-fairness" style="margin-top:6px">'
        + programme_bars_html(share, bshare, population)
        + f'<div style="font-size:13px;color:#333;margin-bottom:4px"><b>By group</b> '
        f"(now · {html.escape(result.baseline_name)})</div>{table}"
        f'<ul style="font-size:14px;max-width:60em;line-height:1.4">{text}</ul></div>'
    )


class FairnessView(HTMLView):
    """Lesson 02's fairness view: who fills the programme, a table by group now against
    before, and four sentences (:func:`fairness_html`)."""

    name, css = "fairness", "tk-fairness-view"

    def html(self, result: RunResult, attribute: str) -> str:
        return fairness_html(result, attribute)


class BiasLab(Lab):
    """Lesson 02's app: inject bias, watch who is missed, and pay for each fix.

    Starts from a logistic-regression model that fills a top-3 % programme, trained on
    the true outcome; every bias lever and the mitigation are compared one step back
    (:meth:`teachkit.pipeline.Settings.baseline`).

    Parameters
    ----------
    levers : sequence of str, default=BIAS_LAB_LEVERS
    settings : Settings, default=logistic model, top 3 % (capacity policy)
    attribute : str, default="ethnicity"

    Examples
    --------
    >>> lab = BiasLab()
    >>> lab.panel.rows["label"].value = "cost"
    >>> lab.dashboard.result.baseline_name
    'the same model without the bias'
    >>> "tk-fairness-table" in lab.views["fairness"].value
    True
    """

    LEVERS = BIAS_LAB_LEVERS
    VIEWS = (FairnessView,)
    SETTINGS = Settings(model="logistic", policy="capacity", capacity=0.03)


def draw_resting_figures() -> int:
    """Draw the consequence figure of each lab with the triage dashboard (lessons 00-02)
    at rest, as its dashboard would, without building a widget; return how many
    pictures are kept. (A room's warm parent then prepares lesson 01's lever states:
    :func:`prepare_lever_states`.)

    The pictures and their backgrounds stay in this process's figure caches
    (:data:`teachkit.plotting._PNGS`): the warm parent of forked kernels calls this
    before it forks, so a child's first picture is a kept one, and its first lever moves
    redraw only the marks that change (~0.4 s of CPU saved per kernel). A lab showing
    other numbers draws its own picture. Lesson 01's figure is kept too, as it stands
    (:meth:`~teachkit.plotting.ConsequenceFigure.keep_spare`): the first dashboard of a
    child takes it instead of building its own (~30 ms of CPU a kernel).
    """
    labs = (TriageLab, Tour, BiasLab)
    for lab in reversed(labs):  # lesson 01's last, as the spare figure
        settings = lab.SETTINGS if lab.SETTINGS is not None else Settings()
        figure = _show_once(lab, settings)
        figure.to_png()
    figure.keep_spare()
    return len(labs)


def _show_once(lab, settings, figure=None):
    """``lab``'s figure showing the run of ``settings``, as its dashboard draws it."""
    figure = figure or lab.DASHBOARD.FIGURE()
    figure.update(Dashboard.figure_input(None, (lab.RUN or run_deployment)(settings)),
                  lab.ATTRIBUTE)
    return figure


#: The lever states :func:`prepare_lever_states` makes before kernels fork: lesson 01's
#: risk threshold at every step of its slider, for the first model a trainee chooses
#: (the usual rule ignores the threshold; the other models are a choice away).
PREPARED_MODELS = ("logistic",)


def threshold_steps() -> list[float]:
    """Every value lesson 01's risk-threshold slider can show, as its row reads it
    (:func:`teachkit.ui.rows.on_step`), lowest first.

    Examples
    --------
    >>> steps = threshold_steps()
    >>> len(steps), steps[0], steps[49], steps[-1]
    (200, 0.001, 0.05, 0.2)
    """
    spec = get_spec("threshold")
    low, high, step = spec.constraint.low, spec.constraint.high, spec.step
    return [on_step(low + k * step, step, low)
            for k in range(int(round((high - low) / step)) + 1)]


def prepare_lever_states(lab: type = TriageLab, models=PREPARED_MODELS,
                         thresholds=None) -> int:
    """Run and draw every state lesson 01's threshold lever reaches with ``models``
    (``thresholds``: default :func:`threshold_steps`), and keep each run
    (:func:`teachkit.stages.prepare_run`) and picture
    (:meth:`teachkit.plotting.ConsequenceFigure.keep_png`) for good; return how many.

    A room's warm parent of forked kernels calls it (after :func:`draw_resting_figures`)
    before it forks: a room of trainees moving the same lever then finds every state
    made once, where each of their kernels would otherwise compute and draw the same
    runs and pictures again. Keys are the run's settings and the picture's numbers, so
    any other state (another lever moved, another group chosen) is computed as before.
    """
    base = lab.SETTINGS if lab.SETTINGS is not None else Settings()
    thresholds = threshold_steps() if thresholds is None else list(thresholds)
    figure = None
    for model in models:
        for threshold in thresholds:
            settings = base.replace(model=model, threshold=threshold)
            prepare_run(settings)
            figure = _show_once(lab, settings, figure)
            figure.keep_png()
    return len(models) * len(thresholds)
