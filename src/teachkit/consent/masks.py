"""Who agreed to what under each consent design, and the records a model may learn from.

The cohort holds two consent preferences per patient (DOMAIN.md d.4, data card);
:func:`consent_masks` derives, deterministically from the cohort's seed, who agrees under
each design (opt-out, layered, opt-in); :func:`consent_filter` keeps the records of those
who agreed. All patients are synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import Options, TeachkitError, check_cohort, check_param, check_seed
from ..cohort import (
    OPT_OUT_BASE,
    OPT_OUT_OR_DIAGNOSED,
    OPT_OUT_OR_FEMALE,
    OPT_OUT_OR_PHQ10,
    OPT_OUT_OR_UNDER60,
)
from ..levers.consent import DESIGNS

__all__ = ["consent_masks", "masks_for", "consent_filter", "TRAINING_REFUSAL",
           "SHARING_REFUSAL", "MEANINGFUL_SHARE", "DESIGN_NAMES", "USERS", "CONSENT_GROUPS"]

#: Share of patients who do not agree to model training, under each design (opt-out: the
#: cohort's own column, drawn for 5 % overall).
TRAINING_REFUSAL = {"opt_out": 0.05, "layered": 0.12, "opt_in": 0.331}
#: Share of patients who do not agree to sharing with a third party, under each design.
SHARING_REFUSAL = {"opt_out": 0.10, "layered": 0.50, "opt_in": None}
#: Of the patients whose records are used, the share who knew and agreed (A).
MEANINGFUL_SHARE = {"opt_out": 0.10, "layered": 0.75, "opt_in": 0.90}
#: How sentences name each design.
DESIGN_NAMES = {"opt_out": "opt-out", "layered": "layered consent", "opt_in": "opt-in"}
#: Who receives the records for each use.
USERS = {"training": "the triage-model vendor", "partner": "a commercial partner",
         "advertiser": "advertisers (Facebook, Snapchat, ...)"}
#: The groups the consent view compares: those d.4 finds opt out more, and the rest.
CONSENT_GROUPS = ("sex", "age", "diagnosis", "ethnicity")

_REQUIRED = ("patient_id", "sex", "age", "diagnosed", "phq9_total", "crisis",
             "consent_model_training", "consent_sharing", "intake_month")


def _odds_ratio(cohort: pd.DataFrame) -> np.ndarray:
    """Each patient's odds multiplier for saying no (the cohort's, DOMAIN.md d.4)."""
    return (np.where((cohort["sex"] == "female").to_numpy(), OPT_OUT_OR_FEMALE, 1.0)
            * np.where(cohort["age"].to_numpy() < 60, OPT_OUT_OR_UNDER60, 1.0)
            * np.where(cohort["diagnosed"].to_numpy(dtype=bool), OPT_OUT_OR_DIAGNOSED, 1.0)
            * np.where(cohort["phq9_total"].to_numpy() >= 10, OPT_OUT_OR_PHQ10, 1.0))


def _p(base, odds_ratio):
    odds = base / (1 - base) * odds_ratio
    return odds / (1 + odds)


def _base_for(target: float, odds_ratio: np.ndarray) -> float:
    """The reference group's refusal so that the cohort's mean refusal is ``target``."""
    lo, hi = 1e-6, 1 - 1e-6
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _p(mid, odds_ratio).mean() < target else (lo, mid)
    return (lo + hi) / 2


def consent_masks(cohort: pd.DataFrame, *, design: str = "opt_out",
                  seed: int | None = None) -> pd.DataFrame:
    """Who agrees to what under a consent design, one row per patient.

    Parameters
    ----------
    cohort : DataFrame
        From :func:`teachkit.cohort.make_cohort` (never changed).
    design : {"opt_out", "layered", "opt_in"}, default="opt_out"
    seed : int, default=None
        Seeds the draws that extend the cohort's own answers to the other designs;
        None takes the cohort's seed (``cohort.attrs``), else 0.

    Returns
    -------
    masks : DataFrame
        Boolean columns ``training`` (agrees to model training), ``sharing`` (agrees to
        sharing with a third party), ``explicit_no`` (said no to training even under
        opt-out), ``knew`` (of those whose records are used, knew of the use and agreed:
        an assumption, :data:`MEANINGFUL_SHARE`).

    Notes
    -----
    Sources ``consent`` and ``consent_design``. The designs are nested: whoever says no
    under opt-out says no under layered and opt-in; whoever agrees to sharing under
    opt-in agrees under layered and opt-out. Each patient's chance follows the cohort's
    odds multipliers, so the overall refusal matches :data:`TRAINING_REFUSAL` and
    :data:`SHARING_REFUSAL` on average.

    Examples
    --------
    >>> from teachkit.pipeline import lesson_cohort
    >>> cohort = lesson_cohort()  # 60,000 primary-care patients, seed 2024
    >>> out, opt_in = (consent_masks(cohort, design=d) for d in ("opt_out", "opt_in"))
    >>> bool((out["training"] == cohort["consent_model_training"]).all())
    True
    >>> round(1 - float(opt_in["training"].mean()), 3)
    0.333
    >>> bool((opt_in["training"] <= out["training"]).all())  # nested
    True
    >>> consent_masks(cohort, design="implied")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'design' parameter of consent_masks must be \
