"""The shock's one free number, fitted to Wong et al. 2021 by a written rule.

In spring 2020, across 24 hospitals, the census fell 35 % and total sepsis alerts rose
43 % (Wong et al. 2021, *JAMA Netw Open*; the percentages as Becker's and ACDIS report
them, S2). Lesson 06's shock keeps Wong's census (:data:`.events.SHOCK_CENSUS`) and makes
the patients who still come sicker: a candidate's chance of being in a shock month's
intake is weighted exp(w * severity). How much sicker is an assumption (A); ``w`` is
chosen so that the alerts rise as Wong's did.

The rule (:func:`calibrate_shock_weight`): on a grid of weights 0.00, 0.01, ..., 2.00,
take the one whose median over the lessons' 20 seeds (:data:`teachkit.story_numbers.SEEDS`)
of the rise in total alerts over the three shock months of the story (months 12-14,
against the same months with nothing changing, :func:`shock_alerts_change`) is closest
to :data:`WONG_ALERTS_RISE`. :data:`.events.SHOCK_SEVERITY_WEIGHT` holds its answer;
``scripts/typical_values_06.py --calibrate-shock`` re-runs it (about 25 seconds). All
data is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from ..story_numbers import SEEDS
from .deployment import MonitorSettings
from .events import (
    SHOCK_MONTHS,
    SHOCK_SEVERITY_WEIGHT,
    intake_size,
    selection_weights,
    weighted_choice,
)
from .story import SCENARIOS
from .timeline import local_model, pool

__all__ = ["WONG_ALERTS_RISE", "SHOCK_START", "WEIGHT_GRID", "shock_alerts_change",
           "calibrate_shock_weight"]

#: Total alerts rose 43 % (Wong et al. 2021) while the census fell 35 %.
WONG_ALERTS_RISE = 0.43
#: The month the story's shock starts (:data:`.story.SCENARIOS`).
SHOCK_START = SCENARIOS["shock"]["drift_shock"]
#: The weights the rule tries.
WEIGHT_GRID = np.round(np.arange(0.0, 2.0 + 1e-9, 0.01), 2)


@dataclass(frozen=True, eq=False)
class _ShockMonths:
    """One seed's candidates in the shock months (what a weight needs, nothing more)."""

    months: tuple          # per month: (month, severity, limited_english, keys, flagged)
    usual_alerts: int      # alerts in the same months with nothing changing


def _events(shock: int, volume: int) -> SimpleNamespace:
    return SimpleNamespace(drift_shock=shock, drift_case_mix=0, monthly_volume=volume)


def _shock_months(seed: int, *, volume: int, setting: str | None = None,
                  threshold: float | None = None) -> _ShockMonths:
    rest = MonitorSettings()
    setting = rest.setting if setting is None else setting
    threshold = rest.threshold if threshold is None else threshold
    p = pool(volume, seed, setting)
    model = local_model(volume, seed, setting)
    months, usual = [], 0
    for month in range(SHOCK_START, SHOCK_START + SHOCK_MONTHS):
        rows = p.month_rows(month)
        flagged = model.risk(p.X[rows]) >= threshold
        keys = p.keys[rows]
        lep, severity = p.limited_english[rows], p.severity[rows]
        w = selection_weights(month, _events(0, volume), limited_english=lep,
                              severity=severity)
        usual += int(flagged[weighted_choice(keys, w, volume)].sum())
        months.append((month, severity, lep, keys, flagged))
    return _ShockMonths(months=tuple(months), usual_alerts=usual)


def _rise(data: _ShockMonths, weight: float, volume: int) -> float:
    shocked = 0
    events = _events(SHOCK_START, volume)
    for month, severity, lep, keys, flagged in data.months:
        w = selection_weights(month, events, limited_english=lep, severity=severity,
                              shock_weight=weight)
        shocked += int(flagged[weighted_choice(keys, w, intake_size(month, events))].sum())
    return shocked / data.usual_alerts - 1


def shock_alerts_change(seed: int, *, weight: float = SHOCK_SEVERITY_WEIGHT,
                        volume: int = 1000, setting: str | None = None,
                        threshold: float | None = None) -> float:
    """The rise in total alerts over the story's three shock months, for one seed.

    The same number as lesson 06's ``shock_alerts_change`` (:mod:`.story`: the months
    with a shock from month 12 against the same months with nothing changing), for any
    severity weight, without running the 36 months.

    Parameters
    ----------
    seed : int
    weight : float, default=SHOCK_SEVERITY_WEIGHT
        ``w`` in the shock's selection weight exp(w * severity); 0: the shock brings
        fewer patients, no sicker.
    volume : int, default=1000
    setting, threshold : default None
        None: the lesson's (:class:`.deployment.MonitorSettings`' defaults).

    Returns
    -------
    float
        Alerts in the shock months / alerts in the same months without it, minus 1.

    Examples
    --------
    >>> round(shock_alerts_change(2024, weight=0.0), 2)  # 35 % fewer patients, no sicker
    -0.3
    """
    return _rise(_shock_months(seed, volume=volume, setting=setting, threshold=threshold),
                 weight, volume)


def calibrate_shock_weight(*, seeds=SEEDS, target: float = WONG_ALERTS_RISE,
                           grid=WEIGHT_GRID, volume: int = 1000) -> tuple[float, float]:
    """The severity weight whose median alert rise over ``seeds`` is closest to
    ``target`` (the smallest such weight of ``grid``), and that median.

    Returns
    -------
    weight : float
    median_rise : float

    Examples
    --------
    >>> calibrate_shock_weight(seeds=(2024,), target=-0.35, grid=(0.0, 1.0))
    (0.0, -0.304348)
    """
    data = [_shock_months(seed, volume=volume) for seed in seeds]
    medians = np.array([np.median([_rise(d, float(w), volume) for d in data]) for w in grid])
    best = int(np.argmin(np.abs(medians - target)))
    return float(grid[best]), round(float(medians[best]), 6)
