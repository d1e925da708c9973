"""Counterfactuals: the smallest change in *changeable* inputs that flips a patient's flag.

An exact search: every change of up to :data:`MAX_STEPS` steps (one step moves one
PHQ-9 answer by one level, the anxiety score or the visits by one, or treatment on or
off) is tried, nearest first, with the model that scored the patient. The first
distance at which the flag flips is the smallest; among the changes at that distance
the one that moves the score furthest wins (ties: the first in a fixed order), so the
same patient always gets the same answer.

Age, sex, ethnicity, language, insurance, home, cost, recorded history and diagnosis
are never changed: they cannot change, or should not have to.

Why not DiCE (dice-ml)? Its methods (random sampling, a genetic search, KD-trees) look
for several diverse counterfactuals and do not promise the *smallest* one; on twelve
small integer inputs an exact search is short, deterministic and needs no new
dependency (see the lesson's closing note).

All data is synthetic.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .features import CHANGEABLE, FIXED
from .sentences import describe_input, describe_value

__all__ = ["Counterfactual", "counterfactual", "MAX_STEPS"]

MAX_STEPS = 4
_SYMPTOMS = frozenset({*(f"phq{i}" for i in range(1, 10)), "gad7_total"})
_BOUNDS = {"gad7_total": (0, 21), "treated": (0, 1), "visits_past_year": (0, 52)}


@dataclass(frozen=True)
class Counterfactual:
    """The result of the search for one patient.

    Attributes
    ----------
    patient : int
    flagged : bool
        The patient's flag now.
    steps : int or None
        The smallest number of steps that flips it (None: none within MAX_STEPS).
    changes : dict
        Input -> (now, after).
    score, new_score, cutoff : float
    fixed : tuple of str
        Inputs the search never changes.
    """

    patient: int
    flagged: bool
    steps: int | None
    changes: dict
    score: float
    new_score: float
    cutoff: float
    fixed: tuple

    def sentence(self) -> str:
        """The counterfactual in plain words."""
        verb = "not be flagged" if self.flagged else "be flagged"
        if self.steps is None:
            return (f"No change of up to {MAX_STEPS} steps in symptoms, treatment or visits "
                    f"would make patient {self.patient} {verb}.")
        moves = "; ".join(f"{describe_input(k, after)} instead of {describe_value(k, now)}"
                          for k, (now, after) in self.changes.items())
        return (f"Patient {self.patient} would {verb} if {moves} ({self.steps} "
                f"step{'s' if self.steps > 1 else ''}). Age, sex, ethnicity, language and "
                "recorded history are never changed: they cannot, or should not have to.")


@lru_cache(maxsize=16)
def _shell(d: int, r: int) -> np.ndarray:
    """Every integer vector of dimension ``d`` whose absolute values sum to ``r``."""
    out = []
    for k in range(1, min(d, r) + 1):
        for dims in itertools.combinations(range(d), k):
            for cuts in itertools.combinations(range(1, r), k - 1):
                sizes = np.diff((0, *cuts, r))
                for signs in itertools.product((1, -1), repeat=k):
                    v = np.zeros(d, dtype=np.int16)
                    v[list(dims)] = sizes * np.array(signs)
                    out.append(v)
    return np.array(out, dtype=np.int16).reshape(-1, d)


def counterfactual(result, patient: int) -> Counterfactual:
    """The smallest change in changeable inputs that flips ``patient``'s flag.

    Parameters
    ----------
    result : ExplainResult
    patient : int
        A patient number (from 1).

    Examples
    --------
    >>> from teachkit.explain import ExplainSettings, run_explain
    >>> result = run_explain(ExplainSettings())
    >>> cf = counterfactual(result, 2)
    >>> cf.flagged, cf.steps is None or cf.steps >= 1
    (False, True)
    """
    model = result.explained
    index = model.index_of(patient)
    flagged = bool(result.model_flags[index])
    scores = np.asarray(result.scores)
    settings = result.settings
    if settings.model == "rule":
        cutoff = 10 / 37
    elif settings.policy == "threshold":
        cutoff = settings.threshold
    else:
        cutoff = float(scores[np.asarray(result.model_flags)].min())
    now = float(scores[index])
    # The search reads only the model, the patient, their flag and the cutoff: a lever
    # that leaves them as they are (disclosure, decision, ...) gets the same answer.
    key = ("counterfactual", int(patient), flagged, cutoff, now, settings.model)
    return model.remembered(key, lambda: _search(model, index, patient, flagged, cutoff,
                                                 now, settings.model))


def _search(model, index: int, patient: int, flagged: bool, cutoff: float, now: float,
            kind: str) -> Counterfactual:
    """The exact search of :func:`counterfactual` for the row ``index`` of ``model``."""
    k = int(model.fold[index])
    x = model.X[index]
    features = list(model.features)
    dims = [features.index(f) for f in CHANGEABLE if f in features]
    best = None
    for r in range(1, MAX_STEPS + 1):
        shell = _shell(len(dims), r)
        candidates = np.repeat(x[None, :], len(shell), axis=0)
        candidates[:, dims] += shell
        ok = np.ones(len(shell), dtype=bool)
        for column, j in enumerate(dims):
            if features[j] in _SYMPTOMS:  # symptoms improve to lose a flag, worsen to gain one
                ok &= shell[:, column] <= 0 if flagged else shell[:, column] >= 0
            low, high = _BOUNDS.get(features[j], (0, 3))
            ok &= (candidates[:, j] >= low) & (candidates[:, j] <= high)
        candidates = candidates[ok]
        if not len(candidates):
            continue
        _follow(candidates, features)
        z = model.output(candidates, k)
        new = z if kind == "rule" else 1 / (1 + np.exp(-z))
        flips = new < cutoff - 1e-12 if flagged else new >= cutoff
        if flips.any():
            pick = np.flatnonzero(flips)
            i = pick[np.argmin(new[pick])] if flagged else pick[np.argmax(new[pick])]
            best = (r, candidates[i], float(new[i]))
            break
    if best is None:
        return Counterfactual(int(patient), flagged, None, {}, now, now, cutoff, FIXED)
    r, row, new_score = best
    changes = {features[j]: (float(x[j]), float(row[j])) for j in dims if row[j] != x[j]}
    return Counterfactual(int(patient), flagged, r, changes, now, new_score, cutoff, FIXED)


def _follow(candidates: np.ndarray, features: list) -> None:
    """Inputs that follow PHQ-9 item 9 (the rule's indicator, the duplicate copy)."""
    if "phq9" not in features:
        return
    item9 = candidates[:, features.index("phq9")]
    if "item9_any" in features:
        candidates[:, features.index("item9_any")] = item9 > 0
    if "phq9_copy" in features:
        candidates[:, features.index("phq9_copy")] = item9
