"""The contract every registered lever meets (scikit-learn's common tests).

For every :class:`~teachkit.levers.LeverSpec` in :data:`teachkit.levers.REGISTRY`: the
resting value is allowed and is the default of the object that holds it (its *home*:
:class:`~teachkit.pipeline.Settings` for the triage levers, a
:class:`~teachkit.stages.Deployment` running the lever's stage for the others); every
invalid example the constraint offers is refused with the standard message, both by the
spec and by its home; a lever bound to a function is the function's own keyword, with
the resting value as its default; the spec is complete enough to build a widget row
from. Lever families and stages are found by the registries, never listed here.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect

import pytest

from teachkit._validation import PARAM_MESSAGE, Interval, Options, TeachkitError
from teachkit.levers import OWNERS, REGISTRY, LeverSpec, get_spec, register
from teachkit.pipeline import Settings
from teachkit.sources import SOURCES
from teachkit.stages import STAGES, Deployment, all_stages

all_stages()  # every stage module imported: every lever registered

_TRIAGE = {f.name for f in dataclasses.fields(Settings)}


def home(spec):
    """(factory, caller name): what holds the lever, and how its errors name it."""
    if spec.name in _TRIAGE:
        return Settings, "Settings"
    assert OWNERS[spec.name] in STAGES, f"lever {spec.name!r} has no stage and no field"
    return functools.partial(Deployment, (OWNERS[spec.name],)), "Deployment"


SPECS = sorted(REGISTRY.values(), key=lambda spec: spec.name)
IDS = [spec.name for spec in SPECS]


def _invalid_cases():
    for spec in SPECS:
        for value in spec.constraint.invalid_examples():
            yield pytest.param(spec, value, id=f"{spec.name}-{value!r}")


def test_the_registry_is_not_empty():
    assert {"model", "policy", "threshold", "capacity"} <= set(REGISTRY)


def test_every_lever_has_one_owner_and_one_home():
    assert set(OWNERS) == set(REGISTRY)
    triage = {spec.name for spec in Settings.lever_specs()}
    staged = {name for stage in STAGES.values() for name in stage.levers}
    assert triage | staged == set(REGISTRY) and not triage & staged
    whole = Deployment(tuple(STAGES))
    assert {spec.name for spec in whole.lever_specs()} == set(REGISTRY)


def test_a_taken_name_is_refused_naming_both_owners():
    spec = REGISTRY["explanation"]
    with pytest.raises(ValueError, match="'oversight' registered it, and 'explain' asks"):
        register(dataclasses.replace(spec, label="Explanation"), owner="explain")
    with pytest.raises(ValueError, match="'oversight' registered it, and 'explain'"):
        register(spec, owner="explain")
    assert OWNERS["explanation"] == "oversight" and REGISTRY["explanation"] is spec


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_lever_is_bound_to_its_functions_keyword_with_the_rest_as_default(spec):
    assert callable(spec.function), f"lever {spec.name!r} is bound to no function"
    parameter = inspect.signature(spec.function).parameters[spec.argument]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default == spec.rest


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_spec_is_well_formed(spec):
    assert isinstance(spec, LeverSpec)
    assert isinstance(spec.constraint, (Interval, Options))
    assert spec.label and spec.label[0].isupper()
    assert spec.tooltip.endswith(".")
    assert spec.source, "every resting value needs a source"
    assert get_spec(spec.name) is spec
    if isinstance(spec.constraint, Options):
        assert set(spec.option_labels) <= set(spec.constraint.values)
    else:
        assert spec.step is not None and 0 < spec.step <= spec.constraint.high - \
            spec.constraint.low


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_source_is_a_known_key_or_a_sentence(spec):
    assert spec.source in SOURCES or " " in spec.source


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_rest_value_validates(spec):
    assert spec.rest in spec.constraint
    assert spec.validate(spec.rest) == spec.rest


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_settings_hold_the_rest_value(spec):
    cls, _ = home(spec)
    assert getattr(cls(), spec.name) == spec.rest
    if cls is Settings:
        field = {f.name: f for f in dataclasses.fields(cls)}[spec.name]
        assert field.default == spec.rest


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_lever_at_rest_is_not_changed(spec):
    cls, _ = home(spec)
    assert spec.name not in cls().changed_levers()
    assert cls() == cls(**{spec.name: spec.rest}) and hash(cls()) == hash(
        cls(**{spec.name: spec.rest}))


@pytest.mark.parametrize(("spec", "value"), list(_invalid_cases()))
def test_invalid_values_get_the_standard_message(spec, value):
    cls, caller = home(spec)
    expected = PARAM_MESSAGE.format(name=spec.name, caller=caller,
                                    allowed=spec.constraint.describe(), value=value)
    with pytest.raises(TeachkitError) as info:
        spec.validate(value, caller=caller)
    assert str(info.value) == expected
    with pytest.raises(TeachkitError) as info:
        cls(**{spec.name: value})
    assert str(info.value) == expected
    with pytest.raises(TeachkitError) as info:
        cls().replace(**{spec.name: value})
    assert str(info.value) == expected


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_allowed_value_round_trips_through_settings(spec):
    if isinstance(spec.constraint, Options):
        values = list(spec.constraint.values)
    else:
        values = [spec.constraint.low, spec.constraint.high]
    cls, _ = home(spec)
    for value in values:
        settings = cls(**{spec.name: value})
        assert getattr(settings, spec.name) == value
        assert settings.at_rest() == cls()


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_display_of_the_rest_value(spec):
    shown = spec.display(spec.rest)
    assert isinstance(shown, str) and shown
    if isinstance(spec.constraint, Options):
        assert shown == spec.option_labels.get(spec.rest, str(spec.rest))
    elif spec.unit == "%":
        assert shown.endswith(" %")
        assert float(shown[:-2]) == pytest.approx(100 * spec.rest)


PERCENT_SPECS = [s for s in SPECS if isinstance(s.constraint, Interval) and s.unit == "%"]


@pytest.mark.parametrize("spec", PERCENT_SPECS, ids=[s.name for s in PERCENT_SPECS])
def test_whole_percentages_show_no_decimal(spec):
    for pct in range(1, 51):
        value = pct / 100
        if value in spec.constraint:
            assert spec.display(value) == f"{pct} %", value


# --- Widget rows ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_row_built_from_the_spec_carries_its_bounds_and_rest(name):
    from teachkit.ui import LeverRow

    spec = REGISTRY[name]
    moves = []
    row = LeverRow(spec, on_change=lambda n, v: moves.append((n, v)))
    assert row.value == spec.rest and row.spec is spec
    if isinstance(spec.constraint, Interval):
        control = row.control
        assert (control.min, control.max) == (spec.constraint.low, spec.constraint.high)
        assert control.step == spec.step
        other = spec.constraint.high
    else:
        assert [v for _, v in row.control.options] == list(spec.constraint.values)
        other = next(v for v in spec.constraint.values if v != spec.rest)
    row.value = other
    row._reset.click()
    assert row.value == spec.rest
    assert moves == [(name, other), (name, spec.rest)]
