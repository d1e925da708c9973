"""The monitor stage: a deployed model over 36 months, registered as ``"monitor"``.

:class:`MonitorSettings` is lesson 06's deployment; :func:`run_monitor` runs the time
axis (:mod:`.timeline`, :mod:`.run`) and compares it with one step back:

- a drift event on: the same three years with nothing changing;
- else an update policy: the same model never updated;
- else the vendor's model: our own model;
- else a smaller or larger clinic: the usual 1,000 a month;
- else monitoring on: nobody watching (the same patients: monitoring alone changes
  nothing until someone acts on it).

The time axis deploys the lessons' logistic regression (the triage ``model`` lever does
not apply to it) and flags at the triage ``threshold``. The result also carries the
one-snapshot triage run of lessons 01-04 (:attr:`MonitorResult.validation`: last year's
cohort, judged once), computed only when asked for.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from ..consequences import ConsequenceFrame
from ..levers import REGISTRY, bound_to, call_bound
from ..levers.monitor import DRIFT_LEVERS, deploy_for_three_years
from ..pipeline import RunResult, simulate
from ..stages import Deployment, Stage, register_stage
from .events import EVENT_SOURCES, EVENT_STORIES, SHOCK_MONTHS
from .log import monitoring_log, trace_incidents
from .monitors import auc
from .run import Timeline
from .timeline import MONTHS

__all__ = ["MonitorSettings", "MonitorResult", "run_monitor", "MONITOR_STAGE",
           "BASELINE_NAMES", "YEARS", "time_axis_key"]

BASELINE_NAMES = {
    "drift": "the same three years with nothing changing",
    "policy": "the same model never updated",
    "source": "our own model",
    "volume": "a clinic screening 1,000 a month",
    "watch": "nobody watching",
}
#: The three years after go-live, as month ranges.
YEARS = {"year 1": (1, 12), "year 2": (13, 24), "year 3": (25, 36)}


def _baseline(d):
    moved = d.changed_levers()
    drifts = [name for name in DRIFT_LEVERS if name in moved]
    if drifts:
        return {name: 0 for name in drifts}, BASELINE_NAMES["drift"]
    if "update_policy" in moved:
        return {"update_policy": "never"}, BASELINE_NAMES["policy"]
    if "model_source" in moved:
        return {"model_source": "local"}, BASELINE_NAMES["source"]
    if "monthly_volume" in moved:
        return {"monthly_volume": REGISTRY["monthly_volume"].rest}, BASELINE_NAMES["volume"]
    if "monitoring" in moved:
        return {"monitoring": "none"}, BASELINE_NAMES["watch"]
    if not moved:  # everything at rest: the run is its own baseline
        return {}, BASELINE_NAMES["drift"]
    return None


def _run_stage(deployment, *, with_baseline: bool = True):
    return run_monitor(deployment, with_baseline=with_baseline)


MONITOR_STAGE = register_stage(Stage(
    name="monitor", title="Watching a model over time", order=60, baseline=_baseline,
    run=_run_stage))


class MonitorSettings(Deployment):
    """A deployment with the monitor stage: lesson 06's name for it.

    Parameters
    ----------
    monthly_volume : int in [100, 2000], default=1000
        Patients screened a month.
    model_source : {"local", "vendor"}, default="local"
    drift_case_mix, drift_base_rate, drift_coding, drift_shock, drift_pipeline : int
        The month each drift event starts, one of 0 (never), 1, 6, 12, 18, 24.
    monitoring : {"none", "inputs", "labels", "both"}, default="none"
    update_policy : {"never", "yearly_refit", "recalibrate"}, default="never"

    The triage fields are those of :class:`teachkit.pipeline.Settings`; the time axis
    reads ``seed``, ``setting`` and ``threshold``.

    Examples
    --------
    >>> MonitorSettings(drift_base_rate=12).baseline()[1]
    'the same three years with nothing changing'
    >>> MonitorSettings(update_policy="recalibrate").baseline()[1]
    'the same model never updated'
    >>> MonitorSettings(drift_shock=7)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'drift_shock' parameter of MonitorSettings \