one of 'opt_out', 'layered', 'opt_in'. Got 'implied' instead.
    """
    caller = "consent_masks"
    check_param("design", design, Options(DESIGNS), caller=caller)
    check_cohort(cohort, _REQUIRED, caller=caller)
    if seed is None:
        seed = int(cohort.attrs.get("teachkit", {}).get("seed", 0))
    seed = check_seed(seed, caller=caller)
    return masks_for(cohort, design, seed)


def masks_for(cohort: pd.DataFrame, design: str, seed: int) -> pd.DataFrame:
    odds_ratio = _odds_ratio(cohort)
    u = np.random.default_rng([seed, 53]).random((3, len(cohort)))
    explicit_no = ~cohort["consent_model_training"].to_numpy(dtype=bool)
    training = ~explicit_no
    if design != "opt_out":
        p_out = _p(OPT_OUT_BASE["model_training"], odds_ratio)
        p_design = _p(_base_for(TRAINING_REFUSAL[design], odds_ratio), odds_ratio)
        extra_no = u[0] < np.clip((p_design - p_out) / (1 - p_out), 0, 1)
        training = training & ~extra_no
    sharing = cohort["consent_sharing"].to_numpy(dtype=bool).copy()
    if design != "opt_in":
        p_in = _p(OPT_OUT_BASE["sharing"], odds_ratio)
        p_design = _p(_base_for(SHARING_REFUSAL[design], odds_ratio), odds_ratio)
        still_no = u[1] < np.clip(p_design / p_in, 0, 1)
        sharing = sharing | ~still_no
    knew = u[2] < MEANINGFUL_SHARE[design]
    return pd.DataFrame({"training": training, "sharing": sharing,
                         "explicit_no": explicit_no, "knew": knew}, index=cohort.index)


def consent_filter(records: pd.DataFrame, agreed) -> pd.DataFrame:
    """The records of the patients who agreed, and only those: what a model may learn from.

    Parameters
    ----------
    records : DataFrame
        One row per patient (never changed).
    agreed : array-like of bool, shape (n_patients,)
        Whether each patient agreed. Anything that is not exactly True (False, a missing
        answer) counts as no: consent is never assumed.

    Returns
    -------
    DataFrame
        A new DataFrame with the rows of the patients who agreed, in the same order.

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({"patient_id": [1, 2, 3, 4]})
    >>> consent_filter(records, [True, False, None, True])["patient_id"].tolist()
    [1, 4]
    >>> consent_filter(records, [True, False])
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'agreed' parameter of consent_filter must \
have one answer per record (4). Got 2 instead.
    """
    if not isinstance(records, pd.DataFrame):
        raise TeachkitError("The 'records' parameter of consent_filter must be a pandas "
                            f"DataFrame. Got {type(records).__name__} instead.")
    values = list(agreed.tolist() if hasattr(agreed, "tolist") else agreed)
    if len(values) != len(records):
        raise TeachkitError(
            "The 'agreed' parameter of consent_filter must have one answer per record "
            f"({len(records)}). Got {len(values)} instead.")
    keep = np.array([v is True or (isinstance(v, np.bool_) and bool(v)) for v in values],
                    dtype=bool)
    return records.loc[keep].copy()


