"""Containment: where and how one submission's code runs.

Every submission runs in its own Jupyter kernel, started inside fresh Linux namespaces
(``unshare`` from util-linux) and under resource limits (``prlimit``):

- **no network**: a new network namespace has no interface but a loopback that is down;
  the kernel talks to the grader over Unix sockets (Jupyter's ``ipc`` transport);
- **no reading of what it must not see**: a new mount namespace in which the solutions,
  the tests, the grading output, the other trainees' submissions and the shared temporary
  folders are covered by empty tmpfs mounts (see :mod:`._jail`);
- **its own processes only**: a new PID namespace; killing the sandbox kills them all;
- **limits**: address space (``RLIMIT_AS``: the memory cap), CPU seconds, file size,
  open files, processes; per-cell and per-notebook wall clocks are enforced by the
  grader (:mod:`._driver`);
- **no privileges**: as root, the kernel runs as ``nobody``; as a normal user, in a user
  namespace (``unshare --user --map-root-user``) with every capability dropped, and the
  checkout mounted read-only.

:func:`detect_mode` picks ``"root"`` or ``"userns"`` and explains what it picked; when
neither works, grading refuses to run unless the instructor asks for ``"none"`` (no
containment, for trusted notebooks only).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from .._validation import TeachkitError

__all__ = ["Limits", "SandboxPlan", "detect_mode", "MODES", "MODE_DESCRIPTIONS"]

MODES = ("auto", "root", "userns", "none")
MODE_DESCRIPTIONS = {
    "root": "each submission runs as user 'nobody' in its own network, mount and PID "
            "namespaces",
    "userns": "not root: each submission runs in a user namespace (unshare --user) with "
              "no capabilities, no network, and solutions and outputs hidden",
    "none": "NO CONTAINMENT: submissions run with your own rights and network; use only "
            "for notebooks you trust",
}
NOBODY = 65534
JAIL = Path(__file__).with_name("_jail.py")
CHECKOUT = Path(__file__).resolve().parents[3]
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission.

    Parameters
    ----------
    cell_timeout : float, default=60
        Seconds one cell may run before it is interrupted.
    notebook_timeout : float, default=300
        Seconds the whole notebook may run (start-up, every cell, the answer
        extraction) before its kernel is killed.
    memory_mb : int, default=2048
        Address-space cap of the kernel in MiB (``RLIMIT_AS``).
    """

    cell_timeout: float = 60.0
    notebook_timeout: float = 300.0
    memory_mb: int = 2048
    file_mb: int = 64
    open_files: int = 256
    processes: int = 512


