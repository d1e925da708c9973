"""The human reviewer: how a clinician decides a flagged case (DOMAIN.md d.1, d.2).

A reviewer does not decide every case equally well. What the patient reports is what the
reviewer sees: a patient who answers PHQ-9 item 9 (thoughts of self-harm) above "not at
all" looks at risk, one who answers "not at all" looks safe. When that report points the
same way as what will happen (a crisis in a patient who reported thoughts of self-harm,
no crisis in one who did not) the case is **clear**; when it points the other way it is
**unclear**. Most crises are unclear: about 3 in 4 happen in patients who answered "not
at all" (Louzon et al. 2016; lesson 01).

The reviewer's own accuracy (``reviewer_accuracy``, 73 % in Jabbour et al. 2023) is their
accuracy on a typical case; their error is halved on a clear case and half as large again
on an unclear one (:data:`CLEAR_ERROR_FACTOR`, :data:`UNCLEAR_ERROR_FACTOR`: an
assumption (A), source ``reviewer_clarity``). With the resting 73 %: about 87 % right on
clear cases, about 60 % on unclear ones. That is why a review can catch fewer crises than
the model alone: the model flags many crises that look safe on paper, and the reviewer,
reading the same paper, sends some of them home.

All patients are synthetic.
"""

from __future__ import annotations

import numpy as np

from ..levers import bound_to, call_bound
from ..levers.oversight import acted_on_share, reviewer_accuracy_on, reviewer_response

__all__ = ["CLEAR_ERROR_FACTOR", "UNCLEAR_ERROR_FACTOR", "clear_cases", "own_accuracy",
           "reviewer_judgement"]

#: On a clear case the reviewer's error is this share of their typical error (A).
CLEAR_ERROR_FACTOR = 0.5
#: On an unclear case the reviewer's error is this multiple of their typical error (A).
UNCLEAR_ERROR_FACTOR = 1.5


def clear_cases(crisis, item9) -> np.ndarray:
    """Whether what each patient reports points the same way as what will happen.

    Parameters
    ----------
    crisis : array-like of bool
        The true crisis within 12 months.
    item9 : array-like of int
        PHQ-9 item 9 as recorded (0-3).

    Returns
    -------
    ndarray of bool
        True for a crisis in a patient who reported thoughts of self-harm (item 9 > 0),
        or no crisis in a patient who did not.

    Examples
    --------
    >>> clear_cases([True, True, False, False], [2, 0, 0, 1]).tolist()
    [True, False, True, False]
    """
    crisis = np.asarray(crisis, dtype=bool)
    return crisis == (np.asarray(item9) > 0)


def own_accuracy(accuracy: float, clear) -> np.ndarray:
    """The reviewer's own accuracy on each case, from their accuracy on a typical case.

    Parameters
    ----------
    accuracy : float in [0.5, 1]
        Accuracy on a typical case, without advice (Jabbour et al. 2023: 0.73).
    clear : array-like of bool
        Whether each case is clear (:func:`clear_cases`).

    Returns
    -------
    ndarray of float
        ``1 - (1 - accuracy) * factor``, with :data:`CLEAR_ERROR_FACTOR` on clear cases
        and :data:`UNCLEAR_ERROR_FACTOR` on unclear ones; a perfect reviewer stays perfect.

    Examples
    --------
    >>> own_accuracy(0.73, [True, False]).round(3).tolist()
    [0.865, 0.595]
    >>> own_accuracy(1.0, [True, False]).tolist()
    [1.0, 1.0]
    """
    factor = np.where(np.asarray(clear, dtype=bool), CLEAR_ERROR_FACTOR,
                      UNCLEAR_ERROR_FACTOR)
    return np.clip(1.0 - (1.0 - accuracy) * factor, 0.0, 1.0)


def reviewer_judgement(reviewed, ai_right, crisis, settings, *, follow_u, judge_u,
                       fatigue_u, item9):
    """The reviewer's decision on each reviewed case (DOMAIN.md d.1), then alert fatigue
    (d.2): the one place that models the human reviewer.

    When the model's advice is right the reviewer decides right with their own accuracy
    on the case (:func:`own_accuracy`) plus a small boost (Jabbour et al. 2023); when it
    is wrong they follow it blindly with the automation bias (Lyell et al. 2017) and
    otherwise decide on their own accuracy. Each other alert in the encounter lowers the
    chance that a decision to follow up is carried out by 30 % (Ancker et al. 2017).

    Returns
    -------
    blind, wanted, fatigued : ndarray of bool
        Wrong advice followed blindly; decided to follow up; a decision to follow up not
        carried out (fatigue).
    bias : float
        The automation bias after explanation and training.
    """
    bias, boost = call_bound(bound_to(reviewer_response), settings)
    acted_share = call_bound(bound_to(acted_on_share), settings)
    a = call_bound(bound_to(reviewer_accuracy_on), settings, clear_cases(crisis, item9))
    blind = reviewed & ~ai_right & (follow_u < bias)
    correct = np.where(ai_right, judge_u < np.minimum(1.0, a + boost),
                       (follow_u >= bias) & (judge_u < a))
    wanted = reviewed & np.where(correct, crisis, ~crisis)
    fatigued = wanted & (fatigue_u >= acted_share)
    return blind, wanted, fatigued, bias
