"""Triage levers: which model scores the patients, and how many of them get flagged.

These levers do not change the cohort; they choose the model and the flagging policy
(a risk threshold, or a fixed capacity: the top k % of risk). At rest the clinic uses
the usual screening rule: PHQ-9 total of 10 or more, or any thoughts of self-harm.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._validation import Interval, Options
from . import LeverSpec, register

__all__ = ["TRIAGE_LEVERS", "score_patients", "flag_by_policy",
           "tiebreak_order"]

MODEL = LeverSpec(
    name="model",
    label="Triage model",
    tooltip=(
        "How patients are scored: the usual questionnaire rule, or a model trained on past "
        "patients. The record-based model sees questionnaires only from routine screening."
    ),
    constraint=Options(("rule", "logistic", "boosting", "records")),
    rest="rule",
    option_labels={
        "rule": "Usual rule (PHQ-9 ≥ 10 or any self-harm thoughts)",
        "logistic": "Logistic regression",
        "boosting": "Gradient boosting",
        "records": "Record-based model (questionnaires only if screened)",
    },
    source="Kroenke, Spitzer, Williams 2001 (the PHQ-9 >= 10 cut-off); item 9 (Simon 2013)",
)

POLICY = LeverSpec(
    name="policy",
    label="Who gets flagged",
    tooltip=(
        "Flag everyone above a risk threshold, or only as many patients as the team can "
        "follow up (the highest-risk k %)."
    ),
    constraint=Options(("threshold", "capacity")),
    rest="threshold",
    option_labels={"threshold": "Everyone above a risk threshold",
                   "capacity": "Only the top k % (team capacity)"},
    source="REACH VET flags a fixed top tier (McCarthy et al. 2021)",
)

THRESHOLD = LeverSpec(
    name="threshold",
    label="Risk threshold",
    tooltip=(
        "A patient is flagged when their estimated 12-month crisis risk is at least this. Lower "
        "means more flags. The usual rule ignores it."
    ),
    constraint=Interval(0.001, 0.2),
    rest=0.05,
    unit="%",
    step=0.001,
    source="A teaching default (A)",
)

CAPACITY = LeverSpec(
    name="capacity",
    label="Team capacity (top k %)",
    tooltip=(
        "The share of patients the team can follow up urgently; the highest-risk patients "
        "fill it first."
    ),
    constraint=Interval(0.01, 0.5),
    rest=0.10,
    unit="%",
    step=0.01,
    source="Capacity is a slider in DOMAIN.md d.2 (A); REACH VET uses the top 0.1 %",
)



def score_patients(records, *, model: str = "rule", label="crisis", seed: int = 0,
                   cache_key=None, train_mask=None) -> np.ndarray:
    """Each patient's score from the ``model`` the trainee chose, cross-fitted
    (:func:`teachkit.models.cross_fitted_scores`: no patient is scored by a model that
    saw their outcome).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> scores = score_patients(make_cohort(5_000, seed=1), model="logistic", seed=1)
    >>> scores.shape, bool(((scores >= 0) & (scores <= 1)).all())
    ((5000,), True)
    """
    from ..models import cross_fitted_scores  # scikit-learn is loaded when a model runs

    return cross_fitted_scores(records, model, label=label, seed=seed, cache_key=cache_key,
                               train_mask=train_mask)


def tiebreak_order(n: int, seed: int) -> np.ndarray:
    """A fixed random order of ``n`` patients that breaks ties between equal scores."""
    return np.random.default_rng([seed, 29]).permutation(n)


def flag_by_policy(scores, *, policy: str = "threshold", threshold: float = 0.05,
                   capacity: float = 0.10, seed: int = 0, own_flags=None) -> np.ndarray:
    """Who is flagged for urgent follow-up, as the trainee's policy says.

    - ``"threshold"``: everyone whose score is ``threshold`` or more (or, for a rule with
      a cut-off of its own, its own flags: ``own_flags``);
    - ``"capacity"``: the ``capacity`` share of patients with the highest scores (ties
      broken by a fixed random order, so the count is exact).

    Examples
    --------
    >>> import numpy as np
    >>> scores = np.array([0.01, 0.2, 0.06, 0.04])
    >>> flag_by_policy(scores).tolist()
    [False, True, True, False]
    >>> flag_by_policy(scores, policy="capacity", capacity=0.25).tolist()
    [False, True, False, False]
    """
    scores = np.asarray(scores, dtype=float)
    if policy == "threshold":
        return np.asarray(own_flags, dtype=bool) if own_flags is not None \
            else scores >= threshold
    n = len(scores)
    order = np.lexsort((tiebreak_order(n, seed), -scores))
    flags = np.zeros(n, dtype=bool)
    flags[order[:int(round(capacity * n))]] = True
    return flags


# ---------------------------------------------------------------------------------------
# Each spec bound to the function that receives its value, then registered.

MODEL = dataclasses.replace(MODEL, function=score_patients)
POLICY = dataclasses.replace(POLICY, function=flag_by_policy)
THRESHOLD = dataclasses.replace(THRESHOLD, function=flag_by_policy)
CAPACITY = dataclasses.replace(CAPACITY, function=flag_by_policy)
TRIAGE_LEVERS = (MODEL, POLICY, THRESHOLD, CAPACITY)
register(*TRIAGE_LEVERS, owner="triage")