def _unshare_works(args: tuple[str, ...]) -> bool:
    if shutil.which("unshare") is None or shutil.which("prlimit") is None:
        return False
    try:
        done = subprocess.run(["unshare", *args, "--", "true"], capture_output=True,
                              timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


ROOT_FLAGS = ("--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc")
USERNS_FLAGS = ("--user", "--map-root-user", *ROOT_FLAGS)


@functools.cache
def detect_mode(requested: str = "auto") -> str:
    """The containment this machine allows: ``"root"``, ``"userns"`` or ``"none"``.

    Raises
    ------
    TeachkitError
        When ``requested`` is ``"auto"``, ``"root"`` or ``"userns"`` and that (or any)
        containment is not available here.
    """
    if requested not in MODES:
        raise TeachkitError(
            f"The sandbox must be one of {', '.join(MODES)}. Got {requested!r} instead.")
    if requested == "none":
        return "none"
    if sys.platform != "linux":
        raise TeachkitError(
            "Grading needs Linux namespaces to contain submissions; this is "
            f"{sys.platform}. Grade on Linux, or pass --sandbox none for trusted notebooks.")
    if requested in ("auto", "root") and os.geteuid() == 0 and _unshare_works(ROOT_FLAGS):
        return "root"
    if requested == "root":
        raise TeachkitError("--sandbox root needs to run as root with unshare available.")
    if _unshare_works(USERNS_FLAGS):
        return "userns"
    raise TeachkitError(
        "Cannot contain submissions on this machine: 'unshare --user --net' is not "
        "allowed (user namespaces are off, or util-linux is missing). Run as root, enable "
        "user namespaces (sysctl kernel.unprivileged_userns_clone=1), or pass "
        "--sandbox none for notebooks you trust."
    )


def _blocked_ancestors(path: Path) -> list[Path]:
    """Ancestors of ``path`` that an unprivileged user cannot enter."""
    out = []
    for parent in reversed(path.parents):
        try:
            mode = parent.stat().st_mode
        except OSError:
            continue
        if not mode & stat.S_IXOTH:
            out.append(parent)
    return out


@dataclass
class SandboxPlan:
    """How one kernel is started: the command prefix and the jail's mount plan.

    Parameters
    ----------
    mode : {"root", "userns", "none"}
    scratch : Path
        The submission's private working folder (the kernel's home and cwd, its
        sockets and connection file); the only place it may write.
    hide : list of Path
        Folders the submission must not read (solutions, tests, outputs...).
    limits : Limits
    """

    mode: str
    scratch: Path
    hide: list[Path] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)

    def environment(self) -> dict[str, str]:
        """The kernel's whole environment: nothing of the grader's is passed on."""
        home = str(self.scratch)
        return {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
            # The kernel imports the grader's own teachkit (the checker and extraction).
            "PYTHONPATH": str(PACKAGE.parent),
            "HOME": home,
            "TMPDIR": home,
            "LANG": "C.UTF-8",
            "JUPYTER_RUNTIME_DIR": home,
            "JUPYTER_DATA_DIR": os.path.join(home, ".jupyter"),
            "IPYTHONDIR": os.path.join(home, ".ipython"),
            "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
            "MPLBACKEND": "Agg",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            # One thread each: keeps the address space small and two kernels on two cores.
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "MALLOC_ARENA_MAX": "2",
            "TEACHKIT_GRADING": "1",
        }

    def _exposed(self) -> list[tuple[str, bool]]:
        """What the kernel needs: the Python installation, the package, its scratch."""
        needed = {
            Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
            Path(sysconfig.get_paths()["purelib"]).resolve(), PACKAGE.parent.resolve(),
        }
        # Keep only the outermost of nested paths.
        roots = sorted(p for p in needed if not any(q != p and q in p.parents for q in needed))
        out = [(str(p), True) for p in roots]
        out.append((str(self.scratch), False))
        return out

    def jail_spec(self) -> dict:
        exposed = self._exposed()
        hide = {str(Path(p).resolve()) for p in self.hide}
        hide |= {"/tmp", "/var/tmp", "/dev/shm"}
        for path, _ in exposed:
            hide |= {str(b) for b in _blocked_ancestors(Path(path))}
        if self.mode == "root":
            hide.add("/root")
        spec = {
            "expose": exposed,
            "hide": sorted(hide, key=lambda p: (p.count("/"), p)),
            "hide_options": "size=1m,mode=755",
            "readonly": [],
            "cwd": str(self.scratch),
            "env": self.environment(),
            "uid": NOBODY if self.mode == "root" else None,
            "gid": NOBODY if self.mode == "root" else None,
        }
        if self.mode == "userns":
            # The kernel keeps the instructor's uid here: make what it could write read-only.
            spec["readonly"] = sorted({str(CHECKOUT), str(Path.home())} - hide)
        return spec

    def limit_args(self) -> list[str]:
        lim = self.limits
        args = [
            "prlimit",
            f"--as={int(lim.memory_mb) * 1024 * 1024}",
            f"--cpu={int(lim.notebook_timeout) + 30}",
            f"--fsize={lim.file_mb * 1024 * 1024}",
            f"--nofile={lim.open_files}",
            "--core=0",
        ]
        if self.mode == "root":
            args.append(f"--nproc={lim.processes}")
        return args + ["--"]

    def wrap(self, kernel_cmd: list[str]) -> list[str]:
        """The full command line: limits, namespaces, the jail, then the kernel."""
        if self.mode == "none":
            return self.limit_args() + kernel_cmd
        self.scratch.mkdir(parents=True, exist_ok=True)
        spec_file = self.scratch.parent / f"{self.scratch.name}.jail.json"
        spec_file.write_text(json.dumps(self.jail_spec()))
        if self.mode == "root":
            os.chown(self.scratch, NOBODY, NOBODY)
        flags = ROOT_FLAGS if self.mode == "root" else USERNS_FLAGS
        return [*self.limit_args(), "unshare", *flags, "--", sys.executable, "-I",
                str(JAIL), str(spec_file), "--", *kernel_cmd]
