"""Lesson 07's app: the trainee's own deployment, held to the rules, as a dossier.

- :class:`RulesLab`: the levers of lessons 02-06 (the existing lever rows), the patients'
  outcomes, the checklist computed from the run (each rule green / amber / red with its
  reason, source, basis and date), the impact level, the model card, and a button that
  makes the dossier (HTML and PDF) to download. The deployment is saved under the
  trainee's name at every change, so a reload loses nothing;
- :func:`rules_statement`: educational, not legal advice; the AI Act timeline, original
  and amended;
- :func:`cerebral_case`: the case box (Cerebral at the FTC, 2024).

Presentation only: the numbers come from :mod:`teachkit.rules`.
"""

from __future__ import annotations

import base64
import html
import importlib
import threading
from dataclasses import dataclass

import ipywidgets as widgets

from .._validation import TeachkitError
from ..reflections import default_data_dir, trainee_identity
from ..rules import ALL_STAGES, NOT_LEGAL_ADVICE, Checklist, evaluate
from ..rules.document import body_html
from ..rules.dossier import build_dossier
from ..rules.impact import ImpactAssessment, impact_level
from ..rules.modelcard import model_card
from ..rules.saved import DeploymentStore
from ..rules.timeline import AI_ACT_TIMELINE
from ..stages import Deployment, run_all
from ._layouts import plain_html, shared_layout
from ._safety import Banner, guarded
from .apps import Lab
from .reflection import trainee_from_environment
from .views import HTMLView, View

__all__ = ["RulesLab", "ChecklistView", "ImpactView", "ModelCardView", "DossierView",
           "RulesStateView", "RulesResult", "run_rules", "rules_statement",
           "cerebral_case", "checklist_html", "impact_html", "RULES_LAB_LEVERS",
           "RULES_START"]

#: The levers of lessons 02-06 the trainee sets here, in lesson order.
RULES_LAB_LEVERS = (
    "model", "label", "access_gap", "mitigation",                         # 02
    "consent", "consent_design", "secondary_use",                         # 03
    "release_zip", "release_birth", "k_target",
    "oversight", "review_capacity", "explanation", "training",             # 04
    "explain_decision", "explain_disclosure",                              # 05
    "monitoring", "update_policy", "drift_coding", "drift_shock",          # 06
)
_HEADINGS = {
    "model": "Lesson 02 · the model and bias",
    "consent": "Lesson 03 · consent and privacy",
    "oversight": "Lesson 04 · who acts on a flag",
    "explain_decision": "Lesson 05 · explanations and the right to say no",
    "monitoring": "Lesson 06 · watching it over time",
}
#: Where a new trainee starts: every stage, a logistic-regression model, levers at rest.
RULES_START = Deployment(ALL_STAGES, model="logistic")
_STATUS = {"green": ("✔", "meets it", "#E3F4EC", "#00573F"),
           "amber": ("!", "attention", "#FFF3D6", "#6B4A00"),
           "red": ("✖", "fails", "#FBE3DB", "#8A2E00")}
_TABLE = 'style="border-collapse:collapse;font-size:13px;margin:4px 0;max-width:72em"'
_TH = 'style="padding:3px 8px;text-align:left;border-bottom:1px solid #999"'
_TD = 'style="padding:3px 8px;text-align:left;vertical-align:top"'


@dataclass(frozen=True)
class RulesResult:
    """One run of the trainee's deployment: every stage's result, the checklist and the
    impact level. Reads the patients' outcomes (what the dashboard shows) from the
    oversight stage: what really happens to each flag."""

    deployment: Deployment
    results: dict
    checklist: Checklist
    impact: ImpactAssessment

    def __getattr__(self, name):
        results = object.__getattribute__(self, "results")
        return getattr(results.get("oversight", results["triage"]), name)


def run_rules(deployment: Deployment) -> RulesResult:
    """Run the deployment once (every stage) and hold it to the rules."""
    results = run_all(deployment, with_baseline=False)
    checklist = evaluate(results)
    return RulesResult(deployment, results, checklist, impact_level(checklist))


