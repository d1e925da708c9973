"""Per-submission limits and the allow-list root, checked without grading a class."""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from teachkit.grading._cgroup import SubmissionCgroup, cgroup_support
from teachkit.grading.cli import add_commands
from teachkit.grading.sandbox import Limits, SandboxPlan, limits_note

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
VERSION, WHY = cgroup_support()

#: Joins the cgroup as the sandbox does, then starts children that each hold 100 MiB.
HOLDERS = """
import os, select, subprocess, sys, time
for path in sys.argv[1:]:
    with open(path, "w") as fh:
        fh.write("0")
hold = ("open('/proc/self/oom_score_adj', 'w').write('1000'); b = b'x' * (100 * 1024**2);"
        "print('held', flush=True); import time; time.sleep(30)")
# (no child keeps the test's stdout or stderr pipe open: it would wait out their sleep)
procs = [subprocess.Popen([sys.executable, "-S", "-c", hold], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) for _ in range(4)]
pending, held = {p.stdout.fileno(): p for p in procs}, []
deadline = time.monotonic() + 20
while pending and time.monotonic() < deadline:
    for fd in select.select(list(pending), [], [], 0.2)[0]:
        p = pending.pop(fd)
        if os.read(fd, 16).startswith(b"held"):
            held.append(p)
time.sleep(0.5)
alive = sum(p.poll() is None for p in held)
forks = 0
try:
    for _ in range(64):
        subprocess.Popen(["sleep", "30"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        forks += 1
except OSError:
    pass
print(alive, forks)
"""


@pytest.mark.skipif(VERSION is None, reason=f"no per-submission cgroups here: {WHY}")
def test_a_cgroup_caps_all_processes_of_a_submission_together():
    group = SubmissionCgroup(VERSION, 250 * 1024**2, 24).create()
    try:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(HOLDERS),
                               *group.procs_files], capture_output=True, text=True,
                              timeout=120)
        alive, forks = map(int, done.stdout.split())
        assert alive <= 2  # 4 x 100 MiB never fit under 250 MiB together
        assert forks < 24  # the process cap counts the submission's processes only
        assert group.oom_killed()
    finally:
        group.remove()
    assert not any(d.exists() for d in group.dirs)


def test_limits_are_named_for_each_mode():
    assert "no containment" in limits_note("none")
    assert "cgroup" in limits_note("userns") or "prlimit" in limits_note("userns")


def test_the_allow_list_holds_no_checkout_and_nothing_writable_but_its_own(tmp_path):
    plan = SandboxPlan("root", tmp_path / "run", hide=[tmp_path], limits=Limits())
    (tmp_path / "run").mkdir()
    spec = plan.jail_spec()
    binds = dict(spec["binds"])
    writable = [p for p, readonly in spec["binds"] if not readonly]
    assert all(p.startswith("/dev/") or p == str(tmp_path / "run") for p in writable)
    assert not any(p.rstrip("/").endswith((".git", "solutions", "tests")) for p in binds)
    assert all(not p.startswith(("/run", "/home", "/var", "/sys")) for p in binds)
    # every lesson module is covered by its grading stub, which holds no check
    stubs = dict(spec["overlays"])
    assert len(stubs) >= 5
    for stub in stubs:
        text = open(stub, encoding="utf-8").read()
        assert "GradingView(" in text and "_facts" not in text and "def " not in text


def test_the_default_limits_are_the_documented_ones():
    """The suite grades under shorter limits (tests/grading/conftest.py); an instructor
    who sets none gets these: Limits' own and `teachkit grade`'s, as docs/grading.md
    gives them."""
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers())
    args = parser.parse_args(["grade", "class-01"])
    assert (Limits().cell_timeout, Limits().notebook_timeout) == (60, 300)
    assert (args.cell_timeout, args.timeout, args.memory) == (60, 300, 3072)
    docs = (ROOT / "docs" / "grading.md").read_text(encoding="utf-8")
    for option in ("--cell-timeout 60` | 60 s", "--timeout 300` | 300 s",
                   "--memory 3072` | 3072 MiB"):
        assert option in docs, option
