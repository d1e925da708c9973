"""The pipeline: cohort -> levers -> triage model -> flags -> consequences.

:class:`Settings` is a frozen object that holds the cohort's arguments and every lever.
With every lever at its resting value it describes the baseline. :func:`simulate` is the
only path from settings to consequences; it returns a :class:`RunResult`, which every
lesson displays the same way.

Cohorts and trained models are cached, so a slider that moves a threshold or a capacity
costs a few milliseconds and never retrains.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ._validation import Interval, Options, check_param, check_seed
from .cohort import COHORT_SETTINGS, make_cohort
from .consequences import GROUP_ATTRIBUTES, ConsequenceFrame
from .levers import REGISTRY, LeverSpec
from .models import RULE_PHQ9_CUTOFF, RuleScreener, cross_fitted_scores, feature_matrix

__all__ = ["Settings", "RunResult", "simulate", "lesson_cohort", "DEFAULT_COHORT"]

#: The cohort the lessons use (and data/synthetic/cohort.csv holds).
DEFAULT_COHORT = {"n": 20_000, "seed": 2024, "setting": "primary_care"}

_COHORT_FIELDS = ("n", "seed", "setting")


@dataclass(frozen=True)
class Settings:
    """Everything that decides a run: the cohort and every lever.

    Parameters
    ----------
    n, seed, setting
        The cohort's arguments (:func:`teachkit.cohort.make_cohort`); by default the
        lessons' cohort of 20,000 primary-care patients.
    model : {"rule", "logistic", "boosting"}, default="rule"
        The triage model; at rest, the usual PHQ-9 rule.
    policy : {"threshold", "capacity"}, default="threshold"
        Flag everyone above a risk threshold, or the top ``capacity`` share.
    threshold : float in [0.005, 0.5], default=0.05
        Risk from which a patient is flagged (ignored by the rule, which has its own).
    capacity : float in [0.01, 0.5], default=0.10
        Share of patients flagged under the capacity policy.

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
float in the range [0.005, 0.5]. Got 2 instead.
    """

    n: int = DEFAULT_COHORT["n"]
    seed: int = DEFAULT_COHORT["seed"]
    setting: str = DEFAULT_COHORT["setting"]
    model: str = REGISTRY["model"].rest
    policy: str = REGISTRY["policy"].rest
    threshold: float = REGISTRY["threshold"].rest
    capacity: float = REGISTRY["capacity"].rest

    def __post_init__(self):
        n = check_param("n", self.n, Interval(100, 5_000_000, kind="int"), caller="Settings")
        object.__setattr__(self, "n", n)  # a numpy integer becomes a plain int
        object.__setattr__(self, "seed", check_seed(self.seed, caller="Settings"))
        check_param("setting", self.setting, Options(COHORT_SETTINGS), caller="Settings")
        for spec in self.lever_specs():
            value = spec.validate(getattr(self, spec.name), caller="Settings")
            object.__setattr__(self, spec.name, value)

    @classmethod
    def lever_specs(cls) -> list[LeverSpec]:
        """The specs of the levers this settings object holds, in field order."""
        return [REGISTRY[f.name] for f in dataclasses.fields(cls) if f.name in REGISTRY]

    def replace(self, **changes) -> Settings:
        """A copy with some fields changed (validated like the constructor)."""
        return dataclasses.replace(self, **changes)

    def at_rest(self) -> Settings:
        """The baseline: the same cohort with every lever at its resting value."""
        return self.replace(**{spec.name: spec.rest for spec in self.lever_specs()})

    def changed_levers(self) -> dict:
        """The levers that are not at rest, with their values."""
        return {
            spec.name: getattr(self, spec.name)
            for spec in self.lever_specs()
            if getattr(self, spec.name) != spec.rest
        }

    @property
    def uses_threshold(self) -> bool:
        """Whether the threshold lever has any effect with these settings."""
        return self.policy == "threshold" and self.model != "rule"


@lru_cache(maxsize=4)
def lesson_cohort(n: int = DEFAULT_COHORT["n"], seed: int = DEFAULT_COHORT["seed"],
                  setting: str = DEFAULT_COHORT["setting"]) -> pd.DataFrame:
    """The cohort for these arguments, made once per process and shared.

    Callers must not change it in place (levers never do; they return new cohorts).
    """
    return make_cohort(n, seed=seed, setting=setting)


def _fingerprint(cohort: pd.DataFrame, label: str) -> str:
    """A digest of everything a model learns from: the features and the label."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(np.ascontiguousarray(feature_matrix(cohort)).tobytes())
    digest.update(np.ascontiguousarray(cohort[label].to_numpy()).tobytes())
    return digest.hexdigest()


def _tiebreak(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng([seed, 29]).permutation(n)


def flag_patients(scores: np.ndarray, settings: Settings, cohort: pd.DataFrame) -> np.ndarray:
    """Who is flagged for urgent follow-up under the settings' policy.

    - threshold policy: the rule flags PHQ-9 >= 10 or item 9 > 0; a model flags scores
      at or above ``settings.threshold``;
    - capacity policy: the ``capacity`` share of patients with the highest scores (ties
      broken by a fixed random order, so the count is exact).
    """
    if settings.policy == "threshold":
        if settings.model == "rule":
            return RuleScreener(cutoff=RULE_PHQ9_CUTOFF).predict(cohort).astype(bool)
        return scores >= settings.threshold
    n = len(scores)
    k = int(round(settings.capacity * n))
    order = np.lexsort((_tiebreak(n, settings.seed), -scores))
    flags = np.zeros(n, dtype=bool)
    flags[order[:k]] = True
    return flags


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
    """

    settings: Settings
    scores: np.ndarray
    flagged: np.ndarray
    consequences: ConsequenceFrame

    @property
    def baseline(self) -> ConsequenceFrame | None:
        return self.consequences.baseline

    def versus_baseline(self) -> pd.DataFrame:
        """Change against the baseline per 1,000 patients (see ConsequenceFrame)."""
        return self.consequences.versus_baseline()

    def sentence(self) -> str:
        """The change against the baseline in plain language."""
        return self.consequences.sentence()


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
        Also run the baseline (every lever at rest, same cohort) and attach it, so
        ``versus_baseline()`` and ``sentence()`` compare against it.

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
    """
    settings = Settings() if settings is None else settings
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a teachkit Settings object; got {type(settings)!r}.")
    if cohort is None:
        cohort = lesson_cohort(settings.n, settings.seed, settings.setting)
    label = "crisis_90d"
    key = _fingerprint(cohort, label) if settings.model != "rule" else None
    scores = cross_fitted_scores(cohort, settings.model, label=label, seed=settings.seed,
                                 cache_key=key)
    flagged = flag_patients(scores, settings, cohort)
    baseline = None
    if with_baseline:
        rest = settings.at_rest()
        baseline = (
            None if rest == settings
            else simulate(rest, cohort=cohort, with_baseline=False).consequences
        )
    groups = cohort[[a for a in GROUP_ATTRIBUTES if a in cohort.columns]]
    consequences = ConsequenceFrame(
        cohort[label].to_numpy(), flagged, scores, groups,
        is_probability=settings.model != "rule", baseline=baseline,
    )
    if with_baseline and baseline is None:
        # At rest the run is its own baseline: the change is zero everywhere.
        consequences.baseline = consequences
    return RunResult(settings, scores, flagged, consequences)
