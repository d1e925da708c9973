"""Levers: the things a trainee can change, each described once, as data.

A :class:`LeverSpec` says what a lever is called for clinicians, what it does in one
sentence, which values are allowed, its resting value (the baseline) and where its
default comes from. The settings object validates against these specs, the widget rows
are built from them, and the contract tests read their invalid values from them.

Lever families live in their own modules (``triage``: which model, threshold or
capacity; later lessons add ``bias``, ``consent``, ``oversight``...). :data:`REGISTRY`
holds every spec by name.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .._validation import Interval, Options, check_param

__all__ = ["LeverSpec", "LeverSettings", "REGISTRY", "OWNERS", "register", "get_spec",
           "call_bound", "bound_groups", "bound_to", "families"]


@dataclass(frozen=True)
class LeverSpec:
    """The description of one lever.

    Parameters
    ----------
    name : str
        The field of :class:`teachkit.pipeline.Settings` it sets.
    label : str
        Short plain-language label for clinicians.
    tooltip : str
        One sentence on what moving it does to patients.
    constraint : Interval or Options
        The allowed values.
    rest : object
        The resting value: with every lever at rest the pipeline is the baseline.
    unit : str, default=""
        ``"%"`` shows a fraction as a percentage in the apps.
    step : float, default=None
        Slider step for an :class:`Interval`.
    option_labels : dict, default={}
        Plain-language names of the options of an :class:`Options` constraint.
    source : str, default=""
        Where the resting value comes from (a key of :data:`teachkit.sources.SOURCES`, or
        a sentence).
    function : callable, default=None
        The pure lever function the value is passed to, unchanged (no unit is
        translated between the trainee's value and the function's argument).
    parameter : str, default=""
        The keyword-only parameter of ``function`` that receives the value (its default
        is the resting value); the lever's own name when empty.
    """

    name: str
    label: str
    tooltip: str
    constraint: Interval | Options
    rest: object
    unit: str = ""
    step: float | None = None
    option_labels: dict = field(default_factory=dict)
    source: str = ""
    function: object = field(default=None, compare=False, repr=False)
    parameter: str = ""

    @property
    def owner(self) -> str:
        """The stage (or lever family) that registered this lever."""
        return OWNERS.get(self.name, "")

    @property
    def argument(self) -> str:
        """The keyword ``function`` receives the value as."""
        return self.parameter or self.name

    def validate(self, value, *, caller: str = "Settings"):
        """Return ``value`` if allowed, else raise the standard :class:`TeachkitError`."""
        return check_param(self.name, value, self.constraint, caller=caller)

    def display(self, value) -> str:
        """The value as a clinician reads it (``0.05`` -> ``"5 %"``)."""
        if isinstance(self.constraint, Options):
            return str(self.option_labels.get(value, value))
        if self.unit == "%":
            pct = round(100 * float(value), 6)  # 100 * 0.07 is 7.000000000000001
            return f"{pct:.1f} %" if pct < 10 and pct != int(pct) else f"{pct:.0f} %"
        return f"{value}{(' ' + self.unit) if self.unit else ''}"


REGISTRY: dict[str, LeverSpec] = {}
#: Who registered each lever: a stage's name (``"consent"``) or a lever family's.
OWNERS: dict[str, str] = {}

_TAKEN = ("The lever name {name!r} is taken: {first!r} registered it, and {second!r} asks "
          "for it too. Lever names are unique across every stage: prefix the new one with "
          "its stage (e.g. {suggestion!r}).")


def register(*specs: LeverSpec, owner: str) -> None:
    """Add lever specs to :data:`REGISTRY`, owned by ``owner`` (a stage or a family).

    A name may be registered once; registering the same spec again under the same owner
    is harmless (a module imported twice). Anything else raises an error that names both
    owners.

    Examples
    --------
    >>> from teachkit._validation import Options
    >>> spec = LeverSpec("explanation", "Explanation", "Shown or not.", Options(("a",)), "a")
    >>> register(spec, owner="explain")
    Traceback (most recent call last):
    ...
    ValueError: The lever name 'explanation' is taken: 'oversight' registered it, and \
'explain' asks for it too. Lever names are unique across every stage: prefix the new one \
with its stage (e.g. 'explain_explanation').
    """
    for spec in specs:
        if spec.name in REGISTRY and (REGISTRY[spec.name] != spec
                                      or OWNERS[spec.name] != owner):
            raise ValueError(_TAKEN.format(name=spec.name, first=OWNERS[spec.name],
                                           second=owner,
                                           suggestion=f"{owner}_{spec.name}"))
        REGISTRY[spec.name] = spec
        OWNERS[spec.name] = owner


def get_spec(name: str) -> LeverSpec:
    """Return the spec of the lever called ``name``."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"No lever is called {name!r}. Levers: {', '.join(sorted(REGISTRY))}."
        ) from None


