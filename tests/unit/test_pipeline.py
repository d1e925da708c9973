"""Tests of teachkit.pipeline: Settings, flagging policies and simulate()."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from teachkit import models
from teachkit._validation import PARAM_MESSAGE, Interval, Options, TeachkitError
from teachkit.cohort import COHORT_SETTINGS, make_cohort
from teachkit.consequences import GROUP_ATTRIBUTES, PER_1000_COLUMNS
from teachkit.levers import REGISTRY
from teachkit.models import cross_fitted_scores
from teachkit.pipeline import (
    DEFAULT_COHORT,
    RunResult,
    Settings,
    flag_patients,
    lesson_cohort,
    simulate,
)


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return make_cohort(3_999, seed=5, setting="specialty")


def _message(name, value, allowed):
    return PARAM_MESSAGE.format(name=name, caller="Settings", allowed=allowed, value=value)


# --- Settings ---------------------------------------------------------------------------


def test_default_settings_are_the_lessons_baseline():
    s = Settings()
    assert (s.n, s.seed, s.setting) == (DEFAULT_COHORT["n"], DEFAULT_COHORT["seed"],
                                        DEFAULT_COHORT["setting"])
    assert DEFAULT_COHORT == {"n": 60_000, "seed": 2024, "setting": "primary_care"}
    for spec in Settings.lever_specs():
        assert getattr(s, spec.name) == spec.rest
    assert {spec.name for spec in Settings.lever_specs()} >= {"model", "label", "mitigation"}
    assert s.changed_levers() == {}
    assert s.at_rest() == s


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("n", 50, Interval(100, 5_000_000, kind="int").describe()),
        ("n", 1000.0, Interval(100, 5_000_000, kind="int").describe()),
        ("n", 10_000_000, Interval(100, 5_000_000, kind="int").describe()),
        ("seed", -1, Interval(0, 2**32 - 1, kind="int").describe()),
        ("seed", "x", Interval(0, 2**32 - 1, kind="int").describe()),
        ("setting", "hospital", Options(COHORT_SETTINGS).describe()),
        ("model", "forest", Options(("rule", "logistic", "boosting", "records")).describe()),
        ("policy", "lottery", Options(("threshold", "capacity")).describe()),
        ("threshold", 2, Interval(0.001, 0.2).describe()),
        ("threshold", 0.0, Interval(0.001, 0.2).describe()),
        ("threshold", "5%", Interval(0.001, 0.2).describe()),
        ("capacity", 0.6, Interval(0.01, 0.5).describe()),
        ("capacity", None, Interval(0.01, 0.5).describe()),
    ],
)
def test_settings_refuse_bad_values_with_the_standard_message(field, value, allowed):
    with pytest.raises(TeachkitError) as info:
        Settings(**{field: value})
    assert str(info.value) == _message(field, value, allowed)


def test_threshold_message_exact_text():
    with pytest.raises(TeachkitError) as info:
        Settings(threshold=2)
    assert str(info.value) == ("The 'threshold' parameter of Settings must be a float in "
                               "the range [0.001, 0.2]. Got 2 instead.")


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().threshold = 0.2


def test_replace_returns_a_validated_copy():
    s = Settings(model="logistic")
    t = s.replace(threshold=0.1)
    assert t.threshold == 0.1 and t.model == "logistic"
    assert s.threshold == REGISTRY["threshold"].rest  # unchanged
    with pytest.raises(TeachkitError) as info:
        s.replace(threshold=0.9)
    assert str(info.value) == _message("threshold", 0.9, Interval(0.001, 0.2).describe())


def test_at_rest_resets_levers_and_keeps_the_cohort():
    s = Settings(n=500, seed=3, setting="general", model="boosting", policy="capacity",
                 threshold=0.2, capacity=0.3)
    rest = s.at_rest()
    assert (rest.n, rest.seed, rest.setting) == (500, 3, "general")
    assert rest == Settings(n=500, seed=3, setting="general")


def test_changed_levers_lists_only_the_moved_levers():
    s = Settings(model="logistic", threshold=0.1, seed=7)
    assert s.changed_levers() == {"model": "logistic", "threshold": 0.1}
    assert Settings(seed=7).changed_levers() == {}


def test_uses_threshold():
    assert not Settings().uses_threshold  # the rule has its own cut-off
    assert Settings(model="logistic").uses_threshold
    assert not Settings(model="logistic", policy="capacity").uses_threshold


def test_lever_specs_follow_the_field_order():
    names = [spec.name for spec in Settings.lever_specs()]
    fields = [f.name for f in dataclasses.fields(Settings) if f.name in REGISTRY]
    assert names == fields == ["model", "policy", "threshold", "capacity", "label",
                               "access_gap", "undersample", "underreport", "self_harm_unrecorded",
                               "mitigation"]


# --- simulate ---------------------------------------------------------------------------


def _stacked(frame, column):
    return np.concatenate([frame.overall[column].to_numpy(),
                           frame.by_group[column].to_numpy()])


def test_at_rest_the_change_is_zero_everywhere(cohort):
    result = simulate(Settings(), cohort=cohort)
    assert isinstance(result, RunResult)
    assert result.baseline is result.consequences
    change = result.versus_baseline()
    present = np.concatenate([result.consequences.overall["patients"].to_numpy(),
                              result.consequences.by_group["patients"].to_numpy()]) > 0
    assert len(change) == len(present)
    assert (change.to_numpy()[present] == 0).all()
    assert result.sentence().startswith("No change against the usual rule.")


def test_a_moved_lever_changes_something(cohort):
    result = simulate(Settings(model="logistic", threshold=0.1), cohort=cohort)
    change = result.versus_baseline()
    assert (change["flagged"].abs() > 0).any()
    assert result.sentence().startswith("Compared with the usual rule")


def test_baseline_is_the_run_at_rest(cohort):
    settings = Settings(model="logistic", policy="capacity", capacity=0.2)
    result = simulate(settings, cohort=cohort)
    rest = simulate(settings.at_rest(), cohort=cohort, with_baseline=False)
    pd.testing.assert_frame_equal(result.baseline.overall, rest.consequences.overall)
    pd.testing.assert_frame_equal(result.baseline.by_group, rest.consequences.by_group)


def test_without_baseline_there_is_nothing_to_compare(cohort):
    result = simulate(Settings(model="logistic"), cohort=cohort, with_baseline=False)
    assert result.baseline is None
    with pytest.raises(ValueError, match="no baseline"):
        result.versus_baseline()
    assert result.sentence().startswith("Out of every 1,000 patients")


def test_simulate_refuses_other_settings_objects(cohort):
    with pytest.raises(TypeError, match="Settings"):
        simulate({"model": "logistic"}, cohort=cohort)


def test_simulate_uses_the_settings_cohort_when_none_is_given():
    s = Settings(n=600, seed=4, setting="general")
    result = simulate(s)
    assert len(result.flagged) == 600
    assert lesson_cohort(600, 4, "general") is lesson_cohort(600, 4, "general")
    expected = make_cohort(600, seed=4, setting="general")
    np.testing.assert_array_equal(
        result.flagged, ((expected["phq9_total"] >= 10) | (expected["phq9"] > 0)))


def test_simulate_is_deterministic(cohort):
    s = Settings(model="boosting", policy="capacity", capacity=0.07)
    a, b = simulate(s, cohort=cohort), simulate(s, cohort=cohort)
    np.testing.assert_array_equal(a.flagged, b.flagged)
    pd.testing.assert_frame_equal(a.consequences.by_group, b.consequences.by_group)


def test_scores_are_the_cross_fitted_scores(cohort):
    s = Settings(model="logistic", seed=9)
    result = simulate(s, cohort=cohort)
    np.testing.assert_array_equal(result.scores,
                                  cross_fitted_scores(cohort, "logistic", seed=9))


def test_simulate_does_not_change_the_cohort(cohort):
    before = cohort.copy()
    simulate(Settings(model="logistic", policy="capacity"), cohort=cohort)
    pd.testing.assert_frame_equal(cohort, before)


def test_a_threshold_change_does_not_retrain(cohort, monkeypatch):
    fits = []
    real = models.make_model
    monkeypatch.setattr(models, "make_model", lambda *a, **k: fits.append(a) or real(*a, **k))
    fresh = make_cohort(2_000, seed=77, setting="specialty")  # never scored before
    simulate(Settings(model="logistic", threshold=0.05, seed=77), cohort=fresh)
    assert len(fits) == 2  # one model per fold: the counter counts
    for threshold in (0.01, 0.02, 0.1, 0.15, 0.2):
        simulate(Settings(model="logistic", threshold=threshold, seed=77), cohort=fresh)
        simulate(Settings(model="logistic", policy="capacity", capacity=threshold,
                          seed=77), cohort=fresh)
    assert len(fits) == 2


def test_the_rule_ignores_the_threshold(cohort):
    a = simulate(Settings(), cohort=cohort)
    b = simulate(Settings(threshold=0.15), cohort=cohort)
    np.testing.assert_array_equal(a.flagged, b.flagged)


@pytest.mark.parametrize("model", ["rule", "logistic"])
@pytest.mark.parametrize("capacity", [0.01, 0.05, 0.1234, 0.25, 0.5])
def test_capacity_policy_flags_exactly_round_capacity_times_n(cohort, model, capacity):
    result = simulate(Settings(model=model, policy="capacity", capacity=capacity),
                      cohort=cohort, with_baseline=False)
    assert result.flagged.sum() == round(capacity * len(cohort))
    # the highest scores fill the capacity first (ties broken at random, at equal score)
    assert result.scores[result.flagged].min() >= result.scores[~result.flagged].max()


def test_capacity_tie_break_depends_on_the_seed_only(cohort):
    """The rule's scores tie a lot; the tie-break is fixed by the seed."""
    s = Settings(policy="capacity", capacity=0.1234)
    scores = cross_fitted_scores(cohort, "rule")
    a = flag_patients(scores, s, cohort)
    np.testing.assert_array_equal(a, flag_patients(scores, s, cohort))
    b = flag_patients(scores, s.replace(seed=1), cohort)
    assert a.sum() == b.sum() and not np.array_equal(a, b)


