"""The dossier a trainee downloads: model card, datasheet, checklist, impact level and the
run's audit log, as one HTML page and one PDF.

:func:`build_dossier` assembles the sections from a :class:`~teachkit.rules.Checklist`
(everything comes from that one run); :meth:`Dossier.html` and :meth:`Dossier.pdf`
render them; :func:`write_dossier` saves both files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..datacard import render_datasheet
from ..pipeline import lesson_cohort
from . import NOT_LEGAL_ADVICE
from .checklist import Checklist
from .document import Bullets, Markdown, Section, Table, to_html, to_pdf
from .impact import ImpactAssessment, impact_level
from .modelcard import model_card
from .timeline import AI_ACT_TIMELINE

__all__ = ["Dossier", "build_dossier", "write_dossier", "dossier_for", "load_saved",
           "DOSSIER_TITLE"]

DOSSIER_TITLE = "Deployment dossier (synthetic patients)"


@dataclass(frozen=True)
class Dossier:
    """The dossier's sections and the title they print under."""

    title: str
    sections: tuple

    def html(self) -> str:
        return to_html(self.title, self.sections)

    def pdf(self) -> bytes:
        return to_pdf(self.title, self.sections)


def _table(frame, *, index: bool = False) -> Table:
    frame = frame.reset_index() if index else frame
    rows = tuple(tuple("" if v != v else (f"{v:.1f}" if isinstance(v, float) else v)
                       for v in row) for row in frame.itertuples(index=False))
    return Table(tuple(str(c) for c in frame.columns), rows)


def _checklist_sections(checklist: Checklist) -> list[Section]:
    counts = checklist.counts
    rows = tuple((item.instrument, item.article, item.title, item.status, item.reason,
                  item.basis, item.applies) for item in checklist)
    timeline = tuple((m.what, m.original,
                      m.amended + ("" if m.confirmed else " (not yet confirmed)"), m.basis)
                     for m in AI_ACT_TIMELINE)
    sources = tuple(f"{item.instrument} {item.article}: {item.source} ({item.basis})"
                    for item in checklist)
    return [
        Section("Checklist", (
            f"{counts['red']} red, {counts['amber']} amber, {counts['green']} green, "
            "each computed from this deployment's run.",
            Table(("law", "article", "rule", "status", "reason", "basis",
                   "applies"), rows, widths=(10, 10, 17, 7, 33, 6, 17)))),
        Section("EU AI Act timeline: original and amended", (
            Table(("duties", "original (Art. 113)", "amended (Digital Omnibus)", "basis"),
                  timeline),), level=3),
        Section("Sources", (Bullets(sources),), level=3),
    ]


def _impact_section(impact: ImpactAssessment) -> Section:
    return Section("Impact level", (
        impact.sentence(),
        "In the style of Canada's Algorithmic Impact Assessment (canada.ca; the 80 % / "
        "15 % deduction and the level bounds as in its source code). The questions and "
        "their points are teaching choices (A), answered from this run.",
        _table(impact.answers)))


def _audit_sections(checklist: Checklist) -> list[Section]:
    d, tables = checklist.deployment, checklist.facts.tables
    blocks = [f"Deployment: {d!r}.", f"teachkit {__version__}; stages run in order: "
              f"triage, {', '.join(d.stages)}. The same deployment gives the same numbers."]
    out = [Section("Audit log", tuple(blocks))]
    if "monitoring_log" in tables:
        incidents = (Bullets(tables["incidents"]) if tables["incidents"] else
                     "No serious incident was traced to an ignored alarm.")
        out.append(Section("Monitoring log (EU AI Act Arts. 12 and 72)", (
            _table(tables["monitoring_log"]), incidents), level=3))
    if "responsibility" in tables:
        out.append(Section("Who decided, and who answers for it (per 1,000 patients)", (
            _table(tables["responsibility"], index=True),), level=3))
    return out


def build_dossier(checklist: Checklist, impact: ImpactAssessment | None = None,
                  *, title: str = DOSSIER_TITLE) -> Dossier:
    """The dossier of one deployment, from its checklist (and impact level).

    Examples
    --------
    >>> from teachkit.rules import ALL_STAGES, evaluate
    >>> from teachkit.stages import Deployment
    >>> dossier = build_dossier(evaluate(Deployment(ALL_STAGES, model="logistic")))
    >>> [s.title for s in dossier.sections if s.level == 2][:3]
    ['About this dossier', 'Model card', 'Model details']
    """
    impact = impact or impact_level(checklist)
    s = checklist.deployment.settings
    sheet = render_datasheet(lesson_cohort(s.n, s.seed, s.setting))
    card = model_card(checklist)
    sections = [
        Section("About this dossier", (
            NOT_LEGAL_ADVICE,
            f"Impact level {impact.level}; checklist: {len(checklist.reds)} red of "
            f"{len(checklist)}. Made with teachkit lesson 07 from synthetic patients.")),
        Section("Model card", ("Mitchell et al. 2019, nine sections.",)),
        *card,
        *_checklist_sections(checklist),
        _impact_section(impact),
        Section("Datasheet of the cohort", (Markdown(sheet),)),
        *_audit_sections(checklist),
    ]
    return Dossier(title=title, sections=tuple(sections))


def write_dossier(dossier: Dossier, folder: str | Path, *, stem: str = "dossier") -> dict:
    """Write ``stem.html`` and ``stem.pdf`` into ``folder``; their paths by format."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"html": folder / f"{stem}.html", "pdf": folder / f"{stem}.pdf"}
    paths["html"].write_text(dossier.html(), encoding="utf-8")
    paths["pdf"].write_bytes(dossier.pdf())
    return paths


def load_saved(path: str | Path | None = None, *, trainee: str | None = None,
               data_dir: str | Path | None = None):
    """A saved deployment: from a file, or the one ``trainee`` saved in ``data_dir``.

    Raises
    ------
    TeachkitError
        The file is missing or not a saved deployment, or the trainee saved none.
    """
    from .._validation import TeachkitError
    from .saved import DeploymentStore, deployment_from_json

    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise TeachkitError(f"No saved deployment at {str(file)!r}: pass the JSON file "
                                "lesson 07 saved.")
        return deployment_from_json(file.read_text(encoding="utf-8", errors="replace"))
    deployment = DeploymentStore(data_dir).load_deployment(trainee)
    if deployment is None:
        raise TeachkitError(f"{trainee!r} has saved no deployment in {str(data_dir)!r}. "
                            "Open lesson 07 and save one first.")
    return deployment


def dossier_for(deployment, *, out: str | Path) -> dict:
    """Run ``deployment`` and write its dossier as ``out.html`` and ``out.pdf``."""
    from .checklist import evaluate

    out = Path(out)
    return write_dossier(build_dossier(evaluate(deployment)), out.parent, stem=out.name)
