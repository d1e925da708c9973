"""The pipeline: cohort -> levers -> triage model -> flags -> consequences.

:class:`Settings` is a frozen object that holds the cohort's arguments and every lever.
With every lever at its resting value it describes the baseline. :func:`simulate` is the
only path from settings to consequences; it returns a :class:`RunResult`, which every
lesson displays the same way.

The bias levers (lesson 02) enter at three places: the records the model reads
(under-reporting, under-documentation: the whole cohort, at training and at use), the
training rows and the label (only what each cross-fitting fold learns from), and the
flags (per-group thresholds). The consequences are always counted against the true
crisis outcome.

Cohorts and trained models are cached, so a slider that moves a threshold or a capacity
costs a few milliseconds and never retrains.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._cache import IdentityCache, Recent, memo, register
from ._validation import Interval, Options, check_param, check_seed
from .cohort import COHORT_SETTINGS, LESSON_CRISIS_RATES, make_cohort
from .consequences import (
    GROUP_ATTRIBUTES,
    ConsequenceFrame,
    calibration_by_group,
    programme_shares,
)
from .levers import REGISTRY, LeverSettings, bound_to, call_bound
from .levers.bias import (
    BIAS_LEVERS,
    apply_record_levers,
    leave_out_of_training,
    mitigation_steps,
    need_label,
    training_label,
)
from .levers.triage import flag_by_policy, score_patients
from .models import RULE_PHQ9_CUTOFF, RuleScreener, feature_matrix

__all__ = ["Settings", "RunResult", "simulate", "lesson_cohort", "DEFAULT_COHORT"]

#: The cohort the lessons use (and data/synthetic/cohort.csv holds).
DEFAULT_COHORT = {"n": 60_000, "seed": 2024, "setting": "primary_care"}

_COHORT_FIELDS = ("n", "seed", "setting")


@dataclass(frozen=True)
class Settings(LeverSettings):
    """Everything that decides a run: the cohort and every lever.

    Parameters
    ----------
    n, seed, setting
        The cohort's arguments (:func:`teachkit.cohort.make_cohort`); by default the
        lessons' cohort of 60,000 primary-care patients.
    model : {"rule", "logistic", "boosting", "records"}, default="rule"
        The triage model; at rest, the usual PHQ-9 rule.
    policy : {"threshold", "capacity"}, default="threshold"
        Flag everyone above a risk threshold, or the top ``capacity`` share.
    threshold : float in [0.001, 0.2], default=0.05
        Risk from which a patient is flagged (ignored by the rule, which has its own).
    capacity : float in [0.01, 0.5], default=0.10
        Share of patients flagged under the capacity policy.
    label : {"crisis", "cost", "diagnosis"}, default="crisis"
        What the model learns to predict (lesson 02; :mod:`teachkit.levers.bias`).
    access_gap : float in [0, 0.3], default=0.0
        Share of Black patients' care (diagnoses, treatments, visits) withheld at equal
        need, on top of the cohort's own gaps.
    undersample : float in [0, 0.9], default=0.0
        Share of Black patients left out of the training data.
    underreport : float in [0, 1.5], default=0.0
        PHQ-9 under-reporting (logits) on items 1, 3, 5 for patients with limited English.
    self_harm_unrecorded : float in [0, 1], default=0.0
        Share of Black patients' recorded past self-harm that goes unrecorded.
    mitigation : {"none", "group_thresholds", "reduction", "relabel"}, default="none"

    Examples
    --------
    >>> s = Settings(model="logistic")
    >>> s.replace(threshold=0.1).threshold
    0.1
    >>> s.at_rest().model
    'rule'
    >>> Settings(threshold=2)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'threshold' parameter of Settings must be a \
