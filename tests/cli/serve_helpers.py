"""What the ``teachkit serve`` process tests share: is a process alive, and the clean-up
that leaves nothing behind whatever a test asserted."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterable


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_all(pids: Iterable[int], proc: subprocess.Popen) -> None:
    """SIGKILL every process of ``pids`` and ``proc`` itself (a test's ``finally``)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if proc.poll() is None:
        proc.kill()
