"""Known-right answers computed once per test session.

Each ``right_NN()`` re-runs parts of lesson NN on the 60,000-patient lesson cohort, and is
asked for several times (by test_exercise_problems.py's fixture, by ``wrong_NN()``, by its
own module's fixture): the first call computes, the others reuse it.
"""

from __future__ import annotations

from functools import wraps


def computed_once(make):
    """``make()`` (a dict of answers by variable) computed on the first call only; each
    call gets a dict of its own (the answers are shared: the tests only read them)."""
    made = []

    @wraps(make)
    def once():
        if not made:
            made.append(make())
        return dict(made[0])

    return once
