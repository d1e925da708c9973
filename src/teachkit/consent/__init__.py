"""Consent: who agreed to what, whose records are used anyway, and what honouring it costs.

The cohort holds two consent preferences per patient (DOMAIN.md d.4, data card):
``consent_model_training`` (False for the about 5 % who say no when records are used
unless they opt out) and ``consent_sharing`` (True for the about one in three who agree
to sharing with a third party when they are asked to opt in). How many agree depends on
how they are asked, so this module derives, deterministically from the cohort's seed,
who agrees under each *design*:

- **opt-out** (records used unless the patient says no, long terms): the cohort's own
  column for training; for sharing, 10 % say no (A);
- **layered** (asked use by use, in short steps): 12 % say no to training and 50 % to
  sharing (A);
- **opt-in** (used only if the patient says yes): 33.1 % do not agree to training (Kho
  et al. 2009: 66.9 % consented); for sharing, the cohort's own column.

Refusal follows the cohort's odds multipliers: women x1.7, under-60s x3.5, a recorded
mental-health diagnosis x1.7, PHQ-9 >= 10 x1.3 (Jacobsen et al. 1999 for the directions).
The designs are nested: a patient who says no under opt-out also says no under layered
and opt-in. Because the patients who say no are more often young, female and unwell,
the records left for training are healthier than the clinic: the selection bias of
d.4, which :func:`run_consent` measures.

Modules:

- :mod:`.masks`: who agrees to what under each design (:func:`consent_masks`);
- :mod:`.stage`: the consent stage (:data:`CONSENT_STAGE`) and :class:`ConsentSettings`,
  lesson 03's deployment: when consent is honoured the patients who did not agree are
  dropped from what the model learns (every patient is still scored and cared for);
- :mod:`.report`: :func:`run_consent` and its :class:`ConsentReport`;
- :mod:`.ledger`: one patient's :func:`consent_ledger`.

All patients are synthetic.
"""

from .ledger import consent_ledger, ledger_patient
from .masks import (
    CONSENT_GROUPS,
    DESIGN_NAMES,
    MEANINGFUL_SHARE,
    SHARING_REFUSAL,
    TRAINING_REFUSAL,
    USERS,
    consent_filter,
    consent_masks,
)
from .report import (
    ConsentReport,
    ConsentResult,
    calibration_by_chance,
    records_used_without_consent,
    run_consent,
    selection_bias,
)
from .stage import CONSENT_BASELINE_NAME, CONSENT_STAGE, ConsentSettings

__all__ = [
    "ConsentSettings", "ConsentResult", "ConsentReport", "run_consent", "consent_masks",
    "consent_filter", "records_used_without_consent", "selection_bias", "consent_ledger",
    "calibration_by_chance", "ledger_patient", "TRAINING_REFUSAL", "SHARING_REFUSAL",
    "MEANINGFUL_SHARE", "CONSENT_GROUPS", "DESIGN_NAMES", "USERS", "CONSENT_BASELINE_NAME",
    "CONSENT_STAGE",
]