float in the range [0.001, 0.2]. Got 2 instead.
    """

    n: int = DEFAULT_COHORT["n"]
    seed: int = DEFAULT_COHORT["seed"]
    setting: str = DEFAULT_COHORT["setting"]
    model: str = REGISTRY["model"].rest
    policy: str = REGISTRY["policy"].rest
    threshold: float = REGISTRY["threshold"].rest
    capacity: float = REGISTRY["capacity"].rest
    label: str = REGISTRY["label"].rest
    access_gap: float = REGISTRY["access_gap"].rest
    undersample: float = REGISTRY["undersample"].rest
    underreport: float = REGISTRY["underreport"].rest
    self_harm_unrecorded: float = REGISTRY["self_harm_unrecorded"].rest
    mitigation: str = REGISTRY["mitigation"].rest

    def __post_init__(self):
        n = check_param("n", self.n, Interval(100, 5_000_000, kind="int"), caller="Settings")
        object.__setattr__(self, "n", n)  # a numpy integer becomes a plain int
        object.__setattr__(self, "seed", check_seed(self.seed, caller="Settings"))
        check_param("setting", self.setting, Options(COHORT_SETTINGS), caller="Settings")
        super().__post_init__()

    def at_rest(self) -> Settings:
        """The baseline: the same cohort with every lever at its resting value."""
        return super().at_rest()

    def baseline(self) -> tuple[Settings, str]:
        """The settings this run is compared with, and how the sentence names them.

        One step back, so each comparison answers one question:

        - with a mitigation on: the same set-up without it (the price of the mitigation);
        - else with a bias lever moved: the same model and policy without the bias;
        - else every lever at rest: the usual rule.

        Examples
        --------
        >>> Settings(model="logistic", label="cost").baseline()
        (Settings(..., label='crisis', ...), 'the same model without the bias')
        """
        changes, name = self.baseline_changes()
        return (self.at_rest() if changes is None else self.replace(**changes)), name

    def baseline_changes(self) -> tuple[dict | None, str]:
        """The lever changes of :meth:`baseline` (None: every lever at rest), and its
        name; a :class:`~teachkit.stages.Deployment` applies them to itself."""
        from .text import BASELINE_NAMES

        if self.mitigation != REGISTRY["mitigation"].rest:
            return {"mitigation": REGISTRY["mitigation"].rest}, BASELINE_NAMES["mitigation"]
        moved = [name for name in BIAS_LEVERS if name in self.changed_levers()]
        if moved:
            return {name: REGISTRY[name].rest for name in moved}, BASELINE_NAMES["bias"]
        return None, BASELINE_NAMES["rest"]

    @property
    def shapes_the_model(self) -> bool:
        """Whether the label, under-sampling and mitigations can change anything: the
        usual rule learns nothing, so only the records and per-group thresholds reach it."""
        return self.model != "rule"

    def training_rows(self, records: pd.DataFrame) -> np.ndarray:
        """Which patients' records the model may learn from (boolean, one per patient).

        Here: everyone but the under-sampled share of one group. A stage that removes
        records from training (consent) adds its own rule
        (:meth:`teachkit.stages.Deployment.training_rows`).
        """
        return call_bound(bound_to(leave_out_of_training), self, records, seed=self.seed)

    @property
    def uses_threshold(self) -> bool:
        """Whether the threshold lever has any effect with these settings."""
        return self.policy == "threshold" and self.model != "rule"


@memo(4)
def lesson_cohort(n: int = DEFAULT_COHORT["n"], seed: int = DEFAULT_COHORT["seed"],
                  setting: str = DEFAULT_COHORT["setting"]) -> pd.DataFrame:
    """The cohort for these arguments, made once per process and shared.

    Its crisis rate is the setting's sourced 12-month preset
    (:data:`teachkit.cohort.LESSON_CRISIS_RATES`). Callers must not change it in place
    (levers never do; they return new cohorts).
    """
    return make_cohort(n, seed=seed, setting=setting,
                       crisis_rate=LESSON_CRISIS_RATES[setting])


#: Feature digests per records object, and the record levers' output per cohort object.
_FEATURE_DIGESTS = IdentityCache(8)
_RECORDS = IdentityCache(2)


def _feature_digest(records: pd.DataFrame) -> bytes:
    """A digest of what the models read, computed once per records object (the lesson
    cohort, or the cached output of the record levers)."""
    digest = _FEATURE_DIGESTS.get(records)
    if digest is None:
        digest = _FEATURE_DIGESTS.put(records, (), hashlib.blake2b(
            np.ascontiguousarray(feature_matrix(records, "records")).tobytes(),
            digest_size=16).digest())
    return digest


def _records(cohort: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The cohort as the model reads it after the record levers, cached per cohort object
    and lever values (callers never change it in place)."""
    key = (settings.underreport, settings.self_harm_unrecorded, settings.access_gap,
           settings.seed)
    records = _RECORDS.get(cohort, key)
    if records is None:
        records = _RECORDS.put(cohort, key, apply_record_levers(
            cohort, underreport=settings.underreport, access_gap=settings.access_gap,
            self_harm_unrecorded=settings.self_harm_unrecorded, seed=settings.seed))
    return records


