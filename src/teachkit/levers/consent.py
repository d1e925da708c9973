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

The levers act in :mod:`teachkit.consent`, which finds who agreed to what under each
design and removes the others from training when consent is honoured.
"""

from __future__ import annotations

from .._validation import Options
from . import LeverSpec, register

__all__ = ["CONSENT", "CONSENT_DESIGN", "SECONDARY_USE", "CONSENT_LEVER_SPECS",
           "CONSENT_LEVERS", "DESIGNS", "SECONDARY_USES"]

DESIGNS = ("opt_out", "layered", "opt_in")
SECONDARY_USES = ("off", "partner", "advertiser")

CONSENT = LeverSpec(
    name="consent",
    label="Patients' consent to train the model",
    tooltip=(
        "Ignored: every record teaches the model, whatever the patient said. Honoured: only "
        "records of patients who agreed. Every patient is still scored and cared for."
    ),
    constraint=Options(("ignored", "honoured")),
    rest="ignored",
    option_labels={
        "ignored": "Ignored: every record trains the model",
        "honoured": "Honoured: only records of patients who agreed",
    },
    source="consent",
)

CONSENT_DESIGN = LeverSpec(
    name="consent_design",
    label="How patients are asked",
    tooltip=(
        "Opt-out: records used unless the patient says no. Layered: each use asked in a short "
        "step. Opt-in: used only if they say yes; fewer agree."
    ),
    constraint=Options(DESIGNS),
    rest="opt_out",
    option_labels={
        "opt_out": "Opt-out: used unless they say no (long terms)",
        "layered": "Layered: asked use by use, in short steps",
        "opt_in": "Opt-in: used only if they say yes",
    },
    source="consent_design",
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
)

CONSENT_LEVER_SPECS = (CONSENT, CONSENT_DESIGN, SECONDARY_USE)
#: Names of the levers of this module, in the order the lesson shows them.
CONSENT_LEVERS = tuple(spec.name for spec in CONSENT_LEVER_SPECS)
#: The stage these levers belong to, and the module that registers it.
STAGE, STAGE_MODULE = "consent", "teachkit.consent"
register(*CONSENT_LEVER_SPECS, owner=STAGE)
