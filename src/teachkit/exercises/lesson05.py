"""Exercises of lesson 05, explain it to me.

In the notebook::

    from teachkit.exercises.lesson05 import q1, q2, q3, q4, q5, r1, r2
    top_points = ...   # your answer
    q1.check()

All patients are synthetic.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._problem import Diagnosis, Problem, ProblemView, number_check, reflection

LESSON = "05"
SLUG = "05-explain-it-to-me"
TITLE = "Explain it to me"
#: The patient of questions 1 and 2.
PATIENT = 177


@lru_cache(maxsize=1)
def _facts() -> dict:
    """Everything the checks compare with, computed once from the lesson's cohort."""
    from ..explain import ExplainSettings, run_explain

    base = ExplainSettings(model="logistic")
    usual = run_explain(base)
    e = usual.explain(PATIENT)
    top = int(np.argmax(np.abs(e.points)))
    low = run_explain(base.replace(explain_background="not_flagged")).explain(PATIENT)
    opt = base.replace(explain_opt_out=1.0)
    rule = run_explain(opt)
    nothing = run_explain(opt.replace(explain_opt_out_route="nothing"))

    def caught(result):
        return float(result.consequences.overall["caught"].iloc[0])

    copy = run_explain(base.replace(explain_duplicate="item9_copy"))
    changed = np.asarray(copy.flagged) != np.asarray(usual.flagged)
    age = rule.records["age"].to_numpy()
    cost = run_explain(base.replace(label="cost", access_gap=0.1)).importance(top=100)
    return {
        "top_points": float(e.points[top]),
        "top_shap": float(e.attributions[top]),
        "risk": e.risk,
        "base_everyone": e.base_risk,
        "base_not_flagged": low.base_risk,
        "caught_lost": caught(rule) - caught(nothing),
        "caught_rule": caught(rule),
        "n": base.n,
        "changed_per_1000": 1000 * float(changed.mean()),
        "changed_count": float(changed.sum()),
        "older_share": float(rule.opted_out[age >= 65].mean()),
        "all_share": float(rule.opted_out.mean()),
        "younger_share": float(rule.opted_out[age < 30].mean()),
        "visits_black": float(cost.loc["visits_past_year", "Black"]),
        "visits_white": float(cost.loc["visits_past_year", "White"]),
        "visits_all": float(cost.loc["visits_past_year", "all patients"]),
    }


def f(key):
    return lambda: _facts()[key]


Q1 = Problem(
    "q1", "top_points",
    f"the risk points of the input that moves patient {PATIENT}'s risk most",
    number_check(
        "top_points", f("top_points"), tol=0.01,
        diagnoses=(
            Diagnosis(f("top_shap"), "That is shap's value in log-odds; the question asks "
                      "for risk points (`explanation.points`).", tol=0.005),
            Diagnosis(lambda: _facts()["top_points"] / 100, "That looks like a share; risk "
                      "points are percentage points.", tol=0.0005),
            Diagnosis(f("risk"), "That is the patient's whole risk; the question asks for "
                      "the points of one input.", tol=0.01),
        ),
        fallback="`run_explain(ExplainSettings(model='logistic')).explain(177).table()` "
                 "lists the inputs, largest effect first.",
        low=-100, high=100),
    hints=("`result.explain(patient)` returns the patient's explanation.",
           "Its `table()` has a `points` column, sorted by the size of the effect."),
)

Q2 = Problem(
    "q2", "reference_risk",
    f"patient {PATIENT}'s reference risk when shap compares with the patients the model "
    "does not flag",
    number_check(
        "reference_risk", f("base_not_flagged"), tol=0.01,
        diagnoses=(
            Diagnosis(f("base_everyone"), "That is the reference for everyone; set "
                      "`explain_background=\"not_flagged\"`.", tol=0.005),
            Diagnosis(lambda: _facts()["base_not_flagged"] / 100, "That is a share; give "
                      "the risk in percent, as `base_risk` is.", tol=0.0005),
        ),
        fallback="The explanation's `base_risk` is the reference risk, in percent.",
        low=0, high=100),
    hints=("Change the `explain_background` lever with `settings.replace(...)`.",
           "Read `base_risk` from the patient's explanation."),
)