must be one of 0, 1, 6, 12, 18, 24. Got 7 instead.
    """

    __slots__ = ()
    STAGES = ("monitor",)


@dataclass(frozen=True, eq=False)
class MonitorResult:
    """Thirty-six months of one deployment.

    Attributes
    ----------
    settings : Deployment
    timeline : Timeline
        Every screened patient and every month (:mod:`.run`).
    consequences : ConsequenceFrame
        Over all 36 months (true crises), overall and by group, baseline attached.
    groups : DataFrame
        The screened patients' groups (one row per patient of the timeline).
    log : DataFrame
        The monitoring log (:func:`.log.monitoring_log`).
    incidents : list of Incident
    card_auc : float
        What the model's card says: the vendor's own validation, or our training year's
        (local, in-sample) AUC.
    baseline_name : str
    baseline_result : MonitorResult or None
    """

    settings: Deployment
    timeline: Timeline
    consequences: ConsequenceFrame
    groups: pd.DataFrame = dataclasses.field(repr=False)
    log: pd.DataFrame = dataclasses.field(repr=False)
    incidents: tuple = ()
    card_auc: float = float("nan")
    baseline_name: str = ""
    baseline_result: MonitorResult | None = dataclasses.field(default=None, repr=False)

    # -- the months ----------------------------------------------------------------------
    @property
    def months(self) -> pd.DataFrame:
        """One row per month: patients, alerts, crises, missed, AUC, O:E, PSI, CUSUM..."""
        return self.timeline.months

    @property
    def alarms(self) -> pd.DataFrame:
        return pd.DataFrame(self.timeline.alarms,
                            columns=["month", "monitor", "value", "about", "decision"])

    @property
    def local_auc(self) -> float:
        """AUC over the first year after go-live (what a local validation finds)."""
        t = self.timeline
        year1 = t.month <= 12
        return auc(t.recorded[year1], t.scores[year1])

    def period(self, first: int, last: int) -> dict:
        """AUC, O:E, sensitivity and missed crises per 1,000 in months first-last."""
        t = self.timeline
        keep = (t.month >= first) & (t.month <= last)
        y, s, f, truth = t.recorded[keep], t.scores[keep], t.flagged[keep], t.truth[keep]
        return {"AUC": auc(y, s), "O:E": float(y.sum() / s.sum()),
                "sensitivity": float((f & truth).sum() / max(truth.sum(), 1)),
                "alerts per month": float(f.sum() / (last - first + 1)),
                "missed per 1,000": float(1000 * (truth & ~f).sum() / max(keep.sum(), 1))}

    def by_year(self, attribute: str = "language") -> pd.DataFrame:
        """AUC, O:E and crises missed per 1,000, by year and group."""
        t = self.timeline
        col = self.groups[attribute].to_numpy()
        rows = []
        for year, (first, last) in YEARS.items():
            in_year = (t.month >= first) & (t.month <= last)
            for group in pd.unique(self.groups[attribute].cat.categories):
                keep = in_year & (col == group)
                if not keep.any():
                    continue
                y, s = t.recorded[keep], t.scores[keep]
                rows.append({"year": year, "group": group, "patients": int(keep.sum()),
                             "AUC": auc(y, s), "O:E": float(y.sum() / s.sum()),
                             "missed per 1,000": float(
                                 1000 * (t.truth[keep] & ~t.flagged[keep]).sum()
                                 / keep.sum())})
        return pd.DataFrame(rows).set_index(["year", "group"])

    def totals(self) -> dict:
        """Over the 36 months: crises caught and missed, needless escalations, alarms."""
        t, alarms = self.timeline, self.timeline.alarms
        return {"crises": int(t.truth.sum()), "caught": int((t.truth & t.flagged).sum()),
                "missed": int((t.truth & ~t.flagged).sum()),
                "needless": int((~t.truth & t.flagged).sum()),
                "alarms": len(alarms),
                "ignored": sum(a["decision"].startswith("ignored") for a in alarms),
                "updates": len(t.versions) - 1}

    # -- the events and what noticed them -------------------------------------------------
    def events(self) -> list[dict]:
        """The drift events switched on: lever, start, story, source, first alarm."""
        out = []
        for name in DRIFT_LEVERS:
            start = getattr(self.settings, name)
            if not start:
                continue
            later = [a for a in self.timeline.alarms if a["month"] >= start]
            out.append({"lever": name, "start": start, "story": EVENT_STORIES[name],
                        "source": EVENT_SOURCES[name],
                        "end": start + SHOCK_MONTHS - 1 if name == "drift_shock" else MONTHS,
                        "noticed": later[0]["month"] if later else None,
                        "noticed_by": later[0]["monitor"] if later else ""})
        return out

    def sentences(self) -> list[str]:
        """What changed and when it was noticed, in plain sentences."""
        from .sentences import describe

        return describe(self)

    # -- what every lesson reads -------------------------------------------------------
    def sentence(self) -> str:
        """The change against the baseline in plain language (per 1,000 patients)."""
        return self.consequences.sentence(baseline_name=self.baseline_name)

    @property
    def baseline(self) -> ConsequenceFrame | None:
        return self.consequences.baseline

    def versus_baseline(self) -> pd.DataFrame:
        return self.consequences.versus_baseline()

    @cached_property
    def validation(self) -> RunResult:
        """The one-snapshot triage run of lessons 01-04 on last year's cohort."""
        return simulate(self.settings.before("monitor"), with_baseline=False)

    @property
    def scores(self) -> np.ndarray:
        """The snapshot's scores (:attr:`validation`): what a stage leaves alone."""
        return self.validation.scores

    @property
    def flagged(self) -> np.ndarray:
        return self.validation.flagged


