"""The model card of a deployment (Mitchell et al. 2019), filled from its own run.

Nine sections: model details; intended use; factors; metrics; evaluation data; training
data; quantitative analyses (disaggregated, with 95 % confidence intervals); ethical
considerations; caveats and recommendations (S: Mitchell et al. 2019, FAT* pp. 220-229;
section list S2). A number that cannot be given (too few crises in a group) says so
instead of being left out.
"""

from __future__ import annotations

import math

from ..levers import REGISTRY
from .checklist import Checklist
from .document import Bullets, Section, Table
from .facts import MIN_GROUP_CRISES

__all__ = ["MODEL_CARD_SECTIONS", "model_card", "wilson_interval"]

#: The nine headings, in Mitchell et al.'s order.
MODEL_CARD_SECTIONS = ("Model details", "Intended use", "Factors", "Metrics",
                       "Evaluation data", "Training data", "Quantitative analyses",
                       "Ethical considerations", "Caveats and recommendations")


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson 95 % interval of a share (``(nan, nan)`` with no trials).

    Examples
    --------
    >>> [round(x, 3) for x in wilson_interval(5, 10)]
    [0.237, 0.763]
    """
    if trials <= 0:
        return math.nan, math.nan
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (
        1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def _option(name: str, value) -> str:
    spec = REGISTRY[name]
    return (spec.option_labels or {}).get(value, str(value))


def _disaggregated(facts) -> Table:
    rows = []
    for (attribute, group), row in facts.by_group.iterrows():
        n = int(row["patients"])
        crises = round(row["crises"] * n / 1000)
        caught = round(row["caught"] * n / 1000)
        if crises >= MIN_GROUP_CRISES:
            low, high = wilson_interval(caught, crises)
            sens = f"{caught / crises:.0%} ({low:.0%} to {high:.0%})"
        else:
            sens = f"not given: {crises} crises (fewer than {MIN_GROUP_CRISES})"
        rows.append((attribute, group, f"{n:,}", f"{row['flagged']:.0f}", crises, sens,
                     f"{row['missed']:.1f}", f"{row['needless']:.0f}"))
    return Table(("attribute", "group", "patients", "flagged per 1,000", "crises",
                  "crises caught (95 % CI)", "missed per 1,000", "needless per 1,000"),
                 tuple(rows))


def model_card(checklist: Checklist) -> list[Section]:
    """The nine sections of the model card, from the checklist's run.

    Examples
    --------
    >>> from teachkit.rules import ALL_STAGES, evaluate
    >>> from teachkit.stages import Deployment
    >>> card = model_card(evaluate(Deployment(ALL_STAGES, model="logistic")))
    >>> tuple(s.title for s in card) == MODEL_CARD_SECTIONS
    True
    """
    f, d = checklist.facts, checklist.deployment
    s = d.settings
    who = (f"only the top {s.capacity:.0%} of risk scores" if s.policy == "capacity"
           else f"everyone with a risk score of {s.threshold:.3g} or more")
    ppv = f.caught / f.flagged if f.flagged else math.nan
    details = [
        f"Model: {_option('model', s.model)}. It learns: {_option('label', s.label)}. "
        f"Mitigation: {_option('mitigation', s.mitigation)}.",
        f"It flags {who}. Version: teachkit toy model, deployment {hash(d) & 0xFFFFFF:06x}.",
        "Made by the trainee in teachkit lesson 07 from a synthetic cohort; not a real "
        "product.",
    ]
    changed = d.changed_levers()
    details.append("Levers moved from rest: " + (", ".join(
        f"{REGISTRY[k].label if k in REGISTRY else k} = {v}" for k, v in changed.items())
        or "none") + ".")
    intended = [
        "Intended use: to help a clinician decide whom to follow up first after a "
        "mental-health screening in primary care. Every flag is advice"
        + (" that a clinician reviews." if f.lever("oversight") == "review" else
           "; in this deployment not every flag reaches a clinician."),
        "Out of scope: diagnosis, decisions with no clinician, children, and any real "
        "patient (the model has only seen synthetic ones).",
    ]
    factors = [
        "Groups reported: sex, ethnicity, language, insurance and rurality (the cohort's "
        "attributes). Access to care shapes what the records show for each group.",
        f"A group's share of crises caught is given only with at least {MIN_GROUP_CRISES} "
        "crises in it (A).",
    ]
    metrics = [Table(("metric", "value"), (
        ("flagged per 1,000 patients", f"{f.flagged:.1f}"),
        ("crises per 1,000 (12 months)", f"{f.crises:.1f}"),
        ("crises caught per 1,000", f"{f.caught:.1f}"),
        ("crises missed per 1,000", f"{f.missed:.1f}"),
        ("share of crises caught (sensitivity)",
         f"{f.caught / f.crises:.0%}" if f.crises else "n/a"),
        ("flags that were crises (PPV)", f"{ppv:.0%}" if ppv == ppv else "n/a"),
        *((("AUC declared / worst year after go-live",
            f"{f.monitor['card_auc']:.3f} / {min(f.monitor['auc_by_year']):.3f}"),)
          if f.monitor else ()),
    ))]
    evaluation = [
        f"The synthetic cohort: {f.patients:,} patients (make_cohort n={s.n}, "
        f"seed={s.seed}, setting={s.setting!r}). The model is scored on the same "
        "patients it learned from: a teaching shortcut that flatters it.",
    ]
    if f.monitor:
        evaluation.append(f"After go-live: 36 months of new synthetic patients; "
                          f"{f.monitor['crises']} crises, {f.monitor['missed']} missed.")
    training = []
    if f.consent:
        c = f.consent
        training.append(
            f"Consent: {_option('consent', f.lever('consent'))}; design: "
            f"{_option('consent_design', f.lever('consent_design'))}. Records of "
            f"{c['without_consent']:,} patients who did not agree were used.")
    if s.undersample:
        training.append(f"{s.undersample:.0%} of Black patients' records were left out "
                        "of training.")
    training.append(f"Label: {_option('label', s.label)}.")
    reds = checklist.reds
    ethics = [Bullets(tuple(f"{item.title} ({item.instrument} {item.article}): "
                            f"{item.reason}" for item in reds))] if reds else [
        "No checklist rule is red for this deployment."]
    ethics.insert(0, f"{len(reds)} of {len(checklist)} checklist rules are red:")
    caveats = [
        "Every patient is synthetic; the numbers teach mechanisms, not real-world rates.",
        "The checklist's bounds marked (A) are teaching choices; this card is not a "
        "regulatory submission.",
    ]
    if f.monitor and f.lever("monitoring") == "none":
        caveats.append("Recommendation: monitor performance once labels arrive "
                       "(EU AI Act Art. 72).")
    return [
        Section("Model details", tuple(details)),
        Section("Intended use", tuple(intended)),
        Section("Factors", tuple(factors)),
        Section("Metrics", tuple(metrics)),
        Section("Evaluation data", tuple(evaluation)),
        Section("Training data", tuple(training)),
        Section("Quantitative analyses", (
            "Disaggregated by group, with Wilson 95 % confidence intervals:",
            _disaggregated(f))),
        Section("Ethical considerations", tuple(ethics)),
        Section("Caveats and recommendations", tuple(caveats)),
    ]
