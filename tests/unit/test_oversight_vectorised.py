"""Lesson 04/05's review queue on a lever value's first visit, made faster, gives the same
numbers: the oversight stage's tables by group (bincount tallies against the one-hot
matrix product they replaced, kept here as the reference, on several seeds and set-ups,
and on records with a missing group and plain columns), and lesson 05's opt-out chances
(against the per-patient loop they replaced)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from teachkit.consequences import GROUP_ATTRIBUTES
from teachkit.levers.explain import DISCOMFORT_BY_AGE, DISCOMFORT_SEX_FACTOR, discomfort
from teachkit.oversight import OversightSettings, run_oversight
from teachkit.oversight.deployment import HUMAN, MODEL, _group_sums


def dense_sums(columns, records):
    """The former computation: a patients x groups 0/1 matrix, a first column for all
    patients, and one matrix product."""
    groups = records[[a for a in GROUP_ATTRIBUTES if a in records.columns]]
    blocks, keys = [np.ones((len(groups), 1))], [("all", "all patients")]
    for attribute in groups.columns:
        cat = groups[attribute].astype("category")
        levels = list(cat.cat.categories)
        codes = cat.cat.codes.to_numpy()
        blocks.append((codes[:, None] == np.arange(len(levels))[None, :]).astype(float))
        keys += [(attribute, g) for g in levels]
    onehot = np.hstack(blocks)
    return onehot.T @ np.asarray(columns, dtype=float), onehot.sum(axis=0), keys


def decision_columns(result):
    d, y = result.deployment, result.records["crisis"].to_numpy(dtype=bool)
    return np.column_stack([d.reviewed, d.decided_by == HUMAN, d.decided_by == MODEL,
                            d.overflow, d.escalated, y & d.acted, d.reviewed & ~d.ai_right])


@pytest.mark.parametrize("seed", [3, 11, 2024])
@pytest.mark.parametrize("changes", [{}, {"escalation": "item9", "review_capacity": 3},
                                     {"oversight": "model_alone", "flag_tier": "top_5"}])
def test_group_sums_equal_the_matrix_product(seed, changes):
    result = run_oversight(OversightSettings(n=3000, seed=seed, model="logistic",
                                             **changes), with_baseline=False)
    columns = decision_columns(result)
    sums, patients, index = _group_sums(columns, result.records)
    want_sums, want_patients, keys = dense_sums(columns, result.records)
    assert list(index) == keys
    assert np.array_equal(sums, want_sums) and np.array_equal(patients, want_patients)
    assert sums.sum() > 0  # the set-ups give cases to count
    table = result.decisions
    assert table["patients"].tolist() == want_patients.astype(int).tolist()
    with np.errstate(invalid="ignore", divide="ignore"):
        reviewed = 1000 * want_sums[:, 0] / np.maximum(want_patients, 1)
    assert np.array_equal(table["reviewed"].to_numpy(), reviewed)


def test_group_sums_skip_a_missing_group_and_take_plain_columns():
    records = pd.DataFrame({"sex": ["female", "male", None, "male"],
                            "ethnicity": pd.Categorical(["A", "B", "B", "A"])})
    columns = np.array([[True, False], [True, True], [False, True], [True, True]])
    sums, patients, index = _group_sums(columns, records)
    want_sums, want_patients, keys = dense_sums(columns, records)
    assert list(index) == keys
    assert np.array_equal(sums, want_sums) and np.array_equal(patients, want_patients)
    assert patients.tolist() == [4, 1, 2, 2, 2]  # the patient without a sex: all only


@pytest.mark.parametrize("seed", [0, 7])
def test_opt_out_chances_equal_the_per_patient_loop(seed):
    from teachkit.cohort import make_cohort

    cohort = make_cohort(5_000, seed=seed)
    sex = cohort["sex"].astype(str).to_numpy()
    sex[:3] = ["other", "", "female"]  # a value with no factor keeps the base chance
    ages, shares = zip(*DISCOMFORT_BY_AGE)
    base = np.interp(cohort["age"].to_numpy(dtype=float), ages, shares)
    factor = np.array([DISCOMFORT_SEX_FACTOR.get(str(s), 1.0) for s in sex])
    want = np.clip(base * factor, 0.0, 1.0)
    got = discomfort(cohort["age"].to_numpy(), sex)
    assert np.array_equal(got, want)
    assert len(set(np.round(got / base, 6))) == 3  # female, male, and neither
