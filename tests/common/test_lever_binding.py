"""A bound lever's value reaches its function unchanged, through the stage that uses it.

The contract tests check that each bound lever is its function's keyword with the
resting value as default; these check that the stages really call those functions
(:func:`teachkit.levers.call_bound`) with the trainee's value, and that the call helper
refuses levers that are not bound to one function.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from teachkit.cohort import make_cohort
from teachkit.levers import REGISTRY, bound_groups, call_bound
from teachkit.levers.bias import mitigation_steps, need_label, training_label
from teachkit.levers.consent import share_outside, train_on_consented
from teachkit.levers.explain import (
    autonomy_counts,
    fit_on_inputs,
    opt_out_flags,
    reference_patients,
    shown_to_reviewer,
)
from teachkit.levers.monitor import deploy_for_three_years
from teachkit.levers.oversight import (
    automation_bias_after,
    escalated_patients,
    reviewed_in_queue,
    reviewer_response,
    who_acts,
)
from teachkit.levers.privacy import release_cohort
from teachkit.levers.triage import flag_by_policy, score_patients
from teachkit.pipeline import Settings, lesson_cohort, simulate
from teachkit.stages import Deployment, get_stage, run

RECORDS = make_cohort(3_000, seed=8)


@pytest.mark.parametrize("consent, design", [("ignored", "opt_in"), ("honoured", "opt_out"),
                                             ("honoured", "opt_in")])
def test_the_consent_stage_trains_on_what_its_function_returns(consent, design):
    deployment = Deployment(("consent",), seed=8, consent=consent, consent_design=design)
    rows = deployment.training_rows(RECORDS)
    expected = train_on_consented(RECORDS, consent=consent, design=design, seed=8)
    assert np.array_equal(rows, expected)
    assert rows.all() == (consent == "ignored")


def test_honoured_opt_in_keeps_fewer_records_than_opt_out():
    kept = {d: train_on_consented(RECORDS, consent="honoured", design=d, seed=8).sum()
            for d in ("opt_out", "layered", "opt_in")}
    assert kept["opt_in"] < kept["layered"] < kept["opt_out"] < len(RECORDS)


def test_records_shared_outside_follow_use_and_consent():
    assert not share_outside(RECORDS, use="off", consent="ignored").any()
    assert share_outside(RECORDS, use="advertiser").all()
    agreed = share_outside(RECORDS, use="partner", consent="honoured", design="opt_in", seed=8)
    assert 0 < agreed.sum() < len(RECORDS)
    with pytest.raises(ValueError, match="'use' parameter of share_outside must be one of"):
        share_outside(RECORDS, use="friends")


def test_the_release_stage_is_its_levers_function():
    deployment = Deployment(("release",), k_target=11, release_zip="zip3", epsilon=1.0)
    result = run(deployment)
    cohort = lesson_cohort(deployment.n, deployment.seed, deployment.setting)
    direct = release_cohort(cohort, k_target=11, release_zip="zip3", epsilon=1.0)
    assert result is direct  # the same cached release: the same values reached it
    assert result.release.k_target == 11 and result.k >= 11
    assert result.release.changed_levers() == deployment.changed_levers()


def test_call_bound_refuses_levers_of_different_functions():
    with pytest.raises(ValueError, match="one and the same function.*consent -> "
                                         "train_on_consented.*secondary_use -> share_outside"):
        call_bound([REGISTRY["consent"], REGISTRY["secondary_use"]], Deployment(("consent",)),
                   RECORDS)
    unbound = dataclasses.replace(REGISTRY["mitigation"], function=None)
    with pytest.raises(ValueError, match="mitigation -> None"):
        call_bound([unbound], Deployment(()), RECORDS)


def test_oversight_bias_explanation_and_training_reach_the_reviewer_response():
    (group,) = [g for g in bound_groups(get_stage("oversight").lever_specs)
                if g[0].function is reviewer_response]
    assert [spec.name for spec in group] == ["automation_bias", "explanation", "training"]
    deployment = Deployment(("oversight",), automation_bias=0.5, explanation="shown",
                            training="trained")
    bias, boost = call_bound(group, deployment)
    assert bias == automation_bias_after(automation_bias=0.5, explanation="shown",
                                         training="trained") < 0.5
    rest_bias, rest_boost = call_bound(group, Deployment(("oversight",)))
    assert rest_bias == 0.6 and rest_boost < boost  # an explanation helps with right advice


@pytest.mark.parametrize("policy, threshold, capacity", [("threshold", 0.08, 0.1),
                                                         ("capacity", 0.05, 0.07)])
def test_the_triage_levers_reach_the_scoring_and_flagging_functions(policy, threshold,
                                                                    capacity):
    settings = Settings(n=3_000, seed=8, model="logistic", policy=policy,
                        threshold=threshold, capacity=capacity)
    result = simulate(settings, with_baseline=False)
    scores = score_patients(result.records, model="logistic", seed=8)
    np.testing.assert_allclose(result.scores, scores)
    expected = flag_by_policy(scores, policy=policy, threshold=threshold,
                              capacity=capacity, seed=8)
    assert np.array_equal(result.flagged, expected)
    assert expected.sum() == (round(capacity * 3_000) if policy == "capacity"
                              else (scores >= threshold).sum())


@pytest.mark.parametrize("levers", [{"review_capacity": 3}, {"oversight": "model_alone"},
                                    {"escalation": "item9", "review_capacity": 25},
                                    {"flag_tier": "top_1"}])
def test_the_oversight_levers_reach_their_functions(levers):
    deployment = Deployment(("oversight",), n=3_000, seed=8, model="logistic", **levers)
    result = run(deployment, with_baseline=False)
    cases, item9 = result.deployment, result.model_result.records["phq9"].to_numpy()
    escalated = escalated_patients(item9, escalation=deployment.escalation)
    assert np.array_equal(cases.escalated, escalated)
    in_queue, alone = who_acts(cases.flagged, escalated, oversight=deployment.oversight)
    assert np.array_equal(cases.queue_rank >= 0, in_queue)
    assert np.array_equal(cases.reviewed, reviewed_in_queue(
        cases.queue_rank, in_queue, review_capacity=deployment.review_capacity))
    if deployment.flag_tier != "threshold":
        assert cases.flagged.sum() == round(0.01 * 3_000)


@pytest.mark.parametrize("label, mitigation", [("cost", "none"), ("diagnosis", "relabel"),
                                               ("cost", "group_thresholds")])
def test_the_label_and_mitigation_reach_their_functions(label, mitigation):
    settings = Settings(n=3_000, seed=8, model="logistic", label=label,
                        mitigation=mitigation)
    steps = mitigation_steps(mitigation=mitigation)
    assert call_bound([REGISTRY["mitigation"]], settings) == steps
    assert steps.relabel == (mitigation == "relabel")
    assert steps.group_thresholds == (mitigation == "group_thresholds")
    result = simulate(settings, with_baseline=False)
    records = result.records
    expected = need_label(records) if steps.relabel else training_label(records, label=label)
    np.testing.assert_allclose(result.scores, score_patients(records, model="logistic",
                                                             label=expected, seed=8))


@pytest.mark.parametrize("levers", [{"explain_opt_out": 0.6},
                                    {"explain_opt_out": 1.0, "explain_opt_out_route": "nothing",
                                     "explain_decision": "automatic",
                                     "explain_disclosure": "told"},
                                    {"explain_background": "not_flagged",
                                     "explain_reviewer": "shown"}])
def test_the_explain_levers_reach_their_functions(levers):
    deployment = Deployment(("explain",), n=3_000, seed=8, model="logistic", **levers)
    result = run(deployment, with_baseline=False)
    records, model_flags = result.records, result.model_flags
    opted, flags = opt_out_flags(records, model_flags, seed=8,
                                 opt_out=deployment.explain_opt_out,
                                 route=deployment.explain_opt_out_route)
    assert np.array_equal(result.opted_out, opted) and np.array_equal(result.flagged, flags)
    assert result.autonomy == autonomy_counts(
        records["crisis"].to_numpy(bool), flags, opted, model_flags,
        decision=deployment.explain_decision, disclosure=deployment.explain_disclosure)
    assert np.array_equal(result.background(), reference_patients(
        model_flags, background=deployment.explain_background))
    assert result.reviewer_sees_explanation == shown_to_reviewer(
        reviewer=deployment.explain_reviewer)


def test_the_inputs_and_duplicate_reach_the_explained_model():
    deployment = Deployment(("explain",), n=3_000, seed=8, model="logistic",
                            explain_inputs="without_ethnicity", explain_duplicate="item9_copy")
    result = run(deployment, with_baseline=False)
    direct = fit_on_inputs(result.records, "logistic", result.records["crisis"].to_numpy(int),
                           seed=8, inputs="without_ethnicity", duplicate="item9_copy")
    assert result.explained.features == direct.features
    np.testing.assert_allclose(result.scores, direct.scores())


def test_the_monitor_levers_reach_the_time_axis():
    levers = {"monthly_volume": 200, "drift_pipeline": 6, "monitoring": "both",
              "update_policy": "recalibrate"}
    deployment = Deployment(("monitor",), seed=8, **levers)
    result = run(deployment, with_baseline=False)
    _, timeline, card = deploy_for_three_years(seed=8, setting=deployment.setting,
                                               threshold=deployment.threshold, **levers)
    assert np.array_equal(result.timeline.flagged, timeline.flagged)
    assert result.timeline.alarms == timeline.alarms and result.card_auc == card
    assert timeline.monitoring == "both" and result.timeline.versions == timeline.versions
