"""Problems, their outcomes, and the view that shows them to a trainee.

A :class:`Problem` is declarative: which variable it inspects, a ``check`` that reads the
answer (as plain data, :mod:`._plain`) and raises :class:`NotAttempted` or
:class:`Incorrect` with a message naming the trainee's own value, and hints. The model
answers are not here: they live in the solution notebooks, which trainees (and the
grading sandbox) do not get.

:meth:`Problem.judge` turns a check into an :class:`Outcome`. The trainee's
:class:`ProblemView` and the grader both call it, on the same plain data, so instant
feedback and the grade never disagree.
"""

from __future__ import annotations

import html
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._plain import MISSING, call_answer, tag, to_plain

__all__ = [
    "NotAttempted", "Incorrect", "Outcome", "Problem", "FunctionProblem", "Reflection",
    "ProblemView", "as_number", "as_text", "show",
]

PASSED, INCORRECT, NOT_ATTEMPTED, WRITTEN = "passed", "incorrect", "not attempted", "written"
# Okabe-Ito colours (the house palette).
_COLOURS = {PASSED: "#009E73", INCORRECT: "#D55E00", NOT_ATTEMPTED: "#999999",
            WRITTEN: "#0072B2"}
_ICONS = {PASSED: "✔ Correct", INCORRECT: "✘ Not yet", NOT_ATTEMPTED: "… Not attempted",
          WRITTEN: "✎ Saved for your instructor"}


class NotAttempted(Exception):
    """The trainee has not answered yet (the variable is missing or still ``...``)."""


class Incorrect(Exception):
    """The answer is wrong; the message says what is wrong and hints at the next step."""


def show(value: Any) -> str:
    """A short, readable rendering of a plain value, for messages."""
    kind = tag(value)
    if kind is None:
        if isinstance(value, float):
            return f"{value:.6g}"
        text = repr(value)
    elif kind == "float":
        text = value["value"]
    elif kind == "array":
        text = f"an array of shape {tuple(value['shape'])}"
    elif kind == "series":
        text = f"a pandas Series of length {len(value['values'])}"
    elif kind == "frame":
        text = f"a table of {len(value['data'])} rows"
    elif kind == "dict":
        text = "a dict with keys " + ", ".join(repr(k) for k, _ in value["items"][:8])
    elif kind == "function":
        text = f"the function {value['name']}"
    elif kind == "unreadable":
        text = f"something that could not be read ({value.get('error', '?')})"
    elif kind == "other":
        text = f"a {value.get('type', '?')} ({value.get('repr', '')})"
    else:
        text = kind
    return text if len(text) <= 120 else text[:117] + "..."


def unanswered(value: Any, name: str) -> None:
    """Raise :class:`NotAttempted` when ``value`` is missing or still ``...``."""
    kind = tag(value)
    if kind == "missing":
        raise NotAttempted(f"There is no variable called `{name}` yet: run the cell where "
                           f"you set it.")
    if kind == "ellipsis":
        raise NotAttempted(f"`{name}` is still `...`: replace it with your answer.")


