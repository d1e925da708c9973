"""EU AI Act (Regulation 2024/1689): the rules a triage model is held to.

Classification (Annex III 5(d); MDR Rule 11 through Art. 6(1)), the provider duties of
Arts. 9-15 and the post-market duties of Arts. 72-73, each checked against a run. The
dates are Art. 113's, and the Digital Omnibus deferral (not yet confirmed in the Official
Journal) is shown beside them (:mod:`teachkit.rules.timeline`). Sources: DOMAIN.md (c)
and DOMAIN-05-08.md (lesson 07); every bound a colour depends on is marked (A).
"""

from __future__ import annotations

import math

from ._rule import AMBER, GREEN, RED, Rule, decided_alone, missing, pct, per_1000, register_rule

__all__ = ["RATIO_AMBER", "RATIO_RED", "HUMAN_GREEN", "HUMAN_AMBER", "AUC_DROP_AMBER",
           "AUC_DROP_RED", "BIAS_LEVERS", "skill_lost"]

#: Data governance: the lowest group's share of crises caught over the highest group's.
#: Below 0.8 amber (A: the "four-fifths" rule of US employment law, 29 CFR 1607.4(D),
#: borrowed as a teaching bound), below 0.5 red (A).
RATIO_AMBER, RATIO_RED = 0.8, 0.5
#: Human oversight: share of flags a clinician decides (A).
HUMAN_GREEN, HUMAN_AMBER = 0.95, 0.5
#: Accuracy and robustness: the share of the declared (model card) skill above chance,
#: AUC - 0.5, lost by the worst of the three years after go-live (A: 15 % and 30 %, about
#: 0.05 and 0.10 of AUC for a model declared at 0.83; a weaker model has less to lose).
AUC_DROP_AMBER, AUC_DROP_RED = 0.15, 0.30
#: The triage levers that put a known bias into the records or the label (lesson 02).
BIAS_LEVERS = ("label", "access_gap", "undersample", "underreport", "self_harm_unrecorded")

_ANNEX_III = "2 Aug 2026 (Art. 113, S); 2 Dec 2027 if amended (S2, unconfirmed)"
_ART_72 = _ANNEX_III


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _high_risk(f):
    alone = decided_alone(f)
    if alone > 0:
        return RED, (f"High-risk (Annex III 5(d) patient triage), and {per_1000(alone)} "
                     "per 1,000 patients are decided by the model alone: MDR Rule 11 "
                     "class IIb or III, a notified body must assess it.")
    return GREEN, ("High-risk (Annex III 5(d) patient triage): the duties below apply; "
                   f"each of the {per_1000(f.flagged)} flags per 1,000 is advice to a "
                   "clinician (MDR Rule 11 class IIa).")


def _risk_management(f):
    changed = f.deployment.changed_levers()
    on = [name for name in BIAS_LEVERS if name in changed]
    missed = f"the model misses {per_1000(f.missed)} of {per_1000(f.crises)} crises per 1,000"
    if not on:
        return GREEN, f"No known source of bias is switched on; {missed}."
    if changed.get("mitigation", "none") == "none":
        return RED, f"Known risk left unmitigated ({', '.join(on)}): {missed}."
    return AMBER, (f"Known risk ({', '.join(on)}) mitigated by "
                   f"{changed['mitigation']}: {missed}; weigh what the mitigation costs.")


def _data_governance(f):
    sens = f.sensitivity_by_group
    if len(sens) < 2:
        return AMBER, ("Too few crises in each group to compare groups: the data cannot "
                       "show a gap either way.")
    low, high = min(sens, key=sens.get), max(sens, key=sens.get)
    ratio = sens[low] / sens[high] if sens[high] > 0 else 0.0
    reason = (f"{low} patients' crises flagged {pct(sens[low])} vs {high} "
              f"{pct(sens[high])}: ratio {ratio:.2f} (bound {RATIO_AMBER}, A)")
    if ratio >= RATIO_AMBER:
        return GREEN, reason + "."
    # With a few dozen crises a group, the lowest and highest of five shares differ by
    # chance alone; a gap counts when a two-proportion z-test puts it beyond chance
    # (|z| >= 1.96, 5 % two-sided; A: one test, not corrected for the groups compared).
    n_low, n_high = f.crises_by_group[low], f.crises_by_group[high]
    pooled = (sens[low] * n_low + sens[high] * n_high) / (n_low + n_high)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_low + 1 / n_high))
    if spread == 0 or (sens[high] - sens[low]) / spread < 1.96:
        return GREEN, (reason + f", but within chance for {n_low} and {n_high} crises "
                       "(two-proportion test, 5 %).")
    reason += ", beyond chance (two-proportion test, 5 %)."
    return (RED if ratio < RATIO_RED else AMBER), reason