# -- static boxes ------------------------------------------------------------------------
def _box(body: str, colour: str, background: str, cls: str) -> widgets.HTML:
    box = plain_html(
        f'<div style="border-left:4px solid {colour};padding:6px 12px;max-width:60em;'
        f'font-size:14px;line-height:1.45;background:{background}">{body}</div>', cls)
    return box


def cerebral_case() -> widgets.HTML:
    """The case box: Cerebral's tracking pixels and the FTC (2024)."""
    return _box(
        "<b>Case: Cerebral and the FTC (April 2024).</b> An online mental-health company "
        "let tracking pixels and software kits send data about roughly 3.2 million users "
        "to more than 20 third parties, for advertising. The US Federal Trade Commission's "
        "order: $5.1 million back to consumers, a $10 million penalty (suspended to $2 "
        "million), and a ban on using health data for most advertising. BetterHelp (2023, "
        "$7.8 million) and GoodRx (2023, $1.5 million, the first Health Breach "
        "Notification Rule case) came before it. None of these firms was covered by "
        "HIPAA: the FTC acted on broken privacy promises (secondary reports: Akin, "
        "Becker's, CyberInsider).", "#D55E00", "#fbf4ee", "tk-case")


def rules_statement() -> widgets.HTML:
    """Educational, not legal advice; the rules' dates, original and amended."""
    rows = "".join(
        f"<tr><td {_TD}>{html.escape(m.what)}</td><td {_TD}>{m.original}</td>"
        f"<td {_TD}>{html.escape(m.amended)}"
        f"{'' if m.confirmed else ' <i>(not yet confirmed)</i>'}</td>"
        f"<td {_TD}>{html.escape(m.basis)}</td></tr>" for m in AI_ACT_TIMELINE)
    body = (
        f"<b>{html.escape(NOT_LEGAL_ADVICE.split('. ')[0])}.</b> "
        f"{html.escape(NOT_LEGAL_ADVICE.split('. ', 1)[1])}"
        f"<div style='margin-top:6px'><b>When the EU AI Act applies</b> (the Digital "
        "Omnibus was agreed in May 2026 and is not yet in the Official Journal):</div>"
        f"<table {_TABLE}><tr><th {_TH}>duties</th><th {_TH}>original (Art. 113)</th>"
        f"<th {_TH}>amended</th><th {_TH}>basis</th></tr>{rows}</table>")
    return _box(body, "#0072B2", "#EEF5FB", "tk-rules-statement")


# -- views ------------------------------------------------------------------------------
def checklist_html(checklist: Checklist) -> str:
    """The checklist as a table: each rule's colour (with a word and a symbol, never
    colour alone), its reason from the run, its source, basis and date."""
    counts = checklist.counts
    rows = []
    for item in checklist:
        symbol, word, background, ink = _STATUS[item.status]
        rows.append(
            f'<tr class="tk-rule" data-rule="{item.rule}" data-status="{item.status}" '
            f'style="background:{background}">'
            f'<td {_TD}><span style="color:{ink};font-weight:700">{symbol} {item.status} '
            f"</span><br><span style='font-size:11px'>{word}</span></td>"
            f"<td {_TD}><b>{html.escape(item.title)}</b><br>"
            f"<span style='font-size:12px'>{html.escape(item.instrument)}, "
            f"{html.escape(item.article)}</span></td>"
            f"<td {_TD}>{html.escape(item.reason)}</td>"
            f"<td {_TD} title='{html.escape(item.source)}'>{html.escape(item.basis)}"
            f"<br><span style='font-size:11px'>{html.escape(item.applies)}</span></td></tr>")
    return (f'<div style="font-size:15px;font-weight:600;margin-top:8px">The checklist: '
            f'<span class="tk-checklist-counts" data-red="{counts["red"]}" '
            f'data-amber="{counts["amber"]}" data-green="{counts["green"]}">'
            f"{counts['red']} red, {counts['amber']} amber, {counts['green']} green"
            f"</span></div><table {_TABLE}><tr><th {_TH}>status</th><th {_TH}>rule</th>"
            f"<th {_TH}>why, from your run</th><th {_TH}>basis and date</th></tr>"
            f"{''.join(rows)}</table>")


