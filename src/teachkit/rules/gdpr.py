"""GDPR (Regulation 2016/679): lawful basis for health data, automated decisions, DPIA.

The lesson takes explicit consent (Art. 9(2)(a)) as the basis for training on patients'
records (A: a clinic might argue Art. 9(2)(h), health care; DOMAIN.md c marks that K).
"""

from __future__ import annotations

from ._rule import AMBER, GREEN, RED, Rule, decided_alone, missing, pct, per_1000, register_rule

__all__ = ["KNEW_GREEN", "FOLLOW_AMBER", "LARGE_SCALE"]

#: Explicit consent: at least this share of the patients whose records are used knew
#: what they agreed to (A).
KNEW_GREEN = 0.5
#: Art. 22: a review in which the clinician follows the model's wrong advice more often
#: than this looks like a rubber stamp, not "human intervention" (A).
FOLLOW_AMBER = 0.5
#: Art. 35(3)(b): processing this many patients' health data counts as large scale (A:
#: Recital 91 says one physician's patients are not large scale; no number is given).
LARGE_SCALE = 5_000

_GDPR_DATE = "applies since 25 May 2018 (K)"


def _lawful_basis(f):
    if f.consent is None:
        return missing("consent", "on what basis patients' records are used")
    c = f.consent
    if c["without_consent"]:
        return RED, (f"Records of {c['without_consent']:,} patients who did not agree "
                     "trained the model: no lawful basis for their health data.")
    if c["shared_without_consent"]:
        return RED, (f"Records of {c['shared_without_consent']:,} patients who did not "
                     f"agree were shared with {c['shared_to']}.")
    knew = c["knew"] / c["used"] if c["used"] else 1.0
    reason = (f"Only records of patients who agreed are used; {pct(knew)} of them knew "
              f"what they agreed to (bound {pct(KNEW_GREEN)}, A).")
    return (GREEN if knew >= KNEW_GREEN else AMBER), reason


def _automated(f):
    alone = decided_alone(f)
    if alone > 0:
        return RED, (f"{per_1000(alone)} per 1,000 patients get a decision from the model "
                     "alone, on health data (Art. 22(1) and (4)).")
    if f.workload is None:
        return GREEN, "No decision is made by the model alone."
    follow = f.workload["wrong_advice_followed_share"]
    if follow == follow and follow > FOLLOW_AMBER:  # nan when nothing was reviewed
        return AMBER, (f"Clinicians follow the model's wrong advice {pct(follow)} of the "
                       f"time: the review may be a rubber stamp (bound "
                       f"{pct(FOLLOW_AMBER)}, A).")
    return GREEN, ("A clinician decides each flag and follows wrong advice "
                   f"{pct(follow if follow == follow else 0.0)} of the time.")


def _dpia(f):
    large = f.patients >= LARGE_SCALE
    automated = decided_alone(f) > 0
    triggers = [t for t, on in (("(3)(b) large-scale health data", large),
                                ("(3)(a) automated decisions with significant effects",
                                 automated)) if on]
    if len(triggers) == 2:
        return RED, (f"{f.patients:,} patients' health data and decisions by the model "
                     "alone: both Art. 35(3) triggers; a DPIA must come first.")
    if triggers:
        return AMBER, (f"A DPIA is required (Art. 35{triggers[0]}; {f.patients:,} "
                       "patients); this dossier is input for it, not the DPIA.")
    return GREEN, (f"{f.patients:,} patients (below {LARGE_SCALE:,}, A) and no automated "
                   "decision: no Art. 35(3) trigger.")


for _rule in (
    Rule("gdpr_lawful_basis", "A lawful basis for health data", "GDPR", "Art. 9",
         "Regulation (EU) 2016/679 Art. 9 (check against EUR-Lex; DOMAIN.md c)", "K",
         _GDPR_DATE, _lawful_basis),
    Rule("gdpr_automated_decisions", "No decision based solely on the model", "GDPR",
         "Art. 22, Recital 71", "Art. 22 text (odo24.pl; gdprhub.eu; DOMAIN.md c)", "S",
         _GDPR_DATE, _automated),
    Rule("gdpr_dpia", "Data-protection impact assessment triggers", "GDPR", "Art. 35",
         "Art. 35 text (law-reg.org; DOMAIN-05-08.md lesson 07)", "S", _GDPR_DATE, _dpia),
):
    register_rule(_rule)
