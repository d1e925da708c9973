"""Stages and deployments: a run is the triage model followed by an ordered list of stages.

A :class:`Stage` is to a lesson what a :class:`~teachkit.levers.LeverSpec` is to a
lever: declared once, registered, checked by one contract test. It names its levers,
says how it changes a run (the records the model may learn from, what happens to the
flags, or a result of its own), and its baseline rule: the "one step back" each lesson
compares with.

A :class:`Deployment` is one frozen, validated, hashable object that holds a whole
deployment: the cohort, the triage levers (:class:`teachkit.pipeline.Settings`) and every
lever of every stage it runs. Stages compose; nothing subclasses another lesson's
settings. :func:`run` is triage followed by the stages in order; :func:`run_all` keeps
every stage's own result (what lessons 07-08 read).

Where a stage lives: its levers are a family under :mod:`teachkit.levers` (registered
with ``owner=`` the stage's name) whose ``STAGE_MODULE`` names the module that registers
the :class:`Stage` (``teachkit.consent``, ``teachkit.oversight``, ``teachkit.privacy``).
Nothing else lists stages: :func:`all_stages` imports each family's ``STAGE_MODULE``.

Examples
--------
>>> d = Deployment(("oversight", "consent"), model="logistic", consent="honoured",
...                oversight="dropped")
>>> d.stages  # always in run order
('consent', 'oversight')
>>> d.consent, d.review_capacity, d.model
('honoured', 10, 'logistic')
>>> d.baseline()[1]
'the same flags with a clinician reviewing'
>>> hash(d) == hash(d.replace(oversight="dropped"))
True
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._cache import Recent, register
from ._validation import TeachkitError
from .levers import OWNERS, REGISTRY, LeverSpec, families
from .levers.triage import TRIAGE_LEVERS
from .pipeline import Settings, simulate

__all__ = ["Stage", "STAGES", "Deployment", "register_stage", "get_stage", "all_stages",
           "run", "run_all", "received", "prepare_run"]

_SETTINGS_FIELDS = frozenset(f.name for f in dataclasses.fields(Settings))


@dataclass(frozen=True)
class Stage:
    """The description of one stage of the pipeline.

    Parameters
    ----------
    name : str
        The stage's name; its levers are registered with ``owner=name``.
    title : str
        How a lesson names it ("Consent", "Who acts on a flag", ...).
    order : int
        Where it runs: stages run in increasing order after the triage model (a stage
        that changes the training rows acts inside the triage run).
    baseline : callable(Deployment) -> (dict, str) or None
        One step back: the lever changes of the run this one is compared with, and how
        the sentence names it; None hands the question to the stage before it (and
        finally to the triage levers).
    run : callable(Deployment, *, with_baseline) -> result, default=None
        The stage's own run (a result that names its baseline). None: the stage only
        changes the triage run (through ``training_rows``).
    training_rows : callable(Deployment, DataFrame) -> ndarray of bool, default=None
        The records the model may learn from, as this stage allows.
    uses_threshold : callable(Deployment) -> bool, default=None
        False when the stage makes the triage threshold irrelevant (a fixed top tier).
    needs_triage : bool, default=True
        False for a stage that acts on the cohort alone (a data release).
    """

    name: str
    title: str
    order: int
    baseline: Callable
    run: Callable | None = None
    training_rows: Callable | None = None
    uses_threshold: Callable | None = None
    needs_triage: bool = True

    @property
    def levers(self) -> tuple[str, ...]:
        """The names of this stage's levers, in the order they were registered."""
        return tuple(name for name, owner in OWNERS.items() if owner == self.name)

    @property
    def lever_specs(self) -> tuple[LeverSpec, ...]:
        return tuple(REGISTRY[name] for name in self.levers)


STAGES: dict[str, Stage] = {}


def register_stage(stage: Stage) -> Stage:
    """Add ``stage`` to :data:`STAGES` (a name may be registered once)."""
    if stage.name in STAGES and STAGES[stage.name] != stage:
        raise ValueError(f"A different stage named {stage.name!r} is already registered.")
    if not stage.levers:
        raise ValueError(f"Stage {stage.name!r} owns no lever: register its levers with "
                         f"owner={stage.name!r} first.")
    STAGES[stage.name] = stage
    return stage