def impact_html(impact: ImpactAssessment) -> str:
    """The impact level and how it was reached."""
    return (f'<div class="tk-impact-level" data-level="{impact.level}" '
            'style="font-size:15px;max-width:60em;margin-top:8px">'
            f"<b>Impact level {impact.level}</b> (in the style of Canada's Algorithmic "
            f"Impact Assessment). {html.escape(impact.sentence())} The questions are "
            "teaching choices (A), answered from your run.</div>")


class _OnRules:
    """A view of lesson 07's run: every stage, held to the rules (:func:`run_rules`)."""

    stages = ALL_STAGES

    @classmethod
    def sample(cls, deployment):
        return run_rules(deployment)


class ChecklistView(_OnRules, HTMLView):
    """The checklist computed from the run (:func:`checklist_html`)."""

    name, css = "checklist", "tk-checklist"

    def html(self, result: RulesResult, attribute: str) -> str:
        return checklist_html(result.checklist)


class ImpactView(_OnRules, HTMLView):
    """The impact level and how it was reached (:func:`impact_html`)."""

    name, css = "impact", "tk-impact"

    def html(self, result: RulesResult, attribute: str) -> str:
        return impact_html(result.impact)


class ModelCardView(_OnRules, View, widgets.Accordion):
    """The model card of the run (Mitchell et al. 2019), folded."""

    name, css = "model_card", "tk-model-card-view"

    def __init__(self, *, banner: Banner | None = None):
        self._card = plain_html("", "tk-model-card")
        super().__init__(banner=banner, children=[self._card],
                         titles=("The model card (Mitchell et al. 2019)",))

    @property
    def card(self) -> str:
        """The model card on show (HTML)."""
        return self._card.value

    def update(self, result: RulesResult, attribute: str) -> None:
        self._card.value = body_html(None, model_card(result.checklist), level_shift=1)


class DossierView(_OnRules, View, widgets.VBox):
    """A button that makes the dossier of the run on show (HTML and PDF) to download."""

    name, css = "dossier", "tk-dossier"

    def __init__(self, *, banner: Banner | None = None):
        self._make = widgets.Button(description="Make my dossier (HTML and PDF)",
                                    button_style="info",
                                    layout=shared_layout(width="auto"),
                                    _dom_classes=("tk-dossier-make",))
        self._links = plain_html("", "tk-dossier-links")
        self.dossier, self.result = None, None
        super().__init__(banner=banner, children=[self._make, self._links])
        self._make.on_click(guarded(self.banner)(lambda _: self.make_dossier()))
        # The PDF renderer takes seconds to import: load it while the trainee reads.
        threading.Thread(target=importlib.import_module, args=("fpdf",), daemon=True).start()

    @property
    def links(self) -> str:
        """The download links on show (HTML)."""
        return self._links.value

    def update(self, result: RulesResult, attribute: str) -> None:
        self.result, self.dossier = result, None
        self._links.value = ('<span style="font-size:13px">The dossier holds the model '
                             "card, the datasheet, this checklist, the impact level and "
                             "the run's audit log.</span>")

    def make_dossier(self):
        """Build the dossier of the deployment on show and offer both files."""
        if self.result is None:
            return None
        self._links.value = "<i>Writing the dossier…</i>"
        dossier = build_dossier(self.result.checklist, self.result.impact)
        page = base64.b64encode(dossier.html().encode("utf-8")).decode("ascii")
        pdf = base64.b64encode(dossier.pdf()).decode("ascii")
        level, reds = self.result.impact.level, len(self.result.checklist.reds)
        self._links.value = (
            '<div style="font-size:14px">Your dossier (impact level '
            f"{level}, {reds} red): "
            f'<a class="tk-dossier-html" download="dossier.html" '
            f'href="data:text/html;base64,{page}">download the HTML</a> · '
            f'<a class="tk-dossier-pdf" download="dossier.pdf" '
            f'href="data:application/pdf;base64,{pdf}">download the PDF</a></div>')
        self.dossier = dossier
        return dossier


