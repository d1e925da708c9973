"""Lesson 03's privacy lab: release a "de-identified" table, attack it, protect it.

- :class:`PrivacyLab`: the privacy levers (what leaves the hospital, k, ε), headline
  cards (people named, the release's k, patients left out, error of the published
  counts), a figure by group, a plain sentence, three synthetic people the attack named,
  and a map of the data that leaves the hospital;
- :class:`PrivacyFigure`: the figure, updated in place like
  :class:`~teachkit.plotting.ConsequenceFigure`;
- :func:`privacy_cards_html`, :func:`flow_html`, :func:`examples_html`: the views as
  HTML (tested without a browser).

The lab runs :func:`teachkit.privacy.run_release`; it computes nothing itself. All
patients and every person on the register are synthetic.
"""

from __future__ import annotations

import functools
import html

import ipywidgets as widgets

from ..levers.privacy import PRIVACY_LEVERS
from ..palette import OKABE_ITO
from ..plotting import (
    LEFT_OUT_COLOUR,
    NAMED_COLOUR,
    NOISE_COLOUR,
    PRIVACY_GROUP_TITLES,
    SAFE_COLOUR,
    PrivacyFigure,
)
from ..privacy import Release, ReleaseResult, run_release
from ..privacy.run import describe_release
from ..stages import Deployment
from ..text import percent
from .apps import Lab
from .dashboard import BaseDashboard
from .panel import LeverPanel
from .views import HTMLView

__all__ = ["PrivacyLab", "PrivacyDashboard", "NamedPeopleView", "DataFlowView",
           "PrivacyFigure", "privacy_cards_html", "flow_html",
           "examples_html", "PRIVACY_LAB_LEVERS", "GROUP_TITLES"]

PRIVACY_LAB_LEVERS = PRIVACY_LEVERS
#: Groups the lab can compare, with their plain names.
GROUP_TITLES = PRIVACY_GROUP_TITLES

CARD_HTML = (
    '<div class="tk-card" style="flex:1;min-width:160px;border-top:6px solid {colour};'
    'background:#FAFAFA;padding:6px 10px;margin-right:8px">'
    '<div style="font-size:12px;color:#333">{title}</div>'
    '<div class="tk-card-value" data-key="{key}" style="font-size:26px;font-weight:600">'
    "{value}</div>"
    '<div style="font-size:11px;color:#555">{note}</div></div>'
)


def _smallest_group_error(result: ReleaseResult):
    """(group, relative error) of the ethnic group with the fewest patients counted."""
    utility = result.utility.dropna(subset=["relative_error"])
    if not result.release.uses_noise or utility.empty:
        return None
    group = utility["true"].idxmin()
    return group, float(utility.loc[group, "relative_error"])


def privacy_cards_html(result: ReleaseResult) -> str:
    """Four cards: people named, the release's k, patients left out, counts' error."""
    attack = result.attack
    named_colour = NAMED_COLOUR if attack.reidentified else SAFE_COLOUR
    worst = _smallest_group_error(result)
    cards = [
        ("reidentified", "People named by linking", named_colour, f"{attack.reidentified:,}",
         f"{percent(attack.rate)} of the {attack.released:,} patients released"
         + (f"; {attack.wrong:,} wrong guesses" if attack.wrong else "")),
        ("k", "Smallest group in the release (k)", OKABE_ITO["blue"], f"{result.k:,}",
         "patients who look the same; 1 means someone stands out alone"),
        ("suppressed", "Patients left out", LEFT_OUT_COLOUR, f"{result.suppressed:,}",
         f"{percent(result.suppressed / result.patients)} of {result.patients:,}, "
         "withheld to reach k"),
        ("noise", "Error of published counts", NOISE_COLOUR,
         "exact" if worst is None else percent(worst[1]),
         "no noise added" if worst is None
         else f"for {worst[0]} patients, the smallest group (ε = {result.release.epsilon:g})"),
    ]
    parts = [CARD_HTML.format(key=key, title=html.escape(title), colour=colour,
                          value=html.escape(value), note=html.escape(note))
             for key, title, colour, value, note in cards]
    return '<div class="tk-privacy-cards" style="display:flex;flex-wrap:wrap">' + \
        "".join(parts) + "</div>"


