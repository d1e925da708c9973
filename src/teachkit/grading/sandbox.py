"""Containment: where and how one submission's code runs.

Every submission runs in its own Jupyter kernel, started inside fresh Linux namespaces
(``unshare`` from util-linux) and under resource limits:

- **an allow-list root** (:mod:`._jail`): the kernel sees a fresh, read-only root that
  holds only what grading needs, bound read-only: the Python installation, the teachkit
  package (its ``src`` folder: no ``.git``, no solutions, no tests), a few files of
  /etc, /dev/null and friends; its own /proc; a /tmp of limited size (its home and the
  only place it may write); and its connection folder. No host socket, no other
  trainee's work, no graded folder, no writable host path exists inside;
- **no network**: a new network namespace has no interface but a loopback that is down;
  the kernel talks to the grader over Unix sockets (Jupyter's ``ipc`` transport);
- **its own processes only**: a new PID namespace; killing the sandbox kills them all;
- **limits per submission**: as root, a cgroup per submission caps the memory (all its
  processes together, no swap) and the number of processes (:mod:`._cgroup`); per
  process, ``prlimit`` caps the address space (a clean ``MemoryError``), CPU seconds,
  file size and open files; per-cell and per-notebook wall clocks are enforced by the
  grader (:mod:`._driver`);
- **no privileges**: as root, the kernel runs as a uid of its own (no two submissions
  share one); as a normal user, in a user namespace (``unshare --user --map-root-user``)
  with every capability dropped.

:func:`detect_mode` picks ``"root"`` or ``"userns"`` and explains what it picked; when
neither works, grading refuses to run unless the instructor asks for ``"none"`` (no
containment, for trusted notebooks only). docs/grading.md says what each mode does and
does not isolate.
"""

from __future__ import annotations

import functools
import json
import math
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from .._validation import TeachkitError

__all__ = ["Limits", "SandboxPlan", "detect_mode", "limits_note", "MODES",
           "MODE_DESCRIPTIONS"]

