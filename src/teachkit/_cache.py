"""A small cache keyed on an object's identity, for inputs that are never changed in
place (the lessons' cohort, the record levers' output, read-only cached scores).

Moving a threshold or a capacity keeps these objects, so what was computed from them
(a feature digest, AUCs by group, a calibration table) can be reused. The object is
held by the cache, so its ``id`` cannot be reused by another object while cached.
"""

from __future__ import annotations

import numpy as np

__all__ = ["IdentityCache", "Recent"]


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
