"""Lesson 05's app: explain one patient's flag, see how an explanation can mislead, and
let patients say no.

- :class:`ExplainLab`: the explain levers (with the model and lesson 02's cost label),
  the consequence dashboard, one patient's explanation (a sentence and a bar picture in
  risk points), the smallest change that flips their flag, a downloadable explanation
  letter, importance by group, and what autonomy costs and gives;
- :func:`scaffold_case`: the case box (a biased model with a clean explanation).

Presentation only: the numbers come from :mod:`teachkit.explain`.
"""

from __future__ import annotations

import html
import urllib.parse
from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from ..explain import (
    ExplainResult,
    ExplainSettings,
    counterfactual,
    describe_explanation,
    explanation_letter,
)
from ..explain.features import PLAIN_NAMES
from ..explain.sentences import describe_input
from ..levers import get_spec
from ..levers.explain import EXPLAIN_LEVERS
from ..palette import OKABE_ITO
from ..text import per_1000
from ._layouts import plain_html, shared_layout
from ._safety import Banner, guarded
from .apps import Lab
from .panel import LeverPanel
from .views import HTMLView, View

__all__ = ["ExplainLab", "PatientExplanationView", "ImportanceView", "AutonomyView",
           "ReviewerView", "ExplainPanel", "scaffold_case", "EXPLAIN_LAB_LEVERS",
           "explanation_bars_html", "importance_html", "autonomy_html", "letter_link_html",
           "reviewer_html", "reviewer_runs"]

#: The levers of the lab: the model, lesson 02's proxy label and access gap, then 05's.
EXPLAIN_LAB_LEVERS = ("model", "label", "access_gap", *EXPLAIN_LEVERS)
RAISES, LOWERS = OKABE_ITO["vermillion"], OKABE_ITO["blue"]
_TABLE = 'style="border-collapse:collapse;font-size:13px;margin:4px 0"'
_TH = 'style="padding:2px 8px;text-align:left;border-bottom:1px solid #999"'
_TD = 'style="padding:2px 8px;text-align:right"'


def scaffold_case() -> widgets.HTML:
    """The case box: explanations that look clean on a biased model.

    Examples
    --------
    >>> "Slack" in scaffold_case().value
    True
    """
    box = plain_html(
        '<div style="border:1px solid #E69F00;border-left:6px solid #E69F00;'
        'background:#FFF9EC;padding:8px 14px;max-width:60em;font-size:14px;line-height:1.45">'
        "<b>Case: a biased model with a clean explanation</b><br>"
        "A widely used US algorithm predicted future <b>costs</b> as a stand-in for health "
        "need. Less is spent on Black patients at equal need, so at the same score Black "
        "patients were sicker; fixing the label would raise their share of the extra-care "
        "programme from <b>17.7 % to 46.5 %</b> (Obermeyer et al. 2019). The model never "
        "read race. Its explanation would list visits and past costs: inputs that look "
        "clinical. Researchers have also built a deliberately racist classifier whose "
        "LIME and SHAP explanations looked innocent (Slack et al. 2020).<br><i>Ask:</i> "
        "if an explanation can look clean while the outcomes by group are not, what must "
        "you check before you trust it?<div style=\"font-size:12px;color:#555;"
        'margin-top:4px">Sources: Science 366:447 (2019); Slack et al., AIES 2020 '
        "(DOMAIN.md, DOMAIN-05-08.md).</div></div>", "tk-case")
    return box


def explanation_bars_html(explanation, top: int = 6) -> str:
    """A small bar picture of one patient's explanation, in risk points: a solid bar right
    of the centre line raises the risk, a striped bar left of it lowers it (told apart
    without colour); each bar is labelled with the input in words and its points."""
    e = explanation
    order = np.argsort(-np.abs(e.points))[:top]
    scale = max(float(np.abs(e.points[order]).max()), 1e-9)
    unit = "points" if e.unit == "rule points" else "risk points"
    rows = []
    for i in order:
        p = float(e.points[i])
        width = 45 * abs(p) / scale
        colour = RAISES if p > 0 else (  # lowering bars striped: no colour needed
            f"repeating-linear-gradient(135deg,{LOWERS} 0 3px,#fff 3px 5px);"
            f"outline:1px solid {LOWERS}")
        left = 50 if p > 0 else 50 - width
        label = html.escape(describe_input(e.features[i], e.values[i]))
        rows.append(
            f'<div class="tk-explain-bar" data-feature="{e.features[i]}" '
            f'data-points="{p:.3f}" style="display:flex;align-items:center;margin:2px 0">'
            f'<div style="width:330px;font-size:12px">{label}</div>'
            '<div style="position:relative;width:320px;height:16px;background:#F2F2F2">'
            '<div style="position:absolute;left:50%;top:0;width:1px;height:16px;'
            'background:#333"></div>'
            f'<div title="{label}: {p:+.1f} {unit}" style="position:absolute;'
            f'left:{left:.2f}%;width:{width:.2f}%;top:2px;height:12px;background:{colour}">'
            f'</div></div><div style="font-size:12px;margin-left:8px">{p:+.1f} {unit}</div>'
            "</div>")
    words = html.escape(describe_explanation(e))
    return (f'<div class="tk-explanation" data-patient="{e.patient}" role="img" '
            f'aria-label="{words}"><div style="font-size:14px;max-width:60em;'
            f'line-height:1.4;margin:4px 0">{words}</div>' + "".join(rows)
            + f'<div style="font-size:12px;color:#555">A solid bar right of the centre line '
            f"raises the risk (+), a striped bar left of it lowers it (−), in {unit} against "
            f"the reference patient. shap's own explainer; the "
            "points add up to the difference.</div></div>")


