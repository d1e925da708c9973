"""Oversight (lesson 04): what happens to a flag after the triage model, and who decides.

The triage model (:mod:`teachkit.pipeline`) raises flags; here they meet a review queue
with a daily capacity, reviewers with their own accuracy, automation bias and alert
fatigue, or no human at all. Modules:

- :mod:`.deployment`: the oversight stage (registered as ``"oversight"``),
  :class:`OversightSettings` (lesson 04's deployment), :func:`run_oversight` (the
  pipeline plus the stage), :func:`deploy` (the stage alone, returning
  :class:`CaseDecisions`), :class:`OversightResult`;
- :mod:`.audit`: :func:`responsibility_map` and one patient's :func:`audit_log`;
- :mod:`.capacity`: :func:`capacity_tradeoff`, the REACH VET top 0.1 / 1 / 5 % table;
- :mod:`.sentences`: the plain-language sentences.

Examples
--------
>>> from teachkit.oversight import OversightSettings, run_oversight
>>> result = run_oversight(OversightSettings(model="logistic", oversight="dropped"))
>>> float(result.consequences.overall["caught"].iloc[0])
0.0
"""

from .audit import audit_log, example_patients, responsibility_map
from .capacity import capacity_tradeoff
from .deployment import (
    DECIDERS,
    CaseDecisions,
    OversightResult,
    OversightSettings,
    deploy,
    run_oversight,
    screening_days,
)

__all__ = [
    "DECIDERS",
    "CaseDecisions",
    "OversightResult",
    "OversightSettings",
    "audit_log",
    "capacity_tradeoff",
    "deploy",
    "example_patients",
    "responsibility_map",
    "run_oversight",
    "screening_days",
]
