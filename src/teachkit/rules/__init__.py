"""Rules of the road: a deployment held to the rules, computed from its own run.

The stable API (lesson 08 counts reds per deployment with it):

- :func:`evaluate` ``(deployment_or_run) -> Checklist``: a
  :class:`~teachkit.stages.Deployment` (run once, every stage) or the dict
  :func:`~teachkit.stages.run_all` returned for one.
- :class:`Checklist`: ``.items`` (tuple of :class:`Item`, in :data:`RULES` order),
  ``.reds`` / ``.ambers`` / ``.greens`` (tuples of items), ``.counts``
  (``{"green": n, "amber": n, "red": n}``), ``.item(rule_id)``, ``.status(rule_id)``,
  ``.to_frame()``, ``.facts`` and ``.deployment``.
- :class:`Item`: ``.rule`` (the rule's id, e.g. ``"eu_human_oversight"``), ``.title``,
  ``.instrument``, ``.article``, ``.status`` (one of :data:`STATUSES`: ``"green"``,
  ``"amber"``, ``"red"``), ``.reason`` (one line from the run's own numbers),
  ``.source``, ``.basis`` (``"S"``, ``"S2"``, ``"K"`` or ``"A"``, as in DOMAIN.md) and
  ``.applies`` (the date, original and amended where they differ).
- :data:`RULES`: every :class:`Rule` by id; :data:`AI_ACT_TIMELINE`: the EU dates.
- :func:`impact_level` ``(checklist) -> ImpactAssessment``: Canada's AIA style (raw
  score, mitigation deduction, ``.level`` "I"-"IV"), answered from the same run.

Educational, not legal advice: the rules are simplified for teaching, the bounds that
decide a colour are teaching choices marked (A), and the EU dates are contested (see
:mod:`teachkit.rules.timeline`).

Examples
--------
>>> from teachkit.stages import Deployment
>>> from teachkit.rules import evaluate, ALL_STAGES
>>> checklist = evaluate(Deployment(ALL_STAGES, model="logistic", oversight="dropped"))
>>> checklist.status("eu_human_oversight"), len(checklist.reds) > 0
('red', True)
"""

from ._rule import AMBER, BASES, GREEN, RED, RULES, STATUSES, Rule
from .checklist import Checklist, Item, check_facts, evaluate
from .facts import ALL_STAGES, Facts, gather_facts
from .impact import ImpactAssessment, impact_level
from .timeline import AI_ACT_TIMELINE, Milestone

__all__ = ["evaluate", "Checklist", "Item", "Rule", "RULES", "STATUSES", "BASES", "GREEN",
           "AMBER", "RED", "ALL_STAGES", "Facts", "gather_facts", "check_facts",
           "AI_ACT_TIMELINE", "Milestone", "NOT_LEGAL_ADVICE", "impact_level",
           "ImpactAssessment"]

#: Shown on the page and in the dossier.
NOT_LEGAL_ADVICE = (
    "Educational, not legal advice. The rules are simplified for teaching, from the "
    "sources named beside each one (S primary, S2 secondary, K background knowledge "
    "not checked, A a teaching assumption). Every patient is synthetic. Check the law "
    "itself, and ask a lawyer, before deciding anything about a real system.")
