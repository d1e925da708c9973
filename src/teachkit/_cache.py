"""The process's small caches, and the registry of the ones a warm parent keeps on disk.

- :class:`IdentityCache`: values keyed on an object's identity, for inputs that are
  never changed in place (the lessons' cohort, the record levers' output, read-only
  cached scores). Moving a threshold or a capacity keeps these objects, so what was
  computed from them (a feature digest, AUCs by group, a calibration table) can be
  reused. The object is held by the cache, so its ``id`` cannot be reused by another
  object while cached.
- :class:`Recent`: the answers to the last few keys, and answers kept for good.
- :func:`memo`: a function's results kept in a :class:`Recent` (like
  :func:`functools.lru_cache`, whose contents cannot be restored).
- :func:`register`, :func:`capture`, :func:`restore`: module-level caches named so the
  warm parent of forked kernels can write what its warm-up computed to disk and a later
  parent can put it back before its own warm-up, whose calls then hit these caches
  (:mod:`teachkit.forking.snapshot`). All of them are captured together, so objects
  shared between caches (the cohort an :class:`IdentityCache` is keyed on, the scores a
  run holds) stay one object when restored.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections import OrderedDict

import numpy as np

__all__ = ["IdentityCache", "Recent", "memo", "register", "registered", "capture",
           "restore"]


class IdentityCache:
    """The last ``size`` values computed from an object, found by identity and a key.

    Parameters
    ----------
    size : int
        How many values to keep (the newest first).

    Examples
    --------
    >>> cache = IdentityCache(2)
    >>> scores = np.arange(3.0)
    >>> cache.get(scores, "auc") is None
    True
    >>> cache.put(scores, "auc", 0.5, np.array([0, 1, 1]))
    0.5
    >>> cache.get(scores, "auc", np.array([0, 1, 1])), cache.get(scores.copy(), "auc")
    (0.5, None)
    >>> cache.get(scores, "auc", np.array([1, 1, 1])) is None  # other outcomes: a miss
    True
    """

    def __init__(self, size: int):
        self.size = size
        self._items: list = []

    def get(self, obj, key=(), *arrays):
        """The value stored for ``obj`` (the same object), ``key`` and equal ``arrays``,
        or None."""
        for held, held_key, held_arrays, value in self._items:
            if held is obj and held_key == key and len(held_arrays) == len(arrays) and \
                    all(np.array_equal(a, b) for a, b in zip(held_arrays, arrays)):
                return value
        return None

    def put(self, obj, key, value, *arrays):
        """Store ``value`` for ``obj``, ``key`` and copies of ``arrays``; return it."""
        self._items.insert(0, (obj, key, tuple(np.array(a, copy=True) for a in arrays),
                               value))
        del self._items[self.size:]
        return value

    def state(self) -> list:
        """What the cache holds, to be given to :meth:`restore` (in this process or,
        pickled with the objects it is keyed on, in another)."""
        return list(self._items)

    def restore(self, state: list) -> None:
        """Hold ``state`` (from :meth:`state`) instead of what is held now."""
        self._items = list(state)[: self.size]


class Recent:
    """The answers to the last ``size`` keys asked, the oldest forgotten first, and any
    answers kept for good (:meth:`keep`: what a warm parent prepares before it forks).

    Examples
    --------
    >>> recent = Recent(2)
    >>> recent.get_or("a", lambda: 1), recent.get_or("a", lambda: 99)
    (1, 1)
    >>> _ = recent.get_or("b", lambda: 2); _ = recent.get_or("c", lambda: 3)
    >>> len(recent), recent.get_or("a", lambda: 4)  # "a" was the oldest
    (2, 4)
    >>> recent.keep("z", 26)
    26
    >>> for key in "defg":
    ...     _ = recent.get_or(key, lambda: 0)
    >>> recent.get("z"), len(recent), recent.kept  # never forgotten, counted apart
    (26, 2, 1)
    """

    def __init__(self, size: int):
        self.size = size
        self._values: dict = {}
        self._kept: dict = {}

    def __len__(self) -> int:
        """How many recent answers are held (the kept ones are :attr:`kept`)."""
        return len(self._values)

    @property
    def kept(self) -> int:
        """How many answers are kept for good."""
        return len(self._kept)

    def get(self, key, default=None):
        """The value kept under ``key``, or ``default``."""
        if key in self._kept:
            return self._kept[key]
        return self._values.get(key, default)

    def keep(self, key, value):
        """Keep ``value`` under ``key`` for good (never forgotten); return it."""
        self._values.pop(key, None)
        self._kept[key] = value
        return value

    def put(self, key, value):
        """Keep ``value`` under ``key`` (forgetting the oldest beyond ``size``); return it."""
        self._values.pop(key, None)
        while len(self._values) >= self.size:
            self._values.pop(next(iter(self._values)))
        self._values[key] = value
        return value

    def get_or(self, key, compute):
        """The value kept under ``key``, or ``compute()`` kept under it."""
        if key in self._kept:
            return self._kept[key]
        if key in self._values:
            return self._values[key]
        return self.put(key, compute())

    def state(self) -> tuple[dict, dict]:
        """The recent and the kept answers, to be given to :meth:`restore`."""
        return dict(self._values), dict(self._kept)

    def restore(self, state: tuple[dict, dict]) -> None:
        """Hold ``state`` (from :meth:`state`) instead of what is held now."""
        values, kept = state
        self._values = dict(list(values.items())[-self.size:] if self.size else [])
        self._kept = dict(kept)


class _Memo:
    """A function whose results for the last ``size`` arguments are kept (:func:`memo`)."""

    def __init__(self, function, size: int):
        functools.update_wrapper(self, function)
        self._signature = inspect.signature(function)
        self.cache = Recent(size)

    def __call__(self, *args, **kwargs):
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()  # f() and f(its defaults) are one call, one result
        key = tuple(bound.arguments.values())
        found = self.cache.get(key, _MISSING)
        if found is _MISSING:
            return self.cache.put(key, self.__wrapped__(*args, **kwargs))
        return self.cache.put(key, found)  # the most recently used, forgotten last

    def cache_clear(self) -> None:
        """Forget every result."""
        self.cache = Recent(self.cache.size)

    def state(self) -> tuple[dict, dict]:
        """The kept results (:meth:`Recent.state`)."""
        return self.cache.state()

    def restore(self, state: tuple[dict, dict]) -> None:
        """Keep ``state``'s results instead (:meth:`Recent.restore`)."""
        self.cache.restore(state)


