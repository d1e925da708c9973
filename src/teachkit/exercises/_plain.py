"""Answers as plain data: what crosses from a submission's kernel to the grader.

A trainee's answer may be a number, a string, a numpy array, a pandas Series or
DataFrame, a dict, or a function. :func:`to_plain` turns it into JSON-ready data (numbers,
strings, lists, and small tagged dicts for arrays and tables); checks only ever read this
plain form, so the instant check in the trainee's notebook and the grade computed in the
grader's process judge exactly the same thing.

:func:`extract_answer` runs inside the sandbox, after the submission, once per answer (in
its own cell): it reads one answer variable, or calls a function answer on the grader's
inputs. Nothing here judges; this module imports nothing else of teachkit.
"""

from __future__ import annotations

import math
import signal
from typing import Any

__all__ = ["to_plain", "from_plain", "extract_answer", "answer_record", "call_answer",
           "MISSING", "ELLIPSIS", "tag"]

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


class _CallTimeout(BaseException):  # not caught by a trainee's `except Exception`
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


def extract_answer(namespace: dict, name: str, want: dict) -> Any:
    """One answer a submission left in ``namespace``, as plain data (runs in the sandbox).

    ``want`` is ``{"kind": "value"}`` or ``{"kind": "function", "cases": [...],
    "seconds": s}`` (the grader's inputs, plain data, and the time each call may take).
    An answer whose conversion raises becomes ``{"__type__": "unreadable", ...}``: it
    costs that answer, never the others.
    """
    try:
        value = namespace.get(name, MISSING)
        if value is MISSING:
            return dict(MISSING)
        if want.get("kind") == "function":
            if not callable(value):
                return {"__type__": "calls", "not_callable": to_plain(value)}
            seconds = float(want.get("seconds", 10.0))
            return {"__type__": "calls",
                    "outcomes": [call_answer(value, c, seconds=seconds)
                                 for c in want.get("cases", [])]}
        return to_plain(value)
    except Exception as exc:  # noqa: BLE001  the trainee's object, not the grader, failed
        return {"__type__": "unreadable", "error": f"{type(exc).__name__}"[:100]}


def answer_record(namespace: dict, name: str, want: dict) -> str:
    """The JSON record the grader's extraction cell displays for one answer."""
    import json

    plain = extract_answer(namespace, name, want)
    try:
        return json.dumps({"name": name, "answer": plain})
    except (TypeError, ValueError, RecursionError) as exc:
        return json.dumps({"name": name, "answer": {"__type__": "unreadable",
                                                    "error": type(exc).__name__}})
