"""Consent levers: whether patients' answers are honoured, how they are asked, and whether
their records leave the clinic.

Three levers, each described once, as data:

- ``consent``: whether the model may learn from the records of patients who did not
  agree. At rest the pipeline of lessons 01 and 02: every record trains the model,
  nobody is asked (so some records are used against their owner's wishes);
- ``consent_design``: how patients are asked: opt-out (records are used unless the
  patient says no, as behind long terms), layered (asked use by use, in short steps),
  or opt-in (used only if the patient says yes). Fewer patients agree under opt-in,
  and those who say no are not a random sample (DOMAIN.md d.4);
- ``secondary_use``: whether the clinic also shares records with a commercial partner
  (Crisis Text Line and Loris.ai) or with advertisers (BetterHelp).

Each spec is bound to the pure function that receives its value unchanged:
``consent`` and ``consent_design`` to :func:`train_on_consented` (who the model may learn
from), ``secondary_use`` to :func:`share_outside` (whose records leave the clinic). Both
read who agreed to what under each design from :mod:`teachkit.consent`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import Options, check_param
from . import LeverSpec, register

__all__ = ["CONSENT", "CONSENT_DESIGN", "SECONDARY_USE", "CONSENT_LEVER_SPECS",
           "CONSENT_LEVERS", "DESIGNS", "SECONDARY_USES", "train_on_consented",
           "share_outside"]

DESIGNS = ("opt_out", "layered", "opt_in")
SECONDARY_USES = ("off", "partner", "advertiser")
_HONOURED = ("ignored", "honoured")


def _agreed(records: pd.DataFrame, use: str, design: str, seed: int | None,
            caller: str) -> np.ndarray:
    from ..consent.masks import consent_masks  # the mechanism; it imports this module

    design = check_param("design", design, Options(DESIGNS), caller=caller)
    return consent_masks(records, design=design, seed=seed)[use].to_numpy()


def train_on_consented(records: pd.DataFrame, *, consent: str = "ignored",
                       design: str = "opt_out", seed: int | None = None) -> np.ndarray:
    """Which patients' records the model may learn from (True: it may).

    The ``consent`` and ``consent_design`` levers' function: while consent is ignored,
    everyone's; honoured, only the records of those who agreed to model training under
    ``design``. Every patient is still scored and cared for.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> records = make_cohort(2_000, seed=4)
    >>> bool(train_on_consented(records).all())
    True
    >>> kept = train_on_consented(records, consent="honoured", design="opt_in", seed=4)
    >>> bool(0.5 < kept.mean() < 0.8)
    True
    """
    consent = check_param("consent", consent, Options(_HONOURED), caller="train_on_consented")
    if consent == "ignored":
        check_param("design", design, Options(DESIGNS), caller="train_on_consented")
        return np.ones(len(records), dtype=bool)
    return _agreed(records, "training", design, seed, "train_on_consented")


def share_outside(records: pd.DataFrame, *, use: str = "off", consent: str = "ignored",
                  design: str = "opt_out", seed: int | None = None) -> np.ndarray:
    """Whose records the clinic also sends outside for ``use`` (True: theirs leave).

    The ``secondary_use`` lever's function: nobody's when off; everyone's while consent
    is ignored; honoured, only those who agreed to sharing under ``design``.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> records = make_cohort(2_000, seed=4)
    >>> int(share_outside(records).sum()), int(share_outside(records, use="partner").sum())
    (0, 2000)
    """
    use = check_param("use", use, Options(SECONDARY_USES), caller="share_outside")
    consent = check_param("consent", consent, Options(_HONOURED), caller="share_outside")
    if use == "off":
        return np.zeros(len(records), dtype=bool)
    if consent == "ignored":
        return np.ones(len(records), dtype=bool)
    return _agreed(records, "sharing", design, seed, "share_outside")


CONSENT = LeverSpec(
    name="consent",
    label="Patients' consent to train the model",
    tooltip=(
        "Ignored: every patient's record teaches the model, whatever they answered. "
        "Honoured: the model learns only from the records of patients who agreed; every "
        "patient is still scored and cared for."
    ),
    constraint=Options(_HONOURED),
    rest="ignored",
    option_labels={
        "ignored": "Ignored: every record trains the model",
        "honoured": "Honoured: only records of patients who agreed",
    },
    source="consent",
    function=train_on_consented,
    parameter="consent",
)

CONSENT_DESIGN = LeverSpec(
    name="consent_design",
    label="How patients are asked",
    tooltip=(
        "Opt-out: records are used unless the patient says no; layered: each use is asked "
        "about in a short step; opt-in: records are used only if the patient says yes, so "
        "fewer agree."
    ),
    constraint=Options(DESIGNS),
    rest="opt_out",
    option_labels={
        "opt_out": "Opt-out: used unless they say no (long terms)",
        "layered": "Layered: asked use by use, in short steps",
        "opt_in": "Opt-in: used only if they say yes",
    },
    source="consent_design",
    function=train_on_consented,
    parameter="design",
)

SECONDARY_USE = LeverSpec(
    name="secondary_use",
    label="Records shared outside the clinic",
    tooltip=(
        "Whether the clinic also sends patients' records to a commercial partner (as "
        "Crisis Text Line did with Loris.ai) or to advertisers (as BetterHelp did)."
    ),
    constraint=Options(SECONDARY_USES),
    rest="off",
    option_labels={
        "off": "Not shared",
        "partner": "Shared with a commercial partner",
        "advertiser": "Shared with advertisers",
    },
    source="secondary_use",
    function=share_outside,
    parameter="use",
)

CONSENT_LEVER_SPECS = (CONSENT, CONSENT_DESIGN, SECONDARY_USE)
#: Names of the levers of this module, in the order the lesson shows them.
CONSENT_LEVERS = tuple(spec.name for spec in CONSENT_LEVER_SPECS)
#: The stage these levers belong to, and the module that registers it.
STAGE, STAGE_MODULE = "consent", "teachkit.consent"
register(*CONSENT_LEVER_SPECS, owner=STAGE)
