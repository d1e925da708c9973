"""Per-submission memory and process limits with Linux cgroups (v2, or v1's controllers).

The grader makes one cgroup per submission, with a memory cap (no swap beyond it) and a
process cap, and the sandbox joins it before anything of the submission runs
(:mod:`._jail`). All of a submission's processes share those caps, so five children
cannot hold five times the memory, and a fork bomb uses up its own process budget, never
its neighbour's. When the machine does not allow it (not root, or the controllers are
off), :func:`cgroup_support` says what is missing in one sentence and grading falls back
to per-process limits (``prlimit``).
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SubmissionCgroup", "cgroup_support"]

ROOT = Path("/sys/fs/cgroup")
PREFIX = "teachkit-"


def _v2_root() -> Path | None:
    return ROOT if (ROOT / "cgroup.controllers").is_file() else None


def cgroup_support() -> tuple[str | None, str]:
    """``("v2" | "v1", sentence)`` when per-submission cgroups can be made, else
    ``(None, what is missing)``."""
    if os.geteuid() != 0:
        return None, ("per-submission memory and process limits need cgroups, which "
                      "teachkit makes only when grading as root; each process gets its "
                      "own memory cap instead (prlimit)")
    v2 = _v2_root()
    if v2 is not None:
        enabled = (v2 / "cgroup.subtree_control").read_text().split()
        missing = [c for c in ("memory", "pids") if c not in enabled]
        if missing and not _enable_v2(v2, missing):
            return None, (f"the cgroup v2 controllers {', '.join(missing)} are not enabled "
                          f"in {v2}; each process gets its own memory cap instead")
        return "v2", "memory and processes capped per submission (cgroup v2)"
    missing = [c for c in ("memory", "pids") if not (ROOT / c / "cgroup.procs").is_file()]
    if missing:
        return None, (f"no cgroup v2 and no v1 {', '.join(missing)} controller under "
                      f"{ROOT}; each process gets its own memory cap instead")
    return "v1", "memory and processes capped per submission (cgroup v1 controllers)"


def _enable_v2(root: Path, controllers: list[str]) -> bool:
    try:
        (root / "cgroup.subtree_control").write_text(
            " ".join(f"+{c}" for c in controllers))
        return True
    except OSError:
        return False


@dataclass
class SubmissionCgroup:
    """One submission's cgroup(s): made by :meth:`create`, removed by :meth:`remove`."""

    version: str
    memory_bytes: int
    processes: int
    dirs: list[Path] = field(default_factory=list)

    @property
    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files the sandbox writes itself into."""
        return [str(d / "cgroup.procs") for d in self.dirs]

    def create(self) -> SubmissionCgroup:
        """Make the cgroup(s); on failure, remove what was made and raise OSError."""
        try:
            return self._create()
        except OSError:
            self.remove()
            raise

    def _create(self) -> SubmissionCgroup:
        name = PREFIX + secrets.token_hex(6)
        if self.version == "v2":
            base = ROOT / "teachkit-grading"
            base.mkdir(exist_ok=True)
            _enable_v2(base, ["memory", "pids"])
            group = base / name
            group.mkdir()
            self.dirs = [group]
            (group / "memory.max").write_text(str(self.memory_bytes))
            _try_write(group / "memory.swap.max", "0")
            (group / "pids.max").write_text(str(self.processes))
        else:
            memory, pids = ROOT / "memory" / name, ROOT / "pids" / name
            memory.mkdir()
            self.dirs = [memory]
            (memory / "memory.limit_in_bytes").write_text(str(self.memory_bytes))
            _try_write(memory / "memory.memsw.limit_in_bytes", str(self.memory_bytes))
            pids.mkdir()
            self.dirs.append(pids)
            (pids / "pids.max").write_text(str(self.processes))
        return self

    def oom_killed(self) -> bool:
        """Whether the memory cap killed a process of this submission."""
        for d in self.dirs:
            for name, key in (("memory.events", "oom_kill"), ("memory.oom_control",
                                                              "oom_kill")):
                try:
                    for line in (d / name).read_text().splitlines():
                        k, _, v = line.partition(" ")
                        if k == key and int(v) > 0:
                            return True
                except (OSError, ValueError):
                    continue
        return False

    def remove(self) -> None:
        """Kill whatever is left in the cgroups and remove them."""
        for d in self.dirs:
            _try_write(d / "cgroup.kill", "1")
            for _ in range(50):
                try:
                    pids = (d / "cgroup.procs").read_text().split()
                except OSError:
                    break
                for pid in pids:
                    try:
                        os.kill(int(pid), 9)
                    except (OSError, ValueError):
                        pass
                try:
                    d.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


def _try_write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError:
        pass
