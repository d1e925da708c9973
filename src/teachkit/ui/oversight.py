"""Lesson 04's app: drop the human in the loop, or give them too much to do, and see
what reaches patients and who decided it.

- :class:`OversightLab`: the oversight levers, the consequence dashboard (counted on
  what is actually done), who decided each case by group, the review's cost in
  clinician hours, a responsibility map, the REACH VET tier table and an audit log for
  one patient;
- :func:`tessa_case`: the case box of the lesson (NEDA's Tessa chatbot, 2023).

Presentation only: the numbers come from :mod:`teachkit.oversight`.
"""

from __future__ import annotations

import html
from functools import lru_cache

import ipywidgets as widgets

from ..levers.oversight import MINUTES_PER_REVIEW, OVERSIGHT_LEVERS, REVIEW_LEVERS, TIER_SHARES
from ..oversight import (
    OversightResult,
    OversightSettings,
    audit_log,
    capacity_tradeoff,
    example_patients,
    responsibility_map,
)
from ..palette import OKABE_ITO, OUTCOME_COLOURS
from ..text import per_1000, percent, whole_counts
from ._layouts import plain_html, shared_layout
from ._safety import Banner, guarded
from .apps import Lab
from .dashboard import CARD_HTML, Dashboard
from .panel import LeverPanel
from .views import HTMLView, View

__all__ = ["OversightLab", "OversightDashboard", "OversightPanel", "tessa_case",
           "WhoDecidedView", "WorkloadView", "ResponsibilityView", "TiersView",
           "OversightStateView", "AuditView",
           "OVERSIGHT_LAB_LEVERS", "DECIDER_COLOURS", "who_decided_html", "group_review_html",
           "workload_html", "responsibility_html", "tiers_html", "audit_html"]

#: The levers of the lab, in the order shown (the triage threshold among them).
OVERSIGHT_LAB_LEVERS = ("oversight", "review_capacity", "flag_tier", "threshold",
                        *OVERSIGHT_LEVERS[3:])
#: One colour per decider (Okabe-Ito), the same in every view.
DECIDER_COLOURS = {"human": OKABE_ITO["blue"], "model": OKABE_ITO["reddish_purple"],
                   "nobody": OKABE_ITO["yellow"]}
DECIDER_LABELS = {"human": "a clinician", "model": "the model alone", "nobody": "nobody"}
_TABLE = 'style="border-collapse:collapse;font-size:13px;margin:4px 0"'
_TH = 'style="padding:2px 8px;text-align:left;border-bottom:1px solid #999"'
_TD = 'style="padding:2px 8px;text-align:right"'
_ROW = 'style="padding:2px 8px;text-align:left;font-weight:600"'
_PICK_NUMBER = "the patient number on the right"
#: What the lab assumes where DOMAIN.md found no source (marked A in teachkit.sources).
ASSUMPTIONS = (
    "Assumptions, not findings: one care manager reviews about 10 new flags a day (half "
    "their day), 20 minutes each; the patients are screened over 60 working days; a flag "
    "not reviewed on its day is not followed up; training halves automation bias; the "
    "reviewer is right more often when what the patient reports (thoughts of self-harm or "
    "not) points the same way as what happens, less often when it does not. The "
    "reviewer's typical accuracy, automation bias, the effect of explanations and alert "
    "fatigue use published rates.")


