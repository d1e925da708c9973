"""The contract every registered stage meets (the twin of the lever contract).

For every :class:`~teachkit.stages.Stage` the lever families name (no list kept here):
at rest it leaves its parent's run alone (the triage model's scores and flags, or for a
stage on the cohort alone, every patient); the same deployment gives the same numbers;
its result names its baseline; a lever panel builds from its levers; each of its levers
round-trips through the widget; and moving a lever changes the deployment's hash.
"""

from __future__ import annotations

import numpy as np
import pytest

from teachkit._validation import Interval
from teachkit.pipeline import Settings, simulate
from teachkit.stages import STAGES, Deployment, all_stages, get_stage, run, run_all

STAGE_LIST = all_stages()
NAMES = [stage.name for stage in STAGE_LIST]
#: A small cohort and a model that learns, so every stage has something to act on.
SMALL = {"n": 2_000, "seed": 7, "model": "logistic"}


def _other(spec):
    if isinstance(spec.constraint, Interval):
        return spec.constraint.high if spec.rest != spec.constraint.high else \
            spec.constraint.low
    return next(v for v in spec.constraint.values if v != spec.rest)


def test_the_stages_are_found_and_registered():
    assert {"consent", "oversight", "release"} <= set(NAMES)
    assert set(NAMES) == set(STAGES)
    assert [s.order for s in STAGE_LIST] == sorted(s.order for s in STAGE_LIST)


@pytest.mark.parametrize("name", NAMES)
def test_at_rest_the_stage_leaves_its_parent_run_alone(name):
    stage = get_stage(name)
    deployment = Deployment((name,), **SMALL)
    result = run(deployment)
    if stage.needs_triage:
        parent = simulate(Settings(**SMALL), with_baseline=False)
        np.testing.assert_array_equal(result.scores, parent.scores)
        np.testing.assert_array_equal(result.flagged, parent.flagged)
    else:
        assert result.suppressed == 0 and result.patients == SMALL["n"]


@pytest.mark.parametrize("name", NAMES)
def test_the_same_deployment_gives_the_same_numbers(name):
    stage = get_stage(name)
    moved = {spec.name: _other(spec) for spec in stage.lever_specs[:2]}
    first = run(Deployment((name,), **SMALL, **moved))
    again = run(Deployment((name,), **SMALL, **moved).replace())
    if stage.needs_triage:
        assert first.consequences.overall.equals(again.consequences.overall)
    else:
        assert first.attack == again.attack and first.table.equals(again.table)


@pytest.mark.parametrize("name", NAMES)
def test_the_result_names_its_baseline(name):
    deployment = Deployment((name,), **SMALL)
    for spec in get_stage(name).lever_specs:
        moved = deployment.replace(**{spec.name: _other(spec)})
        result = run(moved)
        assert isinstance(result.baseline_name, str) and result.baseline_name
        base, label = moved.baseline()
        assert isinstance(base, Deployment) and label
        assert hash(moved) != hash(deployment) and moved != deployment


@pytest.mark.parametrize("name", NAMES)
def test_a_panel_builds_and_every_lever_round_trips_through_its_widget(name):
    from teachkit.ui import LeverPanel

    stage = get_stage(name)
    panel = LeverPanel(stage.levers, settings=Deployment((name,), **SMALL))
    for spec in stage.lever_specs:
        row = panel.rows[spec.name]
        assert row.value == spec.rest
        row.value = _other(spec)
        assert getattr(panel.settings, spec.name) == _other(spec)
        assert panel.result is not None and panel.result.baseline_name
        row._reset.click()
        assert getattr(panel.settings, spec.name) == spec.rest
    assert panel.settings == Deployment((name,), **SMALL)


def test_stages_compose_in_one_deployment():
    whole = Deployment(tuple(reversed(NAMES)), **SMALL, consent="honoured",
                       oversight="dropped", k_target=5)
    assert whole.stages == tuple(NAMES)
    results = run_all(whole)
    assert list(results) == ["triage", *NAMES]
    consent_only = run(Deployment(("consent",), **SMALL, consent="honoured"))
    # the oversight stage receives the model trained as the consent stage allows
    np.testing.assert_array_equal(results["oversight"].scores, consent_only.scores)
    assert float(results["oversight"].consequences.overall["caught"].iloc[0]) == 0.0
    assert results["release"].release.k_target == 5


@pytest.mark.parametrize("moved_stage", ["oversight", NAMES[-1]])
def test_a_later_stages_lever_does_not_rerun_an_earlier_stage(moved_stage):
    """Lesson 07 holds every stage: moving one stage's lever reuses every earlier
    stage's run (the same cached objects), and each result still holds the whole
    deployment."""
    whole = Deployment(tuple(NAMES), **SMALL)
    spec = get_stage(moved_stage).lever_specs[0]
    moved = whole.replace(**{spec.name: _other(spec)})
    first = run_all(whole, with_baseline=False)
    again = run_all(moved, with_baseline=False)
    earlier = ["triage", *(n for n in NAMES if get_stage(n).order < get_stage(moved_stage).order)]
    for name in earlier:
        assert again[name].consequences is first[name].consequences, name
        assert again[name].settings == moved, name
    assert first[moved_stage] is not again[moved_stage]
