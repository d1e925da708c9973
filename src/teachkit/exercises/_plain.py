"""Answers as plain data: what crosses from a submission's kernel to the grader.

A trainee's answer may be a number, a string, a numpy array, a pandas Series or
DataFrame, a dict, or a function. :func:`to_plain` turns it into JSON-ready data (numbers,
strings, lists, and small tagged dicts for arrays and tables); checks only ever read this
plain form, so the instant check in the trainee's notebook and the grade computed in the
grader's process judge exactly the same thing.

:func:`extract_answers` runs inside the sandbox, after the submission: it reads the
answer variables and calls function answers on the grader's inputs. Nothing here judges.
"""

from __future__ import annotations

import math
import signal
from typing import Any

__all__ = ["to_plain", "from_plain", "extract_answers", "MISSING", "ELLIPSIS", "tag"]

MAX_ITEMS = 200_000
MAX_TEXT = 20_000
#: The plain form of a variable that is not defined.
MISSING = {"__type__": "missing"}
#: The plain form of ``...``, the placeholder trainees replace.
ELLIPSIS = {"__type__": "ellipsis"}


def tag(value: Any) -> str | None:
    """The ``__type__`` tag of a plain value (None for numbers, strings, lists...)."""
    return value.get("__type__") if isinstance(value, dict) else None


def _number(x):
    x = float(x)
    if math.isnan(x):
        return {"__type__": "float", "value": "nan"}
    if math.isinf(x):
        return {"__type__": "float", "value": "inf" if x > 0 else "-inf"}
    return x


def to_plain(value: Any, _depth: int = 0) -> Any:
    """Convert an answer to plain, JSON-ready data (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> to_plain(np.float64(2.5)), to_plain(...), to_plain([1, "a"])
    (2.5, {'__type__': 'ellipsis'}, [1, 'a'])
    >>> to_plain(np.array([True, False]))
    {'__type__': 'array', 'dtype': 'b', 'shape': [2], 'data': [True, False]}
    """
    if _depth > 6:
        return {"__type__": "other", "type": type(value).__name__, "repr": "(too deep)"}
    if value is None or isinstance(value, bool | str):
        return value[:MAX_TEXT] if isinstance(value, str) else value
    if value is Ellipsis:
        return dict(ELLIPSIS)
    if isinstance(value, int):
        return value if abs(value) < 2**53 else float(value)
    if isinstance(value, float):
        return _number(value)
    module = type(value).__module__ or ""
    if module.startswith("numpy"):
        import numpy as np

        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return _number(value)
        if isinstance(value, np.ndarray):
            if value.size > MAX_ITEMS:
                return {"__type__": "other", "type": "ndarray", "repr": "(too large)"}
            flat = value.ravel()
            if value.dtype.kind in "biuf":
                data = [to_plain(x.item()) for x in flat]
            else:
                data = [to_plain(x, _depth + 1) for x in flat.tolist()]
            return {"__type__": "array", "dtype": value.dtype.kind,
                    "shape": list(value.shape), "data": data}
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(value, pd.Series):
            if len(value) > MAX_ITEMS:
                return {"__type__": "other", "type": "Series", "repr": "(too large)"}
            return {"__type__": "series", "name": to_plain(value.name, _depth + 1),
                    "index": [to_plain(_scalar(i), _depth + 1) for i in value.index],
                    "values": [to_plain(_scalar(v), _depth + 1) for v in value.tolist()]}
        if isinstance(value, pd.DataFrame):
            if value.size > MAX_ITEMS:
                return {"__type__": "other", "type": "DataFrame", "repr": "(too large)"}
            return {"__type__": "frame",
                    "columns": [to_plain(_scalar(c), _depth + 1) for c in value.columns],
                    "index": [to_plain(_scalar(i), _depth + 1) for i in value.index],
                    "data": [[to_plain(_scalar(v), _depth + 1) for v in row]
                             for row in value.itertuples(index=False, name=None)]}
    if isinstance(value, list | tuple):
        if len(value) > MAX_ITEMS:
            return {"__type__": "other", "type": type(value).__name__, "repr": "(too long)"}
        return [to_plain(v, _depth + 1) for v in value]
    if isinstance(value, dict):
        return {"__type__": "dict", "items": [[to_plain(k, _depth + 1), to_plain(v, _depth + 1)]
                                              for k, v in list(value.items())[:MAX_ITEMS]]}
    if callable(value):
        return {"__type__": "function", "name": str(getattr(value, "__name__", "?"))[:100]}
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001
        text = "?"
    return {"__type__": "other", "type": type(value).__name__[:100], "repr": text[:200]}


def _scalar(x):
    return x.item() if hasattr(x, "item") and not isinstance(x, str | bytes) else (
        x if isinstance(x, int | float | str | bool) or x is None else str(x))


