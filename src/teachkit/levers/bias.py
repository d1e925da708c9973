"""Bias levers: how bias creeps into a triage model, and the mitigations that push back.

Three places where bias enters, each a lever with a resting value that changes nothing:

- **the label** (``label``): what the model learns to predict. At rest the true crisis
  outcome; the tempting proxies are a high past-year cost of care and a recorded
  diagnosis, both of which depend on access to care, not only on need (Obermeyer et al.
  2019);
- **the training rows** (``undersample``): only a share of one group's patients is kept
  in the data the model learns from;
- **the records** (``access_gap``, ``underreport``, ``self_harm_unrecorded``): what the
  model reads about one group is systematically lower than the truth: less care given
  at the same need, so fewer diagnoses, treatments, visits and a lower cost (the
  mechanism behind Obermeyer et al. 2019), PHQ-9 items under-reported in a language
  group (DOMAIN.md a.3), prior self-harm recorded less often (the mechanism behind
  Coley et al. 2021).

and one lever of mitigations (``mitigation``): per-group thresholds, a fairlearn
reduction, or re-labelling on need (:mod:`teachkit.mitigation`).

The levers that change the records return a new cohort (the model sees the biased
records when it is trained and when it is used); label choice and under-sampling change
only the rows a model learns from. The consequences are always counted against the true
``crisis``. Each lever acts on one fixed group, named in its label, so a clinician
never has to choose which group to harm: Black patients for the cost label,
under-sampling and under-documentation (the groups of Obermeyer 2019 and Coley 2021),
patients with limited English for PHQ-9 under-reporting.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy.special import expit

from .._validation import (
    Interval,
    Options,
    TeachkitError,
    check_cohort,
    check_param,
    check_seed,
)
from . import LeverSpec, register

__all__ = [
    "LABELS",
    "MITIGATIONS",
    "BIAS_LEVERS",
    "ACCESS_GROUP",
    "UNDERSAMPLE_GROUP",
    "UNDERREPORT_GROUP",
    "DOCUMENTATION_GROUP",
    "UNDERREPORT_ITEMS",
    "training_label",
    "need_label",
    "undersample_group",
    "withhold_care",
    "kept_for_training",
    "underreport_phq9",
    "underdocument_self_harm",
    "apply_record_levers",
    "leave_out_of_training",
    "leave_self_harm_unrecorded",
    "BIAS_LEVER_SPECS",
    "RECORD_LEVER_SPECS",
    "MitigationSteps",
    "mitigation_steps",
]

LABELS = ("crisis", "cost", "diagnosis")
MITIGATIONS = ("none", "group_thresholds", "reduction", "relabel")

#: (attribute, group) each lever acts on.
ACCESS_GROUP = ("ethnicity", "Black")
UNDERSAMPLE_GROUP = ("ethnicity", "Black")
DOCUMENTATION_GROUP = ("ethnicity", "Black")
UNDERREPORT_GROUP = ("language", "Limited English")
#: PHQ-9 items with differential item functioning across languages (DOMAIN.md a.3):
#: 1 anhedonia, 3 sleep, 5 appetite.
UNDERREPORT_ITEMS = (1, 3, 5)

LABEL = LeverSpec(
    name="label",
    label="What the model learns",
    tooltip=(
        "What the model learns to predict: a crisis in the next year, or a stand-in shaped by "
        "care received: past cost or a diagnosis."
    ),
    constraint=Options(LABELS),
    rest="crisis",
    option_labels={
        "crisis": "A crisis in the next year (the true outcome)",
        "cost": "High cost of care last year (a proxy)",
        "diagnosis": "A recorded diagnosis (a proxy)",
    },
    source="obermeyer_programme",
)

ACCESS_GAP = LeverSpec(
    name="access_gap",
    label="Less care for Black patients",
    tooltip=(
        "On top of existing gaps: care Black patients miss at the same need. Their records and "
        "costs fall; their need does not."
    ),
    constraint=Interval(0.0, 0.3),
    rest=0.0,
    unit="%",
    step=0.05,
    source="access_gap",
)

UNDERSAMPLE = LeverSpec(
    name="undersample",
    label="Black patients left out of training",
    tooltip=(
        "The share of Black patients left out of the data the model learns from; the "
        "model still scores them."
    ),
    constraint=Interval(0.0, 0.9),
    rest=0.0,
    unit="%",
    step=0.05,
    source="undersampling",
)

UNDERREPORT = LeverSpec(
    name="underreport",
    label="PHQ-9 under-reporting (limited English)",
    tooltip=(
        "How much lower patients with limited English score three PHQ-9 questions at the same "
        "true illness, in logits (a scale; studies found 0.2 to 0.5)."
    ),
    constraint=Interval(0.0, 1.5),
    rest=0.0,
    unit="logits",
    step=0.1,
    source="phq9_dif",
)

SELF_HARM_UNRECORDED = LeverSpec(
    name="self_harm_unrecorded",
    label="Self-harm left unrecorded (Black patients)",
    tooltip=(
        "The share of Black patients' past self-harm that goes unrecorded, where it would be "
        "recorded for others. 0 % means recorded as for everybody."
    ),
    constraint=Interval(0.0, 1.0),
    rest=0.0,
    unit="%",
    step=0.05,
    source="self_harm_documentation",
)

MITIGATION = LeverSpec(
    name="mitigation",
    label="Mitigation",
    tooltip=(
        "To narrow unequal errors between groups: a threshold per group, a model trained to "
        "equalise errors, or training on a direct measure of need."
    ),
    constraint=Options(MITIGATIONS),
    rest="none",
    option_labels={
        "none": "None",
        "group_thresholds": "Per-group thresholds (equal share of crises caught)",
        "reduction": "Constrained training (fairlearn reduction)",
        "relabel": "Re-label: train on clinical need",
    },
    source="mitigations",
)

#: Names of the levers of this module, in the order the lesson shows them (the specs are
#: bound to their functions and registered at the end of the module).
BIAS_LEVERS = ("label", "access_gap", "undersample", "underreport", "self_harm_unrecorded",
               "mitigation")


# ---------------------------------------------------------------------------------------
# Helpers


def _members(cohort, group, caller) -> np.ndarray:
    if not (isinstance(group, tuple) and len(group) == 2):
        raise TeachkitError(
            f"The 'group' parameter of {caller} must be a tuple (attribute, group), such "
            f"as ('ethnicity', 'Black'). Got {group!r} instead."
        )
    attribute, level = group
    check_cohort(cohort, [attribute], caller=caller)
    return (cohort[attribute] == level).to_numpy()


def _top_share(values: np.ndarray, share: float) -> np.ndarray:
    """The ``share`` of rows with the highest values (ties by position): exact count."""
    k = int(round(share * len(values)))
    order = np.argsort(-np.asarray(values, dtype=float), kind="stable")
    top = np.zeros(len(values), dtype=bool)
    top[order[:k]] = True
    return top


# ---------------------------------------------------------------------------------------
# Label choice


def training_label(cohort: pd.DataFrame, *, label: str = "crisis",
                   share: float | None = None) -> np.ndarray:
    """The yes/no outcome a model is trained to predict, for each patient.

    - ``"crisis"``: the true crisis within 12 months (``crisis``);
    - ``"cost"``: a high cost of care in the past year: the ``share`` of patients with the
      highest ``cost_past_year``. Cost depends on need **and** on access (diagnosis,
      treatment, visits, insurance), so patients who get less care look less in need;
    - ``"diagnosis"``: a recorded diagnosis (``diagnosed``), which also depends on access.

    Parameters
    ----------
    cohort : DataFrame
        From :func:`teachkit.cohort.make_cohort`, perhaps changed by levers.
    label : {"crisis", "cost", "diagnosis"}, default="crisis"
    share : float in (0, 1), default=None
        For ``"cost"``: the share labelled "high cost". ``None`` takes the cohort's crisis
        rate, so the proxy has as many positives as the truth and only *who* is labelled
        changes (a programme that looks for as many patients as will have a crisis).

    Returns
    -------
    y : ndarray of bool, shape (n_patients,)

    Notes
    -----
    The cost label is Obermeyer et al. 2019's mechanism (source ``cost_proxy``): at equal
    illness less is spent on patients with less access, so the proxy under-counts them.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(2_000, seed=1)
    >>> bool((training_label(cohort) == cohort["crisis"]).all())
    True
    >>> int(training_label(cohort, label="cost").sum()) == int(cohort["crisis"].sum())
    True
    >>> training_label(cohort, label="income")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'label' parameter of training_label must be \
