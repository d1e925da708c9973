"""One synthetic patient's consent ledger: each use of their record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import Interval, check_param
from ..cohort import REFERENCE_YEAR
from ..levers import REGISTRY
from ..pipeline import lesson_cohort
from .masks import USERS, masks_for
from .report import check_consent_deployment
from .stage import ConsentSettings

__all__ = ["consent_ledger", "ledger_patient"]



def ledger_patient(cohort: pd.DataFrame | None = None) -> int:
    """A patient whose ledger tells the story: the first who said no to model training
    even under opt-out (so their record is used against their wishes when consent is
    ignored, under every design).

    Examples
    --------
    >>> ledger_patient()
    4
    """
    cohort = lesson_cohort() if cohort is None else cohort
    refused = ~cohort["consent_model_training"].to_numpy(dtype=bool)
    return int(cohort["patient_id"].to_numpy()[np.argmax(refused)])


def _month(index: int) -> str:
    year = REFERENCE_YEAR - 2 + index // 12
    return f"{year}-{index % 12 + 1:02d}"


def consent_ledger(settings: ConsentSettings | None = None, patient_id: int | None = None,
                   *, cohort: pd.DataFrame | None = None) -> pd.DataFrame:
    """One synthetic patient's consent ledger: each use of their record, what they were
    asked, what they answered, whether it was used, by whom and when.

    Parameters
    ----------
    settings : ConsentSettings, default=ConsentSettings()
    patient_id : int, default=None
        From 1 to the number of patients; None takes :func:`ledger_patient`.
    cohort : DataFrame, default=None
        The settings' lesson cohort if None.

    Returns
    -------
    DataFrame
        One row per use (``use``), with ``asked``, ``answer``, ``used`` ("yes", "no" or
        "yes, without consent"), ``by`` and ``when`` (the month of intake).

    Examples
    --------
    >>> ledger = consent_ledger(ConsentSettings(), 4)
    >>> ledger.set_index("use").loc["Training the triage model", "used"]
    'yes, without consent'
    >>> honoured = consent_ledger(ConsentSettings(consent="honoured"), 4)
    >>> honoured.set_index("use").loc["Training the triage model", "used"]
    'no'
    >>> consent_ledger(ConsentSettings(), 0)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'patient_id' parameter of consent_ledger must \
be an int in the range [1, 60000]. Got 0 instead.
    """
    settings = ConsentSettings() if settings is None else settings
    check_consent_deployment(settings, "consent_ledger")
    cohort = lesson_cohort(settings.n, settings.seed, settings.setting) if cohort is None \
        else cohort
    patient_id = ledger_patient(cohort) if patient_id is None else patient_id
    patient_id = check_param("patient_id", patient_id, Interval(1, len(cohort), kind="int"),
                             caller="consent_ledger")
    row = int(np.flatnonzero(cohort["patient_id"].to_numpy() == patient_id)[0])
    masks = masks_for(cohort, settings.consent_design, settings.seed).iloc[row]
    when = _month(int(cohort["intake_month"].iloc[row]))
    design = settings.consent_design
    asked = REGISTRY["consent_design"].option_labels[design]
    honoured = settings.consent == "honoured"

    def answer(agreed: bool, explicit_no: bool) -> str:
        if agreed:
            return "did not opt out" if design == "opt_out" else "said yes"
        if design == "opt_in" and not explicit_no:
            return "never answered (counts as no)"
        return "said no"

    def used(agreed: bool) -> str:
        if agreed:
            return "yes"
        return "no" if honoured else "yes, without consent"

    rows = [
        {"use": "Their own care", "asked": "not needed for direct care", "answer": "–",
         "used": "yes", "by": "their clinicians", "when": when},
        {"use": "Training the triage model", "asked": asked,
         "answer": answer(bool(masks["training"]), bool(masks["explicit_no"])),
         "used": used(bool(masks["training"])), "by": USERS["training"], "when": when},
    ]
    if settings.secondary_use != "off":
        label = REGISTRY["secondary_use"].option_labels[settings.secondary_use]
        rows.append({"use": label, "asked": asked,
                     "answer": answer(bool(masks["sharing"]), False),
                     "used": used(bool(masks["sharing"])),
                     "by": USERS[settings.secondary_use], "when": when})
    ledger = pd.DataFrame(rows)
    ledger.attrs["patient"] = {"patient_id": patient_id,
                               "name": str(cohort["name"].iloc[row]) if "name" in cohort
                               else "", "synthetic": True}
    return ledger


