"""Tests of teachkit.text: per-1,000 formatting and the plain-language sentences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from teachkit.text import SYNTHETIC_NOTICE, describe_change, describe_run, per_1000

BEFORE = {"flagged": 187.0, "crises": 20.0, "caught": 14.0, "missed": 6.5, "needless": 173.0}
# Whole numbers below 10 are left out on purpose: the docstrings of describe_run ("6") and
# describe_change ("1.0") disagree on them (see tests/test_doctests.py, KNOWN_BUGS).


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4.26, "4.3"),
        (187.4, "187"),
        (187.6, "188"),
        (0.0, "0"),
        (0, "0"),
        (0.25, "0.2"),   # one decimal below 10 (round half to even on the binary value)
        (9.94, "9.9"),
        (10.0, "10"),
        (12.0, "12"),
        (999.9, "1000"),
        (-4.26, "-4.3"),
        (-187.4, "-187"),
        (np.float64(3.14159), "3.1"),
        (float("nan"), "–"),
        (np.nan, "–"),
        (None, "–"),
    ],
)
def test_per_1000(value, expected):
    assert per_1000(value) == expected


def test_describe_run_text():
    assert describe_run(BEFORE) == (
        "Out of every 1,000 patients, 187 are flagged for urgent follow-up. Of the 20 who "
        "will have a crisis in the next year, 14 are caught and 6.5 are missed. 173 "
        "flagged patients will not have a crisis (needless escalations)."
    )


def test_describe_change_text():
    now = dict(BEFORE, flagged=120.0, caught=15.5, missed=5.0, needless=104.5)
    assert describe_change(now, BEFORE) == (
        "Compared with the usual rule, out of every 1,000 patients: 1.5 more crises caught "
        "(16 of 20), 1.5 fewer crises missed, and 68 fewer needless escalations. 120 are "
        "flagged (the usual rule: 187)."
    )


def test_describe_change_names_the_baseline():
    now = dict(BEFORE, flagged=250.0, caught=11.5, missed=9.0, needless=238.5)
    sentence = describe_change(now, BEFORE, baseline_name="the current clinic")
    assert sentence.startswith("Compared with the current clinic, out of every 1,000")
    assert "2.5 fewer crises caught (12 of 20)" in sentence
    assert "2.5 more crises missed" in sentence
    assert "66 more needless escalations" in sentence
    assert sentence.endswith("250 are flagged (the current clinic: 187).")


def test_no_change_says_so():
    sentence = describe_change(dict(BEFORE), BEFORE)
    assert sentence == "No change against the usual rule. " + describe_run(BEFORE)


def test_a_tiny_change_reads_as_the_same_number():
    now = dict(BEFORE, caught=14.02, missed=6.48, needless=173.0, flagged=187.02)
    assert describe_change(now, BEFORE).startswith("No change")
    now = dict(BEFORE, flagged=190.5, needless=176.5)
    sentence = describe_change(now, BEFORE)
    assert "the same number of crises caught" in sentence
    assert "the same number of crises missed" in sentence
    assert "3.5 more needless escalations" in sentence


def test_describe_cohort_counts():
    from teachkit.cohort import make_cohort
    from teachkit.text import describe_cohort

    cohort = make_cohort(2_000, seed=3, setting="specialty")
    depressed = int((cohort["phq9_total"] >= 10).sum())
    crises = int(cohort["crisis"].sum())
    sentence = describe_cohort(cohort)
    assert sentence.startswith("2,000 synthetic patients (specialty mental-health care). ")
    assert f"{depressed:,} ({100 * depressed / 2000:.1f} %) score 10 or more" in sentence
    assert f"{crises:,} ({100 * crises / 2000:.1f} %) will have a crisis" in sentence


def test_nan_figures_read_as_a_dash():
    row = dict(BEFORE, crises=math.nan)
    assert "Of the – who" in describe_run(row)


def test_synthetic_notice():
    assert "synthetic" in SYNTHETIC_NOTICE
    assert "No real person" in SYNTHETIC_NOTICE
