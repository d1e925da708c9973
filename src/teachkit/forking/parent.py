"""The warm parent: imports the stack and builds the lessons' cohort and models once,
then forks one ordinary ipykernel per request.

Run by :class:`teachkit.forking.provisioner.ForkServer` as
``python -m teachkit.forking.parent``. It speaks JSON lines: requests on stdin, replies
and events on stdout (its stdout is then pointed at stderr, which children inherit).

Events it writes:

- ``{"ready": true, "seconds": s, "warm": [...], "pid": p, "cpu": {...}}`` once warm
  (``s`` since the process started; ``warm`` what was warmed, with a note on the
  snapshot it put back or wrote, :mod:`teachkit.forking.snapshot`; ``cpu`` the
  CPU-seconds of each part, :data:`TIMES`), or
  ``{"ready": false, "reason": "..."}`` when it cannot fork safely (it then exits);
- ``{"id": n, "pid": p}`` for a request ``{"id": n, "argv": [...], "env": {...},
  "cwd": "..."}`` (the child has made its own session when this is written), or
  ``{"id": n, "error": "..."}``;
- ``{"exited": p, "code": c}`` when it has reaped a child (``code`` as
  :attr:`subprocess.Popen.returncode`: negative for a signal).

The parent holds no threads and no sockets when it forks (it checks, and refuses
otherwise). It dies with the server that started it (``PR_SET_PDEATHSIG``) or when its
stdin closes, and its children die with it.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import select
import signal
import sys
import time
import traceback

__all__ = ["KERNEL_START_MODULES", "TIMES", "warm_up", "set_cmdline", "serve", "main"]

#: Environment of the warm-up, given to the parent's process (``python -m`` imports
#: teachkit, numpy among it, before this module runs): what a kernel would have set
#: before its imports (ipykernel sets MPLBACKEND itself when absent), one thread per
#: BLAS/OpenMP pool, and pyarrow's jemalloc without its background thread (the parent
#: must hold no thread when it forks).
WARM_ENV = {
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
    # debugpy (imported below) warns at import that frozen modules may hide breakpoints;
    # ipykernel's own kernel spec sets this for the same reason.
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
#: What an ipykernel's start imports beyond the lesson stack, found by listing the
#: modules new in ``sys.modules`` after ``IPKernelApp.initialize`` in a warm parent: the
#: debugger (debugpy: ~110 modules, 0.14 of a child's 0.18 CPU-s of start-up), IPython's
#: pdb, completer and history (sqlite3), tornado's queues. Imported here, once, for all
#: children; none starts a thread (the parent checks before it forks).
KERNEL_START_MODULES = (
    "ipykernel.debugger", "IPython.core.debugger", "IPython.core.completerlib",
    "IPython.core.history", "sqlite3", "IPython.core.oinspect", "IPython.extensions.storemagic",
    "IPython.utils.wildcard", "tornado.locks", "tornado.queues", "tornado.platform.asyncio",
)
PR_SET_PDEATHSIG = 1
#: Set to "1" by ``teachkit serve --trainees``: the parent also prepares every state of
#: lesson 01's threshold lever (:func:`teachkit.ui.apps.prepare_lever_states`), so a
#: room's lever moves are look-ups (a move's CPU, kernel and server, about halved) at
#: about 7 CPU-s more warm-up. A server without a room does not pay it.
PREPARE_ENV = "TEACHKIT_PREPARE_LEVER_STATES"


#: CPU-seconds of each part of the last :func:`warm_up` (imports, snapshot, cohort,
#: models, figures, lever states, save, fonts), given with the ready event.
TIMES: dict[str, float] = {}


def warm_up() -> list[str]:
    """Import what every lesson kernel imports and build what lesson 01 builds: the
    lesson cohort and each triage model, through the functions the lessons call
    (:func:`teachkit.pipeline.simulate` on its default settings, which caches the cohort
    and the trained models' scores), and the triage labs' figures at rest
    (:func:`teachkit.ui.apps.draw_resting_figures`: no widget is built). Returns what
    was warmed; a teachkit failure is returned as a note, not raised (the imports alone
    are most of the gain).

    The caches those calls fill are put back from disk first when a snapshot of this
    set-up is there (:mod:`teachkit.forking.snapshot`): the calls then find their
    results. After a warm-up that computed them, they are written for the next parent.
    Each part's CPU-seconds are left in :data:`TIMES`.
    """
    TIMES.clear()
    clock = [time.process_time()]

    def lap(name: str) -> None:
        now = time.process_time()
        TIMES[name] = round(TIMES.get(name, 0.0) + now - clock[0], 3)
        clock[0] = now

    warmed = []
    import ipykernel.ipkernel  # noqa: F401 - the kernel's own stack (IPython, zmq, tornado)
    import ipykernel.kernelapp  # noqa: F401
    import ipywidgets  # noqa: F401
    import matplotlib

    for name in KERNEL_START_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # debugpy is optional: a kernel without it has no debugger
            continue
    warmed.append("imports")
    try:
        import teachkit.ui  # noqa: F401 - every lesson's panels (no widget is built here)
        from teachkit.levers.triage import MODEL
        from teachkit.pipeline import Settings, lesson_cohort, simulate
        from teachkit.ui.apps import draw_resting_figures, prepare_lever_states

        from . import snapshot

        lap("imports")
        parts, restored, note = snapshot.restore_saved()
        lap("snapshot")
        lesson_cohort()
        warmed.append("cohort")
        lap("cohort")
        for kind in MODEL.constraint.values:
            simulate(Settings(model=kind))
        warmed.append(f"models ({', '.join(MODEL.constraint.values)})")
        lap("models")
        prepare = os.environ.get(PREPARE_ENV) == "1"
        pictures = draw_resting_figures()
        lap("figures")
        if prepare:
            pictures += prepare_lever_states()
            lap("lever states")
        warmed.append(f"resting figures{' and lesson 01 lever states' if prepare else ''} "
                      f"({pictures} pictures)")
        if parts is not None and not restored:
            from teachkit import _cache

            note = "; ".join(filter(None, [note, snapshot.save(_cache.capture(), parts)]))
            lap("save")
        if note:
            warmed.append(note)
    except Exception as exc:  # noqa: BLE001 - reported by the caller, kernels still fork
        warmed.append(f"teachkit warm-up failed: {type(exc).__name__}: {exc}")
    # Fonts and the Agg renderer, which every figure needs, loaded once.
    from io import BytesIO

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    FigureCanvasAgg(figure)
    figure.subplots().set_title("synthetic")
    figure.savefig(BytesIO(), format="png")
    warmed.append(f"matplotlib {matplotlib.__version__} fonts")
    lap("fonts")
    return warmed


def threads_and_sockets() -> tuple[list[str], int]:
    """Names of this process's threads (from /proc: native ones too) and the number of
    its open sockets."""
    threads = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/comm") as handle:
                threads.append(handle.read().strip())
        except OSError:
            continue
    sockets = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            sockets += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            continue
    return threads, sockets


def set_cmdline(text: str) -> bool:
    """Show ``text`` as this process's command line (``ps``, /proc/PID/cmdline), within
    the space of the original one; returns False where it cannot (then nothing changes).

    A forked kernel shows ``python -m ipykernel_launcher -f <connection file>`` like any
    kernel, so tools that find kernels by their command line keep working.
    """
    import ctypes

    try:
        with open("/proc/self/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start, arg_end (man 5 proc)
    except (OSError, IndexError, ValueError):
        return False
    if not start or end <= start:
        return False
    data = text.encode()[: end - start - 1]
    ctypes.memmove(start, data + b"\0" * (end - start - len(data)), end - start)
    return True


def _set_pdeathsig(sig: int) -> None:
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _write(fd: int, message: dict) -> None:
    os.write(fd, (json.dumps(message) + "\n").encode())


def _become_kernel(request: dict, parent: int) -> None:
    """In the child: the request's environment, folder and arguments, then ipykernel's
    own start-up (what ``python -m ipykernel_launcher`` does)."""
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(parent)  # ipykernel's poller watches its parent
    cwd = request.get("cwd") or os.getcwd()
    os.chdir(cwd)
    if sys.path and sys.path[0] == os.environ.get("TEACHKIT_FORK_PARENT_CWD", ""):
        sys.path[0] = cwd  # as ``python -m`` run in the kernel's folder would have it
    argv = list(request["argv"])
    set_cmdline(" ".join([sys.executable, "-m", "ipykernel_launcher", *argv,
                          "(forked by teachkit)"]))
    sys.argv = [sys.executable, *argv]
    if "numpy" in sys.modules:  # a fresh kernel's global random state, not the parent's
        sys.modules["numpy"].random.seed()
    from ipykernel.kernelapp import IPKernelApp

    # The class read JPY_PARENT_PID when the parent imported it: give it the real one.
    app = IPKernelApp.instance(parent_handle=parent)
    app.initialize(argv)
    # Imported before a kernel existed, these hooked nothing in the parent: hook now.
    if "ipywidgets" in sys.modules:
        sys.modules["ipywidgets"].register_comm_target()
    inline = sys.modules.get("matplotlib_inline.backend_inline")
    if inline is not None:
        inline._enable_matplotlib_integration()
    app.start()


def _fork(request: dict, channels: tuple[int, ...]) -> tuple[int, int]:
    """Fork a child for ``request``; return its pid and the read end of a pipe that
    gets one byte once the child leads its own session (EOF if it died first).

    ``channels``: the parent's descriptors, which the child closes. The parent does not
    wait for the byte here: it forks the next request meanwhile (:func:`serve`)."""
    ready_r, ready_w = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(ready_r)
            for fd in channels:
                os.close(fd)
            os.setsid()  # its own session and group, as jupyter_client starts kernels
            _set_pdeathsig(signal.SIGTERM)
            for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)  # SIGPIPE stays ignored, as in Python
            signal.signal(signal.SIGINT, signal.default_int_handler)
            os.write(ready_w, b"1")
            os.close(ready_w)
            if os.getppid() != parent:  # the parent died before prctl
                os._exit(1)
            _become_kernel(request, parent)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        except BaseException:  # noqa: BLE001 - the child must never return into the loop
            traceback.print_exc()
        finally:
            try:
                import atexit

                atexit._run_exitfuncs()  # what a kernel's interpreter does as it exits
            finally:
                os._exit(code)
    os.close(ready_w)
    return pid, ready_r


def _started(out: int, ready: int, request_id, pid: int) -> bool:
    """Report a child whose ready pipe is readable: its pid once it leads its own
    session, or an error if it died before. Returns whether it started."""
    try:
        started = bool(os.read(ready, 1))
    except OSError:
        started = False
    finally:
        os.close(ready)
    if started:
        _write(out, {"id": request_id, "pid": pid})
    else:
        _write(out, {"id": request_id, "error": "OSError: the child died before it started"})
    return started


def _reap(out: int, children: set[int], held: dict[int, int | None]) -> None:
    """Reap exited children and report them; a child whose start is not yet reported
    (a key of ``held``) has its exit held there until it is."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)
        code = os.waitstatus_to_exitcode(status)
        if pid in held:
            held[pid] = code
        else:
            _write(out, {"exited": pid, "code": code})


def _age(otherwise: float) -> float:
    """Seconds since this process started (``python -m`` imported teachkit, numpy
    among it, before any of this module ran), or ``otherwise`` where /proc cannot say."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            started = int(stat.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
            return float(uptime.read().split()[0]) - started
    except (OSError, IndexError, ValueError):
        return otherwise


def serve(inp: int, out: int) -> int:
    """Warm up, then fork a kernel per request line on ``inp`` until it closes."""
    start = time.perf_counter()
    os.environ.update(WARM_ENV)
    os.environ["TEACHKIT_FORK_PARENT_CWD"] = os.getcwd()
    try:
        warmed = warm_up()
    except Exception as exc:  # noqa: BLE001 - the server falls back to ordinary kernels
        _write(out, {"ready": False, "reason": f"warm-up failed: {type(exc).__name__}: "
                                                f"{exc}"})
        return 1
    gc.collect()
    gc.freeze()  # the collector leaves the warm objects alone: their pages stay shared
    threads, sockets = threads_and_sockets()
    if len(threads) > 1 or sockets:
        _write(out, {"ready": False, "reason": f"the warm parent holds {len(threads)} "
                                                f"threads ({', '.join(threads)}) and "
                                                f"{sockets} sockets: forking is unsafe"})
        return 1
    _write(out, {"ready": True, "seconds": round(_age(time.perf_counter() - start), 2),
                 "warm": warmed, "pid": os.getpid(), "cpu": TIMES})
    children: set[int] = set()
    starting: dict[int, tuple] = {}  # ready pipe -> (request id, pid): forked, not yet
    buffer = b""
    while True:
        readable, _, _ = select.select([inp, *starting], [], [], 0.25)
        held: dict[int, int | None] = {pid: None for _, pid in starting.values()}
        _reap(out, children, held)
        for ready, (request_id, pid) in list(starting.items()):
            if ready in readable or held[pid] is not None:  # its byte, or EOF, is there
                del starting[ready]
                _started(out, ready, request_id, pid)
        for pid, code in held.items():  # an exit, reported after the start it ended
            if code is not None:
                _write(out, {"exited": pid, "code": code})
        if inp not in readable:
            continue
        chunk = os.read(inp, 1 << 16)
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = None
            try:
                request = json.loads(line)
                pid, ready = _fork(request, (inp, out, *starting))
            except Exception as exc:  # noqa: BLE001 - reported to the provisioner
                _write(out, {"id": request.get("id") if isinstance(request, dict) else None,
                             "error": f"{type(exc).__name__}: {exc}"})
                continue
            children.add(pid)
            starting[ready] = (request["id"], pid)
    for ready in starting:
        os.close(ready)
    for pid in list(children):  # the server is gone: so are its kernels
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python -m teachkit.forking.parent --server-pid PID [--room ...]``.

    The trailing ``--room`` argument only reserves command-line space for the children's
    titles (:func:`set_cmdline`)."""
    argv = sys.argv[1:] if argv is None else argv
    server = int(argv[argv.index("--server-pid") + 1]) if "--server-pid" in argv else 0
    _set_pdeathsig(signal.SIGTERM)
    if server and os.getppid() != server:
        return 1  # the server died before prctl took effect
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's to handle
    # The protocol keeps its own descriptors; 0 reads nothing and 1 is stderr, which
    # the children inherit (as ordinary kernels inherit the server's).
    inp, out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return serve(inp, out)


if __name__ == "__main__":
    sys.exit(main())
