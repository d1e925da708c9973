"""Exercises of lesson 08, the design review board.

In the notebook::

    from teachkit.exercises.lesson08 import q1, q2, q3, q4, r1, r2
    still_using_day30 = ...   # your answer
    q1.check()

All patients are synthetic.
"""

from __future__ import annotations

from functools import lru_cache

from ._problem import (
    Diagnosis,
    Incorrect,
    Problem,
    ProblemView,
    number_check,
    reflection,
    show,
    tag,
    unanswered,
)

LESSON = "08"
SLUG = "08-design-review-board"
TITLE = "Design review board"
#: The four deployments question 3 compares (a board's proposals).
CANDIDATES = ({}, {"consent": "honoured"}, {"oversight": "model_alone"},
              {"review_capacity": 60})
#: Question 4's board: (member, role, the proposal they vote for), in the order they vote.
BOARD_VOTES = (("Ana", "clinician", 1), ("Ben", "patient", 2), ("Chi", "ethicist", 2),
               ("Dev", "regulator", 1), ("Eve", "practice_manager", 3))
PATIENTS = 60_000


@lru_cache(maxsize=1)
def _facts() -> dict:
    """Everything the checks compare with, computed once (the lesson's default seed)."""
    from ..board.design import chatbot_reach
    from ..board.outcomes import measure
    from ..board.roles import frontier, satisfaction, satisfaction_table

    usual, honoured = measure({}), measure({"consent": "honoured"})
    tables = [satisfaction_table(measure(c)) for c in CANDIDATES]
    return {
        "day30": chatbot_reach("day30", patients=PATIENTS),
        "day15": chatbot_reach("day15", patients=PATIENTS),
        "gain": satisfaction(honoured, "patient") - satisfaction(usual, "patient"),
        "manager_gain": satisfaction(honoured, "practice_manager")
        - satisfaction(usual, "practice_manager"),
        "frontier": frontier(tables),
        "frontier_patient_best": [max(range(len(tables)),
                                      key=lambda i: tables[i]["patient"])],
    }


def f(key):
    return lambda: _facts()[key]


Q1 = Problem(
    "q1", "still_using_day30",
    f"of {PATIENTS:,} patients offered the chatbot, how many still use it on day 30 "
    "(Baumel et al. 2019)",
    number_check(
        "still_using_day30", f("day30"), tol=0.5,
        diagnoses=(
            Diagnosis(f("day15"), "That is day 15 (3.9 %); the question asks for day 30.",
                      tol=0.5),
            Diagnosis(lambda: 0.033, "That is the share; the question asks how many "
                      f"patients of {PATIENTS:,}.", tol=0.0005),
            Diagnosis(lambda: 33.0, "That is per 1,000 patients; the question asks for "
                      f"{PATIENTS:,}.", tol=0.5),
        ),
        fallback=f"`chatbot_reach('day30', patients={PATIENTS})` gives it; 3.3 % still use it "
                 "on day 30.",
        low=0, high=PATIENTS),
    hints=("Baumel et al. 2019: 3.9 % on day 15, 3.3 % on day 30.",
           "`teachkit.board.design.chatbot_reach(arm, patients=...)`."),
)

Q2 = Problem(
    "q2", "patient_gain",
    "how much the patient role's satisfaction rises when consent is honoured instead of "
    "ignored (the board's usual deployment otherwise)",
    number_check(
        "patient_gain", f("gain"), tol=0.05,
        diagnoses=(
            Diagnosis(lambda: -_facts()["gain"], "That has the wrong sign: give honoured "
                      "minus ignored.", tol=0.05),
            Diagnosis(f("manager_gain"), "That is the practice manager's change; the "
                      "question asks about the patient role.", tol=0.05),
        ),
        fallback="`satisfaction(measure({'consent': 'honoured'}), 'patient')` minus the "
                 "same for `measure({})`.",
        low=-100, high=100),
    hints=("`teachkit.board.outcomes.measure(levers)` runs a proposal; "
           "`teachkit.board.roles.satisfaction(outcomes, role)` scores it.",
           "The patient role weighs records used without consent most."),
)


def _check_frontier(value):
    unanswered(value, "on_frontier")
    if tag(value) is not None or not isinstance(value, list | tuple) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise Incorrect(f"`on_frontier` should be a list of proposal numbers (0 to "
                        f"{len(CANDIDATES) - 1}); you gave {show(value)}.")
    got, right = sorted(set(value)), _facts()["frontier"]
    if got == right:
        return
    if got == _facts()["frontier_patient_best"]:
        raise Incorrect(f"`on_frontier` is {got}: that is only the patient's favourite. "
                        "The frontier keeps every proposal no other beats for every "
                        "role at once.")
    missing, extra = sorted(set(right) - set(got)), sorted(set(got) - set(right))
    if extra:
        raise Incorrect(f"`on_frontier` is {got}, but {extra} is beaten: another "
                        "proposal is at least as good for every role and better for one.")
    raise Incorrect(f"`on_frontier` is {got}, but {missing} is missing: no other "
                    "proposal beats it for every role.")


Q3 = Problem(
    "q3", "on_frontier",
    "which of the four proposals (CANDIDATES, numbered from 0) are on the trade-off "
    "frontier",
    _check_frontier,
    hints=("`satisfaction_table(measure(levers))` gives every role's satisfaction.",
           "Proposal A beats B when A is at least as good for every role and better for "
           "one; the frontier is every proposal nobody beats."),
)


def _agreed() -> int:
    from collections import Counter

    votes = Counter(v for _, _, v in BOARD_VOTES)
    best = max(votes.values())
    return min(p for p, n in votes.items() if n == best)


Q4 = Problem(
    "q4", "agreed_proposal",
    "which proposal the board of BOARD_VOTES agrees on (most votes; the earliest "
    "proposal on a tie)",
    number_check(
        "agreed_proposal", _agreed, tol=0,
        diagnoses=(
            Diagnosis(lambda: 2, "Proposals 1 and 2 have two votes each: on a tie the "
                      "board takes the earliest proposal.", tol=0),
            Diagnosis(lambda: 3, "That is the last vote cast, not the proposal with the "
                      "most votes.", tol=0),
        ),
        fallback="Count the votes per proposal (`collections.Counter`).",
        low=1, high=3),
    hints=("Count the third item of each row of BOARD_VOTES.",),
)

R1 = reflection(
    "r1", "reflection_tessa",
    "NEDA's Tessa: who should have sat on the board before the helpline was replaced by "
    "a chatbot, and what would each of them have asked?",
    hints=("Think of people with an eating disorder, the helpline staff, the chatbot's "
           "designers and the vendor.",),
)

R2 = reflection(
    "r2", "reflection_board",
    "whose wish lost the most in your board's agreed deployment, and was the way the "
    "board decided fair to them?",
    hints=("Compare each role's satisfaction with its own wish and with the agreed "
           "deployment.",),
)

PROBLEMS = (Q1, Q2, Q3, Q4, R1, R2)
q1, q2, q3, q4, r1, r2 = (ProblemView(p) for p in PROBLEMS)
