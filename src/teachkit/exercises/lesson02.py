"""Exercises of lesson 02, bias creeps in.

In the notebook::

    from teachkit.exercises.lesson02 import q1, q2, q3, q4, q5, q6, r1, r2
    sensitivity_gap = ...   # your answer
    q1.check()

All patients are synthetic.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ._plain import from_plain
from ._problem import (
    Diagnosis,
    FunctionProblem,
    Incorrect,
    Problem,
    ProblemView,
    as_text,
    number_check,
    reflection,
    show,
    tag,
)

LESSON = "02"
SLUG = "02-bias-creeps-in"
TITLE = "Bias creeps in"
LABELS = ("crisis", "cost", "diagnosis")
#: The care-management programme of the lesson: the top 3 % of scores.
PROGRAMME = 0.03
#: Care withheld from Black patients in questions 2 and 3 (the lesson's ``access_gap``):
#: with the cohort's own gaps alone, the cost label typically lowers Black patients'
#: share only from 14 % to 13 % (medians over 20 seeds), too little to tell the labels
#: apart on every seed.
ACCESS_GAP = 0.1


@lru_cache(maxsize=1)
def _facts() -> dict:
    """Everything the checks compare with, computed once from the lesson's cohort."""
    from ..pipeline import Settings, simulate

    programme = Settings(model="logistic", policy="capacity", capacity=PROGRAMME)
    runs = {label: simulate(programme.replace(label=label)) for label in LABELS}
    metrics = runs["crisis"].consequences.metrics.loc["ethnicity"]
    sens, ppv = metrics["sensitivity"], metrics["PPV"]
    at_threshold = simulate(Settings(model="logistic")).consequences.metrics.loc["ethnicity"]
    shares = {label: simulate(programme.replace(label=label, access_gap=ACCESS_GAP))
              .programme_shares() for label in LABELS}
    black = {label: float(s.loc["Black", "in_programme"]) for label, s in shares.items()}

    screening = Settings(model="logistic", threshold=0.05)
    unrecorded = simulate(screening.replace(self_harm_unrecorded=1.0))
    recorded = simulate(screening, with_baseline=False)
    missed_black = float(unrecorded.consequences.by_group.loc[("ethnicity", "Black"),
                                                              "missed"])
    crises_black = float(unrecorded.consequences.by_group.loc[("ethnicity", "Black"),
                                                              "crises"])

    def relabel_change(label):
        run = simulate(programme.replace(label=label, mitigation="relabel"))
        return float(run.versus_baseline().loc[("all", "all patients"), "caught"])

    return {
        "gap": float(sens["Black"] - sens["White"]),
        "gap_max_min": float(sens.max() - sens.min()),
        "gap_ppv": float(ppv["Black"] - ppv["White"]),
        "gap_ratio": float(sens["Black"] / sens["White"]),
        "gap_threshold": float(at_threshold["sensitivity"]["Black"]
                               - at_threshold["sensitivity"]["White"]),
        "black_share": black,
        "black_share_cost_no_gap": float(runs["cost"].programme_shares()
                                         .loc["Black", "in_programme"]),
        "black_in_cohort": float(shares["cost"].loc["Black", "in_cohort"]),
        "black_enrolled_cost": float(shares["cost"].loc["Black", "enrolled"]),
        "best_label": max(LABELS, key=black.get),
        "missed_black": missed_black,
        "missed_black_recorded": float(recorded.consequences.by_group.loc[
            ("ethnicity", "Black"), "missed"]),
        "missed_all_unrecorded": float(unrecorded.consequences.overall["missed"].iloc[0]),
        "missed_share_black": missed_black / crises_black,
        "relabel_change": relabel_change("crisis"),
        "relabel_change_cost": relabel_change("cost"),
        "n": int(programme.n),
    }


def f(key):
    return lambda: _facts()[key]


