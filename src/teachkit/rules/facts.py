"""The numbers the rules read: one small frozen record drawn from a whole run.

:func:`gather_facts` reads each stage's own result (:func:`teachkit.stages.run_all`) once
and keeps plain numbers, so every rule is a cheap pure function of :class:`Facts` and a
rule never re-runs the pipeline. A stage the deployment does not run leaves its facts
``None``; the rules then say so rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import TeachkitError
from ..stages import Deployment

__all__ = ["Facts", "gather_facts", "ALL_STAGES", "MIN_GROUP_CRISES"]

#: The stages a lesson-07 deployment runs (every stage of lessons 03-06).
ALL_STAGES = ("consent", "explain", "oversight", "monitor", "release")

#: A group's sensitivity is quoted only with at least this many crises in it (A: fewer
#: makes a share swing by more than 5 points for one patient).
MIN_GROUP_CRISES = 20


@dataclass(frozen=True)
class Facts:
    """Plain numbers from one run of a deployment (per 1,000 patients unless named).

    Attributes
    ----------
    deployment : Deployment
    stages : tuple of str
    patients : int
    flagged, crises, caught, missed : float
        Per 1,000 patients, from the triage model's run.
    sensitivity_by_group : dict
        Ethnicity -> share of that group's crises the model flags, for groups with at
        least :data:`MIN_GROUP_CRISES` crises.
    crises_by_group : dict
        Ethnicity -> number of crises in the cohort (every group).
    by_group : DataFrame
        The triage run's consequences by attribute and group (per 1,000 patients).
    decided : dict or None
        Of the flagged patients, how many were decided by ``human``, ``model``,
        ``nobody`` (counts); None without the oversight stage.
    workload : dict or None
        The oversight stage's workload numbers.
    autonomy : dict or None
        The explain stage's autonomy numbers.
    consent : dict or None
        ``used``, ``without_consent``, ``knew``, ``shared``, ``shared_to``,
        ``shared_without_consent``.
    monitor : dict or None
        ``mode``, ``alarms``, ``ignored``, ``incidents``, ``log_entries``,
        ``card_auc``, ``local_auc``, ``updates``, ``missed`` and ``crises`` (over 36
        months), ``auc_by_year`` (years 1-3).
    release : dict or None
        ``k``, ``released``, ``reidentified``, ``rate``, ``zip``, ``birth``.
    tables : dict
        What the dossier's audit log shows: ``"monitoring_log"`` (DataFrame),
        ``"incidents"`` (sentences), ``"responsibility"`` (DataFrame), where the stage
        runs.
    """

    deployment: Deployment
    stages: tuple
    patients: int
    flagged: float
    crises: float
    caught: float
    missed: float
    sensitivity_by_group: dict = field(default_factory=dict)
    crises_by_group: dict = field(default_factory=dict)
    by_group: object = field(default=None, compare=False, repr=False)
    decided: dict | None = None
    workload: dict | None = None
    autonomy: dict | None = None
    consent: dict | None = None
    monitor: dict | None = None
    release: dict | None = None
    tables: dict = field(default_factory=dict, compare=False, repr=False)

    def lever(self, name: str):
        """The deployment's value of one lever (its stage must run)."""
        return getattr(self.deployment, name)

    def has(self, stage: str) -> bool:
        return stage in self.stages


def _triage(result) -> dict:
    overall = result.consequences.overall.iloc[0]
    by = result.consequences.by_group.loc["ethnicity"]
    crises = (by["crises"] * by["patients"] / 1000).round().astype(int)
    sens = {g: float(by.loc[g, "caught"] / by.loc[g, "crises"])
            for g in by.index if crises[g] >= MIN_GROUP_CRISES}
    return {"patients": int(overall["patients"]), "flagged": float(overall["flagged"]),
            "crises": float(overall["crises"]), "caught": float(overall["caught"]),
            "missed": float(overall["missed"]), "sensitivity_by_group": sens,
            "crises_by_group": {g: int(c) for g, c in crises.items()},
            "by_group": result.consequences.by_group}


def _oversight(result) -> tuple[dict, dict]:
    from ..oversight.deployment import HUMAN, MODEL, NOBODY

    by = np.asarray(result.deployment.decided_by)
    decided = {"human": int((by == HUMAN).sum()), "model": int((by == MODEL).sum()),
               "nobody": int((by == NOBODY).sum())}
    return decided, dict(result.workload)


def _consent(result) -> dict:
    report = result.report
    used = report.used_without_consent.loc[("all", "all patients")]
    shared = dict(report.shared)
    return {"used": int(report.meaningful["used"]), "knew": int(report.meaningful["knew"]),
            "without_consent": int(used["training"]), "shared": int(shared["patients"]),
            "shared_to": str(shared["to"]),
            "shared_without_consent": int(shared["without_consent"])}


def _monitor(result) -> dict:
    totals = result.totals()
    return {"mode": result.settings.monitoring, "alarms": totals["alarms"],
            "ignored": totals["ignored"], "incidents": len(result.incidents),
            "log_entries": len(result.log), "card_auc": float(result.card_auc),
            "local_auc": float(result.local_auc), "updates": totals["updates"],
            "missed": totals["missed"], "crises": totals["crises"],
            "auc_by_year": tuple(float(result.period(m, m + 11)["AUC"])
                                 for m in (1, 13, 25))}


def _release(result) -> dict:
    attack = result.attack
    return {"k": int(result.k), "released": int(attack.released),
            "reidentified": int(attack.reidentified), "rate": float(attack.rate),
            "zip": result.levels.get("zip", ""), "birth": result.levels.get("birth", "")}


def gather_facts(deployment: Deployment, results: dict) -> Facts:
    """Read the numbers every rule needs from ``results`` (:func:`run_all`'s dict)."""
    if "triage" not in results:
        raise TeachkitError("The 'results' parameter of gather_facts must be the dict "
                            "run_all returns, with a 'triage' entry. Got keys "
                            f"{sorted(results)} instead.")
    out = dict(deployment=deployment, stages=tuple(deployment.stages),
               **_triage(results["triage"]))
    tables = {}
    if "oversight" in results:
        from ..oversight.audit import responsibility_map

        out["decided"], out["workload"] = _oversight(results["oversight"])
        tables["responsibility"] = responsibility_map(results["oversight"])
    if "explain" in results:
        out["autonomy"] = {k: float(v) for k, v in results["explain"].autonomy.items()}
    if "consent" in results:
        out["consent"] = _consent(results["consent"])
    if "monitor" in results:
        out["monitor"] = _monitor(results["monitor"])
        tables["monitoring_log"] = results["monitor"].log
        tables["incidents"] = tuple(i.sentence() for i in results["monitor"].incidents)
    if "release" in results:
        out["release"] = _release(results["release"])
    return Facts(**out, tables=tables)
