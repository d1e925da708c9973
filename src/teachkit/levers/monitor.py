"""Monitoring levers (lesson 06): a deployed model over 36 months, what changes, who watches.

The model goes live after a year of training data and meets 36 monthly intakes drawn
from the same causal structure and seed. The trainee switches drift events on (each with
a start month and a sourced story), chooses what is monitored, and how the model is
updated:

- ``monthly_volume``: patients screened a month (a small clinic has a few hundred);
- ``model_source``: a model trained on this clinic's own last year, or a vendor's model
  with its card (Wong et al. 2021: card 0.76-0.83, local 0.63);
- ``drift_case_mix``, ``drift_base_rate``, ``drift_coding``, ``drift_shock``,
  ``drift_pipeline``: the month each drift event starts (0: never);
- ``monitoring``: nobody watches, input drift only (PSI, KS), performance once the
  labels arrive (AUC, sensitivity, O:E and a CUSUM), or both;
- ``update_policy``: never, a yearly refit, recalibrate when an alarm fires (Davis et al.
  2022).

Every rate behind an event is a constant of :mod:`teachkit.monitor.events` with its
source; (A) marks an assumption.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

from .._validation import Interval, Options
from . import LeverSpec, register

__all__ = ["MONITOR_LEVERS", "DRIFT_LEVERS", "START_MONTHS", "MONITORING_MODES",
           "UPDATE_POLICIES", "STAGE", "STAGE_MODULE", "deploy_for_three_years"]

#: When a drift event can start (0: it never happens); month 1 is the first after go-live.
START_MONTHS = (0, 1, 6, 12, 18, 24)
MONITORING_MODES = ("none", "inputs", "labels", "both")
UPDATE_POLICIES = ("never", "yearly_refit", "recalibrate")


def _start_labels() -> dict:
    return {0: "Never", **{m: f"From month {m}" for m in START_MONTHS[1:]}}


MONTHLY_VOLUME = LeverSpec(
    name="monthly_volume",
    label="Patients screened a month",
    tooltip=(
        "How many patients the clinic screens a month. In a small clinic the numbers swing by "
        "chance, and drift alarms fire with no drift."
    ),
    constraint=Interval(100, 2000, kind="int"),
    rest=1000,
    unit="a month",
    step=100,
    source="A teaching size (A): about 20 crises a month at the 2 % primary-care rate",
)

MODEL_SOURCE = LeverSpec(
    name="model_source",
    label="Whose model",
    tooltip=(
        "A model trained on this clinic's own patients from last year, or a vendor's model "
        "trained on other clinics, with the vendor's own test results."
    ),
    constraint=Options(("local", "vendor")),
    rest="local",
    option_labels={"local": "Trained on our own last year",
                   "vendor": "Bought from a vendor (its card says it works)"},
    source="Wong et al. 2021, JAMA Intern Med: the Epic sepsis model's card said AUC "
           "0.76-0.83; local validation found 0.63",
)


def _event(name, label, tooltip, source):
    return LeverSpec(name=name, label=label, tooltip=tooltip,
                     constraint=Options(START_MONTHS), rest=0,
                     option_labels=_start_labels(), source=source)


DRIFT_CASE_MIX = _event(
    "drift_case_mix", "A new clinic joins (case mix)",
    "A clinic serving a limited-English community joins: from this month its patients "
    "are screened too, and the mix of who walks in changes.",
    "Finlayson et al. 2021, NEJM 385:283: population and setting shifts (A: four times "
    "as many limited-English patients)")
DRIFT_BASE_RATE = _event(
    "drift_base_rate", "Crises become rarer (base rate falls)",
    "Fewer crises at the same answers (better community care). The model's risks stay the "
    "same, so it over-predicts, though it ranks patients as well.",
    "Davis et al. 2017, JAMIA: calibration drifted as the outcome rate fell while "
    "discrimination held (A: 10 % fewer a year)")
DRIFT_CODING = _event(
    "drift_coding", "Coding change moves the label",
    "Crises are coded a new way (as with ICD-10 in 2015): other injuries now count as "
    "crises. True risk stays; the label changes.",
    "Psychiatr Serv 2016, doi:10.1176/appi.ps.201600450: self-harm coding changed "
    "significantly (A: one extra recorded crisis per 100 patients)")
DRIFT_SHOCK = _event(
    "drift_shock", "A shock (pandemic months)",
    "For three months fewer patients come (35 % fewer) and those who come are sicker: "
    "alerts jump while the model ranks patients about as well.",
    "Wong et al. 2021, JAMA Netw Open: patients alerting per day 9 % to 21 %, census "
    "down 35 %, alerts up 43 %; Michigan paused the alert")
DRIFT_PIPELINE = _event(
    "drift_pipeline", "A pipeline bug (a feature goes missing)",
    "After an update of the questionnaire form the GAD-7 anxiety score no longer "
    "reaches the model: it reads 0 for everyone, and nobody is told.",
    "Otles et al. 2021, MLHC: prospective AUROC fell mainly through infrastructure "
    "(pipeline) changes; Nestor et al. 2019: an EHR switch cost 0.29 AUROC")

MONITORING = LeverSpec(
    name="monitoring",
    label="What is monitored",
    tooltip=(
        "Nothing; the model's scores each month (inputs: PSI, KS); its results once crises are "
        "known, a year later (performance: AUC, O:E, CUSUM); or both."
    ),
    constraint=Options(MONITORING_MODES),
    rest="none",
    option_labels={"none": "Nobody watches", "inputs": "Input drift (PSI, KS)",
                   "labels": "Performance once labels arrive (CUSUM)",
                   "both": "Both"},
    source="EU AI Act Art. 72 (a post-market monitoring plan); PSI 0.1 / 0.25 lights "
           "are a credit-scoring convention (Siddiqi)",
)

UPDATE_POLICY = LeverSpec(
    name="update_policy",
    label="When the model is updated",
    tooltip=(
        "Never; refitted each year on last year's patients; or recalibrated when a monitoring "
        "alarm fires. Davis 2022 found O:E 0.75, 0.94 and 1.01."
    ),
    constraint=Options(UPDATE_POLICIES),
    rest="never",
    option_labels={"never": "Never updated", "yearly_refit": "Refitted every year",
                   "recalibrate": "Recalibrated when an alarm fires"},
    source="Davis et al. 2022 (PMC9388604): 90,295 procedures, O:E 0.75 / 0.94 / 1.01",
)

MONITOR_LEVER_SPECS = (MONTHLY_VOLUME, MODEL_SOURCE, DRIFT_CASE_MIX, DRIFT_BASE_RATE,
                       DRIFT_CODING, DRIFT_SHOCK, DRIFT_PIPELINE, MONITORING, UPDATE_POLICY)
#: Names of the levers of this module, in the order the lesson shows them.
MONITOR_LEVERS = tuple(spec.name for spec in MONITOR_LEVER_SPECS)
#: The drift events, each a start month.
DRIFT_LEVERS = ("drift_case_mix", "drift_base_rate", "drift_coding", "drift_shock",
                "drift_pipeline")
#: The stage these levers belong to, and the module that registers it.
STAGE, STAGE_MODULE = "monitor", "teachkit.monitor"


def deploy_for_three_years(*, seed: int, setting: str, threshold: float,
                           monthly_volume: int = 1000, model_source: str = "local",
                           drift_case_mix: int = 0, drift_base_rate: int = 0,
                           drift_coding: int = 0, drift_shock: int = 0,
                           drift_pipeline: int = 0, monitoring: str = "none",
                           update_policy: str = "never"):
    """Deploy a model for 36 months with these levers: its pool of patients, the months
    (:func:`teachkit.monitor.run.simulate_months`) and the AUC its card reports.

    Every lever of the monitor stage is a keyword here and arrives as the trainee set it:
    the month each drift event starts, what is monitored, the update policy. ``seed``,
    ``setting`` and ``threshold`` come from the triage settings.

    Returns
    -------
    pool : teachkit.monitor.timeline.Pool
    timeline : teachkit.monitor.run.Timeline
    card_auc : float
        The vendor's own validation, or our training year's (in-sample) AUC.

    Examples
    --------
    >>> _, timeline, card = deploy_for_three_years(seed=1, setting="primary_care",
    ...                                            threshold=0.05, monthly_volume=200)
    >>> int(timeline.months.index.max()), timeline.monitoring, bool(0.5 < card < 1)
    (36, 'none', True)
    """
    given = dict(locals())
    from ..monitor.monitors import auc
    from ..monitor.run import simulate_months
    from ..monitor.timeline import local_model, pool, vendor_model

    # The drift events read their start months (and the volume) from one namespace.
    events = SimpleNamespace(**{spec.name: spec.validate(given[spec.name],
                                                         caller="deploy_for_three_years")
                                for spec in MONITOR_LEVER_SPECS})
    p = pool(monthly_volume, seed, setting)
    if model_source == "vendor":
        model, card = vendor_model(seed)
    else:
        model = local_model(monthly_volume, seed, setting)
        card = auc(p.crisis[p.training_rows], model.risk(p.X[p.training_rows]))
    timeline = simulate_months(p, model, events, threshold=threshold,
                               monitoring=monitoring, update_policy=update_policy)
    return p, timeline, card


MONITOR_LEVER_SPECS = tuple(dataclasses.replace(spec, function=deploy_for_three_years)
                            for spec in MONITOR_LEVER_SPECS)
(MONTHLY_VOLUME, MODEL_SOURCE, DRIFT_CASE_MIX, DRIFT_BASE_RATE, DRIFT_CODING, DRIFT_SHOCK,
 DRIFT_PIPELINE, MONITORING, UPDATE_POLICY) = MONITOR_LEVER_SPECS
register(*MONITOR_LEVER_SPECS, owner=STAGE)