def time_axis_key(d) -> tuple:
    """Everything the time axis reads from a deployment (a cache key)."""
    return (d.seed, d.setting, d.threshold, *(getattr(d, k) for k in _key_levers()))


def _key_levers() -> tuple[str, ...]:
    """The levers the time axis receives: every lever bound to it."""
    return tuple(spec.name for spec in bound_to(deploy_for_three_years))


@lru_cache(maxsize=64)
def _cached_key(key: tuple, settings: Deployment) -> MonitorResult:
    d = settings
    p, t, card = call_bound(bound_to(deploy_for_three_years), d, seed=d.seed,
                            setting=d.setting, threshold=d.threshold)
    groups = p.groups.iloc[t.rows].reset_index(drop=True)
    frame = ConsequenceFrame(t.truth, t.flagged, t.scores, groups)
    incidents = tuple(trace_incidents(t.alarms, t.versions, month=t.month,
                                      flagged=t.flagged, truth=t.truth,
                                      patient_id=p.patient_id[t.rows]))
    return MonitorResult(settings=d, timeline=t, consequences=frame, groups=groups,
                         log=monitoring_log(t.alarms, t.versions, t.monitoring),
                         incidents=incidents, card_auc=card)


def _cached(settings: Deployment) -> MonitorResult:
    return _cached_key(time_axis_key(settings), _canonical(settings))


def _canonical(settings: Deployment) -> Deployment:
    """The deployment reduced to what the time axis reads (so equal runs share a cache
    entry)."""
    return MonitorSettings(seed=settings.seed, setting=settings.setting,
                           threshold=settings.threshold,
                           **{k: getattr(settings, k) for k in _key_levers()})


def run_monitor(settings: Deployment | None = None, *,
                with_baseline: bool = True) -> MonitorResult:
    """Run the 36 months and compare with one step back.

    Parameters
    ----------
    settings : MonitorSettings (or a Deployment with the monitor stage)
    with_baseline : bool, default=True

    Returns
    -------
    MonitorResult

    Examples
    --------
    >>> r = run_monitor(MonitorSettings(drift_base_rate=1, monitoring="labels"))
    >>> r.baseline_name, len(r.months)
    ('the same three years with nothing changing', 36)
    >>> run_monitor("monitor")
    Traceback (most recent call last):
    ...
    TypeError: settings must be a teachkit MonitorSettings (or a Deployment with the \
monitor stage); got <class 'str'>.
    """
    settings = MonitorSettings() if settings is None else settings
    if not (isinstance(settings, Deployment) and "monitor" in settings.stages):
        raise TypeError("settings must be a teachkit MonitorSettings (or a Deployment "
                        f"with the monitor stage); got {type(settings)!r}.")
    if not with_baseline:
        return dataclasses.replace(_cached(settings), settings=settings)
    return _compared(settings)


@lru_cache(maxsize=64)
def _compared(settings: Deployment) -> MonitorResult:
    """The run with its baseline attached, the same object for the same deployment (so
    a view may remember what it drew for it)."""
    now = dataclasses.replace(_cached(settings), settings=settings)
    rest, name = settings.baseline()
    base = _cached(rest)
    frame = now.consequences.with_baseline(base.consequences)
    return dataclasses.replace(now, consequences=frame, baseline_name=name,
                               baseline_result=base)