def test_a_lower_threshold_flags_more_and_catches_no_fewer(cohort):
    previous = None
    for threshold in (0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001):
        result = simulate(Settings(model="logistic", threshold=threshold), cohort=cohort,
                          with_baseline=False)
        overall = result.consequences.overall.iloc[0]
        if previous is not None:
            flags, row = previous
            assert (result.flagged | flags).sum() == result.flagged.sum()  # a superset
            assert overall["flagged"] >= row["flagged"]
            assert overall["caught"] >= row["caught"]
            assert overall["missed"] <= row["missed"]
        previous = (result.flagged, overall)
    assert previous[1]["flagged"] > 500  # the range of thresholds really moves the flags


def test_per_1000_figures_recomputed_from_the_patients(cohort):
    result = simulate(Settings(model="logistic", threshold=0.08), cohort=cohort)
    frame = result.consequences
    y = cohort["crisis"].to_numpy()
    f = result.flagged
    n = len(cohort)
    overall = frame.overall.iloc[0]
    assert overall["patients"] == n
    assert overall["flagged"] == pytest.approx(1000 * f.sum() / n)
    assert overall["crises"] == pytest.approx(1000 * y.sum() / n)
    assert overall["caught"] == pytest.approx(1000 * (y & f).sum() / n)
    assert overall["missed"] == pytest.approx(1000 * (y & ~f).sum() / n)
    assert overall["needless"] == pytest.approx(1000 * (~y & f).sum() / n)
    for attribute in GROUP_ATTRIBUTES:
        for level, rows in cohort.groupby(attribute, observed=True).groups.items():
            idx = cohort.index.get_indexer(rows)
            got = frame.by_group.loc[(attribute, level)]
            assert got["patients"] == len(idx)
            assert got["caught"] == pytest.approx(1000 * (y[idx] & f[idx]).sum() / len(idx))
            assert got["needless"] == pytest.approx(
                1000 * (~y[idx] & f[idx]).sum() / len(idx))


def test_per_1000_identities_overall_and_by_group(cohort):
    frame = simulate(Settings(model="boosting", policy="capacity", capacity=0.15),
                     cohort=cohort).consequences
    for table in (frame.overall, frame.by_group.dropna()):
        np.testing.assert_allclose(table["caught"] + table["missed"], table["crises"])
        np.testing.assert_allclose(table["caught"] + table["needless"], table["flagged"])


def test_overall_is_the_patient_weighted_mean_of_the_groups(cohort):
    frame = simulate(Settings(model="logistic", threshold=0.05), cohort=cohort).consequences
    for attribute in GROUP_ATTRIBUTES:
        groups = frame.by_group.loc[attribute]
        weights = groups["patients"]
        assert weights.sum() == len(cohort)
        for column in PER_1000_COLUMNS:
            values = groups[column].fillna(0)
            mean = (values * weights).sum() / weights.sum()
            assert mean == pytest.approx(frame.overall[column].iloc[0]), (attribute, column)


def test_every_group_level_is_reported(cohort):
    frame = simulate(Settings(), cohort=cohort).consequences
    for attribute in GROUP_ATTRIBUTES:
        levels = list(cohort[attribute].cat.categories)
        assert list(frame.by_group.loc[attribute].index) == levels
