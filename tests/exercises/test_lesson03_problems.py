"""Lesson 03's exercises: the known answers that test_exercise_problems.py judges (right, wrong,
unattempted) for every problem, common mistakes named, the consent filter judged on
the grader's fresh inputs.

The known-right answers are computed here, in tests/, never in the package.
``right_03`` and ``wrong_03`` have the shape of ``test_exercise_problems.RIGHT`` entries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _known import computed_once

from teachkit.consent import ConsentSettings, consent_masks, run_consent
from teachkit.exercises import lesson03
from teachkit.exercises._plain import call_answer
from teachkit.exercises._problem import INCORRECT, NOT_ATTEMPTED, PASSED
from teachkit.pipeline import lesson_cohort


def consent_filter(records, design):
    if design == "opt_in":
        keep = [a == "yes" for a in records["answer"]]
    else:
        keep = [a != "no" for a in records["answer"]]
    return records[np.array(keep, dtype=bool)]


def _k(frame, columns):
    return frame.groupby(columns, observed=True).size().min()


@computed_once
def right_03():
    cohort = lesson_cohort()
    refused = ~cohort["consent_model_training"]
    agreed = consent_masks(cohort, design="opt_in")["training"].to_numpy()
    crisis = cohort["crisis"].to_numpy()
    decades = cohort[["zip3"]].assign(decade=cohort["birth_year"] // 10 * 10)

    def k_band(width):
        return _k(cohort[["zip3"]].assign(band=(cohort["birth_year"].astype(int) - 1930)
                                          // width), ["zip3", "band"])

    model = run_consent(ConsentSettings(model="logistic", consent="honoured",
                                        consent_design="opt_in"))
    young = (cohort["age"] < 60).to_numpy()
    return {
        "used_without_consent": int(refused.sum()),
        "consent_filter": consent_filter,
        "crisis_gap_opt_in": 1000 * (crisis[agreed].mean() - crisis.mean()),
        "k_decade": _k(decades, ["zip3", "decade"]),
        "smallest_band": next(w for w in range(1, 61) if k_band(w) >= 11),
        "calibration_under60": crisis[young].mean() / model.scores[young].mean(),
    }


def wrong_03():
    right = right_03()
    return {
        "used_without_consent": right["used_without_consent"] / 20_000,  # a share
        "consent_filter": lambda records, design: records,  # keeps everyone
        "crisis_gap_opt_in": -right["crisis_gap_opt_in"],  # wrong sign
        "k_decade": 480,  # the number of classes
        "smallest_band": 30,
        "calibration_under60": 1 / right["calibration_under60"],  # E/O
    }


@pytest.fixture(scope="module")
def answers():
    return right_03(), wrong_03()


AUTO = [p for p in lesson03.PROBLEMS if p.kind != "reflection"]


def _judge(problem, value):
    return problem.judge(problem.answer_from({problem.inspects: value}))


def _refused(design):
    return int((~consent_masks(lesson_cohort(), design=design)["training"]).sum())


@pytest.mark.parametrize(("mistake", "part"), [
    ("opt_in", "opt-in"), ("layered", "layered"), ("share", "share"), ("agreed", "did agree")])
def test_used_without_consent_names_the_mistake(mistake, part):
    n = len(lesson_cohort())
    value = {"opt_in": _refused("opt_in"), "layered": _refused("layered"),
             "share": _refused("opt_out") / n, "agreed": n - _refused("opt_out")}[mistake]
    outcome = _judge(lesson03.Q1, value)
    assert outcome.status == INCORRECT and part in outcome.message
    assert f"{value:g}" in outcome.message


def test_crisis_gap_names_opt_out_and_per_1000(answers):
    cohort = lesson_cohort()
    agreed = consent_masks(cohort, design="opt_out")["training"].to_numpy()
    crisis = cohort["crisis"].to_numpy()
    outcome = _judge(lesson03.Q3, 1000 * (crisis[agreed].mean() - crisis.mean()))
    assert outcome.status == INCORRECT and "opt-out" in outcome.message
    outcome = _judge(lesson03.Q3, answers[0]["crisis_gap_opt_in"] / 1000)
    assert outcome.status == INCORRECT and "per 1,000" in outcome.message


def test_k_names_the_largest_group_and_the_full_year():
    cohort = lesson_cohort()
    decades = cohort[["zip3"]].assign(decade=cohort["birth_year"] // 10 * 10)
    largest = decades.groupby(["zip3", "decade"], observed=True).size().max()
    assert "largest" in _judge(lesson03.Q4, largest).message
    assert "full birth year" in _judge(lesson03.Q4, _k(cohort, ["zip3", "birth_year"])).message


def test_the_privacy_helper_agrees_on_k():
    from teachkit import privacy

    cohort = lesson_cohort()
    decades = cohort[["zip3"]].assign(birth_decade=cohort["birth_year"] // 10 * 10)
    k = privacy.k_anonymity(decades, ["zip3", "birth_decade"])
    assert _judge(lesson03.Q4, k).status == PASSED


def test_calibration_of_the_everyone_model_is_diagnosed():
    report = run_consent(ConsentSettings(model="logistic", consent="honoured",
                                         consent_design="opt_in")).report
    value = report.model.loc[("age", "under 60"), "calibration_everyone"]
    outcome = _judge(lesson03.Q6, value)
    assert outcome.status == INCORRECT and "every record" in outcome.message


def _calls(function, rng):
    cases = lesson03.Q2.extraction(rng)["cases"]
    return {"__type__": "calls", "cases": cases,
            "outcomes": [call_answer(function, c) for c in cases]}


def test_consent_filter_right_on_the_graders_inputs():
    rng = np.random.default_rng(11)
    assert lesson03.Q2.judge(_calls(consent_filter, rng)).status == PASSED

    def with_isin(records, design):  # another right way
        allowed = ["yes"] if design == "opt_in" else None
        if allowed:
            return records[records["answer"].isin(allowed)]
        return records[~records["answer"].isin(["no"])]

    assert lesson03.Q2.judge(_calls(with_isin, rng)).status == PASSED


@pytest.mark.parametrize("name", ["silence_is_yes", "case_insensitive", "ids_only",
                                  "in_place", "sorted"])
def test_consent_filter_wrong_answers_are_caught(name):
    def silence_is_yes(records, design):  # opt-in treated as opt-out
        return records[[a != "no" for a in records["answer"]]]

    def case_insensitive(records, design):  # "Yes" and "no " are not exact answers
        words = [str(a).strip().lower() for a in records["answer"]]
        keep = [w == "yes" for w in words] if design == "opt_in" else [w != "no"
                                                                       for w in words]
        return records[keep]

    def ids_only(records, design):
        return consent_filter(records, design)["patient_id"].tolist()

    def in_place(records, design):  # fills in the missing answers of its input
        records["answer"] = records["answer"].fillna("no")
        return consent_filter(records, design)

    def sorted_(records, design):
        return consent_filter(records, design).sort_values("phq9_total")

    function = {"silence_is_yes": silence_is_yes, "case_insensitive": case_insensitive,
                "ids_only": ids_only, "in_place": in_place, "sorted": sorted_}[name]
    outcome = lesson03.Q2.judge(_calls(function, np.random.default_rng(5)))
    assert outcome.status == INCORRECT, name
    assert "consent_filter" in outcome.message
    if name == "silence_is_yes":
        assert "did not agree" in outcome.message
    if name == "in_place":
        assert "changed its input" in outcome.message


def test_a_starter_consent_filter_is_not_attempted():
    def consent_filter(records, design):
        ...

    assert _judge(lesson03.Q2, consent_filter).status == NOT_ATTEMPTED


def test_public_cases_are_dataframes_with_missing_answers():
    from teachkit.exercises._plain import from_plain

    records = from_plain(lesson03.Q2.public_cases()[0]["records"])
    assert isinstance(records, pd.DataFrame) and records["answer"].isna().any()