_MISSING = object()


def memo(size: int):
    """Keep a function's results for its last ``size`` arguments, the least recently
    used forgotten first; a call with its defaults spelled out is the same call.

    Unlike :func:`functools.lru_cache`, what is kept can be captured and restored
    (:func:`register`).

    Examples
    --------
    >>> calls = []
    >>> @memo(2)
    ... def square(x, power=2):
    ...     calls.append(x)
    ...     return x ** power
    >>> square(3), square(3, 2), square(x=3), calls
    (9, 9, 9, [3])
    >>> square.cache_clear(); square(3), calls
    (9, [3, 3])
    """
    return lambda function: _Memo(function, size)


#: Named caches: "module.attribute" -> (module, attribute, capture, restore).
_REGISTRY: dict[str, tuple] = {}


def register(module: str, *attributes: str, dump=None, load=None) -> None:
    """Name module-level caches of ``module`` (an :class:`IdentityCache`, a
    :class:`Recent`, a :func:`memo` function or a dict) for :func:`capture` and
    :func:`restore`.

    The cache is looked up by name when captured or restored, so a cache replaced by
    another object (a test's fresh one) is the one used. ``dump`` and ``load``, for a
    cache whose values cannot be pickled as they are: ``dump(cache)`` returns its state
    as picklable data, ``load(cache, data)`` puts it back.
    """
    for attribute in attributes:
        _REGISTRY[f"{module}.{attribute}"] = (module, attribute, dump, load)


def registered() -> dict[str, object]:
    """Each named cache (:func:`register`) by its name, as its module holds it now."""
    return {name: getattr(importlib.import_module(module), attribute)
            for name, (module, attribute, _, _) in _REGISTRY.items()}


def capture() -> dict[str, object]:
    """What every named cache holds, by name: pickle the whole result at once (one
    pickle keeps an object shared by several caches one object)."""
    states = {}
    for name, cache in registered().items():
        dump = _REGISTRY[name][2]
        if dump is not None:
            states[name] = dump(cache)
        elif isinstance(cache, dict):
            states[name] = OrderedDict(cache)
        else:
            states[name] = cache.state()
    return states


def restore(states: dict[str, object]) -> list[str]:
    """Put back what :func:`capture` returned, cache by cache (a name no longer
    registered is skipped); return the names restored."""
    caches, done = registered(), []
    for name, state in states.items():
        if name not in caches:
            continue
        cache, load = caches[name], _REGISTRY[name][3]
        if load is not None:
            load(cache, state)
        elif isinstance(cache, dict):
            cache.clear()
            cache.update(state)
        else:
            cache.restore(state)
        done.append(name)
    return done