Q3 = Problem(
    "q3", "caught_lost",
    "crises caught per 1,000 patients lost when the patients who opt out get nothing "
    "instead of the usual rule (everyone uncomfortable opts out)",
    number_check(
        "caught_lost", f("caught_lost"), tol=0.01,
        diagnoses=(
            Diagnosis(lambda: -_facts()["caught_lost"], "That has the wrong sign: give "
                      "the crises *lost*, a positive number.", tol=0.01),
            Diagnosis(lambda: _facts()["caught_lost"] * _facts()["n"] / 1000, "That is a "
                      "count over all 60,000 patients; give it per 1,000.", tol=0.5),
            Diagnosis(f("caught_rule"), "That is all the crises caught with the usual "
                      "rule; the question asks for the difference.", tol=0.01),
        ),
        fallback="Run both routes with `explain_opt_out=1.0` and subtract the "
                 "`caught` of `consequences.overall`.",
        low=-1000, high=1000),
    hints=("`explain_opt_out_route` is `\"usual_rule\"` or `\"nothing\"`.",
           "`result.consequences.overall['caught']` is per 1,000 patients."),
)

Q4 = Problem(
    "q4", "flags_changed_per_1000",
    "patients per 1,000 whose flag changes when a second copy of item 9 is added",
    number_check(
        "flags_changed_per_1000", f("changed_per_1000"), tol=0.05,
        diagnoses=(
            Diagnosis(f("changed_count"), "That is a count over all 60,000 patients; give "
                      "it per 1,000.", tol=0.5),
            Diagnosis(lambda: _facts()["changed_per_1000"] / 1000, "That is a share; give "
                      "it per 1,000 patients.", tol=0.00005),
        ),
        fallback="Compare `result.flagged` with and without "
                 "`explain_duplicate=\"item9_copy\"`.",
        low=0, high=1000),
    hints=("`np.asarray(a.flagged) != np.asarray(b.flagged)` marks the changed flags.",),
)

Q5 = Problem(
    "q5", "older_opt_out_share",
    "the share of patients aged 65 or more who opt out when everyone uncomfortable does",
    number_check(
        "older_opt_out_share", f("older_share"), tol=0.002,
        diagnoses=(
            Diagnosis(f("all_share"), "That is the share of all patients; the question "
                      "asks for those aged 65 or more.", tol=0.002),
            Diagnosis(f("younger_share"), "That is for patients under 30.", tol=0.002),
            Diagnosis(lambda: 100 * _facts()["older_share"], "That looks like a "
                      "percentage; give a share between 0 and 1.", tol=0.2),
        ),
        fallback="`result.opted_out` marks who opted out; `result.records['age']` "
                 "gives each patient's age.",
        low=0, high=1),
    hints=("Select the patients with `records['age'] >= 65`.",),
)

Q6 = Problem(
    "q6", "visits_points_black",
    "with lesson 02's cost label and a 10 % access gap, the mean risk points of past "
    "visits for Black patients",
    number_check(
        "visits_points_black", f("visits_black"), tol=0.005,
        diagnoses=(
            Diagnosis(f("visits_white"), "That is for White patients.", tol=0.003),
            Diagnosis(f("visits_all"), "That is for all patients; the question asks for "
                      "Black patients.", tol=0.003),
        ),
        fallback="`result.importance(top=100)` has one column per group.",
        low=0, high=100),
    hints=("Set `label=\"cost\"` and `access_gap=0.1`.",
           "`importance(top=100).loc['visits_past_year', 'Black']`."),
)

R1 = reflection(
    "r1", "reflection_clean_explanation",
    "a biased model with a clean explanation: what must you check before you trust it?",
    hints=("Think of the outcomes by group, the label, and what the explanation cannot "
           "show.",),
)

R2 = reflection(
    "r2", "reflection_opt_out",
    "a patient says no to the algorithm: what should they get instead, and who decides?",
    hints=("Think of the usual rule, a clinician's time, and the crises the model would "
           "have caught.",),
)

PROBLEMS = (Q1, Q2, Q3, Q4, Q5, Q6, R1, R2)
q1, q2, q3, q4, q5, q6, r1, r2 = (ProblemView(p) for p in PROBLEMS)
