"""What the ``teachkit serve`` process tests share: is a process alive, the processes
below one, and the clean-up that leaves nothing behind whatever a test asserted."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterable
from pathlib import Path


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def process_tree(pid: int) -> dict[int, str]:
    """Every process below ``pid`` (children, their children...): pid -> command line."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(
                    int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = {}, [pid]
    while todo:
        for child in parents.get(todo.pop(), ()):
            try:
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(
                    b"\0", b" ").decode()
            except OSError:
                continue
            todo.append(child)
    return found


def kill_all(pids: Iterable[int], proc: subprocess.Popen) -> None:
    """SIGKILL every process of ``pids`` and ``proc`` itself (a test's ``finally``)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if proc.poll() is None:
        proc.kill()
