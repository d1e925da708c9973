"""Exercises of lesson 03, consent and privacy.

In the notebook::

    from teachkit.exercises.lesson03 import q1, q2, q3, q4, q5, q6, r1, r2
    used_without_consent = ...   # your answer
    q1.check()

All patients are synthetic.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ._plain import from_plain
from ._problem import (
    Diagnosis,
    FunctionProblem,
    Incorrect,
    Problem,
    ProblemView,
    number_check,
    reflection,
    show,
    tag,
)

LESSON = "03"
SLUG = "03-consent-and-privacy"
TITLE = "Consent and privacy"
#: The k a release must reach (the small-cell convention: cells under 11 are suppressed).
K_MIN = 11
#: The quasi-identifiers of question 4.
Q4_COLUMNS = ("zip3", "birth_decade")


def _k(cohort, columns) -> int:
    return int(cohort.groupby(list(columns), observed=True).size().min())


def _with_bands(cohort, width: int):
    out = cohort[["zip3", "birth_year"]].copy()
    out["birth_band"] = (out["birth_year"].astype(int) - 1930) // width
    return out


@lru_cache(maxsize=1)
def _facts() -> dict:
    """Everything the checks compare with, computed once from the lesson's cohort."""
    from ..consent import (
        ConsentSettings,
        consent_masks,
        records_used_without_consent,
        run_consent,
        selection_bias,
    )
    from ..pipeline import lesson_cohort

    cohort = lesson_cohort()
    used = {d: int(records_used_without_consent(cohort, design=d).loc[
        ("all", "all patients"), "training"]) for d in ("opt_out", "layered", "opt_in")}
    agreed = consent_masks(cohort, design="opt_in")["training"]
    bias = selection_bias(cohort, agreed)
    bias_out = selection_bias(cohort, consent_masks(cohort, design="opt_out")["training"])
    model = run_consent(ConsentSettings(model="logistic", consent="honoured",
                                        consent_design="opt_in")).report.model
    decades = cohort[["zip3", "birth_year"]].assign(
        birth_decade=(cohort["birth_year"].astype(int) // 10) * 10)
    widths = {w: _k(_with_bands(cohort, w), ("zip3", "birth_band")) for w in range(1, 61)}
    return {
        "used": used,
        "used_share": used["opt_out"] / len(cohort),
        "gap": 1000 * (bias.loc["consented", "crisis_rate"]
                       - bias.loc["full cohort", "crisis_rate"]),
        "gap_left_out": 1000 * (bias.loc["left out", "crisis_rate"]
                                - bias.loc["full cohort", "crisis_rate"]),
        "gap_opt_out": 1000 * (bias_out.loc["consented", "crisis_rate"]
                               - bias_out.loc["full cohort", "crisis_rate"]),
        "k": _k(decades, Q4_COLUMNS),
        "k_max": int(decades.groupby(list(Q4_COLUMNS), observed=True).size().max()),
        "k_year": _k(decades, ("zip3", "birth_year")),
        "k_zip3": _k(decades, ("zip3",)),
        "classes": int(decades.groupby(list(Q4_COLUMNS), observed=True).ngroups),
        "smallest_width": min(w for w, k in widths.items() if k >= K_MIN),
        "widths": widths,
        "oe_under60": float(model.loc[("age", "under 60"), "calibration_consenters"]),
        "oe_under60_everyone": float(model.loc[("age", "under 60"), "calibration_everyone"]),
        "oe_60plus": float(model.loc[("age", "60 and over"), "calibration_consenters"]),
        "oe_all": float(model.loc[("all", "all patients"), "calibration_consenters"]),
        "n": len(cohort),
    }


def f(key):
    return lambda: _facts()[key]


Q1 = Problem(
    "q1", "used_without_consent",
    "records used to train the model without consent, consent ignored, opt-out",
    number_check(
        "used_without_consent", lambda: _facts()["used"]["opt_out"], tol=0.5,
        diagnoses=(
            Diagnosis(lambda: _facts()["used"]["opt_in"], "That is under opt-in; the "
                      "question asks about opt-out (`design=\"opt_out\"`).", tol=0.5),
            Diagnosis(lambda: _facts()["used"]["layered"], "That is under layered consent; "
                      "the question asks about opt-out.", tol=0.5),
            Diagnosis(f("used_share"), "That is a share of the patients; give the number "
                      "of records.", tol=0.0005),
            Diagnosis(lambda: _facts()["n"] - _facts()["used"]["opt_out"], "That is the "
                      "number of patients who did agree; the question asks about those who "
                      "did not.", tol=0.5),
        ),
        fallback="Use `records_used_without_consent(cohort)` (consent ignored, opt-out) "
                 "and read the `training` column of the first row.",
        low=0, high=1_000_000),
    hints=("With consent ignored, every patient who said no still has their record used.",
           "`records_used_without_consent(cohort).loc[('all', 'all patients'), "
           "'training']`."),
)


def _frame(rows, columns):
    return {"__type__": "frame", "columns": list(columns), "index": list(range(len(rows))),
            "data": [list(r) for r in rows]}


def _public_cases():
    rows = [(1, 12, "yes"), (2, 4, "no"), (3, 18, None), (4, 7, "yes"), (5, 21, "no")]
    return [{"records": _frame(rows, ("patient_id", "phq9_total", "answer")),
             "design": design} for design in ("opt_out", "opt_in")]


def _grading_cases(rng):
    cases = []
    answers = np.array(["yes", "no", None, "Yes", "no "], dtype=object)
    for n, p in ((40, (0.6, 0.2, 0.2, 0.0, 0.0)), (7, (0.0, 0.5, 0.5, 0.0, 0.0)),
                 (25, (0.2, 0.2, 0.2, 0.2, 0.2)), (1, (0.0, 0.0, 1.0, 0.0, 0.0))):
        ids = rng.permutation(np.arange(100, 100 + 3 * n))[:n]
        picked = answers[rng.choice(len(answers), size=n, p=p)]
        rows = [(int(i), int(rng.integers(0, 28)), a) for i, a in zip(ids, picked)]
        for design in ("opt_out", "opt_in"):
            cases.append({"records": _frame(rows, ("patient_id", "phq9_total", "answer")),
                          "design": design})
    return cases


def _agrees(answer, design) -> bool:
    """Exact words only: "yes" agrees, "no" refuses; anything else is no answer."""
    if design == "opt_in":
        return answer == "yes"
    return answer != "no"


def _check_filter(case, value):
    records = from_plain(case["records"])
    design = case["design"]
    where = f"{len(records)} records under {design}"
    expected = [int(i) for i, a in zip(records["patient_id"], records["answer"])
                if _agrees(a, design)]
    if tag(value) == "frame":
        got_frame = from_plain(value)
        if "patient_id" not in got_frame.columns:
            raise Incorrect(f"On {where}, `consent_filter` returned a table without the "
                            "`patient_id` column: return the rows of `records` you keep.")
        got = [int(i) for i in got_frame["patient_id"]]
    else:
        raise Incorrect(f"`consent_filter` should return a DataFrame (the rows kept); on "
                        f"{where} it returned {show(value)}.")
    refused = set(got) - set(expected)
    if refused:
        raise Incorrect(f"On {where}, `consent_filter` let through patient(s) "
                        f"{sorted(refused)[:3]} who did not agree: under {design}, "
                        + ("only a 'yes' counts." if design == "opt_in" else
                           "only an explicit 'no' is left out."))
    if got != expected:
        raise Incorrect(f"On {where}, `consent_filter` left out patient(s) "
                        f"{sorted(set(expected) - set(got))[:3]} who may be used, or "
                        "changed the order of the rows.")


Q2 = FunctionProblem(
    "q2", "consent_filter",
    "write consent_filter(records, design): the records a model may learn from",
    _check_filter,
    hints=("Under opt-out, a record is used unless the answer is exactly 'no'; under opt-in, "
           "only when it is exactly 'yes'. A missing answer (None) is not a yes.",
           "Build a boolean mask from `records['answer']` and return `records[mask]`; keep "
           "the order and do not change `records`."),
    public_cases=_public_cases, grading_cases=_grading_cases,
)

Q3 = Problem(
    "q3", "crisis_gap_opt_in",
    "crises per 1,000: consented training set minus the full cohort, under opt-in",
    number_check(
        "crisis_gap_opt_in", f("gap"), tol=0.01,
        diagnoses=(
            # the sign only matters when the gap is clearly not zero (on seed 2024 at the
            # sourced rate it is 0.03 per 1,000, as close to zero as the opt-out gap)
            Diagnosis(lambda: -_facts()["gap"] if abs(_facts()["gap"]) >= 0.1 else math.nan,
                      "That has the wrong sign: the consenters minus the full cohort is "
                      "negative when consenters have fewer crises.", tol=0.01),
            Diagnosis(lambda: _facts()["gap"] / 1000, "That is a difference of shares; the "
                      "question asks per 1,000 patients.", tol=1e-5),
            Diagnosis(f("gap_left_out"), "That compares the patients left out with the "
                      "cohort; the question asks about the consenters.", tol=0.01),
            Diagnosis(f("gap_opt_out"), "That is under opt-out; use "
                      "`design=\"opt_in\"`.", tol=0.01),
        ),
        fallback="`selection_bias(cohort, consent_masks(cohort, design='opt_in')"
                 "['training'])` gives both crisis rates; subtract, then multiply by 1,000.",
        low=-1000, high=1000),
    hints=("`consent_masks(cohort, design='opt_in')['training']` says who agreed.",
           "The `crisis_rate` column of `selection_bias(...)` is a share: × 1,000."),
)

Q4 = Problem(
    "q4", "k_decade",
    "k of a release that keeps the 3-digit ZIP code and the decade of birth",
    number_check(
        "k_decade", f("k"), tol=0.0,
        diagnoses=(
            Diagnosis(f("k_max"), "That is the size of the largest group; k is the size "
                      "of the smallest.", tol=0.0),
            Diagnosis(f("k_year"), "That is with the full birth year; the question groups "
                      "birth years into decades (1970, 1980, ...).", tol=0.0),
            Diagnosis(f("k_zip3"), "That is with the ZIP code only; the decade of birth "
                      "is released too.", tol=0.0),
            Diagnosis(f("classes"), "That is the number of groups (equivalence classes); k "
                      "is the size of the smallest.", tol=0.0),
        ),
        fallback="Group the cohort by `zip3` and the decade of birth (`birth_year // 10 * "
                 "10`), count each group, and take the smallest count.",
        low=0, high=1_000_000),
    hints=("Make a `birth_decade` column first: `cohort['birth_year'] // 10 * 10`.",
           "`df.groupby([...], observed=True).size().min()`, or "
           "`k_anonymity(df, [...])` from `teachkit.privacy`."),
)

Q5 = Problem(
    "q5", "smallest_band",
    "the narrowest band of birth years, with the ZIP3, that keeps k >= 11",
    number_check(
        "smallest_band", f("smallest_width"), tol=0.0,
        diagnoses=(
            Diagnosis(lambda: min(w for w, k in _facts()["widths"].items() if k >= 10),
                      "That band gives k >= 10; the release needs k >= 11 (no group "
                      "smaller than 11).", tol=0.0),
            Diagnosis(lambda: max(w for w, k in _facts()["widths"].items() if k < K_MIN),
                      "That is the widest band that still fails (k < 11); give the "
                      "narrowest band that passes.", tol=0.0),
        ),
        fallback="Try every width from 1 to 60 years: `band = (birth_year - 1930) // "
                 "width`, compute k on (`zip3`, band), and keep the smallest width with "
                 "k >= 11. (k does not always grow with the width.)",
        low=1, high=60, unit=" years"),
    hints=("Loop over `range(1, 61)`; for each width make the band column and compute k.",
           "Wider bands do not always give a larger k (the band edges move): check every "
           "width, do not stop at the first one that fails."),
)

Q6 = Problem(
    "q6", "calibration_under60",
    "observed / expected for the under-60s, model trained on opt-in consenters only",
    number_check(
        "calibration_under60", f("oe_under60"), tol=0.005,
        diagnoses=(
            Diagnosis(f("oe_under60_everyone"), "That is the model trained on every "
                      "record; honour consent (`consent=\"honoured\"`).", tol=0.005),
            Diagnosis(lambda: 1 / _facts()["oe_under60"], "That is expected / observed; "
                      "give observed / expected.", tol=0.005),
            Diagnosis(f("oe_60plus"), "That is for patients aged 60 and over.", tol=0.005),
            Diagnosis(f("oe_all"), "That is for all patients; the question asks about the "
                      "under-60s.", tol=0.005),
        ),
        fallback="`run_consent(ConsentSettings(model='logistic', consent='honoured', "
                 "consent_design='opt_in')).report.model`, row ('age', 'under 60'), column "
                 "`calibration_consenters`.",
        low=0, high=100),
    hints=("Observed / expected is the group's crisis rate divided by its mean predicted "
           "risk.",
           "The report's `model` table has it for the model trained on everyone and on "
           "consenters only."),
)

R1 = reflection(
    "r1", "reflection_design",
    "which consent design would you choose for training the model, and why?",
    hints=("Think of the patients whose records are used without their knowledge, and of "
           "those the model then misjudges because they said no.",),
)

R2 = reflection(
    "r2", "reflection_release",
    "a partner asks for 'de-identified' records: what would you check before any leave?",
    hints=("Think of the quasi-identifiers, k, who gets suppressed, and what the patients "
           "agreed to.",),
)

PROBLEMS = (Q1, Q2, Q3, Q4, Q5, Q6, R1, R2)
q1, q2, q3, q4, q5, q6, r1, r2 = (ProblemView(p) for p in PROBLEMS)
