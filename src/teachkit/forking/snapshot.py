"""The warm parent's state on disk: a server started again loads what the last one computed.

The warm parent of forked kernels (:func:`teachkit.forking.parent.warm_up`) builds the
lesson cohort, scores it with each triage model, draws the triage labs' resting figures
and, for a room, every state of lesson 01's threshold lever: about 1 CPU-s, 4 for a
room, on every server start, the same numbers each time. Here the caches that warm-up
fills (named with :func:`teachkit._cache.register`) are written to one file after a
warm-up that computed them, and put back, from that one file, before the next parent's
warm-up: its calls then find every result in the caches (the same code path as ever,
only the work is gone).

Nothing is trusted that could be wrong or someone else's:

- the file is named and headed by a :func:`fingerprint` of everything the results
  depend on (teachkit's files, Python's and the libraries' versions, the environment
  that shapes the warm-up, matplotlib's settings and font); another fingerprint is
  another file, so a change of any of them means the state is computed again;
- its payload carries a digest, checked before it is unpickled (a truncated or changed
  file is ignored), and it is read only from a folder of this user's own (mode 0700)
  and only if this user owns it and nobody else may write it (pickles run code);
- files are written whole under a temporary name, then renamed; only the newest
  :data:`KEEP` are kept.

A snapshot that cannot be used is said once, in the note the parent gives the server's
log, and the warm-up computes everything, as without a snapshot. ``TEACHKIT_WARM_SNAPSHOT=0``
turns the whole thing off. ``python -m teachkit.forking.snapshot`` (run by
``scripts/setup.sh``) writes the snapshots of a plain server and a room's ahead of the
first ``teachkit serve``.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import pickle
import stat
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["SNAPSHOT_ENV", "KEEP", "enabled", "folder", "fingerprint", "load", "save",
           "restore_saved", "main"]

#: Set to "0" (or "off", "no", "false") to keep nothing on disk: every parent computes.
SNAPSHOT_ENV = "TEACHKIT_WARM_SNAPSHOT"
#: How many snapshots are kept in the folder (the newest; ~10 MB plain, ~40 MB a room's).
KEEP = 4
#: Larger files are neither written nor read.
MAX_BYTES = 1 << 30
#: The first line of every snapshot; a new layout gets a new number.
MAGIC = b"teachkit warm-parent snapshot 1\n"
#: Modules whose versions the results depend on (the numbers, the pictures).
LIBRARIES = ("numpy", "pandas", "scipy", "sklearn", "matplotlib", "PIL")
#: Environment variables that shape the warm-up (:data:`teachkit.forking.parent.WARM_ENV`
#: and the room's preparation among them).
ENVIRONMENT = ("TEACHKIT_PREPARE_LEVER_STATES", "MPLBACKEND", "MATPLOTLIBRC",
               "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def enabled() -> bool:
    """Whether snapshots are used (:data:`SNAPSHOT_ENV` not set to turn them off)."""
    return os.environ.get(SNAPSHOT_ENV, "1").strip().lower() not in {"0", "off", "no",
                                                                     "false"}


def folder() -> Path:
    """Where snapshots are kept: ``$XDG_CACHE_HOME/teachkit/warm-parent``, by default
    ``~/.cache/teachkit/warm-parent``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "teachkit" / "warm-parent"


def _owner() -> int:
    """The user a snapshot's folder and files must belong to: this process's."""
    return os.geteuid()


def _folder_problem(path: Path, create: bool) -> str | None:
    """Why ``path`` cannot hold snapshots (not a folder of this user's own, closed to
    others), or None; made (mode 0700) when ``create`` and missing."""
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            return f"cannot make {path}: {exc.strerror or exc}"
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if not stat.S_ISDIR(info.st_mode):
        return f"{path} is not a folder"
    if info.st_uid != _owner():
        return f"{path} belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o077:
        return f"{path} is open to other users (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def sources_digest(package: Path | None = None) -> str:
    """A digest of teachkit's files (code and the data it reads), by their paths and
    bytes.

    Examples
    --------
    >>> len(sources_digest())
    32
    """
    import teachkit

    package = Path(teachkit.__file__).parent if package is None else package
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file() or path.suffix == ".pyc":
            continue
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()


def fingerprint_parts() -> dict[str, str]:
    """What the warm-up's results depend on, part by part (:func:`fingerprint`).

    Imports the :data:`LIBRARIES` (the warm parent has them already).
    """
    import importlib
    import platform

    parts = {"format": MAGIC.decode().strip(), "teachkit": sources_digest(),
             "python": f"{sys.version} {platform.machine()} {sys.implementation.cache_tag}"}
    for name in LIBRARIES:
        try:
            parts[name] = str(getattr(importlib.import_module(name), "__version__", "?"))
        except ImportError:
            parts[name] = "absent"
    for name in ENVIRONMENT:
        parts[f"${name}"] = os.environ.get(name, "")
    import matplotlib
    from matplotlib import font_manager

    try:
        rc = Path(matplotlib.matplotlib_fname()).read_bytes()
    except OSError:
        rc = b""
    parts["matplotlibrc"] = hashlib.blake2b(rc, digest_size=16).hexdigest()
    parts["font"] = font_manager.findfont(font_manager.FontProperties())
    return parts