def importance_html(result: ExplainResult, attribute: str = "ethnicity",
                    table=None) -> str:
    """Mean risk points of the six inputs that matter most, overall and by group
    (``table``: ``result.importance(attribute)``, when already computed)."""
    table = result.importance(attribute) if table is None else table
    head = ["input", *[str(c) for c in table.columns]]
    rows = []
    for name, row in table.iterrows():
        rows.append(f'<tr data-feature="{name}"><th {_TH}>'
                    f"{html.escape(PLAIN_NAMES.get(name, name))}</th>"
                    + "".join(f"<td {_TD}>{v:.2f}</td>" for v in row) + "</tr>")
    note = ("The bias of a cost label is not in this table: it shows which inputs move "
            "the score, not who the score fails. Compare the crises missed by group above."
            if result.settings.label != "crisis" else
            "How much each input moves patients' scores, on average, by group.")
    return ('<div class="tk-importance" style="margin-top:8px"><div style="font-size:14px;'
            'font-weight:600">What the model relies on (mean risk points, by group)</div>'
            f'<table class="tk-importance-table" {_TABLE}><thead><tr>'
            + "".join(f"<th {_TH}>{html.escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            f'<div style="font-size:12px;color:#555;max-width:60em">{html.escape(note)}'
            "</div></div>")


def autonomy_html(result: ExplainResult) -> str:
    """What the patients' choices cost and give, per 1,000 patients."""
    a, s = result.autonomy, result.settings
    parts = []
    if a["opted_out"]:
        route = "the usual PHQ-9 rule" if s.explain_opt_out_route == "usual_rule" \
            else "no triage at all"
        parts.append(
            f"<b>{per_1000(a['opted_out'])} per 1,000</b> patients opted out and got "
            f"{route}. Of their {per_1000(a['opted_out_crises'])} crises per 1,000, "
            f"<b>{per_1000(a['opted_out_caught'])}</b> were caught (the model would have "
            f"caught {per_1000(a['opted_out_caught_by_model'])}).")
    else:
        parts.append("Nobody opted out: every patient was triaged by the model.")
    if s.explain_decision == "automatic":
        parts.append("The flag is an <b>automatic decision</b>: under GDPR Art. 22 each "
                     "patient may ask for a human review, give their view and contest it.")
    else:
        parts.append("The flag is a <b>recommendation</b>: a clinician can review its "
                     "basis and decide (FDA CDS criterion 4).")
    if s.explain_disclosure == "told":
        parts.append(f"Every patient is told an AI was used: satisfaction falls by about "
                     f"{-a['satisfaction_change']:.2f} points (Cavalier 2025); 63 % of "
                     "people say being told matters (Platt 2024).")
    else:
        parts.append("Patients are not told an AI was used.")
    return ('<div class="tk-autonomy" style="font-size:14px;max-width:60em;line-height:1.45;'
            'margin-top:8px">' + " ".join(parts)
            + '<div style="font-size:12px;color:#555">Discomfort with AI by age and sex '
            "from surveys (YouGov 2024, Pew 2023, Platt 2024); the straight lines between "
            "them and who opts out are assumptions (A).</div></div>")


#: Explain levers that leave the flags as they are: the review queue does not move.
_QUEUE_BLIND = ("explain_background", "explain_decision", "explain_disclosure",
                "explain_reviewer")


def reviewer_runs(settings: ExplainSettings) -> dict:
    """Lesson 04's review queue after this explain set-up (see :func:`_reviewer_runs`),
    computed once for every set-up with the same flags."""
    return _reviewer_runs(settings.replace(**{name: get_spec(name).rest
                                               for name in _QUEUE_BLIND}))


@lru_cache(maxsize=8)
def _reviewer_runs(settings: ExplainSettings) -> dict:
    """Lesson 04's review queue after this explain set-up, with and without the
    explanation shown to the reviewer: ``{"not_shown": result, "shown": result}``.

    The explain stage and the oversight stage composed in one
    :class:`~teachkit.stages.Deployment`: the flags of this set-up (after any opt-outs)
    join the queue, and the reviewer follows advice as Jabbour et al. 2023 measured.
    """
    from ..stages import Deployment, run

    composed = Deployment(("explain", "oversight"), settings=settings.settings,
                          **dict(settings.levers))
    return {value: run(composed.replace(explain_reviewer=value), with_baseline=False)
            for value in ("not_shown", "shown")}


def reviewer_html(settings: ExplainSettings, runs: dict | None = None) -> str:
    """Lesson 04's reviewer with and without the explanation, after this set-up: crises
    caught, missed and needless follow-ups per 1,000, and wrong advice followed
    (``runs``: :func:`reviewer_runs`, when already computed)."""
    runs = reviewer_runs(settings) if runs is None else runs
    rows = []
    for value, name in (("not_shown", "Advice only"),
                        ("shown", "Advice with the explanation")):
        now, w = runs[value].consequences.overall.iloc[0], runs[value].workload
        share = w["wrong_advice_followed_share"]
        current = value == settings.explain_reviewer
        mark = " (your choice)" if current else ""
        rows.append(f'<tr data-explanation="{value}" data-current="{str(current).lower()}"'
                    f' data-caught="{now["caught"]:.3f}" data-missed="{now["missed"]:.3f}"'
                    f' data-needless="{now["needless"]:.3f}">'
                    f"<th {_TH}>{'<b>' if current else ''}{name}{mark}"
                    f"{'</b>' if current else ''}</th>"
                    f"<td {_TD}>{per_1000(now['caught'])}</td>"
                    f"<td {_TD}>{per_1000(now['missed'])}</td>"
                    f"<td {_TD}>{per_1000(now['needless'])}</td>"
                    f"<td {_TD}>{'–' if share != share else f'{100 * share:.0f} %'}</td></tr>")
    head = ("the reviewer sees", "crises caught per 1,000", "crises missed per 1,000",
            "needless follow-ups per 1,000", "wrong advice followed")
    return ('<div class="tk-reviewer" style="margin-top:8px"><div style="font-size:14px;'
            'font-weight:600">Show the explanation to the reviewer (lesson 04)</div>'
            f'<table class="tk-reviewer-table" {_TABLE}><thead><tr>'
            + "".join(f"<th {_TH}>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>"
            '<div style="font-size:12px;color:#555;max-width:60em">The flags above, after '
            "any opt-outs, join lesson 04's review queue: the care manager reviews "
            f"{runs['shown'].settings.review_capacity} a day. With an explanation, "
            "clinicians followed right advice a little more and "
            "wrong advice almost as often (Jabbour et al. 2023: 11.3 points lost to wrong "
            "advice, 9.1 with an explanation; Bansal et al. 2021).</div></div>")


def letter_link_html(letter: str, patient: int) -> str:
    """A download link for the letter (a data URI: no server round trip)."""
    href = "data:text/plain;charset=utf-8," + urllib.parse.quote(letter)
    return (f'<a class="tk-letter-download" download="explanation-letter-patient-'
            f'{patient}.txt" href="{href}" style="font-size:14px">Download the '
            f"explanation letter for patient {patient}</a>")


class PatientExplanationView(View, widgets.VBox):
    """One patient's explanation (a sentence and bars in risk points), the smallest
    change that flips their flag and the explanation letter, for any patient number.

    Its hidden ``tk-explain-state`` element carries ``data-patient``, ``data-top`` (the
    input that moves the patient's risk most), ``data-base`` (the reference risk),
    ``data-opted``, ``data-automatic``, ``data-told``, ``data-reviewer-caught`` and
    ``data-reviewer-needless`` (lesson 04's queue after this set-up, per 1,000) and
    ``data-importance`` (the top input by group) for browser tests.
    """

    name, css, stages = "patient_explanation", "tk-patient-explanation", ("explain",)

    def __init__(self, *, banner: Banner | None = None):
        self._patient = widgets.BoundedIntText(value=1, min=1, max=1,
                                               description="Explain patient",
                                               style={"description_width": "initial"},
                                               layout=shared_layout(width="230px"),
                                               _dom_classes=("tk-explain-patient",))
        self._explanation = plain_html("", "tk-explanation-view")
        self._counterfactual = plain_html("", "tk-counterfactual")
        self._letter = plain_html("", "tk-letter")
        self._estate = plain_html("", "tk-explain-state", layout=shared_layout(display="none"))
        self.result, self._current, self._attribute = None, None, "ethnicity"
        self._syncing = False
        super().__init__(banner=banner, children=[
            plain_html('<div style="font-size:14px;font-weight:600;margin-top:8px">'
                       "One patient's explanation</div>"),
            self._patient, self._explanation, self._counterfactual, self._letter,
            self._estate])
        self._patient.observe(guarded(self.banner)(self._patient_changed), names="value")

    def _patient_changed(self, change):
        if self.result is not None and not self._syncing:
            self._show_patient()
            self._write_state()

    def show_patient(self, patient: int) -> None:
        """Explain ``patient`` (a patient number)."""
        self._patient.value = patient

    def _show_patient(self) -> None:
        result, patient = self.result, int(self._patient.value)
        self._current = result.explain(patient)
        self._explanation.value = explanation_bars_html(self._current)
        cf = counterfactual(result, patient)
        self._counterfactual.value = (
            '<div style="font-size:14px;max-width:60em;margin-top:4px"><b>What would '
            f"change the flag?</b> {html.escape(cf.sentence())}</div>")
        self._letter.value = letter_link_html(
            explanation_letter(result, patient, explanation=self._current, flip=cf), patient)

    def _write_state(self) -> None:
        result, e = self.result, self._current
        a, table = result.autonomy, result.importance(self._attribute)
        top = e.features[int(np.argmax(np.abs(e.points)))]
        reviewed = reviewer_runs(result.settings)[result.settings.explain_reviewer]
        now = reviewed.consequences.overall.iloc[0]
        by_group = ";".join(f"{c}={table[c].idxmax()}" for c in table.columns)
        self._estate.value = (
            f'<span class="tk-explain-data" data-patient="{e.patient}" data-top="{top}" '
            f'data-top-points="{float(np.abs(e.points).max()):.4f}" '
            f'data-base="{e.base_risk:.4f}" data-opted="{a["opted_out"]:.3f}" '
            f'data-automatic="{a["automatic"]:.1f}" data-told="{a["told"]:.1f}" '
            f'data-reviewer-caught="{now["caught"]:.3f}" '
            f'data-reviewer-needless="{now["needless"]:.3f}" '
            f'data-importance="{html.escape(by_group)}"></span>')

    def update(self, result: ExplainResult, attribute: str) -> None:
        self.result, self._attribute = result, attribute
        self._syncing = True  # the patient box follows without showing twice
        try:
            self._patient.max = int(result.records["patient_id"].max())
            if self._current is None:  # start with the first flagged patient
                flagged = result.records["patient_id"][np.asarray(result.model_flags)]
                self._patient.value = int(flagged.iloc[0]) if len(flagged) else 1
        finally:
            self._syncing = False
        self._show_patient()
        self._write_state()


class ImportanceView(HTMLView):
    """What the model relies on, overall and by group (:func:`importance_html`)."""

    name, css, stages = "importance", "tk-importance-view", ("explain",)

    def html(self, result: ExplainResult, attribute: str) -> str:
        return importance_html(result, attribute)


class AutonomyView(HTMLView):
    """What the patients' choices cost and give (:func:`autonomy_html`)."""

    name, css, stages = "autonomy", "tk-autonomy-view", ("explain",)

    def html(self, result: ExplainResult, attribute: str) -> str:
        return autonomy_html(result)


class ReviewerView(HTMLView):
    """Lesson 04's reviewer with and without the explanation, after this set-up
    (:func:`reviewer_html`)."""

    name, css, stages = "reviewer", "tk-reviewer-view", ("explain",)

    def html(self, result: ExplainResult, attribute: str) -> str:
        return reviewer_html(result.settings)


class ExplainPanel(LeverPanel):
    """The lever panel of the explain lab: what the patients who opt out get is greyed
    out while nobody opts out."""

    def _sync_rows(self):
        super()._sync_rows()
        if "explain_opt_out_route" in self.rows:
            self.rows["explain_opt_out_route"].disabled = self.settings.explain_opt_out == 0


class ExplainLab(Lab):
    """Lesson 05's app: explanations that can mislead, and the patient's right to say no.

    Starts from the logistic-regression model flagging everyone at a 5 % risk or more,
    compared with the usual rule; every explain lever is compared one step back
    (:meth:`teachkit.explain.ExplainSettings.baseline`).

    Examples
    --------
    >>> lab = ExplainLab()
    >>> lab.panel.rows["explain_opt_out"].value = 1.0
    >>> lab.dashboard.result.baseline_name
    'every patient triaged by the model'
    >>> "tk-explanation" in lab.views["patient_explanation"]._explanation.value
    True
    """

    LEVERS = EXPLAIN_LAB_LEVERS
    VIEWS = (PatientExplanationView, ImportanceView, AutonomyView, ReviewerView)
    SETTINGS = ExplainSettings(model="logistic")
    PANEL = ExplainPanel