def from_plain(value: Any) -> Any:
    """Turn plain data back into Python objects (arrays become numpy arrays)."""
    kind = tag(value)
    if kind is None:
        return [from_plain(v) for v in value] if isinstance(value, list) else value
    if kind == "float":
        return float(value["value"])
    if kind == "ellipsis":
        return ...
    if kind == "array":
        import numpy as np

        data = [from_plain(v) for v in value["data"]]
        dtype = {"b": bool, "i": np.int64, "u": np.int64, "f": float}.get(value["dtype"])
        return np.array(data, dtype=dtype).reshape(value["shape"])
    if kind == "dict":
        return {_hashable(from_plain(k)): from_plain(v) for k, v in value["items"]}
    if kind == "series":
        import pandas as pd

        return pd.Series([from_plain(v) for v in value["values"]],
                         index=[from_plain(i) for i in value["index"]],
                         name=from_plain(value["name"]), dtype=object).infer_objects()
    if kind == "frame":
        import pandas as pd

        return pd.DataFrame([[from_plain(v) for v in row] for row in value["data"]],
                            columns=[from_plain(c) for c in value["columns"]],
                            index=[from_plain(i) for i in value["index"]])
    return value


def _hashable(x):
    return tuple(x) if isinstance(x, list) else x


class _CallTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _CallTimeout()


def call_answer(function, case: dict, *, seconds: float = 10.0) -> dict:
    """Call a function answer on one input (plain data) and return the outcome, plain.

    Returns ``{"value": ...}``, or ``{"error": "TypeError: ..."}``; ``"mutated": True``
    is added when the function changed its input.
    """
    import copy

    kwargs = {k: from_plain(v) for k, v in case.items()}
    before = copy.deepcopy(kwargs)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        out = {"value": to_plain(function(**kwargs))}
    except _CallTimeout:
        out = {"error": f"TimeoutError: the call took longer than {seconds:g} s"}
    except Exception as exc:  # noqa: BLE001  the trainee's error, reported as data
        out = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    try:
        if to_plain(kwargs) != to_plain(before):
            out["mutated"] = True
    except Exception:  # noqa: BLE001
        pass
    return out


def extract_answers(namespace: dict, spec: dict) -> dict:
    """Read the answers a submission left in ``namespace`` (runs in the sandbox).

    ``spec`` maps each answer variable to ``{"kind": "value"}`` or
    ``{"kind": "function", "cases": [...]}`` (the grader's inputs, plain data).
    """
    answers = {}
    for name, want in spec.items():
        value = namespace.get(name, MISSING)
        if value is MISSING:
            answers[name] = dict(MISSING)
        elif want["kind"] == "function":
            if not callable(value):
                answers[name] = {"__type__": "calls", "not_callable": to_plain(value)}
            else:
                answers[name] = {"__type__": "calls",
                                 "outcomes": [call_answer(value, c) for c in want["cases"]]}
        else:
            answers[name] = to_plain(value)
    return answers


# -- tamper evidence (runs in the sandbox; informative only: the grade never depends on it)
_SNAPSHOT: dict = {}
# Builtins the Jupyter kernel itself swaps in and out around every cell.
_KERNEL_MANAGED = {"input", "raw_input", "get_ipython", "display", "exit", "quit", "help",
                   "copyright", "credits", "license", "breakpoint"}


def _watched() -> dict:
    import builtins
    import json

    import numpy

    from . import _problem

    items = {f"builtins.{k}": v for k, v in vars(builtins).items()
             if callable(v) and k not in _KERNEL_MANAGED}
    for name in ("isclose", "allclose", "array_equal", "sum", "mean", "round", "argsort",
                 "asarray", "array", "zeros", "isin"):
        items[f"numpy.{name}"] = getattr(numpy, name, None)
    items["json.dumps"], items["json.loads"] = json.dumps, json.loads
    for cls in (_problem.Problem, _problem.FunctionProblem, _problem.Reflection,
                _problem.ProblemView, _problem.Outcome):
        for attr, value in vars(cls).items():
            items[f"{cls.__name__}.{attr}"] = value
    for name in ("number_check", "as_number", "as_text", "unanswered", "close_enough"):
        items[f"_problem.{name}"] = getattr(_problem, name)
    for name in ("to_plain", "extract_answers", "call_answer"):
        items[f"_plain.{name}"] = globals()[name]
    return items


def take_snapshot() -> None:
    """Remember the checker's and the builtins' own objects (before the submission runs)."""
    _SNAPSHOT.clear()
    _SNAPSHOT.update(_watched())


def tampering(namespace: dict | None = None) -> list[str]:
    """What the submission replaced since :func:`take_snapshot`: checker, builtins, numpy."""
    import sys

    changed = [name for name, value in _watched().items()
               if name in _SNAPSHOT and _SNAPSHOT[name] is not value]
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("teachkit.exercises.lesson"):
            for attr, view in vars(module).items():
                if hasattr(view, "problem") and "check" in getattr(view, "__dict__", {}):
                    changed.append(f"{module_name}.{attr}.check")
    return sorted(changed)[:50]