Q1 = Problem(
    "q1", "sensitivity_gap",
    "equal-opportunity difference, Black minus White, logistic model, top 3 %",
    number_check(
        "sensitivity_gap", f("gap"), tol=0.001,
        diagnoses=(
            Diagnosis(lambda: -_facts()["gap"], "That is White minus Black; the question "
                      "asks for the Black patients' sensitivity minus the White patients'.",
                      tol=0.001),
            Diagnosis(lambda: 100 * _facts()["gap"], "That looks like percentage points; "
                      "give the difference of two shares (between -1 and 1).", tol=0.1),
            Diagnosis(f("gap_max_min"), "That is the largest gap between any two ethnic "
                      "groups (what `MetricFrame.difference()` gives); the question "
                      "compares Black and White patients only.", tol=0.001),
            Diagnosis(f("gap_ppv"), "That is a difference in PPV (of those flagged, the "
                      "share with a crisis); equal opportunity compares sensitivity, the "
                      "share of crises caught.", tol=0.0005),
            Diagnosis(f("gap_ratio"), "That is a ratio; the question asks for a "
                      "difference.", tol=0.002),
            Diagnosis(f("gap_threshold"), "That is at the usual 5 % risk threshold; the "
                      "programme takes the top 3 % (`policy=\"capacity\"`, "
                      "`capacity=0.03`).", tol=0.001),
        ),
        fallback="Sensitivity per ethnic group is in the `sensitivity` column of the "
                 "MetricFrame's `by_group`; subtract White from Black.",
        low=-1, high=1),
    hints=("`simulate(Settings(model='logistic', policy='capacity', capacity=0.03))`, then "
           "`result.consequences.metric_frames['ethnicity']`.",
           "`.by_group` has one row per group and one column per metric; pick the "
           "`sensitivity` column."),
)

Q2 = Problem(
    "q2", "black_share_cost",
    "Black patients' share of the top 3 % programme when the model learns cost and 10 % "
    "more of their care is withheld",
    number_check(
        "black_share_cost", lambda: _facts()["black_share"]["cost"], tol=0.002,
        diagnoses=(
            Diagnosis(lambda: _facts()["black_share"]["crisis"], "That is with the true "
                      "outcome as the label; set `label=\"cost\"`.", tol=0.001),
            Diagnosis(f("black_share_cost_no_gap"), "That is with the cohort's own care "
                      "gaps; also withhold 10 % more (`access_gap=0.1`).", tol=0.001),
            Diagnosis(f("black_in_cohort"), "That is the Black patients' share of the whole "
                      "cohort (`in_cohort`); the question asks for their share of the "
                      "programme.", tol=0.002),
            Diagnosis(lambda: 100 * _facts()["black_share"]["cost"], "That looks like a "
                      "percentage; give a share between 0 and 1.", tol=0.2),
            Diagnosis(f("black_enrolled_cost"), "That is a count of patients; give their "
                      "share of the programme's places.", tol=0.5),
        ),
        fallback="Run the model with the cost label, `access_gap=0.1` and the 3 % "
                 "programme, then read the Black row of `programme_shares()`.",
        low=0, high=1),
    hints=("`Settings(model='logistic', policy='capacity', capacity=0.03, label='cost', "
           "access_gap=0.1)`.",
           "`result.programme_shares()` is indexed by ethnicity; the `in_programme` column "
           "holds the shares of the programme."),
)


def _check_best_label(value):
    got = as_text(value, "fairest_label")
    facts = _facts()
    if got.lower() == facts["best_label"]:
        return
    if got.lower() not in LABELS:
        raise Incorrect(f"`fairest_label` is {got!r}; give one of "
                        f"{', '.join(repr(x) for x in LABELS)}, spelled as the `label` "
                        f"lever spells them.")
    raise Incorrect(f"`fairest_label` is {got!r}: with that label Black patients get "
                    f"{100 * facts['black_share'][got.lower()]:.1f} % of the programme's "
                    f"places; another label gives them more.")