def _documentation(f):
    absent = [s for s in ("consent", "oversight", "monitor") if not f.has(s)]
    if absent:
        return RED, ("Annex IV asks for the data, oversight and monitoring plan; this "
                     f"deployment describes no {', '.join(absent)} stage.")
    if f.monitor["mode"] == "none":
        return AMBER, ("Annex IV's monitoring-plan section is empty: nobody watches the "
                       f"model after go-live ({f.monitor['log_entries']} log entry in 36 "
                       "months).")
    return GREEN, ("Data, human oversight and a monitoring plan are all described from "
                   "this run (see the model card and datasheet).")


def _logging(f):
    if not f.has("monitor"):
        return missing("monitoring", "what would be logged")
    m = f.monitor
    if m["mode"] == "none":
        return RED, (f"The log holds {m['log_entries']} entry in 36 months: with nobody "
                     "watching, no alarm or decision is recorded.")
    nobody = f.decided["nobody"] if f.decided is not None else 0
    if nobody:
        return AMBER, (f"{m['log_entries']} log entries, but {nobody} flags left the "
                       "review queue with no decision recorded.")
    return GREEN, (f"{m['log_entries']} log entries over 36 months, and every flag has a "
                   "recorded decision.")


def _transparency(f):
    if not f.has("oversight"):
        return missing("oversight", "what a reviewer is told")
    if f.lever("explanation") == "none":
        return RED, (f"Reviewers see {per_1000(f.flagged)} flags per 1,000 patients with "
                     "no reason: they cannot interpret the output (Art. 13(3)).")
    if f.has("explain") and f.lever("explain_duplicate") != "none":
        return AMBER, ("Reasons are shown, but a near-duplicate of a strong signal splits "
                       "the attribution, so the reasons mislead (lesson 05).")
    return GREEN, (f"Each of the {per_1000(f.flagged)} flags per 1,000 comes with its "
                   "reasons, and the model card states performance by group.")


def _human_oversight(f):
    if f.decided is None:
        return missing("oversight", "who acts on a flag")
    flags = sum(f.decided.values())
    if f.autonomy is not None and f.autonomy["automatic"] > 0:
        return RED, (f"Every one of {flags} flags is an automatic decision: no clinician "
                     "can decide not to follow it (Art. 14(4)(d)).")
    if not flags:
        return GREEN, "The model flagged nobody, so no flag waited for a clinician."
    share = f.decided["human"] / flags
    reason = (f"A clinician decided {pct(share)} of {flags:,} flags; {f.decided['nobody']} "
              f"by nobody, {f.decided['model']} by the model alone (bounds "
              f"{pct(HUMAN_GREEN)} / {pct(HUMAN_AMBER)}, A).")
    if share >= HUMAN_GREEN:
        return GREEN, reason
    return (AMBER if share >= HUMAN_AMBER else RED), reason


def skill_lost(declared: float, seen: float) -> float:
    """The share of the declared AUC's skill above chance (AUC - 0.5) that ``seen`` lost.

    >>> round(skill_lost(0.8, 0.74), 2)
    0.2
    """
    return (declared - seen) / (declared - 0.5) if declared > 0.5 else 1.0


def _accuracy(f):
    if not f.has("monitor"):
        return missing("monitoring", "whether accuracy holds after go-live")
    declared, years = f.monitor["card_auc"], f.monitor["auc_by_year"]
    worst = min(range(3), key=lambda i: years[i])
    lost = skill_lost(declared, years[worst])
    reason = (f"AUC {declared:.3f} declared, {years[worst]:.3f} in year {worst + 1}, "
              f"the worst of three: {lost:.0%} of its skill above chance lost (bounds "
              f"{AUC_DROP_AMBER:.0%} / {AUC_DROP_RED:.0%}, A).")
    if lost > AUC_DROP_RED:
        return RED, reason
    return (AMBER if lost > AUC_DROP_AMBER else GREEN), reason