def _stage_modules() -> dict[str, str]:
    """Stage name -> the module that registers it, read from the lever families."""
    return {getattr(module, "STAGE", ""): module.STAGE_MODULE for module in families()
            if getattr(module, "STAGE_MODULE", "")}


def get_stage(name: str) -> Stage:
    """The registered stage called ``name`` (its module is imported on first use)."""
    if name not in STAGES:
        module = _stage_modules().get(name)
        if module is None:
            raise TeachkitError(f"No stage is called {name!r}. Stages: "
                                f"{', '.join(sorted(_stage_modules()))}.")
        importlib.import_module(module)
    return STAGES[name]


def all_stages() -> list[Stage]:
    """Every stage, in run order (each family's stage module imported)."""
    return sorted((get_stage(name) for name in _stage_modules()), key=lambda s: s.order)


class Deployment:
    """A whole deployment: the cohort, the triage levers and every lever of every stage.

    Frozen, validated on construction (the standard message names the class) and
    hashable, so it keys caches and a room can compare several side by side.

    Parameters
    ----------
    stages : sequence of str, default=the class's ``STAGES``
        The stages it runs; they are kept in run order.
    settings : Settings, default=Settings()
        The cohort and triage levers to start from.
    **levers
        Any triage field (``model``, ``threshold``, ``n``, ...) or a lever of one of
        the stages. A stage lever left out is at rest.

    Examples
    --------
    >>> d = Deployment(("consent",), model="logistic", consent="honoured")
    >>> d.changed_levers()
    {'model': 'logistic', 'consent': 'honoured'}
    >>> d.at_rest() == Deployment(("consent",))
    True
    >>> Deployment(("consent",), oversight="dropped")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'oversight' lever of Deployment belongs to \
the stage 'oversight', which it does not run. Its stages: 'consent'.
    """

    __slots__ = ("settings", "stages", "levers", "_values", "_hash")
    #: The stages a subclass runs by default (a lesson's name for a deployment).
    STAGES: tuple[str, ...] = ()

    def __init__(self, stages=None, *, settings: Settings | None = None, **levers):
        caller = type(self).__name__
        names = self.STAGES if stages is None else tuple(stages)
        ordered = tuple(sorted(dict.fromkeys(names), key=lambda n: get_stage(n).order))
        base = Settings() if settings is None else settings
        if type(base) is not Settings:
            raise TeachkitError(f"The 'settings' parameter of {caller} must be a teachkit "
                                f"Settings. Got {base!r} instead.")
        triage = {k: v for k, v in levers.items() if k in _SETTINGS_FIELDS}
        if triage:
            base = base.replace(**triage)
        allowed = {lever: name for name in ordered for lever in get_stage(name).levers}
        own = {}
        for name, value in levers.items():
            if name in _SETTINGS_FIELDS:
                continue
            if name not in allowed:
                if name in OWNERS:
                    raise TeachkitError(
                        f"The {name!r} lever of {caller} belongs to the stage "
                        f"{OWNERS[name]!r}, which it does not run. Its stages: "
                        f"{', '.join(repr(s) for s in ordered) or 'none'}.")
                raise TypeError(f"{caller} got an unexpected lever {name!r}.")
            spec = REGISTRY[name]
            value = spec.validate(value, caller=caller)
            if value != spec.rest:
                own[name] = value
        put = object.__setattr__
        put(self, "settings", base)
        put(self, "stages", ordered)
        put(self, "levers", tuple(sorted(own.items(), key=lambda kv: kv[0])))
        values = dict(base.values())
        values.update({lever: REGISTRY[lever].rest for lever in allowed})
        values.update(own)
        put(self, "_values", values)
        put(self, "_hash", hash((type(self), base, ordered, self.levers)))

    # -- a frozen value ------------------------------------------------------------------
    def __setattr__(self, name, value):
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __getattr__(self, name):
        try:
            return object.__getattribute__(self, "_values")[name]
        except KeyError:
            if name.startswith("__"):
                raise AttributeError(name) from None
            return getattr(object.__getattribute__(self, "settings"), name)

    def __eq__(self, other):
        return (type(other) is type(self) and other.settings == self.settings
                and other.stages == self.stages and other.levers == self.levers)

    def __hash__(self):
        return self._hash

    def __repr__(self):
        moved = ", ".join(f"{k}={v!r}" for k, v in self.changed_levers().items())
        return f"{type(self).__name__}(stages={self.stages!r}{', ' if moved else ''}{moved})"

    def __reduce__(self):
        return (_rebuild, (type(self), self.stages, self.settings, dict(self.levers)))

    # -- levers --------------------------------------------------------------------------
    def values(self) -> dict:
        """Every field: the cohort, the triage levers and every stage lever."""
        return dict(self._values)

    def replace(self, **changes) -> Deployment:
        """A copy with some levers (or ``stages``, ``settings``) changed, validated."""
        stages = changes.pop("stages", self.stages)
        settings = changes.pop("settings", self.settings)
        return type(self)(stages, settings=settings, **{**dict(self.levers), **changes})

    def at_rest(self) -> Deployment:
        """The same stages and cohort with every lever at rest."""
        return type(self)(self.stages, settings=self.settings.at_rest())

    def changed_levers(self) -> dict:
        """The levers that are not at rest, with their values."""
        return {**self.settings.changed_levers(), **dict(self.levers)}

    def lever_specs(self) -> list[LeverSpec]:
        """The specs of every lever it holds: triage first, then each stage's."""
        return [*self.settings.lever_specs(),
                *(spec for name in self.stages for spec in get_stage(name).lever_specs)]

    def stage(self, name: str) -> Stage:
        """One of its stages (an error names the ones it runs)."""
        if name not in self.stages:
            raise TeachkitError(f"This deployment does not run the stage {name!r}. Its "
                                f"stages: {', '.join(repr(s) for s in self.stages)}.")
        return get_stage(name)

    def before(self, name: str) -> Settings | Deployment:
        """The deployment up to (not including) stage ``name``: what that stage receives.

        Only the triage settings when no earlier stage runs, so a stage alone shares
        the triage pipeline's caches.
        """
        order = get_stage(name).order
        earlier = tuple(s for s in self.stages if get_stage(s).order < order)
        if not earlier:
            return self.settings
        levers = {k: v for k, v in self.levers if OWNERS[k] in earlier}
        return Deployment(earlier, settings=self.settings, **levers)

    def through(self, name: str) -> Deployment:
        """The deployment as far as stage ``name`` (it and the stages before it, with
        their levers): everything that stage's own run depends on."""
        order = get_stage(name).order
        kept = tuple(s for s in self.stages if get_stage(s).order <= order)
        return self._only(kept)

    def shaping_triage(self) -> Settings | Deployment:
        """The deployment with only the stages that change the triage run (those that
        choose the training rows): everything the triage model's run depends on. Only
        the triage settings when no stage does, so it shares the triage pipeline's
        caches."""
        kept = tuple(s for s in self.stages if get_stage(s).training_rows is not None)
        return self._only(kept) if kept else self.settings

    def _only(self, kept: tuple) -> Deployment:
        if kept == self.stages:
            return self
        levers = {k: v for k, v in self.levers if OWNERS[k] in kept}
        return Deployment(kept, settings=self.settings, **levers)

    # -- what the pipeline asks ---------------------------------------------------------
    def baseline(self) -> tuple[Deployment, str]:
        """One step back: the last stage with a rule decides, else the triage levers."""
        for name in reversed(self.stages):
            step = get_stage(name).baseline(self)
            if step is not None:
                changes, label = step
                return self.replace(**changes), label
        changes, label = self.settings.baseline_changes()
        return (self.at_rest() if changes is None else self.replace(**changes)), label

    def training_rows(self, records: pd.DataFrame) -> np.ndarray:
        """The records the model may learn from: the triage levers', then each stage's."""
        keep = self.settings.training_rows(records)
        for name in self.stages:
            stage = get_stage(name)
            if stage.training_rows is not None:
                keep = keep & stage.training_rows(self, records)
        return keep

    @property
    def uses_threshold(self) -> bool:
        """Whether the risk threshold decides who is flagged."""
        return self.settings.uses_threshold and all(
            get_stage(s).uses_threshold(self) for s in self.stages
            if get_stage(s).uses_threshold is not None)


