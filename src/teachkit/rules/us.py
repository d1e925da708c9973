"""US rules: HIPAA de-identification, FDA clinical decision support, Illinois HB 1806,
and the FTC's health-data cases as precedents."""

from __future__ import annotations

from ._rule import AMBER, GREEN, RED, Rule, decided_alone, missing, pct, per_1000, register_rule

__all__ = ["REID_AMBER", "K_GREEN", "SAFE_HARBOR_ZIP", "SAFE_HARBOR_BIRTH"]

#: Expert determination: a re-identification risk above this is not "very small" (D: El
#: Emam et al. 2011's 0.05 threshold, so k of at least 1 / 0.05 = 20).
REID_AMBER = 0.05
K_GREEN = round(1 / REID_AMBER)
#: The quasi-identifier levels Safe Harbor allows (45 CFR 164.514(b)(2)).
SAFE_HARBOR_ZIP = ("none", "zip3", "zip2")
SAFE_HARBOR_BIRTH = ("none", "year", "5y", "10y")


def _deidentified(f):
    if f.release is None:
        return missing("release", "how the data is de-identified")
    r = f.release
    safe = r["zip"] in SAFE_HARBOR_ZIP and r["birth"] in SAFE_HARBOR_BIRTH
    route = "Safe Harbor fields" if safe else f"not Safe Harbor ({r['zip']}, {r['birth']})"
    named = (f"{r['reidentified']:,} of {r['released']:,} released patients re-identified "
             f"({pct(r['rate'])})")
    if r["k"] < 2:
        return RED, f"k = {r['k']}: someone is unique in the release; {named}; {route}."
    if r["rate"] > REID_AMBER or r["k"] < K_GREEN:
        return AMBER, (f"k = {r['k']}: each person could be 1 in {r['k']}; {named}; "
                       f"an expert would ask for k of {K_GREEN} (risk "
                       f"{pct(REID_AMBER)}, D).")
    return GREEN, f"k = {r['k']}; {named}; {route}."


def _cds_criteria(f):
    """Which of the FDA 2022 criteria 3 and 4 fail (1 and 2 hold for this tool)."""
    fails = []
    if f.decided is None:
        return ["3 (no clinician is named)", "4"]
    if decided_alone(f) > 0 or f.lever("oversight") == "dropped":
        fails.append("3 (the flag is not a recommendation to a clinician)")
    if f.lever("explanation") == "none":
        fails.append("4 (the clinician cannot see the basis)")
    return fails


def _cds_2022(f):
    if f.decided is None:
        return missing("oversight", "who receives the flag")
    fails = _cds_criteria(f)
    if fails:
        return RED, (f"Criterion {' and '.join(fails)} fails: a medical device, not "
                     f"non-device CDS ({per_1000(f.flagged)} flags per 1,000).")
    return GREEN, ("All four criteria hold: no signals, medical information, a "
                   "recommendation to a clinician who sees its basis.")


def _cds_2026(f):
    if f.decided is None:
        return missing("oversight", "who receives the flag")
    if _cds_criteria(f):
        return RED, "Fails the 2022 criteria already; the 2026 revision does not help."
    busy = f.workload["days_over_capacity"]
    if busy:
        return AMBER, (f"On {busy} of {f.workload['days']} days flags outran the "
                       "reviewers: time pressure now weighs against criterion 4.")
    return GREEN, ("A single recommendation can qualify, and reviews kept up on all "
                   f"{f.workload['days']} days: no time pressure on criterion 4.")


def _illinois(f):
    alone = decided_alone(f)
    if alone > 0:
        return RED, (f"{per_1000(alone)} per 1,000 patients' follow-up is decided by AI "
                     "without licensed review (A: triage counted as a therapeutic "
                     "decision).")
    return GREEN, ("A licensed clinician reviews every decision the AI informs "
                   f"({per_1000(f.flagged)} flags per 1,000).")


def _ftc(f):
    if f.consent is None:
        return missing("consent", "where patients' records go")
    c = f.consent
    if f.lever("secondary_use") == "advertiser":
        return RED, (f"Records of {c['shared']:,} patients go to {c['shared_to']}: "
                     "BetterHelp ($7.8M refunds, 2023), Cerebral ($5.1M refunds and a $2M "
                     "penalty, 2024), GoodRx ($1.5M, 2023).")
    if f.lever("secondary_use") == "partner":
        return AMBER, (f"Records of {c['shared']:,} patients go to a commercial partner, "
                       "as Crisis Text Line's did to Loris.ai (FTC asked to investigate).")
    return GREEN, "No patient's record leaves the clinic for a partner or advertiser."


for _rule in (
    Rule("hipaa_deidentification", "Released data is de-identified", "HIPAA",
         "45 CFR 164.514(b)", "45 CFR 164.514(b) (johndcook.com; accountablehq.com; "
         "DOMAIN.md c); El Emam et al. 2011", "S", "in force since 2003 (K)",
         _deidentified),
    Rule("fda_cds_2022", "Non-device clinical decision support (2022 criteria)",
         "FDA CDS guidance", "criteria 1-4", "FDA CDS FAQ (S); MoFo (S2); "
         "DOMAIN-05-08.md lesson 07", "S", "final guidance, Sept 2022 (K)", _cds_2022),
    Rule("fda_cds_2026", "What the 2026 revision changes", "FDA CDS guidance",
         "revision of 6 Jan 2026", "Jones Day; FDA Law Blog (DOMAIN-05-08.md lesson 07)",
         "S2", "issued 6 Jan 2026 (S2)", _cds_2026),
    Rule("illinois_hb1806", "No therapeutic decision by AI without licensed review",
         "Illinois HB 1806", "AI in therapy",
         "ilga.gov synopsis (DOMAIN-05-08.md lesson 07)", "S",
         "law since 1 Aug 2025 (S); up to $10,000 per violation", _illinois),
    Rule("ftc_health_data", "Health data not shared for advertising (FTC precedents)",
         "FTC Act s.5; Health Breach Notification Rule", "precedents",
         "FTC cases via Akin, Becker's, CyberInsider, WSGR (DOMAIN.md 9; DOMAIN-05-08.md)",
         "S2", "GoodRx Feb 2023; BetterHelp 2023; Cerebral Apr 2024 (S2)", _ftc),
):
    register_rule(_rule)