def as_number(value: Any, name: str) -> float:
    """The answer as a float, or :class:`NotAttempted` / :class:`Incorrect` if it is not."""
    unanswered(value, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        if tag(value) == "float":
            raise Incorrect(f"`{name}` is {value['value']}, which is not a usable number.")
        if tag(value) == "series" and len(value["values"]) == 1:
            return as_number(value["values"][0], name)
        raise Incorrect(f"`{name}` should be a single number; you gave {show(value)}. "
                        f"Take one value out (for example with `float(...)`).")
    return float(value)


def as_text(value: Any, name: str) -> str:
    """The answer as a stripped string, or raise."""
    unanswered(value, name)
    if not isinstance(value, str):
        raise Incorrect(f"`{name}` should be text (a string in quotes); you gave "
                        f"{show(value)}.")
    return value.strip()


@dataclass(frozen=True)
class Outcome:
    """The result of judging one answer."""

    problem: str
    status: str
    message: str
    points: float = 0.0
    max_points: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __str__(self) -> str:
        return f"{_ICONS[self.status]}: {self.message}"

    def _repr_html_(self) -> str:
        colour = _COLOURS[self.status]
        return (f'<div style="border-left:4px solid {colour};padding:4px 8px">'
                f'<b style="color:{colour}">{_ICONS[self.status]}</b> '
                f"{html.escape(self.message)}</div>")


@dataclass(frozen=True)
class Problem:
    """One auto-checked question whose answer is a value.

    Parameters
    ----------
    name : str
        Short id, as in the gradebook (``"q1"``).
    inspects : str
        The variable the trainee sets.
    title : str
        The question in a few words.
    check : callable
        ``check(plain_value)``; raises :class:`NotAttempted` or :class:`Incorrect`.
    hints : tuple of str
        From gentle to specific; none gives the answer away.
    points : float, default=1
    """

    name: str
    inspects: str
    title: str
    check: Callable[[Any], None]
    hints: tuple[str, ...] = ()
    points: float = 1.0
    kind = "value"

    def judge(self, plain: Any) -> Outcome:
        """Judge a plain answer; never raises for a bad answer."""
        try:
            self.check(plain)
        except NotAttempted as exc:
            return Outcome(self.name, NOT_ATTEMPTED, str(exc), 0.0, self.points)
        except Incorrect as exc:
            return Outcome(self.name, INCORRECT, str(exc), 0.0, self.points)
        return Outcome(self.name, PASSED, self.success, self.points, self.points)

    @property
    def success(self) -> str:
        return f"`{self.inspects}` is right."

    def extraction(self, rng=None) -> dict:
        """What the grader asks the sandbox to take out for this problem."""
        return {"kind": "value"}

    def answer_from(self, namespace: dict) -> Any:
        """The trainee's answer, as plain data, from their notebook's namespace."""
        return to_plain(namespace.get(self.inspects, MISSING)) if self.inspects in namespace \
            else dict(MISSING)


@dataclass(frozen=True)
class FunctionProblem(Problem):
    """A question whose answer is a function, checked by calling it.

    ``check(case, outcome)`` judges one call: ``case`` is the input (plain data) and
    ``outcome`` is ``{"value": ...}`` or ``{"error": "..."}``. The trainee's check calls
    the function on :attr:`public_cases`; the grader calls it, inside the sandbox, on
    :attr:`grading_cases` drawn afresh for each grading run.
    """

    public_cases: Callable[[], list[dict]] = list
    grading_cases: Callable[[Any], list[dict]] = lambda rng: []  # noqa: E731
    kind = "function"

    def judge(self, plain: Any) -> Outcome:
        try:
            self._judge_calls(plain)
        except NotAttempted as exc:
            return Outcome(self.name, NOT_ATTEMPTED, str(exc), 0.0, self.points)
        except Incorrect as exc:
            return Outcome(self.name, INCORRECT, str(exc), 0.0, self.points)
        return Outcome(self.name, PASSED, self.success, self.points, self.points)

    def _judge_calls(self, plain):
        unanswered(plain, self.inspects)
        if tag(plain) != "calls":
            raise Incorrect(f"`{self.inspects}` should be a function; it is {show(plain)}.")
        if "not_callable" in plain:
            value = plain["not_callable"]
            unanswered(value, self.inspects)
            raise Incorrect(f"`{self.inspects}` should be a function (made with `def`); it "
                            f"is {show(value)}.")
        outcomes = plain.get("outcomes") or []
        if not outcomes:
            raise Incorrect(f"`{self.inspects}` could not be called.")
        if all(o.get("value", 0) is None for o in outcomes):
            raise NotAttempted(f"`{self.inspects}` returns None: write its body and "
                               f"`return` the result.")
        for case, outcome in zip(self._cases_of(plain), outcomes):
            if "error" in outcome:
                if outcome["error"].startswith("NotImplementedError"):
                    raise NotAttempted(f"`{self.inspects}` is not written yet.")
                raise Incorrect(f"`{self.inspects}` raised {outcome['error']} on "
                                f"{describe_case(case)}.")
            if outcome.get("mutated"):
                raise Incorrect(f"`{self.inspects}` changed its input on "
                                f"{describe_case(case)}: work on a copy.")
            self.check(case, outcome["value"])

    @staticmethod
    def _cases_of(plain):
        return plain.get("cases") or [{}] * len(plain.get("outcomes", []))

    def extraction(self, rng=None) -> dict:
        cases = self.public_cases() + (self.grading_cases(rng) if rng is not None else [])
        return {"kind": "function", "cases": cases}

    def answer_from(self, namespace: dict) -> Any:
        function = namespace.get(self.inspects, MISSING)
        if function is MISSING:
            return dict(MISSING)
        if not callable(function):
            return {"__type__": "calls", "not_callable": to_plain(function)}
        cases = self.public_cases()
        return {"__type__": "calls", "cases": cases,
                "outcomes": [call_answer(function, c) for c in cases]}


def describe_case(case: dict) -> str:
    parts = []
    for key, value in case.items():
        parts.append(f"{key}={show(value)}")
    return "the input " + ", ".join(parts) if parts else "its input"


def _reflection_check(name: str, min_words: int):
    def check(value):
        unanswered(value, name)
        text = as_text(value, name)
        if len(text.split()) < min_words:
            raise NotAttempted(f"`{name}` has {len(text.split())} words; write at least "
                               f"{min_words} (a few sentences) for your instructor.")
    return check


@dataclass(frozen=True)
class Reflection(Problem):
    """A free-text question: collected for the instructor, never marked, never "passed"."""

    min_words: int = 15
    points: float = 0.0
    kind = "reflection"

    def __post_init__(self):
        if self.points:
            raise ValueError("A reflection is read by the instructor; it carries no points.")

    def judge(self, plain: Any) -> Outcome:
        try:
            _reflection_check(self.inspects, self.min_words)(plain)
        except (NotAttempted, Incorrect) as exc:
            return Outcome(self.name, NOT_ATTEMPTED, str(exc), 0.0, 0.0)
        words = len(plain.split())
        return Outcome(self.name, WRITTEN, f"{words} words, kept for your instructor. "
                       f"Reflections are read and discussed, not marked.", 0.0, 0.0)


def _no_check(value):  # a reflection's `check` is its word count (see Reflection.judge)
    raise NotAttempted("Reflections are read by your instructor, not checked.")


def reflection(name: str, inspects: str, title: str, *, hints=(), min_words=15):
    """Declare a :class:`Reflection`."""
    return Reflection(name, inspects, title, _no_check, tuple(hints), min_words=min_words)


class ProblemView:
    """What a trainee calls in the notebook: ``q1.check()``, ``q1.hint()``.

    The view reads the trainee's variable from the notebook, judges it with the
    problem's own check and returns an :class:`Outcome`, which Jupyter shows coloured.
    Nothing it computes counts for the grade: grading runs the notebook again, in a
    sandbox, and judges the answers in the grader's own process.
    """

    def __init__(self, problem: Problem):
        self.problem = problem
        self._hints_shown = 0

    def __repr__(self) -> str:
        p = self.problem
        kind = {"value": "question", "function": "function to write",
                "reflection": "reflection"}[p.kind]
        return (f"{p.name} ({kind}): {p.title}. Set `{p.inspects}`, then run "
                f"{p.name}.check(); {p.name}.hint() gives a hint.")

    def check(self, namespace: dict | None = None) -> Outcome:
        """Judge the trainee's current answer and return the outcome (shown in Jupyter)."""
        if namespace is None:
            namespace = sys._getframe(1).f_globals
        return self.problem.judge(self.problem.answer_from(namespace))

    def hint(self, number: int | None = None) -> Hint:
        """The next hint (or hint ``number``, from 1)."""
        hints = self.problem.hints
        if not hints:
            return Hint("There is no hint for this one: re-read the question.", 0, 0)
        if number is None:
            self._hints_shown = min(self._hints_shown + 1, len(hints))
            number = self._hints_shown
        number = max(1, min(int(number), len(hints)))
        return Hint(hints[number - 1], number, len(hints))


@dataclass(frozen=True)
class Hint:
    text: str
    number: int
    total: int

    def __str__(self) -> str:
        return f"Hint {self.number} of {self.total}: {self.text}" if self.total else self.text

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return (f'<div style="border-left:4px solid #E69F00;padding:4px 8px">'
                f"{html.escape(str(self))}</div>")


def close_enough(value: float, expected: float, tol: float) -> bool:
    return math.isfinite(value) and abs(value - expected) <= tol


@dataclass(frozen=True)
class Diagnosis:
    """A common wrong answer and what to say about it (never the right answer)."""

    value: Callable[[], float]
    message: str
    tol: float = 0.05


def number_check(name: str, expected: Callable[[], float], *, tol: float,
                 diagnoses: tuple[Diagnosis, ...] = (), fallback: str,
                 low: float = -math.inf, high: float = math.inf, unit: str = ""):
    """A check for a numeric answer, with specific messages for common mistakes."""

    def check(value):
        got = as_number(value, name)
        if close_enough(got, expected(), tol):
            return
        if not low <= got <= high:
            raise Incorrect(f"`{name}` is {got:g}, but it must lie between {low:g} and "
                            f"{high:g}{unit}.")
        for d in diagnoses:
            if close_enough(got, d.value(), d.tol):
                raise Incorrect(f"`{name}` is {got:g}. {d.message}")
        raise Incorrect(f"`{name}` is {got:g}, which is not right yet. {fallback}")

    return check



class GradingView:
    """What ``q1`` is inside the grading sandbox, where the lesson's checks are absent.

    The grader replaces each lesson module, inside the sandbox only, by a stub that holds
    these views and the lesson's plain constants (:func:`stub_source`): the checks and
    the values they compare with stay in the grader's own process.
    """

    problem = None

    def __init__(self, name: str, inspects: str):
        self.name, self.inspects = name, inspects

    def __repr__(self) -> str:
        return f"{self.name}: checked by the grader (set `{self.inspects}`)."

    def check(self, namespace=None) -> str:
        return f"{self.name}: checked by the grader, outside this notebook."

    def hint(self, number=None) -> str:
        return "Hints are shown in your own notebook, not while it is graded."


def stub_source(module) -> str:
    """The source of a lesson module's grading stub: its views and plain constants only.

    Examples
    --------
    >>> from teachkit.exercises import lesson00
    >>> "GRID_CRISIS = (" in stub_source(lesson00), "_facts" in stub_source(lesson00)
    (True, False)
    """
    lines = [f'"""Grading stub of {module.__name__}: the checks run in the grader."""',
             "from teachkit.exercises._problem import GradingView", ""]
    for name, value in sorted(vars(module).items()):
        if name.startswith("_"):
            continue
        if isinstance(value, ProblemView):
            lines.append(f"{name} = GradingView({value.problem.name!r}, "
                         f"{value.problem.inspects!r})")
        elif _is_literal(value):
            lines.append(f"{name} = {value!r}")
    return "\n".join(lines) + "\n"


def _is_literal(value, depth: int = 0) -> bool:
    if depth > 3:
        return False
    if value is None or isinstance(value, bool | int | float | str):
        return True
    if isinstance(value, tuple | list | frozenset):
        return all(_is_literal(v, depth + 1) for v in value)
    return False
