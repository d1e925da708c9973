"""The explain stage (lesson 05): explanations of the triage model, and the patient's
right to say no.

The stage runs after the triage model (order 30, before oversight). It

1. refits the model on what the ``explain_inputs`` and ``explain_duplicate`` levers let
   it read (with the usual inputs the scores are the pipeline's own) and flags patients
   by the same policy;
2. lets patients uncomfortable with AI opt out (``explain_opt_out``; discomfort by age
   and sex from the surveys, (A)); those who opt out get the usual PHQ-9 rule or nothing
   (``explain_opt_out_route``);
3. counts the consequences on the final flags, and what autonomy costs and gives:
   patients who opted out, their crises caught and missed, decisions made
   automatically, patients told an AI was used and the satisfaction that costs.

Composed with the oversight stage after it (``Deployment(("explain", "oversight"))``),
the final flags and scores are what joins the review queue, and ``explain_reviewer``
says whether the reviewer sees the explanation (:attr:`ExplainResult.reviewer_sees_explanation`):
lesson 04's reviewer then follows right and wrong advice as Jabbour et al. 2023 measured.

Explanations (shap) are computed on demand, never in :func:`run_explain`: a lever move
costs no shap import. They explain the model as trained on the run's label and training
rows; lesson 02's mitigations (group thresholds, reduction, relabelling) change the flags
but are not explained. :meth:`ExplainResult.explain` explains one patient,
:meth:`ExplainResult.importance` gives the mean risk points of each input by group.

All data is synthetic.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..consequences import GROUP_ATTRIBUTES, ConsequenceFrame
from ..levers import OWNERS, REGISTRY, bound_to, call_bound
from ..levers.bias import training_label
from ..levers.explain import (
    AUTONOMY_LEVERS,
    EXPLANATION_LEVERS,
    REVIEWER_LEVERS,
    autonomy_counts,
    fit_on_inputs,
    opt_out_flags,
    reference_patients,
    shown_to_reviewer,
)
from ..pipeline import RunResult, flag_patients, simulate
from ..stages import Deployment, Stage, get_stage, register_stage
from .attributions import ExplainedModel, Explanation, importance_by_group

__all__ = ["ExplainSettings", "ExplainResult", "run_explain", "EXPLAIN_STAGE",
           "BASELINE_NAMES"]

BASELINE_NAMES = {
    "autonomy": "every patient triaged by the model",
    "reviewer": "the reviewer without the explanation",
    "inputs": "the model with its usual inputs",
    "self": "this set-up",
}


def _baseline(settings):
    """One step back: autonomy levers first, then the reviewer's, then the explanation
    levers."""
    changed = settings.changed_levers()
    for levers, name in ((AUTONOMY_LEVERS, "autonomy"), (REVIEWER_LEVERS, "reviewer"),
                         (EXPLANATION_LEVERS, "inputs")):
        moved = [n for n in levers if n in changed]
        if moved:
            return {n: REGISTRY[n].rest for n in moved}, BASELINE_NAMES[name]
    return None


def _run_stage(settings, *, with_baseline: bool = True):
    return run_explain(settings, with_baseline=with_baseline)


EXPLAIN_STAGE = register_stage(Stage(
    name="explain", title="Explanations and the right to say no", order=30,
    baseline=_baseline, run=_run_stage))


class ExplainSettings(Deployment):
    """A deployment with the explain stage: lesson 05's name for it.

    Examples
    --------
    >>> s = ExplainSettings(model="logistic", explain_opt_out=0.5)
    >>> s.baseline()[1]
    'every patient triaged by the model'
    >>> ExplainSettings(explain_inputs="without_ethnicity").baseline()[1]
    'the model with its usual inputs'
    """

    __slots__ = ()
    STAGES = ("explain",)


@dataclass(frozen=True, eq=False)
class ExplainResult(RunResult):
    """One run of the triage model and the explain stage.

    Attributes
    ----------
    model_flags : ndarray of bool
        Who the model flags (before anyone opts out).
    opted_out : ndarray of bool
        Who said no to algorithmic triage.
    autonomy : dict
        Per 1,000 patients: ``opted_out``, ``opted_out_crises``, ``opted_out_caught``
        (their crises caught now) and ``opted_out_caught_by_model`` (had they stayed),
        ``automatic`` (decisions made by the model alone), ``told``; and
        ``satisfaction_change`` (points on a 5-point scale).
    explained : ExplainedModel
    """

    model_flags: np.ndarray | None = dataclasses.field(default=None, repr=False)
    opted_out: np.ndarray | None = dataclasses.field(default=None, repr=False)
    autonomy: dict = dataclasses.field(default_factory=dict, repr=False)
    explained: ExplainedModel | None = dataclasses.field(default=None, repr=False)

    @property
    def reviewer_sees_explanation(self) -> bool:
        """Whether a reviewer after this stage (lesson 04's oversight, composed in one
        :class:`~teachkit.stages.Deployment`) sees the explanation with each flag."""
        return call_bound(bound_to(shown_to_reviewer), self.settings)

    def background(self) -> np.ndarray:
        """Who shap compares a patient with (the ``explain_background`` lever)."""
        return call_bound(bound_to(reference_patients), self.settings, self.model_flags)

    def explain(self, patient: int) -> Explanation:
        """One patient's explanation (patient number, from 1)."""
        return self.explained.explain(patient, self.background())

    def shap_explanation(self, patients):
        """shap's own ``shap.Explanation`` for ``patients`` (patient numbers), for
        developers (``shap.plots.waterfall(result.shap_explanation([32])[0])``)."""
        return self.explained.shap_explanation(patients, self.background())

    def importance(self, attribute: str = "ethnicity", top: int = 6) -> pd.DataFrame:
        """Mean absolute risk points of the ``top`` inputs, overall and by group."""
        background = self.background()
        key = ("importance", np.packbits(background).tobytes(), attribute, top)
        table = self.explained.remembered(key, lambda: importance_by_group(
            self.explained, background, self.records[attribute], top=top))
        return table.copy()

    def sentence(self) -> str:
        from .sentences import describe_explain_run

        return describe_explain_run(self)