def tessa_case() -> widgets.HTML:
    """The lesson's case box: NEDA's helpline and the Tessa chatbot (2023).

    Examples
    --------
    >>> "Tessa" in tessa_case().value
    True
    """
    box = plain_html(
        '<div style="border:1px solid #E69F00;border-left:6px solid #E69F00;'
        'background:#FFF9EC;padding:8px 14px;max-width:60em;font-size:14px;line-height:1.45">'
        "<b>Case: the helpline that became a chatbot (NEDA, 2023)</b><br>"
        "The US National Eating Disorders Association ran a helpline used by about "
        "<b>70,000 people</b> in the previous year. After its staff unionised (March "
        "2023) it announced the helpline would close and pointed users to <b>Tessa</b>, a "
        "rule-based prevention chatbot designed by university researchers and hosted by a "
        "vendor. In May 2023 users reported Tessa recommending a 500&ndash;1,000 kcal a "
        "day deficit and weekly weighing, advice that can harm people with an eating "
        "disorder. NEDA disabled it on <b>30 May 2023</b>. The developers said the "
        "weight-loss content was not in their programme; the vendor reported a 600 % "
        "traffic surge and adversarial use. What caused the harmful answers was never "
        "publicly resolved.<br><i>Ask:</i> once the human helpline was gone, who could "
        "catch a harmful answer, and who answers for it: NEDA, the vendor or the "
        "researchers?<div style=\"font-size:12px;color:#555;margin-top:4px\">Sources: "
        "KFF Health News / NPR; Business Insider (May 2023); WIRED; NBC (DOMAIN.md, "
        "scenario 5). Secondary reporting.</div></div>", "tk-case")
    return box


class OversightPanel(LeverPanel):
    """The lever panel of the oversight lab: it greys out the review levers when no
    clinician sees any case (the model acts alone or the flags are dropped, and no
    escalation rule)."""

    def _sync_rows(self):
        super()._sync_rows()
        s = self.settings
        idle = not s.anyone_reviews
        for name in REVIEW_LEVERS:
            if name in self.rows and name != "escalation":
                self.rows[name].disabled = idle
        if idle and not self._status.value.startswith("<i>Training"):
            self._status.value = (
                '<span style="color:#555">No clinician sees any case, so the reviewer '
                "levers have no effect (turn the escalation rule on to bring one back)."
                "</span>")


def _headline(result: OversightResult) -> str:
    now = whole_counts(result.consequences.overall.iloc[0])  # as the sentence rounds
    base = result.baseline.overall.iloc[0] if result.baseline is not None else None
    base = None if base is None else whole_counts(base)
    name = result.baseline_name.removeprefix("the ")
    decided = result.decisions.iloc[0]
    cards = [
        ("flagged", "Urgent follow-ups", OKABE_ITO["sky_blue"], "per 1,000 patients"),
        ("caught", "Crises caught", OUTCOME_COLOURS["caught"],
         f"of {per_1000(now['crises'])} crises per 1,000 patients"),
        ("missed", "Crises missed", OUTCOME_COLOURS["missed"],
         f"of {per_1000(now['crises'])} crises per 1,000 patients"),
        ("needless", "Needless escalations", OUTCOME_COLOURS["needless"],
         "per 1,000 patients"),
    ]
    parts = []
    for key, title, colour, note in cards:
        note = html.escape(note)
        if base is not None:
            note += f"<br>{html.escape(name)}: <b>{per_1000(base[key])}</b>"
        parts.append(CARD_HTML.format(colour=colour, title=title, key=key,
                                  value=per_1000(now[key]), note=note))
    parts.append(CARD_HTML.format(
        colour=DECIDER_COLOURS["nobody"], title="Cases nobody decided", key="nobody",
        value=per_1000(decided["nobody"]),
        note="per 1,000 patients: queue full or flags dropped"))
    return '<div style="display:flex;flex-wrap:wrap">' + "".join(parts) + "</div>"


