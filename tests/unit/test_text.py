"""Tests of teachkit.text: per-1,000 formatting and the plain-language sentences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from teachkit.text import (
    SYNTHETIC_NOTICE,
    describe_change,
    describe_run,
    describe_unchanged,
    per_1000,
    whole_counts,
)

BEFORE = {"flagged": 187.0, "crises": 20.0, "caught": 14.0, "missed": 6.0, "needless": 173.0}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4.26, "4"),
        (8.7, "9"),
        (8.5, "9"),      # halves round up (people), not to even
        (2.5, "3"),
        (187.4, "187"),
        (187.6, "188"),
        (0.0, "0"),
        (0, "0"),
        (0.25, "under 1"),  # a rare harm does not read as none
        (-0.25, "under 1"),
        (9.94, "10"),
        (999.9, "1,000"),
        (1234.0, "1,234"),
        (-4.26, "-4"),
        (-187.4, "-187"),
        (np.float64(3.14159), "3"),
        (float("nan"), "–"),
        (np.nan, "–"),
        (None, "–"),
    ],
)
def test_per_1000(value, expected):
    assert per_1000(value) == expected


def test_whole_counts_add_up():
    """Caught + missed = crises and caught + needless = flagged, in whole people, even
    when each rounded alone would not add up (10.4 + 8.3 = 18.7: 10 + 8 against 19), and
    the crises stay the crises rounded (they do not move with the levers)."""
    row = {"flagged": 181.0, "crises": 18.7, "caught": 10.4, "missed": 8.3,
           "needless": 170.6}
    counts = whole_counts(row)
    assert counts == {"flagged": 181, "crises": 19, "caught": 10, "missed": 9,
                      "needless": 171}
    assert counts["caught"] + counts["missed"] == counts["crises"]
    assert counts["caught"] + counts["needless"] == counts["flagged"]
    other = whole_counts(dict(row, caught=9.6, missed=9.1, needless=171.4))
    assert other["crises"] == counts["crises"]


def test_whole_counts_round_a_total_alone_when_it_is_not_a_sum():
    row = {"flagged": 50.0, "crises": 30.4, "caught": 10.4, "missed": 8.3,
           "needless": 39.6}
    assert whole_counts(row) == {"flagged": 50, "crises": 30, "caught": 10, "missed": 8,
                                 "needless": 40}


def test_describe_run_text():
    assert describe_run(BEFORE) == (
        "Out of every 1,000 patients, 187 are flagged for urgent follow-up. Of the 20 who "
        "will have a crisis in the next year, 14 are caught and 6 are missed. 173 "
        "flagged patients will not have a crisis (needless escalations)."
    )


def test_describe_run_numbers_add_up():
    row = {"flagged": 179.1, "crises": 19.1, "caught": 10.4, "missed": 8.7,
           "needless": 168.7}
    assert "Of the 19 who will have a crisis in the next year, 10 are caught and 9 " \
           "are missed. 169 flagged" in describe_run(row)


def test_describe_change_text():
    now = dict(BEFORE, flagged=120.0, caught=15.4, missed=4.6, needless=104.6)
    assert describe_change(now, BEFORE) == (
        "Compared with the usual rule, out of every 1,000 patients: 1 more crisis caught "
        "(15 of 20), 1 fewer crisis missed, and 68 fewer needless escalations. 120 are "
        "flagged (the usual rule: 187)."
    )


def test_describe_change_names_the_baseline():
    now = dict(BEFORE, flagged=250.0, caught=11.0, missed=9.0, needless=239.0)
    sentence = describe_change(now, BEFORE, baseline_name="the current clinic")
    assert sentence.startswith("Compared with the current clinic, out of every 1,000")
    assert "3 fewer crises caught (11 of 20)" in sentence
    assert "3 more crises missed" in sentence
    assert "66 more needless escalations" in sentence
    assert sentence.endswith("250 are flagged (the current clinic: 187).")


def test_no_change_says_so():
    sentence = describe_change(dict(BEFORE), BEFORE)
    assert sentence == "No change against the usual rule. " + describe_run(BEFORE)


@pytest.mark.parametrize(("now", "opener"), [
    (dict(BEFORE), "No change against {b}."),
    (dict(BEFORE, caught=14.2, missed=5.8, flagged=187.2),
     "Less than 1 in 1,000 patients changes against {b}."),
    (dict(BEFORE, flagged=187.4, needless=173.4),
     "Less than 1 in 1,000 patients changes against {b}."),
])
def test_every_lesson_opens_an_unchanged_run_with_one_sentence(now, opener):
    # lessons 01-03, 05-06 (describe_change) and lesson 04 (describe_oversight) say the
    # same words for the same rows: a change under one person is said, never "No change"
    from teachkit.oversight.sentences import describe_oversight

    expected = opener.format(b="the model acting alone")
    assert describe_unchanged(now, BEFORE, baseline_name="the model acting alone") \
        == expected
    assert describe_change(now, BEFORE, baseline_name="the model acting alone") \
        .startswith(expected + " Out of every 1,000 patients, ")
    decided = {"human": 50.0, "model": 0.0, "nobody": 10.0}
    assert describe_oversight(now, BEFORE, decided, baseline_name="the model acting alone") \
        .startswith(expected + " Out of every 1,000 patients, 14 of the 20 crises")


def test_a_visible_change_has_no_unchanged_sentence():
    now = dict(BEFORE, flagged=188.0, needless=174.0)
    assert describe_unchanged(now, BEFORE, baseline_name="x") is None
    assert describe_change(now, BEFORE, baseline_name="x").startswith("Compared with x")


def test_a_change_under_half_a_person_reads_as_the_same_number():
    now = dict(BEFORE, caught=14.2, missed=5.8, needless=173.0, flagged=187.2)
    assert describe_change(now, BEFORE).startswith(
        "Less than 1 in 1,000 patients changes against the usual rule. Out of every 1,000")
    now = dict(BEFORE, flagged=190.5, needless=176.5)
    sentence = describe_change(now, BEFORE)
    assert "the same number of crises caught" in sentence
    assert "the same number of crises missed" in sentence
    assert "4 more needless escalations" in sentence


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
