"""Culling idle kernels never takes a room's preheated kernels (issue 19).

Voila's pool keeps kernels that have run their lesson and wait, idle, for a trainee;
``teachkit serve --cull-idle S`` culls kernels idle for S seconds. Voila's
``cull_kernel_if_idle`` is meant to skip pool kernels (suspected once of not doing so).
Here, with a 2-second idle timeout and a look every second (``cull_interval``'s
shortest), the pool's kernels, idle from the start, outlive a few looks past their
timeout (one look would cull them), while a kernel taken by a page and left alone is
culled, so culling is on.
"""

from __future__ import annotations

import time
import urllib.request

import pytest
from harness import VoilaServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CULL_S = 2


def test_a_preheated_kernel_is_never_culled_but_a_left_one_is():
    # Two kernels preheated for lesson 00 only (a room of two), none for the others.
    with VoilaServer(pool_size=0, cull_idle=CULL_S, expected_kernels=2,
                     extra_args=("--trainees", "2", "--lesson", "00")) as server:
        pool = set(server.kernel_pids())
        assert len(pool) == 2, server.log_tail()
        time.sleep(3 * CULL_S)  # six looks, four of them past the idle timeout
        assert set(server.kernel_pids()) == pool, (
            "a preheated kernel was culled:\n" + server.log_tail())

        with urllib.request.urlopen(server.lesson_url("00"), timeout=300) as response:
            assert response.status == 200
            response.read()  # the page, executed by a preheated kernel, now the page's
        deadline = time.monotonic() + 60 + 4 * CULL_S
        while time.monotonic() < deadline and len(set(server.kernel_pids()) & pool) == 2:
            time.sleep(0.5)
        left = set(server.kernel_pids())
        assert len(left & pool) == 1, (
            "the page's kernel, idle and unconnected, was not culled:\n" + server.log_tail())
        assert "Culling" in server.log_tail(10**6)