def _fingerprint(cohort: pd.DataFrame, label, train_mask=None, extra: str = "") -> str:
    """A digest of everything a model learns from: the features, the label, the training
    rows and how it is trained."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_feature_digest(cohort))
    y = cohort[label].to_numpy() if isinstance(label, str) else np.asarray(label)
    digest.update(np.ascontiguousarray(y).tobytes())
    if train_mask is not None and not np.all(train_mask):
        digest.update(b"mask" + np.packbits(train_mask).tobytes())
    digest.update(extra.encode())
    return digest.hexdigest()


def flag_patients(scores: np.ndarray, settings: Settings, cohort: pd.DataFrame) -> np.ndarray:
    """Who is flagged for urgent follow-up under the settings' policy: the flagging
    levers passed unchanged to :func:`teachkit.levers.triage.flag_by_policy`.

    - threshold policy: the rule flags PHQ-9 >= 10 or item 9 > 0 (its own cut-off); a
      model flags scores at or above ``settings.threshold``;
    - capacity policy: the ``capacity`` share of patients with the highest scores (ties
      broken by a fixed random order, so the count is exact).
    """
    own = None
    if settings.model == "rule" and settings.policy == "threshold":
        own = RuleScreener(cutoff=RULE_PHQ9_CUTOFF).predict(cohort).astype(bool)
    return call_bound(bound_to(flag_by_policy), settings, scores, seed=settings.seed,
                      own_flags=own)


@dataclass(frozen=True, eq=False)
class RunResult:
    """One run of the pipeline: the settings, the scores, the flags and the consequences.

    Attributes
    ----------
    settings : Settings
    scores : ndarray
        Each patient's score (estimated risk, or the rule's scaled points).
    flagged : ndarray of bool
    consequences : ConsequenceFrame
        Overall and by group, with the baseline attached.
    records : DataFrame or None
        The cohort as the model read it (after the record levers); its truth columns
        (``severity``, ``crisis_risk``, ``crisis``) are the cohort's.
    baseline_name : str
        How the sentence names the baseline ("the usual rule", ...).
    baseline_result : RunResult or None
        The baseline run itself, for the views that need its scores.
    """

    settings: Settings
    scores: np.ndarray
    flagged: np.ndarray
    consequences: ConsequenceFrame
    records: pd.DataFrame | None = dataclasses.field(default=None, repr=False)
    baseline_name: str = "the usual rule"
    baseline_result: RunResult | None = dataclasses.field(default=None, repr=False)

    @property
    def baseline(self) -> ConsequenceFrame | None:
        return self.consequences.baseline

    def versus_baseline(self) -> pd.DataFrame:
        """Change against the baseline per 1,000 patients (see ConsequenceFrame)."""
        return self.consequences.versus_baseline()

    def sentence(self) -> str:
        """The change against the baseline in plain language."""
        return self.consequences.sentence(baseline_name=self.baseline_name)

    def programme_shares(self, attribute: str = "ethnicity",
                         share: float | None = None) -> pd.DataFrame:
        """Each group's share of a top-``share`` programme (default: the capacity).

        See :func:`teachkit.consequences.programme_shares`.
        """
        share = self.settings.capacity if share is None else share
        return programme_shares(self.scores, self.records[attribute], share=share,
                                seed=self.settings.seed)

    def calibration_by_group(self, attribute: str = "ethnicity", *,
                             truth: str = "crisis_risk", bins: int = 10) -> pd.DataFrame:
        """Mean true ``truth`` by score decile and group (equal score, equal need?).

        See :func:`teachkit.consequences.calibration_by_group`.
        """
        from .consequences import group_codes

        values, groups = self.records[truth].to_numpy(), group_codes(self.records[attribute])
        key = (attribute, truth, bins, self.settings.seed)
        table = _CALIBRATION_CACHE.get(self.scores, key, values, groups)
        if table is not None:
            return table.copy()
        table = calibration_by_group(self.scores, self.records[truth],
                                     self.records[attribute], bins=bins,
                                     seed=self.settings.seed)
        if not self.scores.flags.writeable:  # cached scores: the same object, same numbers
            _CALIBRATION_CACHE.put(self.scores, key, table.copy(), values, groups)
        return table


#: Calibration tables for the last few (read-only, cached) score arrays: moving a
#: capacity or a threshold does not change them.
_CALIBRATION_CACHE = IdentityCache(8)


def _scores(settings: Settings, records: pd.DataFrame):
    """Cross-fitted scores, the training label and the training rows for ``settings``."""
    steps = call_bound(bound_to(mitigation_steps), settings)
    if steps.relabel:
        y_train = need_label(records)
    else:
        y_train = call_bound(bound_to(training_label), settings, records)
    keep = settings.training_rows(records)
    if settings.model == "rule":
        return call_bound(bound_to(score_patients), settings, records), y_train, keep
    # The true outcome is a column the model cache knows by name.
    at_rest = settings.label == "crisis" and not (steps.relabel or steps.reduction)
    label = "crisis" if at_rest else y_train
    mask = None if keep.all() else keep
    if steps.reduction:
        key = ("reduction", _fingerprint(records, y_train, mask), settings.seed,
               settings.model == "records")
        def reduce():
            from .mitigation import MITIGATION_ATTRIBUTE, reduction_scores

            return reduction_scores(
                records, y_train, records[MITIGATION_ATTRIBUTE], seed=settings.seed,
                train_mask=mask, kind="records" if settings.model == "records" else "logistic")

        return _REDUCTION_CACHE.get_or(key, reduce), y_train, keep
    key = _fingerprint(records, label, mask)
    scores = call_bound(bound_to(score_patients), settings, records, label=label,
                        seed=settings.seed, cache_key=key, train_mask=mask)
    return scores, y_train, keep


_REDUCTION_CACHE = Recent(8)


def simulate(settings: Settings | None = None, *, cohort: pd.DataFrame | None = None,
             with_baseline: bool = True) -> RunResult:
    """Run the pipeline: score the cohort, flag patients, count the consequences.

    Parameters
    ----------
    settings : Settings, default=Settings()
        The cohort arguments and the levers; the default is the baseline.
    cohort : DataFrame, default=None
        A cohort to use instead of the one the settings describe (for example one
        changed by a lever). Models are cached by a digest of what they learn from.
    with_baseline : bool, default=True
        Also run the baseline (:meth:`Settings.baseline`: one step back, on the same
        cohort) and attach it, so ``versus_baseline()`` and ``sentence()`` compare
        against it.

    Returns
    -------
    RunResult

    Examples
    --------
    >>> result = simulate(Settings(model="logistic", policy="capacity", capacity=0.05))
    >>> round(float(result.consequences.overall["flagged"].iloc[0]))
    50
    >>> result.sentence().startswith("Compared with the usual rule")
    True
    >>> biased = simulate(Settings(model="logistic", policy="capacity", capacity=0.03,
    ...                            label="cost"))
    >>> biased.sentence().startswith("Compared with the same model without the bias")
    True
    """
    settings = Settings() if settings is None else settings
    if not isinstance(settings, Settings) and not _is_deployment(settings):
        raise TypeError("settings must be a teachkit Settings or Deployment object; got "
                        f"{type(settings)!r}.")
    if cohort is None and not with_baseline:
        # A baseline run on the lesson cohort is the same every time a lever moves:
        # compute it once (it is a third of the cost of an update).
        return _baseline_run(settings)
    if cohort is None:
        cohort = lesson_cohort(settings.n, settings.seed, settings.setting)
    records = _records(cohort, settings)
    scores, y_train, keep = _scores(settings, records)
    flagged = flag_patients(scores, settings, records)
    if call_bound(bound_to(mitigation_steps), settings).group_thresholds:
        from .mitigation import MITIGATION_ATTRIBUTE, equal_sensitivity_flags

        flagged = equal_sensitivity_flags(scores, flagged, y_train,
                                          records[MITIGATION_ATTRIBUTE],
                                          seed=settings.seed, train_mask=keep)
    baseline, baseline_result, baseline_name = None, None, "the usual rule"
    if with_baseline:
        rest, baseline_name = settings.baseline()
        if rest != settings:
            baseline_result = simulate(rest, cohort=None if cohort is lesson_cohort(
                settings.n, settings.seed, settings.setting) else cohort,
                with_baseline=False)
            baseline = baseline_result.consequences
    flagged.setflags(write=False)  # results may be cached and shared: keep them read-only
    groups = records[[a for a in GROUP_ATTRIBUTES if a in records.columns]]
    if with_baseline and baseline is None:
        baseline = "self"  # at rest the run is its own baseline: the change is zero
    consequences = ConsequenceFrame(
        cohort["crisis"].to_numpy(), flagged, scores, groups,
        is_probability=settings.model != "rule", baseline=baseline,
    )
    return RunResult(settings, scores, flagged, consequences, records=records,
                     baseline_name=baseline_name, baseline_result=baseline_result)


def _is_deployment(settings) -> bool:
    from .stages import Deployment

    return isinstance(settings, Deployment)


@memo(8)
def _baseline_run(settings: Settings) -> RunResult:
    """A run without a baseline on the lesson cohort, cached by its (frozen) settings."""
    cohort = lesson_cohort(settings.n, settings.seed, settings.setting)
    return simulate(settings, cohort=cohort, with_baseline=False)


#: What the warm parent of forked kernels keeps on disk (:mod:`teachkit.forking.snapshot`).
register(__name__, "lesson_cohort", "_FEATURE_DIGESTS", "_RECORDS", "_CALIBRATION_CACHE",
         "_REDUCTION_CACHE", "_baseline_run")
