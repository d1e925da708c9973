"""Explanations and autonomy (lesson 05): what an explanation shows and hides, and the
patient's right to say no.

- :mod:`.stage`: the explain stage (registered as ``"explain"``),
  :class:`ExplainSettings`, :func:`run_explain`, :class:`ExplainResult`;
- :mod:`.attributions`: shap's own explainers for every model kind, risk points,
  importance by group (shap is imported on first use only);
- :mod:`.counterfactual`: the smallest change that flips a flag (an exact search);
- :mod:`.letter`: an explanation letter for one patient;
- :mod:`.features`, :mod:`.sentences`: inputs and plain words.

Examples
--------
>>> from teachkit.explain import ExplainSettings, run_explain
>>> result = run_explain(ExplainSettings(model="logistic"))
>>> result.baseline_name
'the usual rule'
"""

from .attributions import ExplainedModel, Explanation, fit_explained, importance_by_group
from .counterfactual import Counterfactual, counterfactual
from .letter import explanation_letter
from .sentences import describe_explanation
from .stage import ExplainResult, ExplainSettings, run_explain

__all__ = ["Counterfactual", "ExplainResult", "ExplainSettings", "ExplainedModel",
           "Explanation", "counterfactual", "describe_explanation", "explanation_letter",
           "fit_explained", "importance_by_group", "run_explain"]
