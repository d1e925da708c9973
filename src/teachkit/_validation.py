"""Parameter constraints written as data, and the ``check_*`` helpers built on them.

Every public function of teachkit validates its arguments at the boundary with these
helpers, so that every bad argument gets the same kind of sentence: which parameter, of
which function, what is allowed, and what was given (the scikit-learn template).

Examples
--------
>>> from teachkit._validation import Interval, check_param
>>> check_param("fraction", 0.5, Interval(0.0, 1.0), caller="undersample_group")
0.5
>>> check_param("fraction", 1.5, Interval(0.0, 1.0), caller="undersample_group")
Traceback (most recent call last):
...
teachkit._validation.TeachkitError: The 'fraction' parameter of undersample_group must be \
a float in the range [0.0, 1.0]. Got 1.5 instead.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

PARAM_MESSAGE = "The {name!r} parameter of {caller} must be {allowed}. Got {value!r} instead."


class TeachkitError(ValueError):
    """A bad argument or input, with a message that names what is wrong and what is allowed.

    It subclasses :class:`ValueError`, so ``except ValueError`` catches it too. The CLI
    turns it into one line and a non-zero exit code; the apps show it as a plain banner.
    """


@dataclass(frozen=True)
class Interval:
    """A number between ``low`` and ``high`` (included unless ``closed="neither"``).

    Parameters
    ----------
    low, high : float or int
        The bounds.
    kind : {"float", "int"}, default="float"
        Whether integers only are allowed (``"int"``) or any real number (``"float"``).
    closed : {"both", "neither"}, default="both"
        Whether the bounds themselves are allowed.
    """

    low: float
    high: float
    kind: str = "float"
    closed: str = "both"

    def __contains__(self, value: Any) -> bool:
        if isinstance(value, bool):
            return False
        if self.kind == "int" and not isinstance(value, numbers.Integral):
            return False
        if not isinstance(value, numbers.Real):
            return False
        if self.closed == "neither":
            return bool(self.low < value < self.high)
        return bool(self.low <= value <= self.high)

    def describe(self) -> str:
        what = "an int" if self.kind == "int" else "a float"
        if self.closed == "neither":
            return f"{what} in the open range ({self.low!r}, {self.high!r})"
        return f"{what} in the range [{self.low!r}, {self.high!r}]"

    def invalid_examples(self) -> list[Any]:
        """Values a contract test can use to check that validation refuses them."""
        span = (self.high - self.low) or 1
        below = self.low - span if self.kind == "float" else int(self.low) - 1
        above = self.high + span if self.kind == "float" else int(self.high) + 1
        bad = [below, above, "a string", None]
        if self.kind == "int":
            bad.append(float(self.low) + 0.5)
        return bad


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values."""

    values: tuple

    def __init__(self, values):
        object.__setattr__(self, "values", tuple(values))

    def __contains__(self, value: Any) -> bool:
        try:
            # Same type and equal: 1 is not True, and 0.0 is not the option 0.
            return any(isinstance(value, type(v)) and bool(value == v) for v in self.values)
        except (TypeError, ValueError):  # unhashable, or an array's ambiguous truth value
            return False

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)

    def invalid_examples(self) -> list[Any]:
        return ["not-an-option", 12345, None]


def check_param(name: str, value: Any, constraint, *, caller: str) -> Any:
    """Return ``value`` if it satisfies ``constraint``; raise :class:`TeachkitError` if not.

    Parameters
    ----------
    name : str
        The parameter's name, as the caller spells it.
    value : object
        What was passed.
    constraint : Interval or Options
        What is allowed.
    caller : str
        The public function (or class) that received the parameter.

    Returns
    -------
    value : object
        The value itself; numpy integers are returned as Python ints.

    Raises
    ------
    TeachkitError
        With :data:`PARAM_MESSAGE` filled in.
    """
    if value not in constraint:
        raise TeachkitError(
            PARAM_MESSAGE.format(
                name=name, caller=caller, allowed=constraint.describe(), value=value
            )
        )
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return value


def check_probability(name: str, value: Any, *, caller: str) -> float:
    """Check that ``value`` is a probability in [0, 1] and return it as a float."""
    return float(check_param(name, value, Interval(0.0, 1.0), caller=caller))


def check_cohort(cohort: Any, columns, *, caller: str) -> None:
    """Raise the standard error unless ``cohort`` is a DataFrame with ``columns``.

    Examples
    --------
    >>> check_cohort([1, 2], ["age"], caller="f")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'cohort' parameter of f must be a pandas \
DataFrame from make_cohort. Got list instead.
    """
    import pandas as pd

    if not isinstance(cohort, pd.DataFrame):
        raise TeachkitError(
            f"The 'cohort' parameter of {caller} must be a pandas DataFrame from "
            f"make_cohort. Got {type(cohort).__name__} instead."
        )
    missing = [c for c in columns if c not in cohort.columns]
    if missing:
        raise TeachkitError(
            f"The 'cohort' parameter of {caller} must have the columns {missing}; they are "
            "missing."
        )


def check_seed(value: Any, *, caller: str) -> int:
    """Check that a seed is a non-negative integer (numpy integers allowed)."""
    return check_param("seed", value, Interval(0, 2**32 - 1, kind="int"), caller=caller)
