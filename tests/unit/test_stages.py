"""Deployment: one frozen, validated, hashable object for a whole deployment."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

from teachkit._validation import TeachkitError
from teachkit.consent import ConsentSettings
from teachkit.oversight import OversightSettings
from teachkit.pipeline import Settings, simulate
from teachkit.stages import Deployment, get_stage, run

SMALL = {"n": 2_000, "seed": 3, "model": "logistic"}


def test_a_deployment_is_frozen_hashable_and_equal_by_value():
    a = Deployment(("oversight", "consent"), consent="honoured", **SMALL)
    b = Deployment(("consent", "oversight"), **SMALL).replace(consent="honoured")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.stages == ("consent", "oversight")
    assert a != a.replace(review_capacity=40)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.consent = "ignored"
    assert pickle.loads(pickle.dumps(a)) == a


def test_a_lesson_name_is_the_same_object_with_its_stage():
    consent = ConsentSettings(consent="honoured", **SMALL)
    assert consent.stages == ("consent",) and isinstance(consent, Deployment)
    assert consent.replace(consent="ignored") == ConsentSettings(**SMALL)
    assert consent.at_rest() == ConsentSettings(n=2_000, seed=3)
    assert OversightSettings().review_capacity == 10


def test_levers_are_validated_with_the_standard_message_naming_the_class():
    with pytest.raises(TeachkitError, match="'review_capacity' parameter of Deployment"):
        Deployment(("oversight",), review_capacity=500)
    with pytest.raises(TeachkitError, match="'threshold' parameter of Settings"):
        Deployment(("oversight",), threshold=2)
    with pytest.raises(TeachkitError, match="belongs to the stage 'consent', which it does "
                                            "not run. Its stages: 'oversight'"):
        Deployment(("oversight",), consent="honoured")
    with pytest.raises(TypeError, match="unexpected lever 'colour'"):
        Deployment(("oversight",), colour="red")
    with pytest.raises(TeachkitError, match="No stage is called 'monitoring'"):
        Deployment(("monitoring",))
    with pytest.raises(TeachkitError, match="must be a teachkit Settings"):
        Deployment(settings=ConsentSettings())


def test_values_hold_every_field_and_changed_levers_only_the_moved_ones():
    d = Deployment(("consent",), consent_design="opt_in", **SMALL)
    assert d.values()["consent"] == "ignored" and d.values()["n"] == 2_000
    assert d.changed_levers() == {"model": "logistic", "consent_design": "opt_in"}
    assert {s.name for s in d.lever_specs()} >= {"model", "consent", "secondary_use"}


def test_before_a_stage_is_what_it_receives():
    d = Deployment(("consent", "oversight"), consent="honoured", oversight="dropped", **SMALL)
    assert d.before("consent") == Settings(**SMALL)
    assert d.before("oversight") == Deployment(("consent",), consent="honoured", **SMALL)
    assert Deployment(("oversight",), **SMALL).before("oversight") == Settings(**SMALL)


def test_the_baseline_asks_the_last_stage_first_then_the_triage_levers():
    d = Deployment(("consent", "oversight"), consent="honoured", **SMALL)
    assert d.baseline()[1] == "the model acting alone"
    consent = Deployment(("consent",), consent="honoured", label="cost", **SMALL)
    assert consent.baseline() == (consent.replace(consent="ignored"),
                                  "the same model trained on every record")
    rule = Deployment(("consent",), consent="honoured")  # the rule learns nothing
    assert rule.baseline() == (rule.at_rest(), "the usual rule")


def test_honoured_consent_changes_what_the_model_learns_inside_the_triage_run():
    honoured = Deployment(("consent",), consent="honoured", consent_design="opt_in", **SMALL)
    ignored = honoured.replace(consent="ignored")
    assert not np.array_equal(simulate(honoured).scores, simulate(ignored).scores)
    np.testing.assert_array_equal(simulate(ignored, with_baseline=False).scores,
                                  simulate(Settings(**SMALL), with_baseline=False).scores)
    assert run(honoured).report.total_without_consent == 0


def test_a_stage_lists_its_own_levers():
    assert get_stage("consent").levers == ("consent", "consent_design", "secondary_use")
    assert "review_capacity" in get_stage("oversight").levers
    assert get_stage("release").needs_triage is False


def test_a_triage_run_is_kept_by_its_settings_and_never_given_to_others(monkeypatch):
    from teachkit import stages
    from teachkit._cache import Recent

    monkeypatch.setattr(stages, "_RUNS", Recent(4))
    settings = Settings(threshold=0.07, **SMALL)
    first = run(settings)
    assert run(Settings(threshold=0.07, **SMALL)) is first  # equal settings: the run kept
    assert run(settings, with_baseline=False) is not first
    other = run(settings.replace(threshold=0.08))
    assert other is not first and other.settings.threshold == 0.08
    fresh = simulate(settings)
    assert first.consequences.overall.equals(fresh.consequences.overall)
    assert first.consequences.by_group.equals(fresh.consequences.by_group)
    assert not first.flagged.flags.writeable  # nobody can change a run that is shown again
    biased = settings.replace(underreport=0.5)  # records of its own: several MB, not kept
    assert run(biased) is not run(biased) and len(stages._RUNS) == 3