MODES = ("auto", "root", "userns", "none")
MODE_DESCRIPTIONS = {
    "root": "each submission runs as a uid of its own in its own network, mount and PID "
            "namespaces, in a read-only root that holds only Python and teachkit",
    "userns": "not root: each submission runs in a user namespace (unshare --user) with "
              "no capabilities and no network, in a read-only root that holds only "
              "Python and teachkit",
    "none": "NO CONTAINMENT: submissions run with your own rights and network; use only "
            "for notebooks you trust",
}
#: As root, each submission's kernel runs as uid (and gid) FIRST_UID + the driver's pid:
#: a uid no account and no other submission uses.
FIRST_UID = 3_000_000
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
        Memory cap of the whole submission in MiB (a cgroup, as root) and of each of its
        processes (``RLIMIT_AS``).
    scratch_mb : int, default=256
        Size of the submission's /tmp (its home; files there count as memory too).
    processes : int, default=128
        Processes and threads the whole submission may run at once (a cgroup, as root;
        without one, a per-uid ``RLIMIT_NPROC``).
    """

    cell_timeout: float = 60.0
    notebook_timeout: float = 300.0
    memory_mb: int = 2048
    file_mb: int = 64
    open_files: int = 256
    processes: int = 128
    scratch_mb: int = 256

    def __post_init__(self):
        for name in ("cell_timeout", "notebook_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or value <= 0:
                raise TeachkitError(f"The {name!r} parameter of Limits must be a finite "
                                    f"number of seconds above 0. Got {value!r} instead.")
        for name in ("memory_mb", "file_mb", "open_files", "processes", "scratch_mb"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise TeachkitError(f"The {name!r} parameter of Limits must be a whole "
                                    f"number of at least 1. Got {value!r} instead.")


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


#: Files of /etc the interpreter may read (the loader's cache, the time zone...); not
#: the accounts: the kernel's uid has none.
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/mime.types")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
#: The system folders a dynamically linked interpreter needs (links are re-created).
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


def limits_note(mode: str) -> str:
    """One sentence on how memory and processes are capped in ``mode`` on this machine."""
    from ._cgroup import cgroup_support

    if mode == "none":
        return "limits: per process only (prlimit); no containment"
    version, sentence = cgroup_support() if mode == "root" else (None, (
        "per-submission memory and process limits need cgroups, which teachkit makes "
        "only when grading as root; each process gets its own memory cap instead "
        "(prlimit), and the process cap counts all of your own processes"))
    return f"limits: {sentence}"


@dataclass
class SandboxPlan:
    """How one kernel is started: the command prefix and the jail's mount plan.

    Parameters
    ----------
    mode : {"root", "userns", "none"}
    scratch : Path
        The submission's connection folder on the host (the kernel's connection file
        and sockets); inside the sandbox the kernel's home is its own /tmp.
    hide : list of Path
        Folders that must stay unseen even if they lie inside an allowed folder.
    limits : Limits
    cgroup_procs : list of str
        The ``cgroup.procs`` files of the submission's cgroups (see :mod:`._cgroup`).
    """

    mode: str
    scratch: Path
    hide: list[Path] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    cgroup_procs: list[str] = field(default_factory=list)

    @property
    def uid(self) -> int | None:
        return FIRST_UID + os.getpid() if self.mode == "root" else None

    def environment(self) -> dict[str, str]:
        """The kernel's whole environment: nothing of the grader's is passed on."""
        home = "/tmp" if self.mode != "none" else str(self.scratch)
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

    def allowed(self) -> list[str]:
        """The folders the kernel reads: the Python installation and the package."""
        needed = {
            Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
            Path(sysconfig.get_paths()["purelib"]).resolve(), PACKAGE.parent.resolve(),
            Path(sys.executable).resolve().parent,
        }
        # Keep only the outermost of nested paths.
        roots = sorted(p for p in needed if not any(q != p and q in p.parents for q in needed))
        for root in roots:
            if (root / ".git").exists() or root == Path("/"):
                raise TeachkitError(
                    f"The grading sandbox would expose {root}, which holds a git checkout "
                    "(its history holds the solutions). Install teachkit with its src "
                    "layout (pip install -e .), or grade with a Python outside the checkout.")
        return [str(p) for p in roots]

    def jail_spec(self) -> dict:
        binds: list[tuple[str, bool]] = []
        symlinks: list[tuple[str, str]] = []
        for path in SYSTEM:
            if os.path.islink(path):
                symlinks.append((path, os.readlink(path)))
            elif os.path.isdir(path):
                binds.append((path, True))
        binds += [(p, True) for p in self.allowed()]
        binds += [(p, True) for p in ETC_FILES if os.path.exists(p)]
        binds += [(p, False) for p in DEVICES if os.path.exists(p)]
        binds.append((str(self.scratch), False))
        allowed = [Path(p) for p, _ in binds]
        hidden = [Path(h).resolve() for h in self.hide] + [PACKAGE / "exercises" / "__pycache__"]
        mask = sorted(str(h) for h in hidden
                      if h.is_dir() and any(a in h.parents for a in allowed))
        return {
            "binds": binds,
            "symlinks": symlinks,
            "overlays": self.lesson_stubs(),
            "mask": mask,
            "scratch_bytes": int(self.limits.scratch_mb) * 1024 * 1024,
            "cgroup_procs": list(self.cgroup_procs),
            "cwd": "/tmp",
            "env": self.environment(),
            "uid": self.uid,
            "gid": self.uid,
        }

    def lesson_stubs(self) -> list[tuple[str, str]]:
        """Each lesson module, paired with the stub that stands in for it in the sandbox:
        the views and constants a notebook imports, none of the checks or their values."""
        import importlib

        from ..exercises import LESSONS
        from ..exercises._problem import stub_source

        folder = self.scratch.parent / f"{self.scratch.name}.stubs"
        folder.mkdir(exist_ok=True)
        folder.chmod(0o755)
        pairs = []
        for lesson in LESSONS.values():
            module = importlib.import_module(lesson.module)
            stub = folder / f"{lesson.module.rsplit('.', 1)[1]}.py"
            stub.write_text(stub_source(module), encoding="utf-8")
            stub.chmod(0o644)
            pairs.append((str(stub), str(Path(module.__file__).resolve())))
        return pairs

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
        if self.mode == "root":  # the submission's own uid: this counts only its processes
            args.append(f"--nproc={lim.processes}")
        elif self.mode == "userns":  # the instructor's uid: their processes, plus the cap
            args.append(f"--nproc={_own_processes() + lim.processes}")
        return args + ["--"]

    def wrap(self, kernel_cmd: list[str]) -> list[str]:
        """The full command line: limits, namespaces, the jail, then the kernel."""
        if self.mode == "none":
            return self.limit_args() + kernel_cmd
        self.scratch.mkdir(parents=True, exist_ok=True)
        spec_file = self.scratch.parent / f"{self.scratch.name}.jail.json"
        spec_file.write_text(json.dumps(self.jail_spec()))
        if self.mode == "root":
            # Root keeps the folder; the kernel's group may add its sockets until the
            # grader closes it (see _driver), so the kernel cannot fill the host's disk.
            os.chown(self.scratch, 0, self.uid)
            os.chmod(self.scratch, 0o770)
        flags = ROOT_FLAGS if self.mode == "root" else USERNS_FLAGS
        return [*self.limit_args(), "unshare", *flags, "--", sys.executable, "-I",
                str(JAIL), str(spec_file), "--", *kernel_cmd]


def _own_processes() -> int:
    """How many processes (threads included) this user runs now."""
    uid, count = os.getuid(), 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                count += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return count