class RulesStateView(_OnRules, HTMLView):
    """For browser tests: ``data-reds``, ``data-level`` and one ``data-<rule>`` status
    per rule."""

    name, css, hidden = "rules_state", "tk-rules-state", True

    def html(self, result: RulesResult, attribute: str) -> str:
        checklist = result.checklist
        statuses = " ".join(f'data-{i.rule.replace("_", "-")}="{i.status}"'
                            for i in checklist)
        return (f'<span class="tk-rules-data" data-reds="{len(checklist.reds)}"'
                f' data-level="{result.impact.level}" {statuses}></span>')


class RulesLab(Lab):
    """Lesson 07's app: the trainee's deployment, held to the rules.

    Parameters
    ----------
    levers : sequence of str, default=RULES_LAB_LEVERS
    settings : Deployment, default=the trainee's saved deployment, else RULES_START
    store : DeploymentStore, default=DeploymentStore(default_data_dir())
    trainee : str, default=trainee_from_environment()

    Examples
    --------
    >>> import tempfile
    >>> lab = RulesLab(store=DeploymentStore(tempfile.mkdtemp()), trainee="")
    >>> lab.panel.rows["oversight"].value = "dropped"
    >>> lab.dashboard.result.checklist.status("eu_human_oversight")
    'red'
    """

    LEVERS = RULES_LAB_LEVERS
    VIEWS = (ChecklistView, ImpactView, ModelCardView, DossierView, RulesStateView)
    SETTINGS = RULES_START
    RUN = run_rules

    def __init__(self, levers=None, *, settings: Deployment | None = None,
                 store: DeploymentStore | None = None, trainee: str | None = None,
                 attribute: str | None = None):
        self.store = store or DeploymentStore(default_data_dir())
        self.trainee = ""
        self._name = widgets.Text(placeholder="Your name or seat number",
                                  description="Your name", continuous_update=False,
                                  style={"description_width": "initial"},
                                  _dom_classes=("tk-deployment-name",), layout=shared_layout())
        self._saved = plain_html("", "tk-deployment-status")
        start = trainee if trainee is not None else trainee_from_environment()
        saved = self._load(start) if start else None
        self.trainee = start.strip() if start else ""
        super().__init__(levers, settings=saved or settings, attribute=attribute)
        self._name.value = self.trainee
        self._name.observe(guarded(self.banner)(self._name_changed), names="value")
        self._say(f"Your deployment is saved for {self.trainee} at every change."
                  if self.trainee else "Type your name so your deployment is kept after a "
                  "reload.")

    def header(self) -> tuple:
        """Who the deployment is saved for, above the levers."""
        return (widgets.HBox([self._name, self._saved], layout=shared_layout()),)

    def _say(self, message: str, colour: str = "#555") -> None:
        self._saved.value = (f'<span style="color:{colour};font-size:12px">'
                             f"{html.escape(message)}</span>")

    def _load(self, name: str) -> Deployment | None:
        try:
            return self.store.load_deployment(name)
        except (TeachkitError, OSError):
            return None  # an unreadable file: start fresh, and the next save replaces it

    def _show(self, result) -> None:
        super()._show(result)
        if self.trainee:
            self._save(result.deployment)

    def _save(self, deployment: Deployment) -> None:
        try:
            self.store.save_deployment(self.trainee, deployment)
        except (TeachkitError, OSError) as exc:
            self._say(f"NOT saved ({getattr(exc, 'strerror', None) or exc}); your levers "
                      "stay as they are.", "#8A2E00")
            return
        self._say(f"Saved for {self.trainee}.", "#00573F")

    def _name_changed(self, change):
        name = change["new"].strip()
        if not name:
            self.trainee = ""
            self._say("Type your name so your deployment is kept after a reload.")
            return
        try:
            trainee_identity(name)
        except TeachkitError:
            self.trainee = ""
            self._say("Your name needs at least one letter or digit.", "#8A2E00")
            return
        self.trainee = name
        saved = self._load(name)
        if saved is not None and saved != self.panel.settings:
            self.panel.update(saved)  # their own deployment comes back (and is saved)
            self._say(f"Welcome back, {name}: your saved deployment is restored.",
                      "#00573F")
        else:
            self._save(self.panel.settings)
