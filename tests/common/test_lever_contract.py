"""The contract every registered lever meets (scikit-learn's common tests).

For every :class:`~teachkit.levers.LeverSpec` in :data:`teachkit.levers.REGISTRY`: the
resting value is allowed and is the default of the settings class that holds it (its
*home*: :class:`~teachkit.pipeline.Settings` or another
:class:`~teachkit.levers.LeverSettings` subclass); every invalid example the constraint
offers is refused with the standard message, both by the spec and by its home; the spec
is complete enough to build a widget row from. New lever families are picked up
automatically when they register their specs; a new settings class is picked up when its
module is listed in ``HOLDER_MODULES``.
"""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from teachkit._validation import PARAM_MESSAGE, Interval, Options, TeachkitError
from teachkit.levers import REGISTRY, LeverSettings, LeverSpec, get_spec
from teachkit.pipeline import Settings
from teachkit.sources import SOURCES

#: Modules that define a LeverSettings subclass (one per line).
HOLDER_MODULES = (
    "teachkit.pipeline",
    "teachkit.consent",
    "teachkit.oversight",
    "teachkit.privacy",
)
for _module in HOLDER_MODULES:
    importlib.import_module(_module)


def _holders(cls=LeverSettings):
    for sub in cls.__subclasses__():
        yield sub
        yield from _holders(sub)


#: Every settings class that holds levers, bases before their subclasses.
HOLDERS = list(dict.fromkeys(_holders()))


def _own_fields(cls) -> set[str]:
    inherited = set().union(*(
        {f.name for f in dataclasses.fields(base)}
        for base in cls.__mro__[1:] if dataclasses.is_dataclass(base)))
    return {f.name for f in dataclasses.fields(cls)} - inherited


def home(spec):
    """The settings class that declares the lever (subclasses inherit it)."""
    homes = [cls for cls in HOLDERS if spec.name in _own_fields(cls)]
    assert len(homes) == 1, f"lever {spec.name!r} is declared by {homes}"
    return homes[0]

SPECS = sorted(REGISTRY.values(), key=lambda spec: spec.name)
IDS = [spec.name for spec in SPECS]


def _invalid_cases():
    for spec in SPECS:
        for value in spec.constraint.invalid_examples():
            yield pytest.param(spec, value, id=f"{spec.name}-{value!r}")


def test_the_registry_is_not_empty():
    assert {"model", "policy", "threshold", "capacity"} <= set(REGISTRY)


def test_every_lever_has_one_home_and_every_holder_is_a_frozen_dataclass():
    assert Settings in HOLDERS
    held = set()
    for cls in HOLDERS:
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, cls
        held |= {spec.name for spec in cls.lever_specs()}
    assert held == set(REGISTRY)
    for spec in SPECS:
        home(spec)


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
    cls = home(spec)
    assert getattr(cls(), spec.name) == spec.rest
    field = {f.name: f for f in dataclasses.fields(cls)}[spec.name]
    assert field.default == spec.rest


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_lever_at_rest_is_not_changed(spec):
    assert spec.name not in home(spec)().changed_levers()


@pytest.mark.parametrize(("spec", "value"), list(_invalid_cases()))
def test_invalid_values_get_the_standard_message(spec, value):
    cls = home(spec)
    expected = PARAM_MESSAGE.format(name=spec.name, caller=cls.__name__,
                                    allowed=spec.constraint.describe(), value=value)
    with pytest.raises(TeachkitError) as info:
        spec.validate(value, caller=cls.__name__)
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
    cls = home(spec)
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