def _rebuild(cls, stages, settings, levers):
    return cls(stages, settings=settings, **levers)


def run(deployment: Deployment | Settings, *, with_baseline: bool = True):
    """Run a deployment: triage, then its stages in order; the last stage's result.

    A stage without a run of its own (it only changes the training rows) leaves the
    triage model's :class:`~teachkit.pipeline.RunResult`.

    Examples
    --------
    >>> result = run(Deployment(("consent",), model="logistic", consent="honoured"))
    >>> result.baseline_name
    'the same model trained on every record'
    """
    if isinstance(deployment, Settings):
        key = (deployment, with_baseline)
        found = _RUNS.get(key)
        if found is not None:
            return found
        result = simulate(deployment, with_baseline=with_baseline)
        if set(deployment.changed_levers()) <= _TRIAGE_LEVERS:
            _RUNS.put(key, result)
        return result
    runners = [get_stage(s) for s in deployment.stages if get_stage(s).run is not None]
    if not runners:
        return simulate(deployment, with_baseline=with_baseline)
    return runners[-1].run(deployment, with_baseline=with_baseline)


#: Triage runs of the lesson cohort by their settings (frozen, hashable: every input of
#: the run, the cohort's arguments among them) and whether the baseline is attached: a
#: lever moved back is a lookup, and so is any state the warm parent of forked kernels
#: prepared before it forked (:func:`prepare_run`). A run is never changed after it is
#: made (its flags are read-only), so one object can be shown again. Only runs whose
#: levers other than the triage ones are at rest are kept (a few hundred kB each: they
#: share the cohort's records), never a bias lever's (each holds records of its own).
_RUNS = Recent(8)
register(__name__, "_RUNS")  # kept on disk by a warm parent
_TRIAGE_LEVERS = frozenset(spec.name for spec in TRIAGE_LEVERS)


