"""The checklist: every rule checked against one run of a deployment."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .._validation import TeachkitError
from ..stages import Deployment, run_all
from . import eu_ai_act, gdpr, us  # noqa: F401  (they register the rules)
from ._rule import AMBER, GREEN, RED, RULES, STATUSES
from .facts import Facts, gather_facts

__all__ = ["Item", "Checklist", "evaluate", "check_facts"]


@dataclass(frozen=True)
class Item:
    """One rule's verdict on a run.

    Attributes
    ----------
    rule : str
        The rule's stable id (a key of :data:`teachkit.rules.RULES`).
    title, instrument, article, source, basis, applies : str
        Copied from the rule, so an item can be shown on its own.
    status : str
        ``"green"``, ``"amber"`` or ``"red"``.
    reason : str
        One line, built from the run's own numbers.
    """

    rule: str
    title: str
    instrument: str
    article: str
    status: str
    reason: str
    source: str
    basis: str
    applies: str


@dataclass(frozen=True)
class Checklist:
    """Every rule's item for one deployment, in the catalogue's order.

    Attributes
    ----------
    deployment : Deployment
    items : tuple of Item
    facts : Facts
        The numbers the rules read (the model card reads them too).
    """

    deployment: Deployment
    items: tuple
    facts: Facts

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def _with(self, status):
        return tuple(item for item in self.items if item.status == status)

    @property
    def reds(self) -> tuple:
        """The items that are red."""
        return self._with(RED)

    @property
    def ambers(self) -> tuple:
        return self._with(AMBER)

    @property
    def greens(self) -> tuple:
        return self._with(GREEN)

    @property
    def counts(self) -> dict:
        """Status -> number of items, every status present (``{"green": 7, ...}``)."""
        return {status: len(self._with(status)) for status in STATUSES}

    def item(self, rule: str) -> Item:
        """The item of one rule, by id (an error names the ids)."""
        for item in self.items:
            if item.rule == rule:
                return item
        raise TeachkitError(f"No checklist rule is called {rule!r}. Rules: "
                            f"{', '.join(RULES)}.")

    def status(self, rule: str) -> str:
        """The colour of one rule."""
        return self.item(rule).status

    def to_frame(self) -> pd.DataFrame:
        """One row per item, indexed by rule id."""
        return pd.DataFrame([vars(item) for item in self.items]).set_index("rule")


def check_facts(facts: Facts) -> Checklist:
    """Run every rule on already-gathered facts (no pipeline run)."""
    items = []
    for rule in RULES.values():
        status, reason = rule.check(facts)
        if status not in STATUSES:
            raise AssertionError(f"Rule {rule.id!r} returned status {status!r}.")
        items.append(Item(rule=rule.id, title=rule.title, instrument=rule.instrument,
                          article=rule.article, status=status, reason=reason,
                          source=rule.source, basis=rule.basis, applies=rule.applies))
    return Checklist(deployment=facts.deployment, items=tuple(items), facts=facts)


def evaluate(deployment_or_run) -> Checklist:
    """Hold a deployment to the rules: one item per rule, each green, amber or red.

    Parameters
    ----------
    deployment_or_run : Deployment or dict
        A deployment (it is run once, every stage, without baselines) or the dict
        :func:`teachkit.stages.run_all` returned for one.

    Returns
    -------
    Checklist

    Raises
    ------
    TeachkitError
        For anything else, naming what was given.

    Examples
    --------
    >>> from teachkit.stages import Deployment
    >>> checklist = evaluate(Deployment(("oversight",), model="logistic",
    ...                                 oversight="dropped"))
    >>> checklist.status("eu_human_oversight")
    'red'
    >>> evaluate("my deployment")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'deployment_or_run' parameter of evaluate \
must be a Deployment or the dict run_all returns. Got str instead.
    """
    if isinstance(deployment_or_run, Deployment):
        deployment = deployment_or_run
        results = run_all(deployment, with_baseline=False)
    elif isinstance(deployment_or_run, dict) and "triage" in deployment_or_run \
            and isinstance(deployment_or_run["triage"].settings, Deployment):
        results = deployment_or_run
        deployment = results["triage"].settings
    else:
        raise TeachkitError("The 'deployment_or_run' parameter of evaluate must be a "
                            "Deployment or the dict run_all returns. Got "
                            f"{type(deployment_or_run).__name__} instead.")
    return check_facts(gather_facts(deployment, results))
