"""Fixtures for the whole suite."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest


def _call_in_own_thread(function, *args, **kwargs):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


@pytest.fixture
def in_own_thread():
    """``in_own_thread(function, *args, **kwargs)``: call ``function`` in a thread of its
    own and return what it returns (or raise what it raised).

    When the whole suite runs in one process, the browser tests' Playwright session holds
    an event loop in the main thread: ``asyncio.run`` and Playwright's sync API refuse to
    start there. Run them as ``in_own_thread(asyncio.run, coroutine)``.
    """
    return _call_in_own_thread