def fingerprint(parts: dict[str, str] | None = None) -> str:
    """One digest of :func:`fingerprint_parts`: equal only when nothing the warm-up's
    results depend on has changed."""
    parts = fingerprint_parts() if parts is None else parts
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _file(where: Path, print_: str) -> Path:
    return where / f"warm-{print_[:32]}.pickle"


def _open_own(path: Path) -> tuple[int, os.stat_result]:
    """Open ``path`` for reading if it is a regular file of this user's that nobody else
    may write (never through a symbolic link); raise ValueError otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    info = os.fstat(fd)
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = "not a regular file"
    elif info.st_uid != _owner():
        problem = f"it belongs to another user (uid {info.st_uid})"
    elif info.st_mode & 0o022:
        problem = f"others may write it (mode {stat.S_IMODE(info.st_mode):o})"
    elif info.st_size > MAX_BYTES:
        problem = f"it is too large ({info.st_size} bytes)"
    if problem:
        os.close(fd)
        raise ValueError(problem)
    return fd, info


def _header(handle) -> tuple[dict, str, str]:
    """The fingerprint's parts, the fingerprint and the payload's digest of a snapshot
    file open at its start; ValueError if it does not start as one."""
    if handle.readline() != MAGIC:
        raise ValueError("not a teachkit snapshot (or another version's)")
    print_ = handle.readline().decode("ascii", "replace").strip()
    digest = handle.readline().decode("ascii", "replace").strip()
    try:
        parts = json.loads(handle.readline())
    except ValueError:
        raise ValueError("its header is damaged") from None
    return parts, print_, digest


def load(print_: str, where: Path | None = None) -> tuple[dict | None, str]:
    """The caches' state saved under fingerprint ``print_`` in ``where`` (default
    :func:`folder`), or None, and a note on why not (empty when there was simply
    nothing yet)."""
    where = folder() if where is None else where
    problem = _folder_problem(where, create=False)
    if problem == "missing":
        return None, ""
    if problem:
        return None, f"snapshot folder ignored: {problem}"
    path = _file(where, print_)
    try:
        fd, _ = _open_own(path)
    except FileNotFoundError:
        return None, _why_none(where, print_)
    except (OSError, ValueError) as exc:
        return None, f"snapshot {path.name} ignored: {exc}"
    try:
        with os.fdopen(fd, "rb") as handle:
            parts, found, digest = _header(handle)
            payload = handle.read()
        if found != print_:
            raise ValueError("it was made for other sources or libraries")
        if hashlib.blake2b(payload, digest_size=32).hexdigest() != digest:
            raise ValueError("it is damaged (its digest differs)")
        gc.disable()  # a collection every few thousand new objects: none needed here
        try:
            states = pickle.loads(payload)
        finally:
            gc.enable()
        if not isinstance(states, dict):
            raise ValueError("it holds no caches")
        return states, ""
    except Exception as exc:  # noqa: BLE001 - any failure: computed again, never trusted
        return None, f"snapshot {path.name} ignored: {type(exc).__name__}: {exc}"


def _why_none(where: Path, print_: str) -> str:
    """Why no snapshot matches: what changed since the newest other one, if any."""
    others = sorted(where.glob("warm-*.pickle"), key=_mtime, reverse=True)
    if not others:
        return ""
    try:
        fd, _ = _open_own(others[0])
        with os.fdopen(fd, "rb") as handle:
            parts = _header(handle)[0]
    except (OSError, ValueError):
        return "no snapshot for this set-up yet"
    now = fingerprint_parts()
    changed = sorted(k for k in set(parts) | set(now) if parts.get(k) != now.get(k))
    return f"no snapshot for this set-up yet (changed: {', '.join(changed) or 'nothing'})"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


class _Pickler(pickle.Pickler):
    """Protocol 5, which keeps a contiguous read-only array read-only; a read-only array
    that is not contiguous is saved as a contiguous read-only copy."""

    def reducer_override(self, obj):
        import numpy as np

        if type(obj) is np.ndarray and not obj.flags.writeable and \
                not (obj.flags.c_contiguous or obj.flags.f_contiguous):
            copy = np.ascontiguousarray(obj)
            copy.setflags(write=False)
            return np.asarray, (copy,)
        return NotImplemented


def dumps(states: dict) -> bytes:
    """``states`` pickled as a snapshot holds them."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=5).dump(states)
    return buffer.getvalue()


