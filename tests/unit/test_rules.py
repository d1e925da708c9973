"""The lesson-07 checklist: every rule turns red for one deployment and green for another.

Each case is a deployment of every stage (the trainee's kind), with a few levers moved
from the base below; the checklist is computed from that deployment's own run. Runs are
shared across the cases (the package caches them), so the file stays quick.
"""

from __future__ import annotations

from functools import cache

import pytest

from teachkit._validation import TeachkitError
from teachkit.rules import (
    ALL_STAGES,
    AMBER,
    BASES,
    GREEN,
    RED,
    RULES,
    STATUSES,
    Checklist,
    check_facts,
    evaluate,
)
from teachkit.stages import Deployment, run_all

BASE = dict(model="logistic")
SAFE_RELEASE = dict(release_zip="zip3", release_birth="year", k_target=20)


@cache
def _checklist(stages, levers) -> Checklist:
    return evaluate(Deployment(stages, **{**BASE, **dict(levers)}))


def checklist(stages=ALL_STAGES, **levers) -> Checklist:
    return _checklist(tuple(stages), tuple(sorted(levers.items())))


#: rule -> {status: the levers (and stages) of a deployment that gives that status}.
CASES = {
    "eu_high_risk": {RED: dict(oversight="model_alone"), GREEN: {}},
    "eu_risk_management": {
        RED: dict(label="cost", access_gap=0.3),
        AMBER: dict(self_harm_unrecorded=1.0, mitigation="relabel"),
        GREEN: {}},
    "eu_data_governance": {
        # Coley's mechanism: Black patients' self-harm unrecorded, a records model (at
        # the sourced rate a cost label's gap is within chance for a few dozen crises)
        RED: dict(model="records", self_harm_unrecorded=1.0),
        AMBER: dict(n=2_000),  # too few crises per group to see a gap
        GREEN: {}},
    "eu_documentation": {
        RED: dict(stages=("consent",)),
        AMBER: {},
        GREEN: dict(monitoring="labels")},
    "eu_logging": {
        RED: {},
        AMBER: dict(monitoring="labels"),
        GREEN: dict(monitoring="labels", review_capacity=60)},
    "eu_transparency": {
        RED: {},
        AMBER: dict(explanation="shown", explain_duplicate="item9_copy"),
        GREEN: dict(explanation="shown")},
    "eu_human_oversight": {
        RED: dict(oversight="dropped"),
        AMBER: {},
        GREEN: dict(review_capacity=60)},
    # at the sourced rate a year holds about 90 crises (1,000 a month), so a year's AUC
    # moves by a few points by chance: the default loses 22 % of its skill in its worst
    # year (amber); 1,500 a month keeps it within 15 % on this seed
    "eu_accuracy": {RED: dict(drift_coding=6), GREEN: dict(monthly_volume=1500)},
    "eu_post_market": {
        RED: {},
        AMBER: dict(monitoring="inputs"),
        GREEN: dict(monitoring="labels")},
    "eu_incidents": {
        RED: dict(drift_shock=12, monitoring="both"),
        AMBER: {},
        GREEN: dict(monitoring="labels", update_policy="recalibrate")},
    "gdpr_lawful_basis": {
        RED: {},
        AMBER: dict(consent="honoured"),
        GREEN: dict(consent="honoured", consent_design="layered")},
    "gdpr_automated_decisions": {
        RED: dict(explain_decision="automatic"),
        AMBER: {},
        GREEN: dict(automation_bias=0.2, training="trained")},
    "gdpr_dpia": {
        RED: dict(oversight="model_alone"),
        AMBER: {},
        GREEN: dict(n=2_000)},
    "hipaa_deidentification": {
        RED: {},
        AMBER: dict(release_zip="zip3", release_birth="year", k_target=2),
        GREEN: SAFE_RELEASE},
    "fda_cds_2022": {RED: {}, GREEN: dict(explanation="shown")},
    "fda_cds_2026": {
        RED: {},
        AMBER: dict(explanation="shown"),
        GREEN: dict(explanation="shown", review_capacity=60)},
    "illinois_hb1806": {RED: dict(oversight="model_alone"), GREEN: {}},
    "ftc_health_data": {
        RED: dict(secondary_use="advertiser"),
        AMBER: dict(secondary_use="partner"),
        GREEN: {}},
}

PARAMS = [pytest.param(rule, status, levers, id=f"{rule}-{status}")
          for rule, by_status in CASES.items() for status, levers in by_status.items()]


