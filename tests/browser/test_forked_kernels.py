"""The lessons' pages come from kernels forked from the warm parent (issue 19), and a
forked kernel trains a model the trainee chooses.

``teachkit serve`` forks kernels by default, so every browser test runs on forked
kernels; these tests make sure of it (a silent fallback to ordinary kernels would let
the rest pass without testing forking) on the shared pages of lessons 00 and 01.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import cmdline, state, wait_for_updates

import teachkit.forking
from teachkit.levers import get_spec

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _forking_here():
    reason = teachkit.forking.available()
    if reason:
        pytest.skip(f"kernels cannot be forked here: {reason}")


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


@pytest.mark.parametrize("lesson", ["00", "01"])
def test_the_page_is_served_by_a_forked_kernel(lesson, request, voila_server):
    rec = request.getfixturevalue(f"lesson{lesson}")
    assert state(rec.page) is not None, "the app did not render"
    pid = voila_server.kernel_pid(rec.kernel_id)
    assert "(forked by teachkit)" in cmdline(pid), cmdline(pid)
    assert "teachkit.forking.parent" in cmdline(_parent_of(pid))


def _choose(page, lever: str, value: str) -> dict:
    select = page.locator(f".tk-lever-{lever} select")
    label = get_spec(lever).option_labels.get(value, value)
    if select.input_value() == label:
        return state(page)
    before = state(page)["updates"]
    select.select_option(value=label)
    return wait_for_updates(page, before)


def test_a_forked_kernel_trains_the_model_the_trainee_chooses(lesson01):
    page = lesson01.page
    _choose(page, "policy", "threshold")  # a fixed review capacity flags as many
    seen = {kind: _choose(page, "model", kind) for kind in ("rule", "boosting")}
    assert "model=boosting" in seen["boosting"]["settings"]
    assert seen["boosting"]["flagged"] != seen["rule"]["flagged"]
    before = state(page)["updates"]
    page.locator(".tk-reset-model").click()
    assert "model=rule" in wait_for_updates(page, before)["settings"]