def who_decided_html(result: OversightResult, attribute: str = "ethnicity") -> str:
    """A stacked bar per group: cases per 1,000 patients decided by a clinician, by the
    model alone and by nobody (Okabe-Ito colours; plain HTML, drawn by the browser)."""
    table = result.decisions
    keys = ("human", "model", "nobody")
    values = table[[*keys, "patients"]].to_numpy()
    labels = [g for a, g in table.index]
    attributes = [a for a, g in table.index]
    rows = [(labels[i], dict(zip((*keys, "patients"), values[i])))
            for i in range(len(labels)) if i == 0 or attributes[i] == attribute]
    scale = max(max(sum(r[k] for k in keys) for _, r in rows), 1.0)
    lines = []
    for group, row in rows:
        segments = "".join(
            f'<div title="{DECIDER_LABELS[k]}: {per_1000(row[k])} per 1,000" '
            f'style="width:{100 * row[k] / scale:.2f}%;background:{DECIDER_COLOURS[k]};'
            f'height:16px"></div>' for k in keys if row[k] > 0)
        numbers = " · ".join(f"{per_1000(row[k])}" for k in keys)
        lines.append(
            f'<div data-group="{html.escape(str(group))}" style="display:flex;'
            f'align-items:center;margin:2px 0"><div style="width:150px;font-size:12px">'
            f'{html.escape(str(group))} <span style="color:#555">'
            f'(n={int(row["patients"]):,})</span></div>'
            f'<div style="flex:0 0 360px;display:flex;background:#F2F2F2">{segments}</div>'
            f'<div style="font-size:12px;margin-left:8px;color:#333">{numbers}</div></div>')
    legend = " ".join(
        f'<span style="display:inline-block;width:12px;height:12px;background:{c};'
        f'border:1px solid #999;vertical-align:middle"></span> {DECIDER_LABELS[k]}'
        for k, c in DECIDER_COLOURS.items())
    return (
        '<div class="tk-who-decided" style="margin-top:8px">'
        '<div style="font-size:14px;font-weight:600">Who decided? Cases (flags and '
        "escalations) per 1,000 patients of each group</div>"
        f'<div style="font-size:12px;margin:2px 0 4px">{legend} '
        '<span style="color:#555">(numbers: clinician · model alone · nobody)</span></div>'
        + "".join(lines) + group_review_html(result, attribute) + "</div>")


