"""Lesson 03's consent app: honour or ignore consent, change how patients are asked,
share records outside the clinic, and open one patient's consent ledger.

- :class:`ConsentLab`: the lever panel (run by :func:`teachkit.consent.run_consent`), the
  consequence dashboard, and the consent view: records used without consent (how many,
  who), the consented training set against the full cohort, the model's sensitivity and
  calibration by group when it learns from consenters only, and who is exposed by a
  secondary use;
- :class:`LedgerViewer`: one synthetic patient's consent ledger, by patient number;
- :func:`consent_html`, :func:`ledger_html`: the views as HTML (tested without a browser).

All patients are synthetic.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..consent import (
    DESIGN_NAMES,
    ConsentResult,
    ConsentSettings,
    consent_ledger,
    ledger_patient,
)
from ..palette import OKABE_ITO, OUTCOME_COLOURS
from ..text import percent
from ._layouts import plain_html, shared_layout
from ._safety import Banner, guarded
from .apps import Lab
from .views import HTMLView, View

__all__ = ["ConsentLab", "ConsentView", "LedgerViewer", "consent_html", "ledger_html",
           "CONSENT_LAB_LEVERS"]

CONSENT_LAB_LEVERS = ("consent", "consent_design", "secondary_use", "threshold")

_BOX = ('<div class="{cls}" style="border-left:6px solid {colour};background:#FAFAFA;'
        'padding:6px 12px;margin:6px 0;max-width:64em">{body}</div>')
_TABLE = 'style="border-collapse:collapse;font-size:13px"'
_CELL = 'style="padding:2px 8px;text-align:right"'
_HEAD = 'style="padding:2px 8px;text-align:left"'
#: Why each design reaches who it reaches (the assumption behind "knew of it").
_KNEW = {"opt_out": "few people read long terms, and silence counts as yes",
         "layered": "a short question at each use is read by most",
         "opt_in": "saying yes is an act, though not everyone reads what they agree to"}


def _n(value) -> str:
    return f"{int(value):,}"


def _rate(share) -> str:
    """A crisis rate per 1,000 with one decimal (the differences here are small)."""
    return f"{1000 * share:.1f}"


def _ratio(value) -> str:
    return "–" if value != value else f"{value:.2f}"  # NaN != NaN


def _table(head, rows) -> str:
    return (f"<table {_TABLE}><thead><tr>"
            + "".join(f"<th {_HEAD}>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _row(key, cells, *, title=None) -> str:
    name = html.escape(str(title if title is not None else key))
    return (f'<tr data-group="{html.escape(str(key))}"><th {_HEAD}>{name}</th>'
            + "".join(f"<td {_CELL}>{c}</td>" for c in cells) + "</tr>")


def _used_box(result: ConsentResult) -> str:
    report, s = result.report, result.settings
    used = report.used_without_consent
    total = report.total_without_consent
    everyone = used.loc[("all", "all patients")]
    design = DESIGN_NAMES[s.consent_design]
    if total:
        lead = (f"<b>{_n(total)} of {_n(everyone['patients'])} patients</b> "
                f"({percent(total / everyone['patients'])}) have their record used without "
                f"their consent under {design}: {_n(everyone['training'])} to train the "
                f"model")
        lead += (f" and {_n(everyone['sharing'])} shared outside the clinic."
                 if s.secondary_use != "off" else ".")
    else:
        lead = ("<b>No record is used without consent</b>: the model learns only from "
                f"patients who agreed under {design}.")
    rows = []
    for attribute in ("sex", "age", "diagnosis"):
        for group in used.loc[attribute].index:
            r = used.loc[(attribute, group)]
            rows.append(_row(group, [_n(r["patients"]), _n(r["any"]), percent(r["share"])]))
    table = _table(("group", "patients", "used without consent", "share"), rows)
    return _BOX.format(cls="tk-consent-used", colour=OUTCOME_COLOURS["missed"],
                       body=f"<div><b>Records used without consent</b></div>"
                            f"<p style='margin:4px 0'>{lead}</p>{table}")


def _training_box(result: ConsentResult) -> str:
    t = result.report.training_set
    full, kept = t.loc["full cohort"], t.loc["consented"]
    design = DESIGN_NAMES[result.settings.consent_design]
    honoured = result.settings.consent == "honoured"
    agreed = "patients who agreed (the training data)" if honoured else \
        "patients who agreed (the training data, were consent honoured)"
    rows = [_row(name, [_n(t.loc[key, "patients"]), percent(t.loc[key, "depression"]),
                        _rate(t.loc[key, "crisis_rate"])])
            for key, name in (("full cohort", "all patients (the clinic)"),
                              ("consented", agreed),
                              ("left out", "patients who did not agree"))]
    table = _table(("", "patients", "PHQ-9 ≥ 10", "crises per 1,000"), rows)
    text = (f"Under {design}, {percent(1 - kept['patients'] / full['patients'])} of patients "
            f"do not agree, and they are not a random sample: more of them are women, under "
            f"60, or have a mental-health diagnosis. The records that agree show "
            f"{percent(kept['depression'])} with PHQ-9 ≥ 10 and {_rate(kept['crisis_rate'])} "
            f"crises per 1,000, against {percent(full['depression'])} and "
            f"{_rate(full['crisis_rate'])} in the clinic.")
    if not honoured:
        text += (" Consent is ignored now, so the model learns from every record; honour it "
                 "to train on these consenters only.")
    title = "Who is left in the training data" if honoured else \
        "Who would be left in the training data"
    return _BOX.format(cls="tk-consent-training", colour=OKABE_ITO["blue"],
                       body=f"<div><b>{title}</b></div>"
                            f"<p style='margin:4px 0'>{html.escape(text)}</p>{table}")


def _model_box(result: ConsentResult) -> str:
    m = result.report.model
    if m.empty:
        body = ("<div><b>The model after training on consenters only</b></div>"
                "<p>The usual rule learns nothing from records, so consent does not change "
                "it. Choose a model to see what training on consenters only does.</p>")
        return _BOX.format(cls="tk-consent-model", colour=OKABE_ITO["reddish_purple"],
                           body=body)
    rows = []
    for attribute in ("all", "sex", "age", "diagnosis"):
        for group in m.loc[attribute].index:
            r = m.loc[(attribute, group)]
            rows.append(_row(group, [
                percent(r["opted_out"]),
                " · ".join(percent(r[f"sensitivity_{k}"])
                           for k in ("everyone", "consenters", "random_sample")),
                " · ".join(_ratio(r[f"calibration_{k}"])
                           for k in ("everyone", "consenters", "random_sample")),
            ]))
    table = _table(("group", "did not agree", "crises caught (all · consenters · random)",
                    "observed / expected (all · consenters · random)"), rows)
    note = ("Observed / expected: 1 means the model's risks are right on average for the "
            "group; below 1 it over-estimates their risk, above 1 it under-estimates it. "
            "'all' is the model trained on every record, 'consenters' on the patients who "
            "agreed, 'random' on a random sample of everyone as large as the consenters: "
            "a difference that 'random' shows too comes from having fewer records, not "
            "from who said no.")
    return _BOX.format(cls="tk-consent-model", colour=OKABE_ITO["reddish_purple"],
                       body="<div><b>The model after training on consenters only</b></div>"
                            f"{table}<p style='margin:4px 0;font-size:12px;color:#333'>"
                            f"{html.escape(note)}</p>")


def _shared_box(result: ConsentResult) -> str:
    report, s = result.report, result.settings
    shared, meaningful = report.shared, report.meaningful
    lines = [f"{_n(meaningful['used'])} records train the model; of those patients, about "
             f"{_n(meaningful['knew'])} knew of it and agreed (an assumption: "
             f"{_KNEW[s.consent_design]})."]
    if s.secondary_use == "off":
        lines.append("No record leaves the clinic.")
    else:
        lines.append(f"{_n(shared['patients'])} patients' health records are sent to "
                     f"{shared['to']}; {_n(shared['without_consent'])} of them did not agree, "
                     f"and about {_n(shared['knew'])} knew of it and agreed (an assumption).")
        if shared["banned"]:
            lines.append("Since the FTC's 2023 BetterHelp order, sharing health data for "
                         "advertising is banned even with consent.")
    body = "".join(f"<li>{html.escape(x)}</li>" for x in lines)
    return _BOX.format(cls="tk-consent-shared", colour=OKABE_ITO["orange"],
                       body="<div><b>Who knows, and who receives the records</b></div>"
                            f"<ul style='margin:4px 0'>{body}</ul>")


def consent_html(result: ConsentResult) -> str:
    """The consent view of a run: four boxes, and a hidden element with its numbers.

    Examples
    --------
    >>> from teachkit.consent import ConsentSettings, run_consent
    >>> view = consent_html(run_consent(ConsentSettings(model="logistic")))
    >>> "used without consent" in view and 'data-without-consent="' in view
    True
    """
    report = result.report
    state = (f'<span class="tk-consent-data" style="display:none" '
             f'data-without-consent="{report.total_without_consent}" '
             f'data-shared="{report.shared["patients"]}" '
             f'data-consented="{int(report.training_set.loc["consented", "patients"])}">'
             "</span>")
    return ('<div class="tk-consent">' + _used_box(result) + _training_box(result)
            + _model_box(result) + _shared_box(result) + state + "</div>")


def ledger_html(settings: ConsentSettings, patient_id: int | None = None) -> str:
    """One patient's consent ledger as an HTML table.

    Examples
    --------
    >>> from teachkit.consent import ConsentSettings, ledger_patient
    >>> "without consent" in ledger_html(ConsentSettings(), ledger_patient())
    True
    """
    ledger = consent_ledger(settings, patient_id)
    who = ledger.attrs["patient"]
    rows = []
    for _, r in ledger.iterrows():
        colour = OUTCOME_COLOURS["missed"] if "without" in r["used"] else "#333"
        rows.append(
            f'<tr><th {_HEAD}>{html.escape(r["use"])}</th>'
            + "".join(f'<td style="padding:2px 8px">{html.escape(str(r[c]))}</td>'
                      for c in ("asked", "answer"))
            + f'<td style="padding:2px 8px;color:{colour};font-weight:600">'
              f'{html.escape(r["used"])}</td>'
            + "".join(f'<td style="padding:2px 8px">{html.escape(str(r[c]))}</td>'
                      for c in ("by", "when")) + "</tr>")
    head = ("use of the record", "how they were asked", "their answer", "used",
            "by whom", "when")
    return (f'<div class="tk-ledger" data-patient="{who["patient_id"]}">'
            f'<div style="font-size:13px;margin:4px 0"><b>Consent ledger of patient '
            f'{who["patient_id"]:,}</b> ({html.escape(who["name"])}, synthetic)</div>'
            f"<table {_TABLE}><thead><tr>"
            + "".join(f"<th {_HEAD}>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


class LedgerViewer(View, widgets.VBox):
    """Open one synthetic patient's consent ledger by patient number.

    Parameters
    ----------
    settings : ConsentSettings, default=ConsentSettings()
        Whose ledger: the consent set-up (each run's, once in a lab).
    banner : Banner, default=None

    Examples
    --------
    >>> viewer = LedgerViewer(ConsentSettings())
    >>> viewer.patient.value = 8
    >>> 'data-patient="8"' in viewer.table.value
    True
    """

    name, css, stages = "ledger", "tk-ledger-viewer", ("consent",)

    def __init__(self, settings: ConsentSettings | None = None, *,
                 banner: Banner | None = None):
        self.settings = settings or ConsentSettings()
        self.patient = widgets.BoundedIntText(
            value=ledger_patient(), min=1, max=self.settings.n, description="Patient number",
            style={"description_width": "initial"}, layout=shared_layout(width="220px"),
            _dom_classes=("tk-ledger-patient",))
        self.table = plain_html("", "tk-ledger-view")
        intro = plain_html(
            '<div style="font-size:14px;margin-top:8px"><b>Open a consent ledger.</b> '
            "What one synthetic patient agreed to, when, and what was done with their "
            f"record. Patient {ledger_patient():,} said no to model training.</div>")
        super().__init__(banner=banner, children=[intro, self.patient, self.table])
        self.patient.observe(guarded(self.banner)(lambda change: self.show()),
                             names="value")
        self.show()

    def show(self, settings: ConsentSettings | None = None) -> None:
        """Show the ledger for ``settings`` (default: the last ones)."""
        self.settings = settings or self.settings
        self.patient.max = self.settings.n
        self.table.value = ledger_html(self.settings, self.patient.value)

    def update(self, result: ConsentResult, attribute: str) -> None:
        self.show(result.settings)


class ConsentView(HTMLView):
    """Lesson 03's consent view: records used without consent, who is left in the
    training data, the model trained on consenters, who receives the records."""

    name, css, stages = "consent", "tk-consent-view", ("consent",)

    def html(self, result: ConsentResult, attribute: str) -> str:
        return consent_html(result)


class ConsentLab(Lab):
    """Lesson 03's consent app: who the model may learn from, and what it costs.

    Starts with a logistic-regression model that flags everyone at or above a 5 % risk,
    trained only on the records of the patients who did not opt out; moving ``consent``
    to "ignored" trains it on every record (the set-up of lessons 01 and 02).

    Parameters
    ----------
    levers : sequence of str, default=CONSENT_LAB_LEVERS
    settings : ConsentSettings, default=logistic model, consent honoured, opt-out
    attribute : str, default="sex"

    Examples
    --------
    >>> lab = ConsentLab()
    >>> lab.panel.rows["consent"].value = "ignored"
    >>> 2_700 < lab.dashboard.result.report.total_without_consent < 3_300  # about 5 %
    True
    """

    LEVERS = CONSENT_LAB_LEVERS
    VIEWS = (ConsentView, LedgerViewer)
    SETTINGS = ConsentSettings(model="logistic", consent="honoured")
    ATTRIBUTE = "sex"
    CSS = "tk-consent-lab"