def flow_html(result: ReleaseResult) -> str:
    """The data-flow map: what stays in the hospital and what leaves it, and how."""
    flow = result.data_flow
    chip = ('<div class="tk-flow-item" data-leaves="{leaves}" style="margin:3px 0;'
            'padding:3px 8px;border-left:5px solid {colour};background:white">'
            "<b>{detail}</b> <span style='font-size:12px;color:#444'>({kind})</span><br>"
            "<span style='font-size:12px;color:#444'>{how}</span></div>")
    # the kind in words too: the colour of the stripe alone says nothing to everyone
    kinds = {"identifier": "names the person", "quasi-identifier": "an outsider may also know it",
             "clinical (sensitive)": "sensitive clinical detail"}
    colours = {"identifier": OKABE_ITO["blue"], "quasi-identifier": OKABE_ITO["orange"],
               "clinical (sensitive)": NAMED_COLOUR, "published count": NOISE_COLOUR}
    stays, leaves = [], []
    for row in flow.itertuples(index=False):
        item = chip.format(leaves=str(bool(row.leaves)).lower(),
                           colour=colours.get(row.kind, "#999"),
                           detail=html.escape(row.detail), how=html.escape(row[3]),
                           kind=html.escape(kinds.get(row.kind, row.kind)))
        (leaves if row.leaves else stays).append(item)
    column = ('<div style="flex:1;min-width:240px;background:#F4F4F4;padding:6px 10px;'
              'margin-right:8px"><div style="font-size:13px"><b>{title}</b></div>{items}'
              "</div>")
    arrow = '<div style="align-self:center;font-size:28px;padding:0 6px">&#10140;</div>'
    return (
        '<div class="tk-flow" style="margin-top:8px"><div style="font-size:14px">'
        "<b>Where the data goes</b> (each detail says what kind it is)</div>"
        '<div style="display:flex;flex-wrap:wrap">'
        + column.format(title="Stays in the hospital", items="".join(stays) or "<i>nothing</i>")
        + arrow
        + column.format(title="Leaves the hospital (research partner, public website)",
                        items="".join(leaves))
        + "</div></div>"
    )