Q3 = Problem(
    "q3", "fairest_label",
    "the label that gives Black patients the largest share of the top 3 %, with 10 % more "
    "of their care withheld",
    _check_best_label,
    hints=("Run the 3 % programme with `access_gap=0.1` once per label and compare the "
           "Black row of `programme_shares()`.",
           "A dict comprehension over the three labels keeps the comparison to one line."),
)


def _array(values, kind="f"):
    if kind == "f":
        values = [float(v) for v in values]
    else:
        values = [str(v) for v in values]
    return {"__type__": "array", "dtype": kind, "shape": [len(values)], "data": values}


def _public_cases():
    return [
        {"scores": _array([0.9, 0.1, 0.5, 0.3, 0.8, 0.05, 0.6, 0.2, 0.7, 0.4]),
         "groups": _array(list("aabbaabbab"), "U"), "capacity": 0.3},
        {"scores": _array([0.2, 0.9, 0.4, 0.1, 0.3, 0.8, 0.6, 0.5]),
         "groups": _array(["x", "y", "z", "x", "y", "z", "x", "y"], "U"), "capacity": 0.5},
    ]


def _grading_cases(rng):
    names = np.array(["White", "Hispanic", "Black", "Asian", "Other"])
    cases = []
    for n, capacity, levels in ((1000, 0.03, 5), (257, 0.1, 3), (40, 0.5, 2), (9, 1.0, 4),
                                (30, 0.05, 5)):
        scores = rng.permutation(np.round(np.linspace(0.001, 0.999, n), 6))
        groups = names[rng.integers(0, levels, n)]
        cases.append({"scores": _array(scores), "groups": _array(groups, "U"),
                      "capacity": capacity})
    return cases


def _expected_shares(scores, groups, capacity) -> dict:
    k = int(round(capacity * len(scores)))
    top = np.argsort(-scores, kind="stable")[:k]
    chosen = groups[top]
    return {str(g): float((chosen == g).sum() / k) for g in np.unique(groups)}


def _check_top_shares(case, value):
    scores = from_plain(case["scores"])
    groups = from_plain(case["groups"])
    capacity = case["capacity"]
    where = f"scores of {len(scores)} patients and capacity {capacity:g}"
    if tag(value) == "series":
        got = dict(zip((str(i) for i in value["index"]), value["values"]))
    elif tag(value) == "dict":
        got = {str(k): v for k, v in from_plain(value).items()}
    else:
        raise Incorrect(f"`top_shares` should return a dict {{group: share}}; on {where} it "
                        f"returned {show(value)}.")
    expected = _expected_shares(scores, groups, capacity)
    extra = sorted(set(got) - set(expected))
    if extra:
        raise Incorrect(f"On {where}, `top_shares` returned groups that are not in "
                        f"`groups`: {', '.join(map(repr, extra[:3]))}.")
    try:
        values = {g: float(got.get(g, 0.0)) for g in expected}
    except (TypeError, ValueError):
        raise Incorrect(f"On {where}, `top_shares` returned values that are not numbers.") \
            from None
    total = sum(values.values())
    if abs(total - 1) > 1e-6:
        if abs(total - int(round(capacity * len(scores)))) < 1e-6 and total != 1:
            raise Incorrect(f"On {where}, `top_shares` returned counts of patients (they add "
                            f"up to {total:g}); give each group's share of the places.")
        raise Incorrect(f"On {where}, the shares `top_shares` returned add up to "
                        f"{total:.4g}; the programme's places are shared out in full, so "
                        f"they should add up to 1.")
    for g, share in expected.items():
        if abs(values[g] - share) > 1e-6:
            raise Incorrect(f"On {where}, `top_shares` gives group {g!r} {values[g]:.4g} of "
                            f"the places, which is not right: check that you take the "
                            f"highest scores, exactly round(capacity × number of patients) "
                            f"of them.")


