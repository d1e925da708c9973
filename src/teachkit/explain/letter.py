"""A patient asks why: an explanation letter in plain words (EU AI Act Art. 86 style),
generated from the run, for one synthetic patient."""

from __future__ import annotations

from ..text import SYNTHETIC_NOTICE
from .counterfactual import counterfactual
from .sentences import describe_input

__all__ = ["explanation_letter"]


def explanation_letter(result, patient: int, *, explanation=None, flip=None) -> str:
    """The letter to ``patient`` about the role of the AI system in their triage.

    It names the role of the model, the main elements of the decision (the three inputs
    that moved the risk most, in risk points), what would have changed it, who decided,
    and the patient's rights (human review, contest, opt out). Plain text.
    ``explanation`` and ``flip`` (the patient's :class:`Explanation` and
    :class:`Counterfactual`) are computed when not given.

    Examples
    --------
    >>> from teachkit.explain import ExplainSettings, run_explain
    >>> letter = explanation_letter(run_explain(ExplainSettings(model="logistic")), 3)
    >>> letter.splitlines()[0]
    'Dear patient 3,'
    """
    e = result.explain(patient) if explanation is None else explanation
    index = result.explained.index_of(patient)
    s = result.settings
    flagged = bool(result.flagged[index])
    opted = bool(result.opted_out[index])
    order = sorted(range(len(e.points)), key=lambda i: -abs(e.points[i]))[:3]
    unit = "points" if e.unit == "rule points" else "percentage points of risk"
    if opted:
        role = ("You asked not to be assessed by the computer model. "
                + ("A clinician used the usual questionnaire rule instead."
                   if s.explain_opt_out_route == "usual_rule"
                   else "No other assessment was made."))
    elif s.explain_decision == "automatic":
        role = ("A computer model assessed your answers and records and decided "
                "automatically whether you were offered an urgent follow-up.")
    else:
        role = ("A computer model assessed your answers and records and recommended to a "
                "clinician whether to offer you an urgent follow-up; the clinician decided.")
    outcome = "were" if flagged else "were not"
    lines = [
        f"Dear patient {patient},",
        "",
        "You asked how a computer system was used in your care. This letter explains it.",
        "",
        f"What the system did. {role} You {outcome} offered an urgent follow-up.",
        "",
        f"The main reasons. The model estimated your risk at {e.risk:.1f} "
        f"{'points' if e.unit == 'rule points' else '%'}, against {e.base_risk:.1f} for a "
        "typical patient. What moved it most:",
    ]
    for i in order:
        lines.append(f"  - {describe_input(e.features[i], e.values[i])}: "
                     f"{e.points[i]:+.1f} {unit}")
    cf = counterfactual(result, patient) if flip is None else flip
    lines += ["", "What would have changed the result. " + cf.sentence(), "",
              "Your rights. You may ask a clinician to review this decision, give your view "
              "and contest it (GDPR Art. 22). You may ask not to be assessed by the model "
              "in future; you will then be assessed by a clinician with the usual "
              "questionnaire. You may ask for this explanation again (EU AI Act Art. 86).",
              "", "This letter was generated from a teaching simulation. "
              + SYNTHETIC_NOTICE]
    return "\n".join(lines)
