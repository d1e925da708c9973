"""Thirty-six months of a deployed model: intakes, flags, monitors, alarms, updates.

Month by month (1 to :data:`~.timeline.MONTHS`):

1. the month's intake is drawn (:mod:`.events` weights and census) and scored by the
   model in use; patients at or above the risk threshold are flagged;
2. at the end of the month the input monitor (if on) compares the month's scores with
   the model's training scores: PSI and KS. Entering amber or red (PSI >= 0.10) raises an
   input alarm;
3. the crises of the month a year back become known (:data:`~.monitors.LABEL_DELAY`: a
   crisis counts within 12 months): AUC, sensitivity,
   observed / expected; the CUSUM (if on) adds that month and may raise a label alarm;
4. the update policy answers: ``never`` ignores every alarm; ``yearly_refit`` ignores
   them and refits at the end of months 12 and 24 on the labelled months of the past
   year; ``recalibrate`` recalibrates on the last six labelled months whenever an alarm
   fires (if any labels have arrived).

Every alarm goes into the monitoring log (:mod:`.log`) with who saw it and what was
decided.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..models import FEATURES
from .events import (
    CODING_EXTRA,
    SHOCK_SEVERITY_WEIGHT,
    active,
    intake_size,
    selection_weights,
    surviving_share,
    weighted_choice,
)
from .monitors import LABEL_DELAY, PSI_AMBER, Cusum, PsiReference, auc, ks_pvalue, psi_light
from .timeline import MISSING_COLUMN, MONTHS, LinearModel, Pool, fit_model

__all__ = ["Timeline", "simulate_months", "draw_intake", "RECALIBRATION_WINDOW",
           "REFIT_MONTHS"]

#: The PSI lights in words, not colour names (issue 14): what the level means.
_PSI_WORDS = {"amber": "PSI 0.10 or more: a shift", "red": "PSI 0.25 or more: a large shift"}

#: Labelled months a recalibration learns from (A).
RECALIBRATION_WINDOW = 6
#: Months at whose end the yearly refit happens.
REFIT_MONTHS = (12, 24)


@dataclass(frozen=True, eq=False)
class Timeline:
    """Every screened patient of the 36 months (arrays) and the months' records.

    Attributes
    ----------
    rows : ndarray of int
        Each screened patient's row in the pool.
    month : ndarray of int
        Month of screening (1-36).
    scores, flagged, truth, recorded : ndarray
        The model's risk, its flag, the true crisis and the crisis as recorded.
    months : DataFrame
        One row per month (see :func:`simulate_months`).
    alarms : list of dict
        Each alarm: month, monitor, value, what it concerned, the decision.
    versions : list of (month, str)
        When each model version went live.
    monitoring : str
        What was monitored (the ``monitoring`` lever).
    """

    rows: np.ndarray
    month: np.ndarray
    scores: np.ndarray
    flagged: np.ndarray
    truth: np.ndarray
    recorded: np.ndarray
    months: pd.DataFrame
    alarms: list
    versions: list
    monitoring: str = "none"


def draw_intake(p: Pool, month: int, events, *,
                shock_weight: float = SHOCK_SEVERITY_WEIGHT) -> np.ndarray:
    """The pool rows of ``month``'s intake: :func:`.events.intake_size` of the month's
    candidates, drawn with the drift events' :func:`.events.selection_weights`
    (``shock_weight``: the shock's, :mod:`.calibration` tries others)."""
    rows = p.month_rows(month)
    w = selection_weights(month, events, limited_english=p.limited_english[rows],
                          severity=p.severity[rows], shock_weight=shock_weight)
    return rows[weighted_choice(p.keys[rows], w, intake_size(month, events))]


def _decide(policy: str, *, labelled: bool) -> str:
    """What the update policy does with an alarm."""
    if policy == "never":
        return "ignored: the model is never updated"
    if policy == "yearly_refit":
        return "ignored: waiting for the yearly refit"
    if not labelled:
        return "ignored: no labels have arrived to recalibrate on"
    return "recalibrated"


def simulate_months(p: Pool, model: LinearModel, events, *, threshold: float,
                    monitoring: str = "none", update_policy: str = "never") -> Timeline:
    """Run the 36 months with ``model`` going live at month 1.

    ``events`` holds the start month of each drift event (``drift_*``; 0: never) and the
    ``monthly_volume`` (:mod:`.events`); ``monitoring`` and ``update_policy`` are the
    levers' values (:func:`teachkit.levers.monitor.deploy_for_three_years` passes them).
    """
    watch_inputs = monitoring in ("inputs", "both")
    watch_labels = monitoring in ("labels", "both")
    policy = update_policy
    reference_X = p.X[p.training_rows]
    reference = model.risk(reference_X)
    bins = PsiReference(np.column_stack([reference, reference_X]))
    score_bins = PsiReference(reference)
    varies = reference_X.std(axis=0) > 0
    cusum = Cusum()
    alarms, versions = [], [(1, model.version)]
    parts = {k: [] for k in ("rows", "month", "scores", "flagged", "truth", "recorded")}
    records = []
    input_alarm_on = False
    since = 1  # first month scored by the model now in use (the CUSUM counts from it)
    by_month = {}
    for month in range(1, MONTHS + 1):
        rows = draw_intake(p, month, events)
        X = p.X[rows]
        if active(events.drift_pipeline, month):
            X = X.copy()
            X[:, MISSING_COLUMN] = 0.0
        scores = model.risk(X)
        flagged = scores >= threshold
        truth = p.crisis[rows] & (p.thin_u[rows] < surviving_share(month, events))
        recorded = truth.copy()
        if active(events.drift_coding, month):
            recorded |= p.code_u[rows] < CODING_EXTRA
        by_month[month] = (X, scores, recorded, since <= month)
        for key, value in zip(parts, (rows, np.full(len(rows), month), scores, flagged,
                                      truth, recorded)):
            parts[key].append(value)
        record = {
            "month": month, "patients": len(rows), "alerts": int(flagged.sum()),
            "crises": int(truth.sum()), "recorded": int(recorded.sum()),
            "caught": int((flagged & truth).sum()), "missed": int((~flagged & truth).sum()),
            "needless": int((flagged & ~truth).sum()), "expected": float(scores.sum()),
            "auc": auc(recorded, scores), "true_auc": auc(truth, scores),
            "sensitivity": float((flagged & recorded).sum() / max(recorded.sum(), 1)),
            "ks_p": ks_pvalue(reference, scores),
            **_psi(bins if watch_inputs else score_bins, scores, X),
            "model": model.version, "cusum": np.nan, "labels_known": month + LABEL_DELAY,
        }
        record["oe"] = record["recorded"] / record["expected"]
        record["psi_light"] = psi_light(record["psi"])
        records.append(record)

        raised = []
        worst, worst_psi = max(record.pop("psi_columns").items(), key=lambda kv: kv[1])
        record["psi_max"], record["psi_worst"] = worst_psi, worst
        constant = [name for j, name in enumerate(FEATURES)
                    if watch_inputs and varies[j] and np.all(X[:, j] == X[0, j])]
        record["constant"] = ", ".join(constant)
        amber = worst_psi >= PSI_AMBER or bool(constant)
        if watch_inputs and amber and not input_alarm_on:
            if constant:
                raised.append(("data quality (a feature arrives constant)", 0.0,
                               f"month {month}: {', '.join(constant)} is the same for "
                               "every patient"))
            else:
                raised.append((f"input drift ({_PSI_WORDS[psi_light(worst_psi)]})", worst_psi,
                               f"month {month}: {worst} against the training window"))
        input_alarm_on = amber
        known = month - LABEL_DELAY
        if known >= 1:
            _, k_scores, k_recorded, counted = by_month[known]
            if counted:
                fired = cusum.add(float(k_recorded.sum()), float(k_scores.sum()))
                records[known - 1]["cusum"] = cusum.value
                if watch_labels and fired:
                    raised.append((f"performance (CUSUM: {cusum.direction} crises than "
                                   "expected)", float(k_recorded.sum() / k_scores.sum()),
                                   f"the crises of month {known}"))
        labelled = list(range(max(1, known - RECALIBRATION_WINDOW + 1), known + 1))
        acted = False
        for monitor, value, about in raised:
            decision = _decide(policy, labelled=bool(labelled))
            if decision == "recalibrated" and not acted:
                Xl, yl = _labelled(by_month, labelled)
                model = model.recalibrated(Xl, yl, f"v{len(versions) + 1} (recalibrated, "
                                                   f"month {month})")
                versions.append((month + 1, model.version))
                acted = True
            elif decision == "recalibrated":
                decision = "recalibrated (with the alarm above)"
            alarms.append({"month": month, "monitor": monitor, "value": value,
                           "about": about, "decision": decision})
        if policy == "yearly_refit" and month in REFIT_MONTHS and known >= 1:
            window = list(range(max(1, known - 11), known + 1))
            Xl, yl = _labelled(by_month, window)
            model = fit_model(Xl, yl, version=f"v{len(versions) + 1} (refitted, month "
                                               f"{month})")
            versions.append((month + 1, model.version))
            acted = True
        if acted:
            reference_X = _labelled(by_month, labelled)[0] \
                if policy == "recalibrate" else Xl
            reference = model.risk(reference_X)
            bins = PsiReference(np.column_stack([reference, reference_X]))
            score_bins = PsiReference(reference)
            cusum.reset()
            since = month + 1
            input_alarm_on = False
    arrays = {k: np.concatenate(v) for k, v in parts.items()}
    return Timeline(months=pd.DataFrame.from_records(records).set_index("month"),
                    alarms=alarms, versions=versions, monitoring=monitoring, **arrays)


def _labelled(by_month: dict, months) -> tuple[np.ndarray, np.ndarray]:
    """The features and recorded crises of ``months`` (their labels have arrived)."""
    return (np.vstack([by_month[m][0] for m in months]),
            np.concatenate([by_month[m][2] for m in months]))


def _psi(bins: PsiReference, scores: np.ndarray, X: np.ndarray) -> dict:
    """The scores' PSI, and each feature's when the inputs are watched."""
    if len(bins.edges) == 1:
        value = float(bins.psi(scores)[0])
        return {"psi": value, "psi_columns": {"the model's scores": value}}
    values = bins.psi(np.column_stack([scores, X]))
    return {"psi": float(values[0]),
            "psi_columns": dict(zip(("the model's scores", *FEATURES), values.tolist()))}