one of 'crisis', 'cost', 'diagnosis'. Got 'income' instead.
    """
    caller = "training_label"
    check_param("label", label, Options(LABELS), caller=caller)
    check_cohort(cohort, ["crisis", "cost_past_year", "diagnosed"], caller=caller)
    if label == "crisis":
        return cohort["crisis"].to_numpy(dtype=bool).copy()
    if label == "diagnosis":
        return cohort["diagnosed"].to_numpy(dtype=bool).copy()
    if share is None:
        share = float(cohort["crisis"].mean())
    share = float(check_param("share", share, Interval(0.0, 1.0, closed="neither"),
                              caller=caller))
    return _top_share(cohort["cost_past_year"].to_numpy(), share)


def need_label(cohort: pd.DataFrame, *, share: float | None = None) -> np.ndarray:
    """A label of clinical need: the ``share`` of patients with the highest true severity.

    This is what re-labelling trains on (Obermeyer et al. 2019 re-labelled on a direct
    measure of health): severity as a structured clinical interview would measure it
    (the cohort's latent ``severity``), not what the records or the spending show.

    Parameters
    ----------
    cohort : DataFrame
    share : float in (0, 1), default=None
        ``None`` takes the cohort's crisis rate, as for the cost label.

    Returns
    -------
    y : ndarray of bool

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(1_000, seed=2)
    >>> int(need_label(cohort, share=0.05).sum())
    50
    """
    caller = "need_label"
    check_cohort(cohort, ["severity", "crisis"], caller=caller)
    if share is None:
        share = float(cohort["crisis"].mean())
    share = float(check_param("share", share, Interval(0.0, 1.0, closed="neither"),
                              caller=caller))
    return _top_share(cohort["severity"].to_numpy(), share)


# ---------------------------------------------------------------------------------------
# Under-sampling a group in the training data


def kept_for_training(cohort: pd.DataFrame, *, group: tuple = UNDERSAMPLE_GROUP,
                      fraction: float = 1.0, seed: int = 0) -> np.ndarray:
    """Which patients a model may learn from when only ``fraction`` of a group is kept.

    Each member of ``group`` is kept with probability ``fraction`` (a seeded draw, the
    same patients at every call); everybody else is kept.

    Returns
    -------
    keep : ndarray of bool, shape (n_patients,)

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(5_000, seed=3)
    >>> bool(kept_for_training(cohort).all())
    True
    >>> keep = kept_for_training(cohort, fraction=0.2, seed=3)
    >>> black = (cohort["ethnicity"] == "Black").to_numpy()
    >>> round(float(keep[black].mean()), 1), bool(keep[~black].all())
    (0.2, True)
    """
    caller = "kept_for_training"
    fraction = float(check_param("fraction", fraction, Interval(0.0, 1.0), caller=caller))
    seed = check_seed(seed, caller=caller)
    members = _members(cohort, group, caller)
    keep = np.ones(len(cohort), dtype=bool)
    if fraction < 1.0:
        u = np.random.default_rng([seed, 37]).random(len(cohort))
        keep[members] = u[members] < fraction
    return keep


def leave_out_of_training(cohort: pd.DataFrame, *, share: float = 0.0,
                          group: tuple = UNDERSAMPLE_GROUP, seed: int = 0) -> np.ndarray:
    """Which patients a model may learn from when ``share`` of a group is left out.

    The ``undersample`` lever's own function: it receives the lever's value as the
    trainee sets it (the share left out), and keeps the others as
    :func:`kept_for_training` does.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(5_000, seed=3)
    >>> black = (cohort["ethnicity"] == "Black").to_numpy()
    >>> keep = leave_out_of_training(cohort, share=0.8, seed=3)
    >>> round(float(keep[black].mean()), 1), bool(keep[~black].all())
    (0.2, True)
    """
    share = float(check_param("share", share, Interval(0.0, 1.0),
                              caller="leave_out_of_training"))
    return kept_for_training(cohort, group=group, fraction=1.0 - share, seed=seed)


def undersample_group(cohort: pd.DataFrame, *, group: tuple = UNDERSAMPLE_GROUP,
                      fraction: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """The training data with only ``fraction`` of one group's patients kept.

    The patients left out are not removed from the clinic: a model trained on the
    returned rows still scores them. The pipeline applies this inside each
    cross-fitting fold, to the training half only (:func:`kept_for_training`).

    Parameters
    ----------
    cohort : DataFrame
    group : tuple (attribute, group), default=("ethnicity", "Black")
    fraction : float in [0, 1], default=1.0
        Share of the group kept; at 1.0 the cohort itself is returned.
    seed : int, default=0

    Returns
    -------
    cohort : DataFrame
        A new DataFrame (the input is never changed), or the input at rest.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(5_000, seed=3)
    >>> undersample_group(cohort) is cohort
    True
    >>> fewer = undersample_group(cohort, fraction=0.5, seed=3)
    >>> int((fewer["ethnicity"] == "Black").sum()) < int((cohort["ethnicity"] == "Black").sum())
    True
    >>> undersample_group(cohort, fraction=1.5)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'fraction' parameter of kept_for_training \
must be a float in the range [0.0, 1.0]. Got 1.5 instead.
    """
    keep = kept_for_training(cohort, group=group, fraction=fraction, seed=seed)
    if keep.all():
        return cohort
    return cohort.loc[keep].copy()


# ---------------------------------------------------------------------------------------
# Measurement bias: PHQ-9 under-reporting


def underreport_phq9(cohort: pd.DataFrame, *, group: tuple = UNDERREPORT_GROUP,
                     items=UNDERREPORT_ITEMS, logits: float = 0.0,
                     seed: int = 0) -> pd.DataFrame:
    """PHQ-9 answers of one group lowered by ``logits`` on some items, at equal severity.

    Differential item functioning (DIF): at the same true severity, the group endorses
    the items less. In the cohort's graded-response model an answer is the number of
    thresholds below a latent response ``severity + L / a`` (``L`` standard logistic,
    ``a`` the discrimination). For each member's answer the latent response is redrawn
    from its distribution *given the recorded answer* (a truncated logistic: a seeded
    draw), then lowered by ``logits / a`` and counted again. So the new answers follow
    ``P(item >= k) = expit(a * (severity - b_k) - logits)`` exactly, and no answer goes
    up. The PHQ-9 total is recomputed; everything else, the truth included, is kept.

    Parameters
    ----------
    cohort : DataFrame
    group : tuple (attribute, group), default=("language", "Limited English")
    items : tuple of int, default=(1, 3, 5)
        PHQ-9 items (1-9) with DIF: anhedonia, sleep and appetite (DOMAIN.md a.3).
    logits : float in [0, 3], default=0.0
        Size of the DIF; published sizes are 0.2-0.5 logits. At 0 the cohort itself is
        returned.
    seed : int, default=0

    Returns
    -------
    cohort : DataFrame
        A new DataFrame; the input is never changed.

    Notes
    -----
    Source ``phq9_dif``: item DIF across languages is mostly small (< 0.42 logits in
    NHANES) and leaves total scores nearly unbiased; the lesson lets trainees go beyond
    that to see what a larger bias would do.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(5_000, seed=4)
    >>> lower = underreport_phq9(cohort, logits=1.0, seed=4)
    >>> lep = (cohort["language"] == "Limited English").to_numpy()
    >>> bool((lower["phq9_total"] <= cohort["phq9_total"]).all())
    True
    >>> bool(lower.loc[lep, "phq1"].sum() < cohort.loc[lep, "phq1"].sum())
    True
    >>> bool((lower.loc[~lep, "phq9_total"] == cohort.loc[~lep, "phq9_total"]).all())
    True
    """
    caller = "underreport_phq9"
    logits = float(check_param("logits", logits, Interval(0.0, 3.0), caller=caller))
    seed = check_seed(seed, caller=caller)
    items = tuple(items)
    if not items or not all(isinstance(i, (int, np.integer)) and 1 <= i <= 9 for i in items):
        raise TeachkitError(
            f"The 'items' parameter of {caller} must be PHQ-9 item numbers from 1 to 9. "
            f"Got {items!r} instead."
        )
    check_cohort(cohort, ["severity", "phq9_total", *(f"phq{i}" for i in items)], caller=caller)
    members = _members(cohort, group, caller)
    if logits == 0.0 or not members.any():
        return cohort
    from ..cohort import calibration_of

    # The answer model the cohort was drawn with (its attrs name the calibration).
    cal = calibration_of(cohort)
    theta = cohort["severity"].to_numpy(dtype=float)[members]
    u = np.random.default_rng([seed, 43]).random((9, len(cohort)))
    out = cohort.copy()
    for item in items:
        column = f"phq{item}"
        answers = cohort[column].to_numpy()[members].astype(int)
        b = cal.phq_base + cal.phq_item_offsets[item - 1] + np.asarray(cal.phq_steps)
        edges = np.concatenate([[-np.inf], b, [np.inf]])
        lo = expit(cal.phq_a * (edges[answers] - theta))
        hi = expit(cal.phq_a * (edges[answers + 1] - theta))
        p = np.clip(lo + u[item - 1][members] * (hi - lo), 1e-12, 1 - 1e-12)
        noise = np.log(p) - np.log1p(-p)  # logit: the latent logistic draw
        response = theta + (noise - logits) / cal.phq_a
        lowered = (response[:, None] > b[None, :]).sum(axis=1)
        values = out[column].to_numpy().copy()
        values[members] = np.minimum(lowered, answers).astype(values.dtype)
        out[column] = values
    out["phq9_total"] = out[[f"phq{i}" for i in range(1, 10)]].sum(axis=1).astype(
        cohort["phq9_total"].dtype)
    return out


# ---------------------------------------------------------------------------------------
# Access to care: less care at the same need


def withhold_care(cohort: pd.DataFrame, *, group: tuple = ACCESS_GROUP, share: float = 0.0,
                  seed: int = 0) -> pd.DataFrame:
    """The records of one group after ``share`` of their care is withheld, at equal need.

    Each unit of care a member would have had is withheld with probability ``share`` (a
    seeded draw): a diagnosis (and with it the diagnosis code and the treatment), a
    treatment, each visit (a binomial thinning). The cost of care falls with the visits
    kept (by ``1 - share`` for patients without visits). Need, the questionnaires, the
    crisis and its risk are kept: the records now say less about the group than the
    truth, and a proxy label built on them (cost, diagnosis) picks fewer of its members.

    Parameters
    ----------
    cohort : DataFrame
    group : tuple (attribute, group), default=("ethnicity", "Black")
    share : float in [0, 1], default=0.0
        At 0 the cohort itself is returned.
    seed : int, default=0

    Returns
    -------
    cohort : DataFrame
        A new DataFrame; the input is never changed.

    Notes
    -----
    Source ``access_gap``: Obermeyer et al. 2019 found less spent on Black patients than
    on White patients with the same chronic illnesses; the cohort already carries the
    sourced US gaps in diagnosis and treatment (DOMAIN.md a.3), and this lever widens
    them.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(20_000, seed=5)
    >>> less = withhold_care(cohort, share=0.5, seed=5)
    >>> black = (cohort["ethnicity"] == "Black").to_numpy()
    >>> ratio = less.loc[black, "cost_past_year"].sum() / cohort.loc[black, "cost_past_year"].sum()
    >>> bool(0.35 < ratio < 0.65), bool((less.loc[~black, "cost_past_year"]
    ...                                  == cohort.loc[~black, "cost_past_year"]).all())
    (True, True)
    >>> bool((less["severity"] == cohort["severity"]).all())
    True
    """
    caller = "withhold_care"
    share = float(check_param("share", share, Interval(0.0, 1.0), caller=caller))
    seed = check_seed(seed, caller=caller)
    check_cohort(cohort, ["diagnosed", "treated", "diagnosis_code", "visits_past_year",
                           "cost_past_year"], caller=caller)
    members = _members(cohort, group, caller)
    if share == 0.0:
        return cohort
    rng = np.random.default_rng([seed, 53])
    u = rng.random((2, len(cohort)))
    diagnosed = cohort["diagnosed"].to_numpy(dtype=bool).copy()
    treated = cohort["treated"].to_numpy(dtype=bool).copy()
    diagnosed[members] &= u[0][members] >= share
    treated &= diagnosed
    treated[members] &= u[1][members] >= share
    visits = cohort["visits_past_year"].to_numpy()
    kept = visits.copy()
    kept[members] = rng.binomial(visits[members].astype(np.int64), 1.0 - share)
    cost = cohort["cost_past_year"].to_numpy(dtype=float)
    factor = np.where(visits > 0, kept / np.maximum(visits, 1), 1.0 - share)
    new_cost = cost.copy()
    new_cost[members] = np.round(cost[members] * factor[members], 0)
    out = cohort.copy()
    out["diagnosed"] = diagnosed
    out["treated"] = treated
    code = out["diagnosis_code"].copy()
    code[~diagnosed] = code.cat.categories[0]
    out["diagnosis_code"] = code
    out["visits_past_year"] = kept.astype(visits.dtype)
    out["cost_past_year"] = new_cost.astype(cohort["cost_past_year"].dtype)
    return out


# ---------------------------------------------------------------------------------------
# Under-documentation of prior self-harm


def underdocument_self_harm(cohort: pd.DataFrame, *, group: tuple = DOCUMENTATION_GROUP,
                            fraction: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Past self-harm recorded for only ``fraction`` of the group's recorded cases.

    Each member of ``group`` whose past self-harm is recorded keeps the record with
    probability ``fraction`` (a seeded draw); the truth (``prior_self_harm``, the crisis
    risk and the crisis) is kept, so the model reads less than what happened.

    Parameters
    ----------
    cohort : DataFrame
    group : tuple (attribute, group), default=("ethnicity", "Black")
    fraction : float in [0, 1], default=1.0
        At 1.0 the group's records are as for everybody, and the cohort itself is
        returned.
    seed : int, default=0

    Returns
    -------
    cohort : DataFrame
        A new DataFrame; the input is never changed.

    Notes
    -----
    Source ``self_harm_documentation``: Coley et al. 2021 found suicide-risk models far
    less accurate for Black patients and suggested that under-recorded mental-health
    history was one reason.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(20_000, seed=5)
    >>> fewer = underdocument_self_harm(cohort, fraction=0.0)
    >>> black = (cohort["ethnicity"] == "Black").to_numpy()
    >>> int(fewer.loc[black, "self_harm_recorded"].sum())
    0
    >>> bool((fewer["prior_self_harm"] == cohort["prior_self_harm"]).all())
    True
    """
    caller = "underdocument_self_harm"
    fraction = float(check_param("fraction", fraction, Interval(0.0, 1.0), caller=caller))
    seed = check_seed(seed, caller=caller)
    check_cohort(cohort, ["self_harm_recorded"], caller=caller)
    members = _members(cohort, group, caller)
    if fraction == 1.0:
        return cohort
    u = np.random.default_rng([seed, 47]).random(len(cohort))
    recorded = cohort["self_harm_recorded"].to_numpy(dtype=bool).copy()
    recorded[members] &= u[members] < fraction
    out = cohort.copy()
    out["self_harm_recorded"] = recorded
    return out


def leave_self_harm_unrecorded(cohort: pd.DataFrame, *, share: float = 0.0,
                               group: tuple = DOCUMENTATION_GROUP,
                               seed: int = 0) -> pd.DataFrame:
    """The records with ``share`` of one group's recorded past self-harm left unrecorded.

    The ``self_harm_unrecorded`` lever's own function (it receives the lever's value);
    :func:`underdocument_self_harm` with ``fraction = 1 - share``.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(1_000, seed=6)
    >>> leave_self_harm_unrecorded(cohort) is cohort
    True
    """
    share = float(check_param("share", share, Interval(0.0, 1.0),
                              caller="leave_self_harm_unrecorded"))
    return underdocument_self_harm(cohort, group=group, fraction=1.0 - share, seed=seed)


def apply_record_levers(cohort: pd.DataFrame, *, underreport: float = 0.0,
                        self_harm_unrecorded: float = 0.0, access_gap: float = 0.0,
                        seed: int = 0) -> pd.DataFrame:
    """The cohort as the records show it after the measurement-bias levers.

    Composes :func:`withhold_care` (``access_gap``), :func:`underreport_phq9`
    (``underreport`` logits) and :func:`underdocument_self_harm` (keeping
    ``1 - self_harm_unrecorded`` of the group's records); they touch different columns,
    so the order does not matter. At rest it returns the input.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(1_000, seed=6)
    >>> apply_record_levers(cohort) is cohort
    True
    """
    values = {"access_gap": access_gap, "underreport": underreport,
              "self_harm_unrecorded": self_harm_unrecorded}
    out = cohort
    for spec in RECORD_LEVER_SPECS:  # each function receives its lever's value unchanged
        out = spec.function(out, **{spec.argument: values[spec.name]}, seed=seed)
    return out


# ---------------------------------------------------------------------------------------
# Mitigations: where in the pipeline each one acts


@dataclasses.dataclass(frozen=True)
class MitigationSteps:
    """Where a mitigation acts on the pipeline (:mod:`teachkit.mitigation`).

    Attributes
    ----------
    relabel : bool
        The model learns clinical need (:func:`need_label`), not the chosen label.
    reduction : bool
        The model is trained under a fairness constraint (a fairlearn reduction).
    group_thresholds : bool
        Each group gets its own threshold (an equal share of crises caught).
    """

    relabel: bool = False
    reduction: bool = False
    group_thresholds: bool = False


def mitigation_steps(*, mitigation: str = "none") -> MitigationSteps:
    """The steps of the pipeline the ``mitigation`` changes: the label the model learns,
    how it is trained, or the flags (at rest, none).

    Examples
    --------
    >>> mitigation_steps()
    MitigationSteps(relabel=False, reduction=False, group_thresholds=False)
    >>> mitigation_steps(mitigation="relabel").relabel
    True
    >>> mitigation_steps(mitigation="debias")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'mitigation' parameter of mitigation_steps \
must be one of 'none', 'group_thresholds', 'reduction', 'relabel'. Got 'debias' instead.
    """
    mitigation = check_param("mitigation", mitigation, Options(MITIGATIONS),
                             caller="mitigation_steps")
    return MitigationSteps(relabel=mitigation == "relabel",
                           reduction=mitigation == "reduction",
                           group_thresholds=mitigation == "group_thresholds")


# ---------------------------------------------------------------------------------------
# Each spec bound to the function that receives its value, then registered.

LABEL = dataclasses.replace(LABEL, function=training_label)
MITIGATION = dataclasses.replace(MITIGATION, function=mitigation_steps)

ACCESS_GAP = dataclasses.replace(ACCESS_GAP, function=withhold_care, parameter="share")
UNDERREPORT = dataclasses.replace(UNDERREPORT, function=underreport_phq9,
                                  parameter="logits")
SELF_HARM_UNRECORDED = dataclasses.replace(SELF_HARM_UNRECORDED,
                                           function=leave_self_harm_unrecorded,
                                           parameter="share")
UNDERSAMPLE = dataclasses.replace(UNDERSAMPLE, function=leave_out_of_training,
                                  parameter="share")
#: The levers that change the records, in the order they are applied.
RECORD_LEVER_SPECS = (ACCESS_GAP, UNDERREPORT, SELF_HARM_UNRECORDED)
BIAS_LEVER_SPECS = (LABEL, ACCESS_GAP, UNDERSAMPLE, UNDERREPORT, SELF_HARM_UNRECORDED,
                    MITIGATION)
register(*BIAS_LEVER_SPECS, owner="bias")
