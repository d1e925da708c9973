"""Tests of teachkit.consequences.ConsequenceFrame: counts, metrics against fairlearn,
the baseline and the sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from teachkit import text
from teachkit.cohort import make_cohort
from teachkit.consequences import GROUP_ATTRIBUTES, ConsequenceFrame
from teachkit.pipeline import Settings, simulate


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    # a small cohort at a high rate (6 %, A): every group has crises, so every AUC exists
    return make_cohort(4_000, seed=13, setting="specialty", crisis_rate=0.06)


@pytest.fixture(scope="module")
def model_run(cohort):
    return simulate(Settings(model="logistic", threshold=0.08), cohort=cohort)


@pytest.fixture(scope="module")
def rule_run(cohort):
    return simulate(Settings(), cohort=cohort)


SMALL_Y = [True, True, False, False, False, False]
SMALL_FLAGS = [True, False, True, False, False, False]


@pytest.mark.parametrize("kind", ["list", "ndarray", "Series"])
def test_inputs_may_be_lists_arrays_or_series(kind):
    convert = {"list": list, "ndarray": np.asarray, "Series": pd.Series}[kind]
    groups = pd.DataFrame({"sex": pd.Categorical(["female", "male"] * 3)})
    frame = ConsequenceFrame(convert(SMALL_Y), convert(SMALL_FLAGS),
                             convert(list(np.linspace(1, 0, 6))), groups)
    assert frame.overall[["caught", "missed", "needless"]].round(1).values.tolist() == \
        [[166.7, 166.7, 166.7]]
    female = frame.by_group.loc[("sex", "female")]
    # female patients: rows 0, 2, 4 -> crisis caught, needless flag, nothing
    assert female["patients"] == 3
    assert female[["flagged", "crises", "caught", "missed", "needless"]].tolist() == \
        pytest.approx([2000 / 3, 1000 / 3, 1000 / 3, 0, 1000 / 3])


def test_lengths_must_agree():
    groups = pd.DataFrame({"sex": ["female"] * 6})
    with pytest.raises(ValueError) as info:
        ConsequenceFrame(SMALL_Y, SMALL_FLAGS[:5], np.zeros(6), groups)
    assert str(info.value) == ("y_true, flagged, scores and groups must describe the same "
                               "patients; got lengths 6, 5, 6, 6.")


def test_views_are_dataframes_with_stable_indexes(model_run):
    frame = model_run.consequences
    assert isinstance(frame.overall, pd.DataFrame)
    assert isinstance(frame.by_group, pd.DataFrame)
    assert list(frame.overall.index) == ["all patients"]
    assert frame.by_group.index.names == ["attribute", "group"]
    assert list(dict.fromkeys(frame.by_group.index.get_level_values(0))) == \
        list(GROUP_ATTRIBUTES)
    assert list(frame.overall.columns) == ["patients", "flagged", "crises", "caught",
                                           "missed", "needless"]


def test_a_group_without_patients_gives_nan_not_zero():
    groups = pd.DataFrame({"sex": pd.Categorical(["female"] * 6,
                                                 categories=["female", "male"])})
    frame = ConsequenceFrame(SMALL_Y, SMALL_FLAGS, np.linspace(1, 0, 6), groups)
    male = frame.by_group.loc[("sex", "male")]
    assert male["patients"] == 0
    assert male[["flagged", "crises", "caught", "missed", "needless"]].isna().all()


def test_plain_columns_are_grouped_in_sorted_order():
    groups = pd.DataFrame({"language": ["b", "a", "b", "a", "c", "c"]})
    frame = ConsequenceFrame(SMALL_Y, SMALL_FLAGS, np.zeros(6), groups)
    assert list(frame.by_group.loc["language"].index) == ["a", "b", "c"]


# --- metrics against fairlearn ------------------------------------------------------------


@pytest.mark.parametrize("run", ["model_run", "rule_run"])
def test_metrics_equal_fairlearn_metricframe(request, run):
    frame = request.getfixturevalue(run).consequences
    metrics = frame.metrics
    frames = frame.metric_frames
    assert set(frames) == set(GROUP_ATTRIBUTES)
    for attribute, mf in frames.items():
        by_group = mf.by_group
        for level in by_group.index:
            ours = metrics.loc[(attribute, level)]
            theirs = by_group.loc[level]
            for column in ("AUC", "sensitivity", "PPV", "calibration"):
                a, b = float(ours[column]), float(theirs[column])
                if np.isnan(b):
                    assert np.isnan(a), (attribute, level, column)
                else:
                    assert a == pytest.approx(b, abs=1e-9, rel=0), (attribute, level, column)
        overall = metrics.loc[("all", "all patients")]
        for column in ("AUC", "sensitivity", "PPV", "calibration"):
            a, b = float(overall[column]), float(mf.overall[column])
            assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, abs=1e-9, rel=0)


def test_metrics_against_direct_computation(model_run, cohort):
    from sklearn.metrics import precision_score, recall_score, roc_auc_score

    y = cohort["crisis"].to_numpy()
    overall = model_run.consequences.metrics.loc[("all", "all patients")]
    assert overall["AUC"] == pytest.approx(roc_auc_score(y, model_run.scores), abs=1e-12)
    assert overall["sensitivity"] == pytest.approx(recall_score(y, model_run.flagged))
    assert overall["PPV"] == pytest.approx(precision_score(y, model_run.flagged))
    assert overall["calibration"] == pytest.approx(y.mean() / model_run.scores.mean())
    # cross-fitted logistic regression is roughly calibrated overall
    assert 0.8 < overall["calibration"] < 1.25


def test_calibration_is_nan_for_the_rule(rule_run):
    metrics = rule_run.consequences.metrics
    assert metrics["calibration"].isna().all()
    assert metrics["AUC"].notna().all()
    for mf in rule_run.consequences.metric_frames.values():
        assert mf.by_group["calibration"].isna().all()


def test_metrics_are_computed_once(model_run):
    frame = model_run.consequences
    assert frame.metrics is frame.metrics
    assert frame.metric_frames is frame.metric_frames


def test_a_group_without_crises_has_no_auc_or_sensitivity():
    y = np.array([0, 0, 0, 1, 1, 0], dtype=bool)
    groups = pd.DataFrame({"sex": ["a", "a", "a", "b", "b", "b"]})
    frame = ConsequenceFrame(y, SMALL_FLAGS, np.linspace(0, 1, 6), groups)
    row = frame.metrics.loc[("sex", "a")]
    assert np.isnan(row["AUC"]) and np.isnan(row["sensitivity"])
    assert row["PPV"] == 0.0


# --- baseline, worst group, sentence --------------------------------------------------------


def test_versus_baseline_subtracts_the_baseline(model_run):
    frame = model_run.consequences
    change = frame.versus_baseline()
    expected = frame.overall["caught"].iloc[0] - frame.baseline.overall["caught"].iloc[0]
    assert change.loc[("all", "all patients"), "caught"] == pytest.approx(expected)
    by = frame.by_group["missed"] - frame.baseline.by_group["missed"]
    np.testing.assert_allclose(change["missed"].iloc[1:].to_numpy(), by.to_numpy())


def test_worst_group(model_run):
    frame = model_run.consequences
    group, value = frame.worst_group("ethnicity", "missed")
    missed = frame.by_group.loc["ethnicity", "missed"]
    assert value == missed.max() and group == missed.idxmax()


def test_sentence_mentions_the_right_numbers(model_run):
    frame = model_run.consequences
    now, before = frame.overall.iloc[0], frame.baseline.overall.iloc[0]
    sentence = frame.sentence()
    assert sentence.startswith("Compared with the usual rule, out of every 1,000 patients")
    assert f"({text.per_1000(now['caught'])} of {text.per_1000(now['crises'])})" in sentence
    assert f"{text.per_1000(now['flagged'])} are flagged" in sentence
    assert f"(the usual rule: {text.per_1000(before['flagged'])})" in sentence
    delta = now["needless"] - before["needless"]
    word = "more" if delta > 0 else "fewer"
    assert f"{text.per_1000(abs(delta))} {word} needless escalations" in sentence
    assert frame.sentence(baseline_name="last year's set-up").startswith(
        "Compared with last year's set-up")


def test_sentence_without_baseline_describes_the_run(cohort):
    run = simulate(Settings(model="logistic"), cohort=cohort, with_baseline=False)
    now = run.consequences.overall.iloc[0]
    assert run.sentence() == text.describe_run(now)
    assert f"{text.per_1000(now['missed'])} are missed" in run.sentence()


def test_the_baseline_is_set_at_construction_and_with_baseline_copies():
    y = np.array([1, 0, 1, 0], dtype=bool)
    groups = pd.DataFrame({"sex": pd.Categorical(["female", "male"] * 2)})
    before = ConsequenceFrame(y, np.array([1, 0, 0, 0], dtype=bool), np.ones(4), groups)
    now = ConsequenceFrame(y, np.array([1, 0, 1, 0], dtype=bool), np.ones(4), groups)
    compared = now.with_baseline(before)
    assert now.baseline is None and compared.baseline is before
    assert compared.overall.equals(now.overall)
    assert compared.versus_baseline().loc[("all", "all patients"), "caught"] == 250.0
    itself = ConsequenceFrame(y, y, np.ones(4), groups, baseline="self")
    assert itself.baseline is itself
    with pytest.raises(AttributeError):
        now.baseline = before
    with pytest.raises(TypeError, match="baseline must be a ConsequenceFrame"):
        ConsequenceFrame(y, y, np.ones(4), groups, baseline="usual")
