"""The numbers lesson 06's story quotes, computed for one seed.

Like :mod:`teachkit.story_numbers` (lessons 01-04), a lesson quotes the median over the
20 seeds :data:`teachkit.story_numbers.SEEDS`; ``scripts/typical_values_06.py`` writes
them to ``data/synthetic/typical_values_06.json`` (a file of its own, so lessons built
at the same time do not edit one file). All data is synthetic.
"""

from __future__ import annotations

import numpy as np

from .deployment import MonitorSettings, run_monitor
from .monitors import LABEL_DELAY

__all__ = ["story_numbers_06", "SCENARIOS"]

#: The runs the story compares (every one watched by both monitors).
SCENARIOS = {
    "rest": {},
    "base_rate": {"drift_base_rate": 1},
    "coding": {"drift_coding": 12},
    "shock": {"drift_shock": 12},
    "pipeline": {"drift_pipeline": 12},
    "case_mix": {"drift_case_mix": 12},
    "vendor": {"model_source": "vendor"},
    "base_rate_yearly": {"drift_base_rate": 1, "update_policy": "yearly_refit"},
    "base_rate_recalibrate": {"drift_base_rate": 1, "update_policy": "recalibrate"},
    "vendor_recalibrate": {"model_source": "vendor", "update_policy": "recalibrate"},
}


def _lag(result, start: int, monitor: str = "") -> float:
    """Months from ``start`` to the first alarm after it (NaN: none in 36 months); only
    alarms whose monitor starts with ``monitor``, if given."""
    later = [a["month"] for a in result.timeline.alarms
             if a["month"] >= start and a["monitor"].startswith(monitor)]
    return float(later[0] - start) if later else float("nan")


def _label_lag(result, start: int) -> float:
    """Months from ``start`` to the first performance alarm about the crises of a month
    at or after it (NaN: none in 36 months). Those crises are known :data:`LABEL_DELAY`
    months later, so the lag is at least that; an earlier alarm is about the months
    before the change (a false alarm)."""
    later = [a["month"] for a in result.timeline.alarms
             if a["monitor"].startswith("performance") and a["month"] - LABEL_DELAY >= start]
    return float(later[0] - start) if later else float("nan")


def story_numbers_06(seed: int) -> dict[str, float]:
    """Every number lesson 06 quotes, for one seed (default volume, both monitors)."""
    runs = {name: run_monitor(MonitorSettings(seed=seed, monitoring="both", **levers),
                              with_baseline=False)
            for name, levers in SCENARIOS.items()}
    out = {}
    for name, result in runs.items():
        y1, y3 = result.period(1, 12), result.period(25, 36)
        out[f"{name}_auc_y3"] = y3["AUC"]
        out[f"{name}_oe_y1"] = y1["O:E"]
        out[f"{name}_oe_y3"] = y3["O:E"]
        out[f"{name}_missed"] = float(result.totals()["missed"])
        out[f"{name}_alerts_per_month"] = float(result.months["alerts"].mean())
        out[f"{name}_alarms"] = float(result.totals()["alarms"])
    rest, shock = runs["rest"].months, runs["shock"].months
    window = slice(12, 14)
    out["shock_alert_share"] = float(shock.loc[window, "alerts"].sum()
                                     / shock.loc[window, "patients"].sum())
    out["rest_alert_share"] = float(rest.loc[window, "alerts"].sum()
                                    / rest.loc[window, "patients"].sum())
    out["shock_alerts_change"] = float(shock.loc[window, "alerts"].sum()
                                       / rest.loc[window, "alerts"].sum() - 1)
    out["shock_auc"] = runs["shock"].period(12, 14)["AUC"]
    out["rest_auc_shock_months"] = runs["rest"].period(12, 14)["AUC"]
    out["shock_psi"] = float(shock.loc[window, "psi"].max())
    out["shock_input_lag"] = _lag(runs["shock"], 12, monitor="input")
    out["pipeline_psi"] = float(runs["pipeline"].months.loc[12:, "psi"].median())
    out["pipeline_lag"] = _lag(runs["pipeline"], 12)
    out["coding_lag"] = _label_lag(runs["coding"], 12)
    out["coding_true_auc_y3"] = float(runs["coding"].months.loc[25:, "true_auc"].median())
    out["rest_true_auc_y3"] = float(rest.loc[25:, "true_auc"].median())
    t = runs["case_mix"].timeline
    lep = runs["case_mix"].groups["language"].to_numpy() == "Limited English"
    out["case_mix_lep_share_y3"] = float(lep[t.month >= 25].mean())
    t0 = runs["rest"].timeline
    lep0 = runs["rest"].groups["language"].to_numpy() == "Limited English"
    out["rest_lep_share_y3"] = float(lep0[t0.month >= 25].mean())
    out["vendor_card_auc"] = runs["vendor"].card_auc
    out["vendor_local_auc"] = runs["vendor"].local_auc
    for volume in (100, 200):
        small = run_monitor(MonitorSettings(seed=seed, monthly_volume=volume,
                                            monitoring="inputs"), with_baseline=False)
        out[f"amber_months_{volume}"] = float(np.mean(small.months["psi"] >= 0.1))
        out[f"input_alarms_{volume}"] = float(small.totals()["alarms"])
    return out