def _post_market(f):
    if not f.has("monitor"):
        return RED, "No post-market monitoring: this deployment runs no monitoring stage."
    m = f.monitor
    if m["mode"] == "none":
        return RED, (f"Nobody watches: over 36 months {m['missed']} of {m['crises']} "
                     "crises were missed and no alarm could be raised.")
    if m["mode"] == "inputs":
        return AMBER, (f"Only inputs are watched ({_n(m['alarms'], 'alarm')}): performance, "
                       f"the thing Art. 72 asks about, is never measured.")
    return GREEN, (f"Performance is watched once labels arrive: {_n(m['alarms'], 'alarm')} "
                   f"and {_n(m['updates'], 'model update')} in 36 months.")


def _incidents(f):
    if not f.has("monitor") or f.monitor["mode"] == "none":
        return AMBER, ("Nobody watches, so a serious incident could not be known, let "
                       "alone reported within 15 days.")
    n = f.monitor["incidents"]
    if n:
        return RED, (f"{n} missed {'crisis' if n == 1 else 'crises'} traced to an alarm "
                     "nobody acted on: each starts a 15-day report clock (10 days for a "
                     "death).")
    return GREEN, (f"{_n(f.monitor['alarms'], 'alarm')}, none ignored before a missed crisis: "
                   "no serious incident to report.")


_CLASS_SOURCE = ("Annex III 5(d) (aiact.annotated.nl); MDR Rule 11 (Johner quote); "
                 "DOMAIN-05-08.md lesson 07")
_ARTS_SOURCE = "Regulation (EU) 2024/1689; explainers fontvera.eu, deepinspect.ai (DOMAIN.md c)"

for _rule in (
    Rule("eu_high_risk", "High-risk triage, kept to advice for a clinician", "EU AI Act",
         "Art. 6, Annex III 5(d); MDR Rule 11", _CLASS_SOURCE, "S", _ANNEX_III,
         _high_risk),
    Rule("eu_risk_management", "Known risks are managed", "EU AI Act", "Art. 9",
         _ARTS_SOURCE, "S2", _ANNEX_III, _risk_management),
    Rule("eu_data_governance", "Data examined for bias; no large group gap",
         "EU AI Act", "Art. 10", _ARTS_SOURCE, "S2", _ANNEX_III, _data_governance),
    Rule("eu_documentation", "Technical documentation (Annex IV file)", "EU AI Act",
         "Art. 11, Annex IV", _ARTS_SOURCE, "S2", _ANNEX_III, _documentation),
    Rule("eu_logging", "Events are logged automatically", "EU AI Act", "Art. 12",
         _ARTS_SOURCE, "S2", _ANNEX_III, _logging),
    Rule("eu_transparency", "Deployers can interpret the output", "EU AI Act",
         "Art. 13", "Art. 13(3) summary (ThomasMoreAI; DOMAIN.md c)", "S2", _ANNEX_III,
         _transparency),
    Rule("eu_human_oversight", "People can oversee it and override it", "EU AI Act",
         "Art. 14", "Art. 14 explainers (saig-website, legalithm.com; DOMAIN.md c)", "S2",
         _ANNEX_III, _human_oversight),
    Rule("eu_accuracy", "Accuracy holds over time (robustness)", "EU AI Act", "Art. 15",
         _ARTS_SOURCE, "S2", _ANNEX_III, _accuracy),
    Rule("eu_post_market", "A post-market monitoring plan that measures performance",
         "EU AI Act", "Art. 72", "Art. 72 text (mirror; DOMAIN-05-08.md lesson 06)", "S",
         _ART_72, _post_market),
    Rule("eu_incidents", "Serious incidents are found and reported", "EU AI Act",
         "Art. 73", "Art. 73 day counts via secondary sources (DOMAIN-05-08.md)", "S2",
         _ART_72, _incidents),
):
    register_rule(_rule)