def group_review_html(result: OversightResult, attribute: str = "ethnicity") -> str:
    """By group: reviews and unreviewed cases per 1,000 patients, where each group's
    missed crises were lost, reviewer-hours and crises caught per reviewer-hour."""
    table = result.decisions
    columns = ("patients", "reviewed", "nobody", "missed_unflagged", "missed_dismissed",
               "missed_nobody", "reviewer_hours", "caught_per_hour")
    values = table[list(columns)].to_numpy()
    rows = []
    for i, (attr, group) in enumerate(table.index):
        if i and attr != attribute:
            continue
        v = dict(zip(columns, values[i]))
        per_hour = "–" if v["caught_per_hour"] != v["caught_per_hour"] \
            else f"{v['caught_per_hour']:.2f}"
        cells = [f"{int(v['patients']):,}", per_1000(v["reviewed"]), per_1000(v["nobody"]),
                 per_1000(v["missed_unflagged"]), per_1000(v["missed_dismissed"]),
                 per_1000(v["missed_nobody"]), f"{v['reviewer_hours']:,.0f}", per_hour]
        rows.append(f'<tr data-group="{html.escape(str(group))}"><th {_ROW}>'
                    f"{html.escape(str(group))}</th>"
                    + "".join(f"<td {_TD}>{c}</td>" for c in cells) + "</tr>")
    head = ("group", "patients", "reviewed per 1,000", "never reviewed per 1,000",
            "crises missed: not flagged", "dismissed by a clinician", "nobody decided",
            "reviewer-hours", "crises caught per reviewer-hour")
    return (f'<table class="tk-group-review-table" {_TABLE}><thead><tr>'
            + "".join(f"<th {_TH}>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def workload_html(result: OversightResult) -> str:
    """The review's cost and yield in one paragraph: reviews a day, reviewer hours,
    overflow, crises caught per reviewer-hour, wrong advice followed."""
    w, s = result.workload, result.settings
    if not w["reviews"]:
        body = ("No clinician reviews any case: nobody spends time on the flags, and "
                "nobody checks them either.")
    else:
        body = (
            f"Reviews: <b>{w['reviews_per_day']:.1f} a day</b> (capacity {s.review_capacity}), "
            f"<b>{w['reviewer_hours']:,.0f} reviewer-hours</b> over {w['days'] // 5} weeks "
            f"at {MINUTES_PER_REVIEW} minutes each. "
            f"Crises caught by a clinician: <b>{w['caught_per_hour']:.2f} per "
            f"reviewer-hour</b>. ")
        if w["overflow"]:
            body += (f"<b>{w['overflow']:,} cases were never reviewed</b>: the queue was "
                     f"longer than the capacity on {w['days_over_capacity']} of "
                     f"{w['days']} days (busiest day: {w['busiest_day']} cases). ")
        else:
            body += "Every case in the queue was reviewed. "
        if w["wrong_advice_seen"]:
            body += (f"When the model's advice was wrong, reviewers went along with it in "
                     f"<b>{percent(w['wrong_advice_followed_share'])}</b> of cases "
                     f"({w['blind_follows']:,} times without their own check).")
        if w["fatigued"]:
            body += (f" {w['fatigued']:,} decisions to follow up were lost to alert "
                     f"fatigue.")
    return (f'<div class="tk-workload" style="font-size:14px;max-width:60em;line-height:1.45;'
            f'margin-top:8px">{body}<div style="font-size:12px;color:#555;margin-top:2px">'
            f"{html.escape(ASSUMPTIONS)}</div></div>")


def responsibility_html(result: OversightResult) -> str:
    """The responsibility map as an HTML table (see
    :func:`teachkit.oversight.responsibility_map`)."""
    table = responsibility_map(result)
    head = ("decided by", "cases", "followed up", "crises caught", "crises missed",
            "needless", "who answers for it")
    rows = []
    for name, row in table.iterrows():
        cells = [per_1000(row[c]) if c != "cases" or row[c] == row[c] else "–"
                 for c in ("cases", "followed_up", "caught", "missed", "needless")]
        rows.append(f"<tr><th {_ROW}>{html.escape(name)}</th>"
                    + "".join(f"<td {_TD}>{c}</td>" for c in cells)
                    + f'<td style="padding:2px 8px;font-size:12px">'
                      f"{html.escape(row['accountable'])}</td></tr>")
    return (
        '<div class="tk-responsibility" style="margin-top:8px">'
        '<div style="font-size:14px;font-weight:600">Responsibility map (per 1,000 '
        "patients)</div>"
        f'<table class="tk-responsibility-table" {_TABLE}><thead><tr>'
        + "".join(f"<th {_TH}>{h}</th>" for h in head) + "</tr></thead><tbody>"
        + "".join(rows) + "</tbody></table></div>")


def tiers_html(settings: OversightSettings) -> str:
    """The REACH VET capacity trade-off (top 0.1 %, 1 %, 5 %) for this review set-up."""
    return _tiers_html(settings.replace(flag_tier="threshold", threshold=0.05))


@lru_cache(maxsize=16)
def _tiers_html(settings: OversightSettings) -> str:
    table = capacity_tradeoff(settings)
    head = ("flag the top", "flags a day", "reviewed per 1,000", "crises caught per 1,000",
            "share of all crises flagged", "flags that are crises (PPV)",
            "reviewer-hours a day", "crises caught per reviewer-hour")
    rows = []
    for tier, row in table.iterrows():
        cells = [f"{row['flags_per_day']:.1f}", per_1000(row["reviewed"]),
                 per_1000(row["caught"]), percent(row["crises_in_tier"]),
                 percent(row["flag_ppv"]), f"{row['reviewer_hours_per_day']:.1f}",
                 "–" if row["caught_per_hour"] != row["caught_per_hour"]
                 else f"{row['caught_per_hour']:.2f}"]
        rows.append(f'<tr data-tier="{tier}"><th {_ROW}>{100 * TIER_SHARES[tier]:g} %</th>'
                    + "".join(f"<td {_TD}>{c}</td>" for c in cells) + "</tr>")
    return (
        '<div class="tk-tiers" style="margin-top:8px">'
        '<div style="font-size:14px;font-weight:600">How many to flag? The REACH VET '
        "trade-off with your review set-up</div>"
        f'<table class="tk-tiers-table" {_TABLE}><thead><tr>'
        + "".join(f"<th {_TH}>{h}</th>" for h in head) + "</tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>"
        '<div style="font-size:12px;color:#555;max-width:60em">REACH VET flags the top '
        "0.1 % and has a clinician reach out to each veteran (McCarthy et al. 2021). "
        "Flagging more catches more crises but each flag is less likely to be one, and "
        "each costs about 20 minutes of a clinician's time (an assumption).</div></div>")


def audit_html(result: OversightResult, patient: int) -> str:
    """One patient's audit log as an HTML table."""
    log = audit_log(result, patient)
    rows = "".join(
        "<tr>" + "".join(f'<td style="padding:2px 8px;vertical-align:top">{html.escape(v)}'
                         "</td>" for v in row) + "</tr>"
        for row in log.itertuples(index=False))
    return (
        f'<table class="tk-audit-table" data-patient="{patient}" {_TABLE}><thead><tr>'
        + "".join(f"<th {_TH}>{h}</th>" for h in log.columns) + "</tr></thead><tbody>"
        + rows + "</tbody></table>")


class OversightDashboard(Dashboard):
    """The consequence dashboard counted on what is done: its cards add the cases
    nobody decided, and its figure asks who gets an urgent follow-up."""

    def make_figure(self):
        figure = super().make_figure()
        figure.ax_grid.set_title("1,000 patients: who gets an urgent follow-up?",
                                 fontsize=10, loc="left")
        return figure

    def cards_html(self, result: OversightResult) -> str:
        return _headline(result)


class WhoDecidedView(HTMLView):
    """Who decided each case, by group, and where each group's missed crises were
    lost (:func:`who_decided_html`)."""

    name, css, stages = "who_decided", "tk-who-view", ("oversight",)

    def html(self, result: OversightResult, attribute: str) -> str:
        return who_decided_html(result, attribute)


class WorkloadView(HTMLView):
    """The review's cost and yield (:func:`workload_html`)."""

    name, css, stages = "workload", "tk-workload-view", ("oversight",)

    def html(self, result: OversightResult, attribute: str) -> str:
        return workload_html(result)


class ResponsibilityView(HTMLView):
    """The responsibility map (:func:`responsibility_html`)."""

    name, css, stages = "responsibility", "tk-responsibility-view", ("oversight",)

    def html(self, result: OversightResult, attribute: str) -> str:
        return responsibility_html(result)


class TiersView(HTMLView):
    """The REACH VET capacity trade-off for this review set-up (:func:`tiers_html`)."""

    name, css, stages = "tiers", "tk-tiers-view", ("oversight",)

    def html(self, result: OversightResult, attribute: str) -> str:
        settings = result.settings
        if not isinstance(settings, OversightSettings):  # a deployment of several stages
            settings = OversightSettings(settings=settings.settings, **{
                name: getattr(settings, name) for name in OVERSIGHT_LEVERS})
        return tiers_html(settings)


class OversightStateView(HTMLView):
    """The deciders and workload for browser tests (``data-human``, ``data-model``,
    ``data-nobody`` per 1,000, ``data-reviews``, ``data-overflow``, ...)."""

    name, css, stages, hidden = "oversight_state", "tk-oversight-state", ("oversight",), True

    def html(self, result: OversightResult, attribute: str) -> str:
        row, w = result.decisions.iloc[0], result.workload
        return (
            f'<span class="tk-oversight-data" data-human="{row["human"]:.3f}" '
            f'data-model="{row["model"]:.3f}" data-nobody="{row["nobody"]:.3f}" '
            f'data-reviews="{w["reviews"]}" data-overflow="{w["overflow"]}" '
            f'data-caught-per-hour="{w["caught_per_hour"]:.4f}" '
            f'data-baseline="{html.escape(result.baseline_name)}"></span>')


class AuditView(View, widgets.VBox):
    """One patient's audit log: who decided, on what, when. A story picks an example
    patient of the run; any patient number opens theirs."""

    name, css, stages = "audit", "tk-audit", ("oversight",)

    def __init__(self, *, banner: Banner | None = None):
        self._story = widgets.Dropdown(description="Open the audit log of",
                                       style={"description_width": "initial"},
                                       layout=shared_layout(width="430px"),
                                       _dom_classes=("tk-audit-story",))
        self._patient = widgets.BoundedIntText(value=1, min=1, max=1, description="patient",
                                               layout=shared_layout(width="190px"),
                                               _dom_classes=("tk-audit-patient",))
        self._log = plain_html("", "tk-audit-view")
        self._examples: dict[str, int] = {}
        self._syncing = False
        self.result = None
        super().__init__(banner=banner, children=[
            plain_html('<div style="font-size:14px;font-weight:600;margin-top:8px">Audit '
                       "log: who decided, on what, when</div>"),
            widgets.HBox([self._story, self._patient], layout=shared_layout()), self._log])
        self._story.observe(guarded(self.banner)(self._story_changed), names="value")
        self._patient.observe(guarded(self.banner)(self._patient_changed), names="value")

    def _story_changed(self, change):
        if self._syncing or self.result is None:
            return
        if change["new"] in self._examples:
            self._set_patient(self._examples[change["new"]])

    def _patient_changed(self, change):
        if self._syncing or self.result is None:
            return
        self._syncing = True
        try:
            story = next((k for k, v in self._examples.items() if v == change["new"]),
                         _PICK_NUMBER)
            self._story.value = story
        finally:
            self._syncing = False
        self._show_log()

    def _set_patient(self, patient: int) -> None:
        if self._patient.value == patient:
            self._show_log()
        else:
            self._patient.value = patient  # observed: shows the log

    def _show_log(self) -> None:
        self._log.value = audit_html(self.result, int(self._patient.value))

    def show_patient(self, patient: int) -> None:
        """Open the audit log of ``patient`` (a patient number)."""
        self._patient.value = patient

    @property
    def log(self) -> str:
        """The audit log on show (HTML)."""
        return self._log.value

    def update(self, result: OversightResult, attribute: str) -> None:
        self.result = result
        self._examples = example_patients(result)
        previous = self._story.value
        self._syncing = True
        try:
            self._patient.max = int(result.records["patient_id"].max())
            self._story.options = [*self._examples, _PICK_NUMBER]
            if previous in self._examples:
                self._story.value = previous
                self._patient.value = self._examples[previous]
            elif previous is None and self._examples:
                first = next(iter(self._examples))
                self._story.value = first
                self._patient.value = self._examples[first]
            else:
                self._story.value = _PICK_NUMBER
        finally:
            self._syncing = False
        self._show_log()


class OversightLab(Lab):
    """Lesson 04's app: who acts on the model's flags, and what reaches patients.

    Starts from a logistic-regression model that flags everyone at a 5 % risk or more,
    with one care manager reviewing 10 new flags a day; every change is compared one step
    back (:meth:`teachkit.oversight.OversightSettings.baseline`).

    Parameters
    ----------
    levers : sequence of str, default=OVERSIGHT_LAB_LEVERS
    settings : OversightSettings, default=OversightSettings(model="logistic")
    attribute : str, default="ethnicity"

    Examples
    --------
    >>> lab = OversightLab()
    >>> lab.panel.rows["oversight"].value = "model_alone"
    >>> lab.dashboard.result.baseline_name
    'the same flags with a clinician reviewing'
    >>> lab.panel.rows["review_capacity"].disabled
    True
    """

    LEVERS = OVERSIGHT_LAB_LEVERS
    VIEWS = (WhoDecidedView, WorkloadView, ResponsibilityView, AuditView, TiersView,
             OversightStateView)
    SETTINGS = OversightSettings(model="logistic")
    DASHBOARD = OversightDashboard
    PANEL = OversightPanel