def call_bound(specs, holder, *args, **kwargs):
    """Call the function ``specs`` are bound to, each lever's value passed unchanged.

    ``holder`` is what holds the trainee's values (a :class:`~teachkit.stages.Deployment`,
    a settings object); each spec's value is read from it by the lever's name and passed
    as the spec's keyword (:attr:`LeverSpec.argument`). ``args`` and ``kwargs`` are the
    rest of the call (the records, the seed). This is how a stage uses its levers: no
    stage reads a lever's value and translates it itself.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from teachkit._validation import Interval
    >>> def shift(x, *, by=0.0):
    ...     return x + by
    >>> spec = LeverSpec("shift_by", "Shift", "Moves it.", Interval(0.0, 1.0), 0.0,
    ...                  function=shift, parameter="by")
    >>> call_bound([spec], SimpleNamespace(shift_by=0.5), 1.0)
    1.5
    """
    specs = tuple(specs)
    functions = {spec.function for spec in specs}
    if len(functions) != 1 or None in functions:
        bound = ", ".join(f"{s.name} -> {getattr(s.function, '__name__', s.function)}"
                          for s in specs)
        raise ValueError("call_bound needs levers bound to one and the same function; "
                         f"got {bound or 'no lever'}.")
    (function,) = functions
    return function(*args, **{spec.argument: getattr(holder, spec.name) for spec in specs},
                    **kwargs)


def bound_groups(specs) -> list[tuple[LeverSpec, ...]]:
    """``specs`` grouped by the function they are bound to, in first-seen order (the
    levers one :func:`call_bound` passes together); unbound specs are left out.

    Examples
    --------
    >>> from teachkit.stages import get_stage
    >>> [[s.name for s in group] for group in bound_groups(get_stage("consent").lever_specs)]
    [['consent', 'consent_design'], ['secondary_use']]
    """
    groups: dict = {}
    for spec in specs:
        if spec.function is not None:
            groups.setdefault(spec.function, []).append(spec)
    return [tuple(group) for group in groups.values()]

def bound_to(function) -> tuple[LeverSpec, ...]:
    """Every registered lever bound to ``function``, in registration order: what a stage
    passes to it with :func:`call_bound`, so a lever added to the function needs no
    edit of the stage.

    Examples
    --------
    >>> from teachkit.levers.oversight import reviewer_response
    >>> [spec.name for spec in bound_to(reviewer_response)]
    ['automation_bias', 'explanation', 'training']
    """
    return tuple(spec for spec in REGISTRY.values() if spec.function is function)


class LeverSettings:
    """Base of the frozen settings objects that hold levers.

    A subclass is a frozen dataclass; each of its fields named in :data:`REGISTRY` is a
    lever, validated on construction with the lever's own spec (the error names the
    subclass). :class:`teachkit.pipeline.Settings` is the triage pipeline's; a lesson that
    adds a stage (consent, oversight) subclasses it, and a lesson with a pipeline of its
    own (a data release) subclasses this. The common tests check every lever of every
    subclass.
    """

    def __post_init__(self):
        for spec in self.lever_specs():
            value = spec.validate(getattr(self, spec.name), caller=type(self).__name__)
            object.__setattr__(self, spec.name, value)

    @classmethod
    def lever_specs(cls) -> list[LeverSpec]:
        """The specs of the levers this settings object holds, in field order."""
        return [REGISTRY[f.name] for f in dataclasses.fields(cls) if f.name in REGISTRY]

    def replace(self, **changes):
        """A copy with some fields changed (validated like the constructor)."""
        return dataclasses.replace(self, **changes)

    def at_rest(self):
        """The same object with every lever at its resting value."""
        return self.replace(**{spec.name: spec.rest for spec in self.lever_specs()})

    def changed_levers(self) -> dict:
        """The levers that are not at rest, with their values."""
        return {
            spec.name: getattr(self, spec.name)
            for spec in self.lever_specs()
            if getattr(self, spec.name) != spec.rest
        }

    def values(self) -> dict:
        """Every field and its value (the cohort's arguments and the levers)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def families() -> list:
    """Every lever family module of this package (found on disk, imported, sorted).

    A family registers its specs when imported; a family that belongs to a stage also
    names it (``STAGE``) and the module that registers it (``STAGE_MODULE``).
    """
    import importlib
    import pkgutil

    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
            if not info.name.startswith("_")]


families()
