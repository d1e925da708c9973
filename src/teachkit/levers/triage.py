"""Triage levers: which model scores the patients, and how many of them get flagged.

These levers do not change the cohort; they choose the model and the flagging policy
(a risk threshold, or a fixed capacity: the top k % of risk). At rest the clinic uses
the usual screening rule: PHQ-9 total of 10 or more, or any thoughts of self-harm.
"""

from __future__ import annotations

from .._validation import Interval, Options
from . import LeverSpec, register

MODEL = LeverSpec(
    name="model",
    label="Triage model",
    tooltip=(
        "How patients are scored: the usual questionnaire rule, or a model trained on past "
        "patients. The record-based model sees questionnaires only from routine screening."
    ),
    constraint=Options(("rule", "logistic", "boosting", "records")),
    rest="rule",
    option_labels={
        "rule": "Usual rule (PHQ-9 ≥ 10 or any self-harm thoughts)",
        "logistic": "Logistic regression",
        "boosting": "Gradient boosting",
        "records": "Record-based model (questionnaires only if screened)",
    },
    source="Kroenke, Spitzer, Williams 2001 (the PHQ-9 >= 10 cut-off); item 9 (Simon 2013)",
)

POLICY = LeverSpec(
    name="policy",
    label="Who gets flagged",
    tooltip=(
        "Flag everyone above a risk threshold, or only as many patients as the team can "
        "follow up (the highest-risk k %)."
    ),
    constraint=Options(("threshold", "capacity")),
    rest="threshold",
    option_labels={"threshold": "Everyone above a risk threshold",
                   "capacity": "Only the top k % (team capacity)"},
    source="REACH VET flags a fixed top tier (McCarthy et al. 2021)",
)

THRESHOLD = LeverSpec(
    name="threshold",
    label="Risk threshold",
    tooltip=(
        "A patient is flagged when their estimated 12-month crisis risk is at least this. Lower "
        "means more flags. The usual rule ignores it."
    ),
    constraint=Interval(0.005, 0.5),
    rest=0.05,
    unit="%",
    step=0.005,
    source="A teaching default (A)",
)

CAPACITY = LeverSpec(
    name="capacity",
    label="Team capacity (top k %)",
    tooltip=(
        "The share of patients the team can follow up urgently; the highest-risk patients "
        "fill it first."
    ),
    constraint=Interval(0.01, 0.5),
    rest=0.10,
    unit="%",
    step=0.01,
    source="Capacity is a slider in DOMAIN.md d.2 (A); REACH VET uses the top 0.1 %",
)

TRIAGE_LEVERS = (MODEL, POLICY, THRESHOLD, CAPACITY)
register(*TRIAGE_LEVERS, owner="triage")