Q4 = FunctionProblem(
    "q4", "top_shares",
    "write top_shares(scores, groups, capacity): each group's share of the programme",
    _check_top_shares,
    hints=("First pick the programme: the round(capacity × n) patients with the highest "
           "scores (as `flag_top` did in lesson 01).",
           "Then, for each group in `np.unique(groups)`, count its members among them and "
           "divide by the number of places.",
           "A group with nobody in the programme gets 0; the shares add up to 1."),
    public_cases=_public_cases, grading_cases=_grading_cases,
)

Q5 = Problem(
    "q5", "missed_black_unrecorded",
    "crises missed per 1,000 Black patients when all their self-harm goes unrecorded",
    number_check(
        "missed_black_unrecorded", f("missed_black"), tol=0.05,
        diagnoses=(
            Diagnosis(f("missed_black_recorded"), "That is with the records intact; set "
                      "`self_harm_unrecorded=1.0`.", tol=0.02),
            Diagnosis(lambda: _facts()["missed_black"] - _facts()["missed_black_recorded"],
                      "That is the change the lever makes; the question asks how many "
                      "crises are missed with it on.", tol=0.02),
            Diagnosis(f("missed_all_unrecorded"), "That is for all patients; the question "
                      "asks for Black patients.", tol=0.02),
            Diagnosis(f("missed_share_black"), "That is the share of the Black patients' "
                      "crises that are missed; the question asks per 1,000 Black patients.",
                      tol=0.002),
            Diagnosis(lambda: _facts()["missed_black"] / 1000, "That is a share of patients; "
                      "the question asks per 1,000.", tol=5e-5),
        ),
        fallback="Use `Settings(model='logistic', threshold=0.05, self_harm_unrecorded=1.0)` "
                 "and the `missed` column of the Black row of `by_group`.",
        low=0, high=1000),
    hints=("The `self_harm_unrecorded` lever takes a share from 0 to 1.",
           "`result.consequences.by_group.loc[('ethnicity', 'Black'), 'missed']`."),
)

Q6 = Problem(
    "q6", "relabel_change_in_caught",
    "the price of re-labelling on need: change in crises caught per 1,000, all patients",
    number_check(
        "relabel_change_in_caught", f("relabel_change"), tol=0.01,
        diagnoses=(
            Diagnosis(lambda: -_facts()["relabel_change"], "That has the wrong sign (or is "
                      "the change in crises missed): give the change in crises caught, "
                      "negative when fewer are caught.", tol=0.01),
            Diagnosis(f("relabel_change_cost"), "That is with the cost label; the question "
                      "starts from the model trained on the true outcome.", tol=0.01),
            Diagnosis(lambda: _facts()["relabel_change"] * _facts()["n"] / 1000,
                      "That is a count over all 60,000 patients; the question asks per "
                      "1,000.", tol=0.05),
        ),
        fallback="Compare `caught` per 1,000 with and without `mitigation='relabel'`, "
                 "same model, same 3 % programme, true-outcome label; `versus_baseline()` "
                 "does the subtraction.",
        low=-1000, high=1000),
    hints=("`simulate(Settings(model='logistic', policy='capacity', capacity=0.03, "
           "mitigation='relabel'))` compares itself with the same set-up without it.",
           "`result.versus_baseline().loc[('all', 'all patients'), 'caught']`."),
)

R1 = reflection(
    "r1", "reflection_which_error",
    "equal sensitivity rather than equal flag rates: which clinical error hurts whom?",
    hints=("Think of the patients whose crisis is missed and the patients called without "
           "need, in the group with more crises and in the group with fewer.",),
)

R2 = reflection(
    "r2", "reflection_vendor",
    "the vendor's model never sees ethnicity: what would you ask them?",
    hints=("Think of the label, the records the model reads, and who was in the training "
           "data.",),
)

PROBLEMS = (Q1, Q2, Q3, Q4, Q5, Q6, R1, R2)
q1, q2, q3, q4, q5, q6, r1, r2 = (ProblemView(p) for p in PROBLEMS)