def prepare_run(settings: Settings, *, with_baseline: bool = True):
    """Run ``settings`` and keep the result for good in this process's runs, so that
    :func:`run` finds it here and in every process forked from this one afterwards.

    Examples
    --------
    >>> result = prepare_run(Settings(model="logistic", threshold=0.06))
    >>> run(Settings(model="logistic", threshold=0.06)) is result
    True
    """
    return _RUNS.keep((settings, with_baseline), run(settings, with_baseline=with_baseline))


def received(deployment: Deployment, name: str):
    """What stage ``name`` receives: the run of the deployment before it (the triage
    model's, or the last earlier stage's own result, such as lesson 05's final flags).

    Examples
    --------
    >>> d = Deployment(("explain", "oversight"), model="logistic")
    >>> type(received(d, "oversight")).__name__
    'ExplainResult'
    """
    return run(deployment.before(name), with_baseline=False)


def run_all(deployment: Deployment, *, with_baseline: bool = True) -> dict:
    """Every stage's own result, by name, after ``"triage"`` (the model's run).

    Without baselines (lesson 07's whole deployment), each stage runs on the deployment
    as far as itself (:meth:`Deployment.through`), so its cached run is reused when only
    a later stage's lever moves; each result then holds the whole deployment.

    Examples
    --------
    >>> results = run_all(Deployment(("consent", "oversight"), model="logistic"))
    >>> list(results)
    ['triage', 'consent', 'oversight']
    """
    def part(name):
        if with_baseline:  # one step back is the whole deployment's: run it whole
            return deployment
        return deployment.shaping_triage() if name == "triage" else deployment.through(name)

    out = {"triage": _holding(simulate(part("triage"), with_baseline=with_baseline),
                              deployment)}
    for name in deployment.stages:
        stage = get_stage(name)
        out[name] = out["triage"] if stage.run is None else _holding(
            stage.run(part(name), with_baseline=with_baseline), deployment)
    return out


def _holding(result, deployment: Deployment):
    """``result`` holding the whole ``deployment`` as its settings (a result without
    settings, such as a release, is left as it is)."""
    if getattr(result, "settings", deployment) is deployment \
            or not dataclasses.is_dataclass(result):
        return result
    return dataclasses.replace(result, settings=deployment)