def examples_html(result: ReleaseResult, n: int = 3) -> str:
    """Up to ``n`` synthetic people the attack named, and what the release told about them."""
    examples = result.attack.examples(n)
    if examples.empty:
        return ('<div class="tk-examples" style="font-size:13px;margin-top:6px"><i>The attack '
                "named nobody in this release.</i></div>")
    head = ("name (synthetic)", "ZIP code", "date of birth", "sex / gender", "PHQ-9 total",
            "thoughts of self-harm (0-3)", "diagnosis", "crisis in the next year")
    rows = []
    for row in examples.itertuples(index=False):
        cells = (row.name, row.zip5, str(row.birth_date)[:10], row.sex, row.phq9_total,
                 row.self_harm_thoughts, row.diagnosis_code, "yes" if row.crisis else "no")
        rows.append("<tr>" + "".join(f'<td style="padding:2px 8px">{html.escape(str(c))}</td>'
                                     for c in cells) + "</tr>")
    return (
        '<div class="tk-examples" style="margin-top:6px"><div style="font-size:13px">'
        f"<b>{len(examples)} of the people named</b> (synthetic: made up by a computer), "
        "with what the release told about them:</div>"
        '<table style="border-collapse:collapse;font-size:13px"><thead><tr>'
        + "".join(f'<th style="padding:2px 8px;text-align:left">{h}</th>' for h in head)
        + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


class NamedPeopleView(HTMLView):
    """Up to three synthetic people the attack named (:func:`examples_html`)."""

    name, css, stages = "named_people", "tk-examples-view", ("release",)

    def html(self, result: ReleaseResult, attribute: str) -> str:
        return examples_html(result)


class DataFlowView(HTMLView):
    """What stays in the hospital and what leaves it (:func:`flow_html`)."""

    name, css, stages = "data_flow", "tk-flow-view", ("release",)

    def html(self, result: ReleaseResult, attribute: str) -> str:
        return flow_html(result)


class PrivacyDashboard(BaseDashboard):
    """The release's cards, figure by group and sentences on the shared dashboard
    (the lab adds its views: the people named and the data flow).

    Attributes
    ----------
    updates : int
    result : ReleaseResult or None
    """

    FIGURE = PrivacyFigure
    result: ReleaseResult | None

    @property
    def _cards(self) -> widgets.HTML:
        """The headline cards (the release's own)."""
        return self._headline

    def group_options(self) -> list[tuple[str, str]]:
        return [(title, key) for key, title in GROUP_TITLES.items()]

    def cards_html(self, result: ReleaseResult) -> str:
        return privacy_cards_html(result)

    def sentence_html(self, result: ReleaseResult) -> str:
        sentences = "".join(f"<li>{html.escape(s)}</li>" for s in describe_release(result))
        return f'<ul style="font-size:15px;max-width:60em;line-height:1.4">{sentences}</ul>'

    def state_data(self, result: ReleaseResult) -> dict:
        attack = result.attack
        return {"reidentified": attack.reidentified, "rate": f"{attack.rate:.4f}",
                "claimed": attack.claimed, "wrong": attack.wrong,
                "released": attack.released, "k": result.k,
                "suppressed": result.suppressed}

    def settings_text(self, result: ReleaseResult) -> str:
        return ";".join(f"{name}={getattr(result.release, name)}"
                        for name in PRIVACY_LAB_LEVERS)


_HEADINGS = {
    "release_zip": "What leaves the hospital (names and record numbers never do)",
    "k_target": "Protections",
}


class PrivacyLab(Lab):
    """Lesson 03's privacy app: choose what leaves the hospital, attack it, protect it.

    The same :class:`Lab` as every lesson: the lever panel runs the release stage
    (:func:`teachkit.privacy.run_release`) and :class:`PrivacyDashboard` shows it.

    Parameters
    ----------
    release : Release, default=Release()
        Where the levers start (at rest: the naive release).
    cohort : DataFrame, default=None
        The patients; None takes the lessons' 60,000 synthetic patients.
    attribute : str, default="ethnicity"
        The groups the figure compares first (:data:`GROUP_TITLES`).

    Attributes
    ----------
    rows : dict of str to LeverRow
    release : Release
        The levers of the result on show.
    result : ReleaseResult or None
    updates : int
        How many results have been shown (also in the page, for browser tests).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> lab = PrivacyLab(cohort=make_cohort(2_000, seed=1))
    >>> lab.rows["release_zip"].value = "zip3"
    >>> lab.updates, lab.result.release.release_zip
    (2, 'zip3')
    """

    LEVERS = PRIVACY_LAB_LEVERS
    VIEWS = (NamedPeopleView, DataFlowView)
    DASHBOARD = PrivacyDashboard
    PANEL = functools.partial(LeverPanel, headings=_HEADINGS)
    CSS = "tk-privacy-lab"

    def __init__(self, release: Release | None = None, *, cohort=None,
                 attribute: str = "ethnicity"):
        self._cohort = cohort
        super().__init__(settings=Deployment(("release",), **(release or Release()).values()),
                         run=self._run, attribute=attribute)

    def _run(self, deployment) -> ReleaseResult:
        release = Release(**{name: getattr(deployment, name) for name in PRIVACY_LAB_LEVERS})
        return run_release(release, self._cohort)

    def update(self, release: Release) -> ReleaseResult:
        """Run the release for ``release`` and show it (the one path from the levers)."""
        return self.panel.update(self.panel.settings.replace(**release.values()))

    @property
    def rows(self) -> dict:
        return self.panel.rows

    @property
    def result(self) -> ReleaseResult | None:
        return self.dashboard.result

    @property
    def release(self) -> Release:
        return self.result.release if self.result is not None else Release()

    @property
    def updates(self) -> int:
        return self.dashboard.updates

    @property
    def attribute(self) -> str:
        return self.dashboard.attribute

    @property
    def sentence(self) -> str:
        """The plain-language sentence on show."""
        return self.result.sentence() if self.result is not None else ""

    @property
    def png(self) -> bytes:
        """The figure on show, as PNG bytes."""
        return self.dashboard._image.value

    def __getattr__(self, name):
        if name in ("_cards", "_group", "_image", "_alt", "_sentence", "_state"):
            return getattr(self.dashboard, name)
        raise AttributeError(name)
