"""A rule declared as data: what it asks, its source and basis, and one pure check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..text import per_1000  # noqa: F401 - the rules round people as every view does

__all__ = ["Rule", "RULES", "register_rule", "STATUSES", "BASES", "GREEN", "AMBER", "RED"]

GREEN, AMBER, RED = "green", "amber", "red"
#: The colours an item can take, best first.
STATUSES = (GREEN, AMBER, RED)
#: Basis codes of DOMAIN.md: primary source, secondary report, background knowledge
#: not checked against the source, assumption (a teaching choice).
BASES = ("S", "S2", "K", "A")


@dataclass(frozen=True)
class Rule:
    """One checklist rule.

    Attributes
    ----------
    id : str
        A stable key (``"eu_human_oversight"``): lesson 08 and the tests use it.
    title : str
        What the rule asks, in plain words.
    instrument : str
        The law or guidance ("EU AI Act", "GDPR", "HIPAA", ...).
    article : str
        Where in it ("Art. 14").
    source : str
        The citation (DOMAIN.md or DOMAIN-05-08.md).
    basis : str
        One of :data:`BASES`.
    applies : str
        Since when it applies (or will), with the basis of the date.
    check : callable(Facts) -> (status, reason)
        Pure; the reason is one line built from the run's own numbers.
    """

    id: str
    title: str
    instrument: str
    article: str
    source: str
    basis: str
    applies: str
    check: Callable

    def __post_init__(self):
        if self.basis not in BASES:
            raise ValueError(f"Rule {self.id!r}: basis must be one of {BASES}. "
                             f"Got {self.basis!r} instead.")


#: Every rule by id, in the order the checklist shows them.
RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> Rule:
    if rule.id in RULES and RULES[rule.id] != rule:
        raise ValueError(f"A different rule called {rule.id!r} is already registered.")
    RULES[rule.id] = rule
    return rule


# -- small helpers the rule modules share ------------------------------------------------
def missing(stage: str, what: str) -> tuple[str, str]:
    """Amber: the deployment does not run ``stage``, so nothing shows ``what``."""
    return AMBER, f"This deployment runs no {stage} stage, so nothing shows {what}."


def pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def decided_alone(facts) -> float:
    """Patients per 1,000 whose flag the model turns into a decision with no clinician."""
    alone = 0.0
    if facts.decided is not None:
        alone = 1000 * facts.decided["model"] / facts.patients
    if facts.autonomy is not None and facts.autonomy["automatic"] > 0:
        alone = max(alone, facts.flagged)
    return alone