def save(states: dict, parts: dict[str, str], where: Path | None = None,
         keep: int = KEEP) -> str:
    """Write ``states`` (:func:`teachkit._cache.capture`) under the fingerprint of
    ``parts`` in ``where`` (default :func:`folder`), whole or not at all, and keep the
    newest ``keep`` snapshots there; return a note saying what was done."""
    where = folder() if where is None else where
    problem = _folder_problem(where, create=True)
    if problem:
        return f"snapshot not written: {problem}"
    print_ = fingerprint(parts)
    try:
        payload = dumps(states)
    except Exception as exc:  # noqa: BLE001 - a cache that cannot be pickled: no snapshot
        return f"snapshot not written: {type(exc).__name__}: {exc}"
    if len(payload) > MAX_BYTES:
        return f"snapshot not written: {len(payload) >> 20} MB is too large"
    header = b"".join([MAGIC, print_.encode() + b"\n",
                       hashlib.blake2b(payload, digest_size=32).hexdigest().encode() + b"\n",
                       json.dumps(parts, sort_keys=True).encode() + b"\n"])
    path = _file(where, print_)
    fd, temporary = tempfile.mkstemp(prefix=".warm-", suffix=".tmp", dir=where)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(header)
            handle.write(payload)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        return f"snapshot not written: {exc.strerror or exc}"
    _prune(where, keep, path)
    return f"snapshot written ({len(payload) / 1e6:.0f} MB, {path})"


def _prune(where: Path, keep: int, newest: Path) -> None:
    """Remove all but the newest ``keep`` snapshots (``newest`` among them), and
    temporary files an interrupted writer left an hour or more ago."""
    files = sorted((p for p in where.glob("warm-*.pickle") if p != newest), key=_mtime,
                   reverse=True)
    old = files[max(keep - 1, 0):]
    old += [p for p in where.glob(".warm-*.tmp") if time.time() - _mtime(p) > 3600]
    for path in old:
        try:
            path.unlink()
        except OSError:
            pass


def restore_saved(where: Path | None = None) -> tuple[dict | None, bool, str]:
    """For the warm parent, before its warm-up: put back the snapshot of this set-up,
    if there is a good one. Returns the fingerprint's parts (None when snapshots are
    off), whether the caches were restored, and a note for the server's log."""
    from .. import _cache

    if not enabled():
        return None, False, f"no snapshot ({SNAPSHOT_ENV}={os.environ.get(SNAPSHOT_ENV)})"
    start = time.perf_counter()
    try:
        parts = fingerprint_parts()
    except Exception as exc:  # noqa: BLE001 - no fingerprint: nothing read or written
        return None, False, f"no snapshot: {type(exc).__name__}: {exc}"
    states, note = load(fingerprint(parts), where)
    if states is None:
        return parts, False, note
    try:
        names = _cache.restore(states)
    except Exception as exc:  # noqa: BLE001 - computed again from empty caches
        for cache in _cache.registered().values():
            _empty(cache)
        return parts, False, f"snapshot ignored: {type(exc).__name__}: {exc}"
    return parts, True, (f"state from disk ({len(names)} caches, "
                         f"{time.perf_counter() - start:.2f} s)")


def _empty(cache) -> None:
    """Forget everything ``cache`` holds (after a restore that failed half-way)."""
    if isinstance(cache, dict):
        cache.clear()
    elif hasattr(cache, "cache_clear"):
        cache.cache_clear()
    else:
        cache.restore(type(cache)(getattr(cache, "size", 0)).state())


def main(argv: list[str] | None = None) -> int:
    """``python -m teachkit.forking.snapshot [--plain] [--room]``: start a warm parent
    as ``teachkit serve`` would (``--room``: as ``teachkit serve --trainees`` would),
    so it writes its snapshot if there is none for this set-up; say what it did."""
    import subprocess

    from .parent import PREPARE_ENV
    from .provisioner import parent_command, read_ready

    argv = sys.argv[1:] if argv is None else argv
    kinds = [k for k in ("--plain", "--room") if k in argv] or ["--plain"]
    if not enabled():
        print(f"teachkit: warm-parent snapshots are off ({SNAPSHOT_ENV})")
        return 0
    for kind in kinds:
        env = {k: v for k, v in os.environ.items() if k != PREPARE_ENV}
        if kind == "--room":
            env[PREPARE_ENV] = "1"
        cmd, parent_env = parent_command(env, os.getpid())
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                env=parent_env)
        ready = read_ready(proc)
        proc.stdin.close()
        proc.wait(timeout=60)
        notes = [w for w in ready.get("warm", [])
                 if "snapshot" in w or w.startswith("state from")]
        print(f"teachkit: warm parent{' (room)' if kind == '--room' else ''}: "
              f"{'; '.join(notes) or ready.get('reason', 'no answer')} "
              f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
