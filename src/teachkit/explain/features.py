"""What the explained models read: the usual features, the access proxies, ethnicity and
a near-duplicate, each with a plain-language name.

All data is synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models import FEATURES, RECORD_FEATURES, feature_matrix

__all__ = ["RULE_FEATURES", "PROXIES", "ETHNICITY_COLUMNS", "CHANGEABLE", "FIXED",
           "PLAIN_NAMES", "feature_names", "explain_matrix", "rule_matrix"]

#: The usual rule reads PHQ-9 items and whether item 9 is above zero.
RULE_FEATURES = (*(f"phq{i}" for i in range(1, 10)), "item9_any")
#: What the records say about access to care (lesson 02): language, insurance, home (not
#: past cost: lesson 02's cost label is made from it, so it would leak the label).
PROXIES = ("limited_english", "medicaid_or_uninsured", "rural")
ETHNICITY_COLUMNS = ("black", "hispanic", "asian", "other_ethnicity")
#: Inputs a patient's care could change (symptoms, treatment, visits).
CHANGEABLE = (*(f"phq{i}" for i in range(1, 10)), "gad7_total", "treated",
              "visits_past_year")
#: Inputs that cannot or should not change to move a flag.
FIXED = ("age", "female", "self_harm_recorded", "diagnosed", "screened", *PROXIES,
         *ETHNICITY_COLUMNS)

_ITEMS = ("little interest or pleasure", "feeling down or hopeless", "sleep problems",
          "tiredness", "appetite changes", "feeling a failure", "trouble concentrating",
          "moving or speaking slowly, or restlessness", "thoughts of self-harm")
PLAIN_NAMES = {
    **{f"phq{i}": f"{_ITEMS[i - 1]} (PHQ-9 item {i})" for i in range(1, 10)},
    "item9_any": "any thoughts of self-harm (item 9 above 'not at all')",
    "phq9_copy": "thoughts of self-harm, second copy",
    "age": "age", "female": "being female", "gad7_total": "anxiety score (GAD-7)",
    "diagnosed": "a recorded depression diagnosis", "treated": "recorded treatment",
    "visits_past_year": "mental-health visits last year",
    "self_harm_recorded": "recorded past self-harm",
    "screened": "screened in routine care",
    "limited_english": "limited English", "medicaid_or_uninsured": "Medicaid or no insurance",
    "rural": "living in a rural area", "log_cost": "cost of care last year",
    "black": "being Black", "hispanic": "being Hispanic", "asian": "being Asian",
    "other_ethnicity": "other ethnicity",
}
ANSWERS = ("not at all", "several days", "more than half the days", "nearly every day")


def feature_names(kind: str, inputs: str = "usual", duplicate: str = "none") -> tuple:
    """The columns of :func:`explain_matrix` for a model kind and the explain levers.

    Examples
    --------
    >>> feature_names("logistic", "without_ethnicity")[-3:]
    ('limited_english', 'medicaid_or_uninsured', 'rural')
    >>> feature_names("rule", "with_ethnicity", "item9_copy")[-1]
    'item9_any'
    """
    if kind == "rule":
        return RULE_FEATURES
    names = RECORD_FEATURES if kind == "records" else FEATURES
    if inputs != "usual":
        names = (*names, *PROXIES)
    if inputs == "with_ethnicity":
        names = (*names, *ETHNICITY_COLUMNS)
    if duplicate == "item9_copy":
        names = (*names, "phq9_copy")
    return tuple(names)


def rule_matrix(records: pd.DataFrame) -> np.ndarray:
    """PHQ-9 items and ``item9_any``: the usual rule's inputs."""
    items = records[[f"phq{i}" for i in range(1, 10)]].to_numpy(dtype=float)
    return np.column_stack([items, (records["phq9"].to_numpy() > 0).astype(float)])


def explain_matrix(records: pd.DataFrame, kind: str, inputs: str = "usual",
                   duplicate: str = "none") -> np.ndarray:
    """The matrix the explained model reads (columns: :func:`feature_names`).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> X = explain_matrix(make_cohort(300, seed=1), "logistic", "with_ethnicity",
    ...                    "item9_copy")
    >>> X.shape
    (300, 24)
    """
    if kind == "rule":
        return rule_matrix(records)
    columns = [feature_matrix(records, kind)]
    if inputs != "usual":
        insurance = records["insurance"].astype(str)
        columns.append(np.column_stack([
            (records["language"].astype(str) != "English").to_numpy(dtype=float),
            insurance.isin(["Medicaid", "uninsured"]).to_numpy(dtype=float),
            (records["rurality"].astype(str) == "rural").to_numpy(dtype=float),
        ]))
    if inputs == "with_ethnicity":
        ethnicity = records["ethnicity"].astype(str).to_numpy()
        columns.append(np.column_stack([(ethnicity == g).astype(float) for g in
                                        ("Black", "Hispanic", "Asian", "Other")]))
    if duplicate == "item9_copy":
        columns.append(records["phq9"].to_numpy(dtype=float)[:, None])
    return np.column_stack(columns)
