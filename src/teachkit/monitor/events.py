"""Drift events: what changes in the world (or in the pipeline) after go-live.

Each event has a start month (its lever; 0: never) and acts on one thing only:

===================  ======================================  ==========================
event                what it changes                         what it leaves alone
===================  ======================================  ==========================
``drift_case_mix``   who walks in (limited-English patients  the link between answers
                     weighted :data:`CASE_MIX_WEIGHT` x)      and crises
``drift_base_rate``  how many crises happen at the same      who is at higher risk than
                     answers (:data:`BASE_RATE_FALL` a year)  whom (the ranking)
``drift_coding``     the recorded label (spurious crises,    true crises, the inputs
                     :data:`CODING_EXTRA` of patients)
``drift_shock``      for :data:`SHOCK_MONTHS` months: fewer,  the link between answers
                     sicker patients                          and crises
``drift_pipeline``   what the model reads (the GAD-7 total   the patients and their
                     arrives as 0)                            crises
===================  ======================================  ==========================

The events are couplings on one pool of synthetic patients (one draw per patient from
the seed), so switching one on changes only what it touches: with the base-rate event
the crises that remain are a subset of those without it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CASE_MIX_WEIGHT", "BASE_RATE_FALL", "CODING_EXTRA", "SHOCK_MONTHS",
           "SHOCK_CENSUS", "SHOCK_SEVERITY_WEIGHT", "EVENT_STORIES", "EVENT_SOURCES",
           "selection_weights", "weighted_choice", "intake_size", "surviving_share",
           "active"]

#: Limited-English patients' chance of being in an intake, relative (A: a clinic for a
#: limited-English community joins).
CASE_MIX_WEIGHT = 4.0
#: Crises fall by this share a year (A: chosen so that after three years the model that
#: is never updated reaches O:E of about 0.75, the figure Davis et al. 2022 report; Davis
#: 2017 saw calibration drift as the AKI rate fell).
BASE_RATE_FALL = 0.10
#: Share of patients without a crisis who are recorded with one after the coding change
#: (A: the ICD-10 change was "significant"; its rates were not retrieved).
CODING_EXTRA = 0.01
#: The shock lasts this many months (A), with this share of the usual census (Wong et
#: al. 2021: census down 35 %).
SHOCK_MONTHS = 3
SHOCK_CENSUS = 0.65
#: Selection weight exp(w * severity) in shock months (A: how much sicker the patients
#: who still come are). Fitted by the rule of :func:`teachkit.monitor.calibration.
#: calibrate_shock_weight`: the weight (grid step 0.01) at which the median rise in total
#: alerts over the 20 seeds is closest to Wong et al. 2021's 43 % with 35 % fewer
#: patients. Its answer: 0.85, median rise 42.5 % (``scripts/typical_values_06.py
#: --calibrate-shock``; the weight 1.1 used before gave 60 %).
SHOCK_SEVERITY_WEIGHT = 0.85

EVENT_STORIES = {
    "drift_case_mix": "a clinic for a limited-English community joined",
    "drift_base_rate": "crises became rarer at the same answers",
    "drift_coding": "the coding of crises changed",
    "drift_shock": "a shock brought fewer, sicker patients",
    "drift_pipeline": "the GAD-7 anxiety score stopped reaching the model",
}
EVENT_SOURCES = {
    "drift_case_mix": "Finlayson et al. 2021, NEJM 385:283 (population and setting shifts)",
    "drift_base_rate": "Davis et al. 2017, JAMIA (calibration drifts while AUC holds)",
    "drift_coding": "Psychiatr Serv 2016, doi:10.1176/appi.ps.201600450 (ICD-9 to ICD-10)",
    "drift_shock": "Wong et al. 2021, JAMA Netw Open (alerts 9 % -> 21 %, census -35 %)",
    "drift_pipeline": "Otles et al. 2021, MLHC (infrastructure changes); Nestor et al. 2019",
}


def active(start: int, month: int, *, months: int | None = None) -> bool:
    """Whether an event that starts at ``start`` (0: never) acts in ``month``.

    Examples
    --------
    >>> active(0, 5), active(6, 5), active(6, 6), active(6, 9, months=3)
    (False, False, True, False)
    """
    if start == 0 or month < start:
        return False
    return months is None or month < start + months


def selection_weights(month: int, deployment, *, limited_english, severity,
                      shock_weight: float = SHOCK_SEVERITY_WEIGHT) -> np.ndarray:
    """Each candidate's weight of being in ``month``'s intake (1 with no event).

    ``shock_weight`` is the shock's ``w`` in exp(w * severity) (:data:`SHOCK_SEVERITY_WEIGHT`;
    :func:`teachkit.monitor.calibration.calibrate_shock_weight` tries others).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> d = SimpleNamespace(drift_case_mix=0, drift_shock=12)
    >>> sev = np.array([-1.0, 0.0, 1.0])
    >>> selection_weights(11, d, limited_english=None, severity=sev).tolist()
    [1.0, 1.0, 1.0]
    >>> selection_weights(12, d, limited_english=None, severity=sev,
    ...                   shock_weight=np.log(2)).round(3).tolist()
    [0.5, 1.0, 2.0]
    """
    w = np.ones(len(severity))
    if active(deployment.drift_case_mix, month):
        w = w * np.where(limited_english, CASE_MIX_WEIGHT, 1.0)
    if active(deployment.drift_shock, month, months=SHOCK_MONTHS):
        w = w * np.exp(shock_weight * (severity - severity.mean()))
    return w


def weighted_choice(keys: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """Which ``size`` of the candidates are drawn, with chances in proportion to
    ``weights`` (Efraimidis-Spirakis: the largest ``keys ** (1 / weights)``, one uniform
    key per candidate), as sorted positions.

    With equal weights it is a plain random sample, and the same keys draw nested
    samples: the ``size`` drawn are among the ``size + 1`` drawn.

    Examples
    --------
    >>> keys = np.array([0.9, 0.1, 0.5, 0.7])
    >>> weighted_choice(keys, np.ones(4), 2).tolist()
    [0, 3]
    >>> weighted_choice(keys, np.array([1.0, 100.0, 1.0, 1.0]), 2).tolist()
    [0, 1]
    """
    ranked = np.log(keys) / weights
    return np.sort(np.argpartition(-ranked, size - 1)[:size])


def intake_size(month: int, deployment) -> int:
    """How many patients are screened in ``month``."""
    volume = deployment.monthly_volume
    if active(deployment.drift_shock, month, months=SHOCK_MONTHS):
        return int(round(volume * SHOCK_CENSUS))
    return volume


def surviving_share(month: int, deployment) -> float:
    """The share of crises that still happen in ``month`` after the base rate fell.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> d = SimpleNamespace(drift_base_rate=1)
    >>> round(surviving_share(13, d), 3), surviving_share(1, SimpleNamespace(drift_base_rate=0))
    (0.9, 1.0)
    """
    start = deployment.drift_base_rate
    if not active(start, month):
        return 1.0
    return float((1 - BASE_RATE_FALL) ** ((month - start) / 12))