def test_every_rule_has_a_red_and_a_green_case():
    assert set(CASES) == set(RULES)
    for rule, by_status in CASES.items():
        assert {RED, GREEN} <= set(by_status), rule


@pytest.mark.parametrize("rule, status, levers", PARAMS)
def test_rule_follows_the_run(rule, status, levers):
    levers = dict(levers)
    stages = levers.pop("stages", ALL_STAGES)
    item = checklist(stages, **levers).item(rule)
    assert item.status == status, item.reason
    assert item.reason and "\n" not in item.reason


def test_reasons_quote_the_runs_own_numbers():
    # The reason of human oversight names the flag count of its own run.
    for levers in ({}, dict(review_capacity=60)):
        c = checklist(**levers)
        flags = sum(c.facts.decided.values())
        assert f"{flags:,} flags" in c.item("eu_human_oversight").reason


def test_items_carry_source_basis_and_date():
    c = checklist()
    assert [item.rule for item in c] == list(RULES)
    for item in c:
        assert item.status in STATUSES
        assert item.basis in BASES
        assert item.source and item.applies and item.title


def test_checklist_views_partition_the_items():
    c = checklist()
    assert len(c.reds) + len(c.ambers) + len(c.greens) == len(c)
    assert c.counts == {GREEN: len(c.greens), AMBER: len(c.ambers), RED: len(c.reds)}
    assert all(item.status == RED for item in c.reds)
    assert list(c.to_frame().index) == list(RULES)


def test_a_safer_deployment_has_fewer_reds():
    careful = checklist(consent="honoured", consent_design="layered", explanation="shown",
                        review_capacity=60, monitoring="labels", **SAFE_RELEASE)
    assert len(careful.reds) < len(checklist().reds)


def test_evaluate_accepts_a_run_and_gives_the_same_items():
    d = Deployment(ALL_STAGES, **BASE, oversight="dropped")
    from_run = evaluate(run_all(d, with_baseline=False))
    assert from_run.items == checklist(oversight="dropped").items
    assert from_run.deployment == d


def test_check_facts_is_deterministic():
    c = checklist()
    assert check_facts(c.facts).items == c.items


@pytest.mark.parametrize("bad", ["my deployment", {"oversight": "dropped"}, None])
def test_evaluate_refuses_anything_else(bad):
    with pytest.raises(TeachkitError, match=r"^The 'deployment_or_run' parameter of "
                       r"evaluate must be a Deployment or the dict run_all returns\. "
                       rf"Got {type(bad).__name__} instead\.$"):
        evaluate(bad)


def test_unknown_rule_names_the_rules():
    with pytest.raises(TeachkitError, match="No checklist rule is called 'art_99'"):
        checklist().item("art_99")


# -- the impact level (Canada's AIA style) ------------------------------------------------
CAREFUL = dict(consent="honoured", consent_design="layered", explanation="shown",
               review_capacity=60, monitoring="labels", training="trained",
               update_policy="recalibrate", explain_disclosure="told", **SAFE_RELEASE)


def test_impact_level_follows_the_deployment():
    from teachkit.rules.impact import impact_level

    careless = impact_level(checklist(oversight="model_alone", secondary_use="advertiser",
                                      label="cost", access_gap=0.3))
    rest = impact_level(checklist())
    careful = impact_level(checklist(**CAREFUL))
    assert careless.raw > rest.raw > careful.raw
    assert careless.level == "IV" and not careless.deducted
    assert careful.deducted and careful.level < rest.level  # "II" < "III"


def test_impact_score_arithmetic():
    from teachkit.rules.impact import DEDUCTION, LEVEL_BOUNDS, LEVELS, impact_level

    for levers in ({}, CAREFUL):
        impact = impact_level(checklist(**levers))
        a = impact.answers
        assert impact.raw == a[a.kind == "risk"].points.sum()
        assert impact.mitigation == a[a.kind == "mitigation"].points.sum()
        assert impact.deducted == (impact.mitigation >= 0.8 * impact.mitigation_max)
        expected = impact.raw * (1 - DEDUCTION) if impact.deducted else impact.raw
        assert impact.score == pytest.approx(expected)
        share = impact.score / impact.raw_max
        index = sum(share > bound for bound in LEVEL_BOUNDS)
        assert impact.level == LEVELS[index]
        assert impact.level in impact.sentence()


def test_impact_level_refuses_a_deployment():
    from teachkit.rules.impact import impact_level

    with pytest.raises(TeachkitError, match="must be a Checklist or Facts"):
        impact_level(Deployment(("consent",)))
