"""Role cards: who sits on the board, what each weighs, and the trade-off frontier.

Six roles (:data:`ROLES`) weigh the same consequences (:data:`~.outcomes.CONSEQUENCES`),
each with its own weights. The weights are teaching choices (A): the surveys give the
direction of a role's worries, never numbers to weigh by, and each card names the survey
behind its direction where one exists (Health Foundation 2024, staff vs public;
Doraiswamy et al. 2020, psychiatrists; Pew 2023; Khullar et al. 2022).

**Satisfaction** (:func:`satisfaction`) is 100 when every consequence a role weighs is
zero, and falls by each consequence's share of its scale (:data:`SCALES`, A), weighted:
``100 * (1 - sum_k w_k * min(1, value_k / scale_k))``. It compares deployments for one
role; it is not a measure of anyone's real preferences.

**The frontier** (:func:`frontier`): the deployments that no other beats on every role's
terms (no other is at least as good for every role and better for one).

Examples
--------
>>> from teachkit.board.outcomes import Outcomes
>>> a = Outcomes(missed=10, missed_worst_group=15, worst_group="Black", needless=40,
...              without_consent=50, reviewer_hours=20, disparity=10, reds=None,
...              cost=60, chatbot_reach=0, crises=19)
>>> satisfaction(a, "regulator")
75.5
>>> frontier([{"clinician": 60, "patient": 50}, {"clinician": 55, "patient": 45},
...           {"clinician": 40, "patient": 70}])
[0, 2]
"""

from __future__ import annotations

from dataclasses import dataclass

from .._validation import TeachkitError
from .outcomes import CONSEQUENCES, Outcomes

__all__ = ["Role", "ROLES", "ROLE_NAMES", "SCALES", "get_role", "satisfaction",
           "satisfaction_table", "frontier"]

#: Where a consequence counts as fully bad for satisfaction (A: teaching choices, set
#: near the worst a board's levers reach on the default cohort).
SCALES = {"missed": 20.0, "missed_worst_group": 30.0, "needless": 100.0,
          "without_consent": 100.0, "reviewer_hours": 40.0, "disparity": 50.0,
          "reds": 10.0, "cost": 100.0}


@dataclass(frozen=True)
class Role:
    """A role card: a title, what it cares about (weights summing to 1), and why."""

    name: str
    title: str
    cares: str
    weights: dict
    basis: str

    def ranked(self) -> list[tuple[str, float]]:
        """The consequences it weighs, most important first (its view puts them first)."""
        return sorted(((k, w) for k, w in self.weights.items() if w > 0),
                      key=lambda kw: (-kw[1], list(CONSEQUENCES).index(kw[0])))


def _role(name, title, cares, basis, **weights) -> Role:
    total = sum(weights.values())
    assert set(weights) <= set(CONSEQUENCES) and abs(total - 1) < 1e-9, name
    return Role(name, title, cares, {k: weights.get(k, 0.0) for k in CONSEQUENCES}, basis)


ROLES = {r.name: r for r in (
    _role("clinician", "Clinician",
          "Catching crises without drowning the team in reviews.",
          "(A) Direction from Doraiswamy, Blease, Bodner 2020 (791 psychiatrists: 75 % "
          "think AI could take over documentation, 17 % that it could replace empathic "
          "care) and the Health Foundation 2024 (76 % of NHS staff support AI in care).",
          missed=0.40, missed_worst_group=0.10, needless=0.15, reviewer_hours=0.15,
          without_consent=0.05, disparity=0.05, reds=0.05, cost=0.05),
    _role("patient", "Patient with lived experience",
          "Being asked, being helped, and not being flagged for nothing.",
          "(A) Direction from the Health Foundation 2024 (54 % of the public support AI "
          "in care; 53 % expect to feel more distant from staff), Pew 2023 (60 % "
          "uncomfortable with a provider relying on AI) and Khullar et al. 2022 (66 % "
          "say being told is very important).",
          missed=0.20, missed_worst_group=0.15, needless=0.15, without_consent=0.30,
          disparity=0.10, reds=0.05, cost=0.05),
    _role("data_scientist", "Data scientist",
          "A model that catches crises equally well in every group.",
          "(A) No survey of this role was found.",
          missed=0.30, missed_worst_group=0.15, needless=0.15, disparity=0.25,
          without_consent=0.05, reds=0.05, cost=0.05),
    _role("ethicist", "Ethicist",
          "Fairness between groups, consent, and not leaving the worst-off behind.",
          "(A) No survey of this role was found.",
          missed=0.15, missed_worst_group=0.20, needless=0.05, without_consent=0.25,
          disparity=0.25, reds=0.10),
    _role("regulator", "Regulator / compliance",
          "The law's checklist, consent under data-protection law, and safety.",
          "(A) The checklist is lesson 07's (EU AI Act, GDPR, HIPAA, FDA CDS); no "
          "survey of this role was found.",
          reds=0.45, without_consent=0.25, missed=0.10, missed_worst_group=0.10,
          disparity=0.10),
    _role("practice_manager", "Practice manager",
          "Staff time and cost, and the practice's liability for missed crises.",
          "(A) No survey of this role was found.",
          cost=0.30, reviewer_hours=0.20, missed=0.20, needless=0.15, reds=0.15),
)}
ROLE_NAMES = tuple(ROLES)


def get_role(name: str) -> Role:
    """The role card called ``name`` (an error lists the roles)."""
    if name not in ROLES:
        raise TeachkitError(f"The role must be one of {', '.join(ROLE_NAMES)}. Got "
                            f"{str(name)[:40]!r} instead.")
    return ROLES[name]


def satisfaction(outcomes: Outcomes, role: str | Role) -> float:
    """How satisfied ``role`` is with a deployment's ``outcomes``, 0-100 (see above)."""
    card = role if isinstance(role, Role) else get_role(role)
    values = outcomes.values()
    loss = sum(w * min(1.0, max(0.0, values[k]) / SCALES[k])
               for k, w in card.weights.items())
    return round(100 * (1 - loss), 1)


def satisfaction_table(outcomes: Outcomes) -> dict[str, float]:
    """Every role's satisfaction with one deployment, by role name."""
    return {name: satisfaction(outcomes, role) for name, role in ROLES.items()}


def frontier(tables: list[dict]) -> list[int]:
    """Indices of the deployments no other beats on every role's terms.

    ``tables`` holds each deployment's satisfaction by role (:func:`satisfaction_table`);
    a deployment is off the frontier when another is at least as good for every role
    and better for one. Equal deployments are both kept.
    """
    keep = []
    for i, mine in enumerate(tables):
        beaten = any(
            all(other[r] >= mine[r] for r in mine) and any(other[r] > mine[r] for r in mine)
            for j, other in enumerate(tables) if j != i)
        if not beaten:
            keep.append(i)
    return keep