def _label(settings, records):
    return call_bound(bound_to(training_label), settings, records).astype(int)


@lru_cache(maxsize=16)
def _cached(settings: ExplainSettings) -> ExplainResult:
    triage = settings.before("explain")
    model_result = simulate(triage, with_baseline=False)
    records = model_result.records
    keep = triage.training_rows(records)
    fit = bound_to(fit_on_inputs)
    explained = call_bound(fit, settings, records, settings.model, _label(triage, records),
                           seed=settings.seed, train_mask=None if keep.all() else keep,
                           key=(triage,))
    usual = all(getattr(settings, spec.name) == spec.rest for spec in fit)
    if usual or settings.model == "rule":
        scores, model_flags = model_result.scores, np.asarray(model_result.flagged)
    else:
        scores = explained.scores()
        scores.setflags(write=False)
        model_flags = flag_patients(scores, triage, records)
    opted, flags = call_bound(bound_to(opt_out_flags), settings, records, model_flags,
                              seed=settings.seed)
    y = records["crisis"].to_numpy(dtype=bool)
    autonomy = call_bound(bound_to(autonomy_counts), settings, y, flags, opted, model_flags)
    for array in (flags, opted, model_flags):
        array.setflags(write=False)
    groups = records[[a for a in GROUP_ATTRIBUTES if a in records.columns]]
    frame = ConsequenceFrame(y, flags, scores, groups,
                             is_probability=settings.model != "rule", baseline=None)
    return ExplainResult(settings, scores, flags, frame, records=records,
                         baseline_name=BASELINE_NAMES["self"], model_flags=model_flags,
                         opted_out=opted, autonomy=autonomy, explained=explained)


def run_explain(settings: ExplainSettings | None = None, *,
                with_baseline: bool = True) -> ExplainResult:
    """Run the triage model and the explain stage; compare with one step back.

    Parameters
    ----------
    settings : ExplainSettings (or a Deployment with the explain stage)
    with_baseline : bool, default=True

    Returns
    -------
    ExplainResult

    Examples
    --------
    >>> result = run_explain(ExplainSettings(model="logistic", explain_opt_out=1.0,
    ...                                      explain_opt_out_route="nothing"))
    >>> result.baseline_name
    'every patient triaged by the model'
    >>> bool(result.autonomy["opted_out"] > 400)
    True
    """
    settings = ExplainSettings() if settings is None else settings
    if not (isinstance(settings, Deployment) and "explain" in settings.stages):
        raise TypeError("settings must be a teachkit ExplainSettings object (or a "
                        f"Deployment with the explain stage); got {type(settings)!r}.")
    now = _stage_result(settings)
    if not with_baseline:
        return now
    rest, name = settings.baseline()
    if rest == settings:
        frame = now.consequences.with_baseline(now.consequences)
        return dataclasses.replace(now, consequences=frame, baseline_name=name,
                                   baseline_result=now)
    base = _run_any(rest)
    frame = now.consequences.with_baseline(base.consequences)
    return dataclasses.replace(now, consequences=frame, baseline_name=name,
                               baseline_result=base)


def _run_any(settings):
    """The baseline's run: with the explain stage, or only the triage model."""
    if isinstance(settings, Deployment) and "explain" in settings.stages:
        return _stage_result(settings)
    return simulate(settings, with_baseline=False)


def _stage_result(settings) -> ExplainResult:
    """The stage's run, cached under one key for every deployment that gives the same
    numbers: the stages up to this one and their levers, without ``explain_reviewer``
    (only a reviewer after this stage sees it). The lab's :class:`ExplainSettings` and
    the explain part of a composed deployment share one run."""
    upto = tuple(s for s in settings.stages if get_stage(s).order <= EXPLAIN_STAGE.order)
    levers = {k: v for k, v in settings.levers
              if OWNERS[k] in upto and k not in REVIEWER_LEVERS}
    key = ExplainSettings(settings=settings.settings, **levers) if upto == ("explain",) \
        else Deployment(upto, settings=settings.settings, **levers)
    result = _cached(key)
    return result if result.settings == settings else \
        dataclasses.replace(result, settings=settings)
