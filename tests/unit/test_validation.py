"""Tests of teachkit._validation: constraints as data and the standard error message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from teachkit._validation import (
    PARAM_MESSAGE,
    Interval,
    Options,
    TeachkitError,
    check_param,
    check_probability,
    check_seed,
)

UNIT = Interval(0.0, 1.0)
COUNT = Interval(1, 10, kind="int")
KINDS = Options(("rule", "logistic"))


def test_teachkit_error_is_a_value_error():
    assert issubclass(TeachkitError, ValueError)


def test_the_message_template():
    assert PARAM_MESSAGE.format(name="fraction", caller="undersample_group",
                                allowed=UNIT.describe(), value=1.5) == (
        "The 'fraction' parameter of undersample_group must be a float in the range "
        "[0.0, 1.0]. Got 1.5 instead.")


@pytest.mark.parametrize("value", [0, 1, 0.0, 0.5, 1.0, np.float64(0.3), np.float32(0.3),
                                   np.int64(1), np.uint8(0)])
def test_interval_accepts_numbers_in_range(value):
    assert value in UNIT


@pytest.mark.parametrize("value", [-0.01, 1.01, float("nan"), float("inf"), True, False,
                                   "0.5", None, [0.5], np.array([0.5, 0.6]), 1 + 0j])
def test_interval_refuses_the_rest(value):
    assert value not in UNIT


@pytest.mark.parametrize("value", [1, 10, np.int32(5), np.int64(7)])
def test_int_interval_accepts_integers(value):
    assert value in COUNT


@pytest.mark.parametrize("value", [0, 11, 5.0, 5.5, np.float64(5), True, "5"])
def test_int_interval_refuses_non_integers_and_out_of_range(value):
    assert value not in COUNT


def test_describe():
    assert UNIT.describe() == "a float in the range [0.0, 1.0]"
    assert COUNT.describe() == "an int in the range [1, 10]"
    assert KINDS.describe() == "one of 'rule', 'logistic'"


@pytest.mark.parametrize("constraint", [UNIT, COUNT, Interval(0.005, 0.5),
                                        Interval(-3, -3, kind="int"), KINDS,
                                        Options((False, True))])
def test_invalid_examples_are_invalid(constraint):
    examples = constraint.invalid_examples()
    assert len(examples) >= 3
    for value in examples:
        assert value not in constraint, value


def test_int_invalid_examples_include_a_fraction():
    assert 1.5 in COUNT.invalid_examples()
    assert 0 in COUNT.invalid_examples() and 11 in COUNT.invalid_examples()


def test_options_accept_their_values_and_refuse_others():
    assert "rule" in KINDS
    assert "Rule" not in KINDS
    assert None not in KINDS
    assert ["rule"] not in KINDS  # unhashable: no TypeError, just not an option
    assert Options({"a": 1, "b": 2}).values == ("a", "b")  # a mapping gives its keys


def test_check_param_returns_the_value():
    assert check_param("fraction", 0.25, UNIT, caller="f") == 0.25
    assert check_param("kind", "rule", KINDS, caller="f") == "rule"
    assert check_param("flag", True, Options((False, True)), caller="f") is True


def test_check_param_turns_numpy_integers_into_ints():
    value = check_param("n", np.int64(4), COUNT, caller="f")
    assert value == 4 and type(value) is int
    value = check_param("x", np.float64(0.5), UNIT, caller="f")
    assert value == 0.5


@pytest.mark.parametrize(
    ("name", "value", "constraint"),
    [("fraction", 1.5, UNIT), ("fraction", "half", UNIT), ("n", 0, COUNT),
     ("n", 2.5, COUNT), ("kind", "forest", KINDS), ("kind", None, KINDS)],
)
def test_check_param_raises_the_standard_message(name, value, constraint):
    with pytest.raises(TeachkitError) as info:
        check_param(name, value, constraint, caller="some_function")
    assert str(info.value) == PARAM_MESSAGE.format(
        name=name, caller="some_function", allowed=constraint.describe(), value=value)


def test_check_probability():
    value = check_probability("p", 1, caller="f")
    assert value == 1.0 and type(value) is float
    with pytest.raises(TeachkitError) as info:
        check_probability("p", 1.2, caller="f")
    assert str(info.value) == ("The 'p' parameter of f must be a float in the range "
                               "[0.0, 1.0]. Got 1.2 instead.")


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, np.int64(5), np.uint32(2**32 - 1)])
def test_check_seed_accepts_non_negative_32_bit_integers(seed):
    assert check_seed(seed, caller="f") == int(seed)


@pytest.mark.parametrize("seed", [-1, 2**32, 1.0, 1.5, "x", None, True])
def test_check_seed_refuses_the_rest(seed):
    with pytest.raises(TeachkitError) as info:
        check_seed(seed, caller="make_cohort")
    assert str(info.value) == (
        f"The 'seed' parameter of make_cohort must be an int in the range "
        f"[0, 4294967295]. Got {seed!r} instead.")


@pytest.mark.parametrize("value", [np.array(["rule", "logistic"]), pd.Series(["rule"])],
                         ids=["ndarray", "Series"])
def test_options_refuse_arrays_with_the_standard_message(value):
    try:
        check_param("kind", value, KINDS, caller="make_model")
    except TeachkitError:
        return
    except ValueError as exc:
        raise AssertionError(f"not the standard message: {exc}") from exc
    raise AssertionError("an array was accepted as an option")
