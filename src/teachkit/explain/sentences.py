"""Plain-language sentences for lesson 05: one patient's explanation, the run, and the
counterfactual (risk points, never log-odds). All data is synthetic."""

from __future__ import annotations

import numpy as np

from ..text import per_1000
from .features import ANSWERS, PLAIN_NAMES

__all__ = ["describe_input", "describe_value", "describe_explanation", "describe_explain_run"]


def describe_input(name: str, value: float) -> str:
    """An input and its value in words ("thoughts of self-harm: several days").

    Examples
    --------
    >>> describe_input("phq9", 1)
    'thoughts of self-harm (PHQ-9 item 9): several days'
    >>> describe_input("visits_past_year", 0)
    'mental-health visits last year: 0'
    """
    return f"{PLAIN_NAMES.get(name, name)}: {describe_value(name, value)}"


def describe_value(name: str, value: float) -> str:
    """An input's value in words ("several days", "yes", "$1,200").

    Examples
    --------
    >>> describe_value("phq2", 3), describe_value("treated", 1)
    ('nearly every day', 'yes')
    """
    if name.startswith("phq") and name[3:].isdigit() or name == "phq9_copy":
        return ANSWERS[int(np.clip(value, 0, 3))]
    if name in ("age", "visits_past_year", "gad7_total"):
        return f"{value:.0f}"
    if name == "log_cost":
        return f"${np.expm1(value):,.0f}"
    return "yes" if value >= 0.5 else "no"


def describe_explanation(explanation) -> str:
    """One patient's explanation as two plain sentences, in risk points.

    Examples
    --------
    >>> from teachkit.explain import Explanation
    >>> import numpy as np
    >>> e = Explanation(7, ("phq9", "age"), np.array([1.0, 40.0]), np.array([1.0, -0.1]),
    ...                 -3.0, -2.1, np.array([3.2, -0.3]), 10.9, 4.7, "risk points")
    >>> describe_explanation(e).split(". ")[0]
    "Patient 7's estimated risk is 10.9 %, against 4.7 % for the reference patient"
    """
    e = explanation
    order = np.argsort(-e.points)
    unit = "points" if e.unit == "rule points" else "risk points"
    if e.unit == "rule points":
        head = (f"Patient {e.patient} scores {e.risk:.0f} rule points, against "
                f"{e.base_risk:.1f} for the reference patient (10 points flag a patient).")
    else:
        head = (f"Patient {e.patient}'s estimated risk is {e.risk:.1f} %, against "
                f"{e.base_risk:.1f} % for the reference patient.")
    up = order[0]
    parts = [head]
    if e.points[up] > 0.05:
        parts.append(f"What raised it most: {describe_input(e.features[up], e.values[up])}"
                     f", {e.points[up]:+.1f} {unit}.")
    down = order[-1]
    if e.points[down] < -0.05:
        parts.append(f"What lowered it most: "
                     f"{describe_input(e.features[down], e.values[down])}, "
                     f"{e.points[down]:+.1f} {unit}.")
    return " ".join(parts)


def describe_explain_run(result) -> str:
    """The run against its baseline, then what autonomy costs and gives."""
    text = result.consequences.sentence(baseline_name=result.baseline_name)
    a = result.autonomy
    if a.get("opted_out", 0) > 0:
        route = "the usual PHQ-9 rule" if result.settings.explain_opt_out_route == \
            "usual_rule" else "no triage at all"
        text += (f" {per_1000(a['opted_out'])} patients per 1,000 opted out and got "
                 f"{route}: {per_1000(a['opted_out_caught'])} of their "
                 f"{per_1000(a['opted_out_crises'])} crises per 1,000 were caught "
                 f"(the model would have caught {per_1000(a['opted_out_caught_by_model'])}).")
    if a.get("automatic", 0) > 0:
        text += (" The model's flag is an automatic decision: every patient has the right "
                 "to a human review and to contest it (GDPR Art. 22).")
    if a.get("told", 0) > 0:
        text += (f" Every patient is told an AI was used; satisfaction falls by about "
                 f"{-a['satisfaction_change']:.2f} points (Cavalier 2025).")
    return text
