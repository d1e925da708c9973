"""The ``teachkit`` command: serve the lessons, make cohorts, grade a class.

A thin layer over the library: every command parses its arguments, calls one function,
and turns a :class:`~teachkit.TeachkitError` (or a file the system refuses) into one
clean line on stderr and exit code 2.

``teachkit serve`` runs Voila as a child process that cannot outlive it: the child asks
the kernel to send it SIGTERM when teachkit dies, by any signal, ``kill -9`` included
(``PR_SET_PDEATHSIG``), and Voila then stops its kernels. On loopback Voila answers only
requests addressed to this machine (the Host check that defeats DNS rebinding); the
token travels in Voila's environment, never on a command line other users can read, and
Voila's config takes it out before any kernel starts.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import math
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from ._validation import TeachkitError
from .reflections import default_data_dir
from .room import refill_size

__all__ = ["main", "build_parser", "voila_command", "drop_server_path"]

DEFAULT_PORT = 8866
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def find_notebooks(explicit: str | None = None) -> Path:
    """The lessons folder: ``--notebooks``, else ./notebooks, else the checkout's."""
    candidates = [Path(explicit)] if explicit else [
        Path.cwd() / "notebooks",
        Path(__file__).resolve().parents[2] / "notebooks",
    ]
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate.resolve()
    raise TeachkitError(
        "No lessons found: looked for .ipynb files in "
        + ", ".join(repr(str(c)) for c in candidates)
        + ". Run from the teachkit checkout or pass --notebooks DIR."
    )


def cull_interval(cull_idle_seconds: int) -> int:
    """Seconds between two looks for idle kernels: a minute, or a third of a shorter
    idle timeout (a look every minute would keep a 10-second timeout's kernels a minute).

    Examples
    --------
    >>> cull_interval(7200), cull_interval(30), cull_interval(2), cull_interval(0)
    (60, 10, 1, 60)
    """
    if cull_idle_seconds <= 0:
        return 60
    return max(1, min(60, cull_idle_seconds // 3))


def voila_command(notebooks: Path, *, host: str, port: int, pool_size: int,
                  cull_idle_seconds: int, pools: dict[str, int] | None = None,
                  with_token: bool = False, fork: bool = False) -> list[str]:
    """The Voila command line ``teachkit serve`` runs (tested, so it can be read here).

    - a preheated kernel per lesson, so the first trainee does not wait for imports;
    - the ipc kernel transport, which avoids the port race that left pages hanging on
      "Executing" when several trainees opened a lesson at once (VOILA-NOTES.md);
    - idle kernels culled, and on loopback the page's shutdown beacon accepted, so a
      closed tab frees its kernel (voila issue 1458);
    - sources stripped and tracebacks hidden: trainees see the app, not the code;
    - teachkit's template (Voila's "lab" without its CDN stylesheets), so a page asks
      nothing of the internet; :func:`serve_environment` puts it on ``JUPYTER_PATH``;
    - ``pools`` (notebook -> preheated kernels, :func:`teachkit.room.pool_sizes`) sizes
      the pool of each lesson for a room; ``pool_size`` is the default for the others;
      the room's lessons (their pools bigger than ``pool_size``) are refilled small and
      filled first, the other lessons' pools once the room's kernels have run their
      lesson (:class:`teachkit.kernel_pool.RoomKernelManager`);
    - ``with_token``: every page needs the token, which Voila's config reads from the
      environment (:func:`serve_environment`), so it is on no command line; should the
      config not be read, Voila makes a random token (pages stay closed, never open);
      the XSRF work-around is used only on loopback or behind the token;
    - on loopback, requests whose Host is not this machine are refused (a web page that
      rebinds its own name to 127.0.0.1 cannot drive a trainee's lessons);
    - one port, never another: a busy port stops Voila instead of moving it;
    - ``fork``: kernels forked from one warm parent (:mod:`teachkit.forking`), which has
      imported the stack and built the lesson cohort and models once.
    """
    cmd = [
        sys.executable, "-m", "voila", str(notebooks),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={host}",
        "--ServerApp.port_retries=0",
        "--show_tracebacks=False",
        "--template=teachkit",
        "--strip_sources=True",
        "--KernelManager.transport=ipc",
        f"--MappingKernelManager.cull_interval={cull_interval(cull_idle_seconds)}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle_seconds}",
        "--MappingKernelManager.cull_connected=False",
        # teachkit's kernel manager: a kernel still starting is never culled, the pages'
        # templates are compiled once, not once per preheated kernel, and a room's pools
        # are refilled small (teachkit.kernel_pool).
        "--VoilaConfiguration.multi_kernel_manager_class="
        "teachkit.kernel_pool.RoomKernelManager",
    ]
    if pool_size > 0 or any((pools or {}).values()):
        cmd += ["--preheat_kernel=True", f"--pool_size={max(pool_size, 0)}"]
        if pools and any(n != pool_size for n in pools.values()):
            config = {"default": {"pool_size": max(pool_size, 0)}}
            config.update({name: {"pool_size": n} for name, n in pools.items()})
            cmd.append(f"--VoilaKernelManager.kernel_pools_config={config!r}")
            # A room's big pools serve its arrival; then they are refilled small, or
            # the refill (a kernel start per trainee) would stall the levers. They fill
            # before the other lessons' pools (RoomKernelManager.room_first).
            refill = {name: refill_size(n) for name, n in pools.items() if n > pool_size}
            if refill:
                cmd.append(f"--RoomKernelManager.refill_to={refill!r}")
    if fork:
        cmd.append("--KernelProvisionerFactory.default_provisioner_name=teachkit-fork")
    if with_token:
        cmd.append("--Voila.auto_token=True")  # the token: jupyter_data/config/voila.py
    settings: dict = {}
    if host in LOOPBACK or with_token:
        settings["disable_check_xsrf"] = True
    if host in LOOPBACK:
        # Voila turns Jupyter Server's Host check off; on loopback it goes back on.
        settings.update(allow_remote_access=False, local_hostnames=["localhost"])
    if settings:
        cmd.append(f"--Voila.tornado_settings={settings!r}")
    return cmd


#: Jupyter data folder shipped with the package: holds the "teachkit" Voila template.
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter_data"
#: Jupyter config folder shipped with the package: Voila's landing-page hook (voila.py)
#: and a trainee's server config under JupyterHub (jupyter_server_config.py).
JUPYTER_CONFIG = JUPYTER_DATA / "config"
#: First on the Voila server's PYTHONPATH (and only the server's: its config takes it off
#: before any kernel starts): modules the server imports but never uses, left out.
SERVER_PATH = JUPYTER_DATA / "server_path"


def drop_server_path(env) -> None:
    """Take :data:`SERVER_PATH` off ``env``'s PYTHONPATH, in place (an environment for
    a kernel or the warm parent, not the server).

    Examples
    --------
    >>> env = {"PYTHONPATH": f"{SERVER_PATH}{os.pathsep}/opt/lib"}
    >>> drop_server_path(env); env
    {'PYTHONPATH': '/opt/lib'}
    >>> env = {"PYTHONPATH": str(SERVER_PATH)}
    >>> drop_server_path(env); env
    {}
    """
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    kept = [p for p in parts if Path(p) != SERVER_PATH]
    if kept == parts:
        return
    if kept:
        env["PYTHONPATH"] = os.pathsep.join(kept)
    else:
        env.pop("PYTHONPATH", None)


def serve_environment(data_dir: Path, *, token: str | None = None,
                      instructor: str | None = None, room: bool = False) -> dict:
    """The environment Voila and its kernels run in (``token``: in
    ``TEACHKIT_VOILA_TOKEN``, which teachkit's Voila config reads and removes, instead
    of Voila's command line; ``instructor``: the facilitator's key, likewise in
    ``TEACHKIT_INSTRUCTOR_TOKEN``; ``room``: a room of trainees, for whom the warm
    parent prepares lesson 01's lever states, :data:`teachkit.forking.parent.PREPARE_ENV`)."""
    from .forking.parent import PREPARE_ENV
    paths = [str(JUPYTER_DATA), *filter(None, os.environ.get("JUPYTER_PATH", "").split(":"))]
    config = [str(JUPYTER_CONFIG),
              *filter(None, os.environ.get("JUPYTER_CONFIG_PATH", "").split(":"))]
    env = dict(os.environ)
    env.pop("JUPYTER_TOKEN", None)
    env.pop("JUPYTER_TOKEN_FILE", None)
    env.pop("TEACHKIT_TOKEN", None)
    env.pop("TEACHKIT_VOILA_TOKEN", None)
    env.pop("TEACHKIT_INSTRUCTOR_TOKEN", None)
    env.pop(PREPARE_ENV, None)
    if room:
        env[PREPARE_ENV] = "1"
    if token:
        env["TEACHKIT_VOILA_TOKEN"] = token
    if instructor:
        env["TEACHKIT_INSTRUCTOR_TOKEN"] = instructor
    return dict(
        env,
        PYTHONPATH=os.pathsep.join(filter(None, [str(SERVER_PATH),
                                                 os.environ.get("PYTHONPATH", "")])),
        TEACHKIT_HOME=str(data_dir),
        JUPYTER_PATH=":".join(paths),
        JUPYTER_CONFIG_PATH=":".join(config),
        # kernel_pools_config is passed as one dict literal (the key=value form would
        # make its values strings); traitlets warns that this form is old: not for us.
        PYTHONWARNINGS=",".join(filter(None, [
            os.environ.get("PYTHONWARNINGS", ""),
            "ignore::DeprecationWarning:traitlets.traitlets"])),
        # One OpenMP thread per kernel: with many trainees, gradient boosting's threads
        # would otherwise fight over the cores (one fit took 18 s instead of 0.3 s).
        OMP_NUM_THREADS="1",
    )


def _check_port(host: str, port: int) -> None:
    """Refuse a busy port or an address not of this machine in one line (Voila would
    stop on it: ``port_retries=0``)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as exc:
        raise TeachkitError(f"--host {host!r} is not an address ({exc.strerror}). Use "
                            "127.0.0.1 (this machine only) or --lan.") from None
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise TeachkitError(
                    f"--port {port} is not free on {host} ({exc.strerror}): another "
                    "server uses it. Stop that server or choose another --port.") from None
            if exc.errno == errno.EACCES:
                raise TeachkitError(
                    f"--port {port} needs more rights than this account has ("
                    f"{exc.strerror}). Choose a port from 1024 to 65535.") from None
            raise TeachkitError(
                f"--host {host!r} cannot be served from this machine ({exc.strerror}). "
                "Use 127.0.0.1 (this machine only) or --lan.") from None


def make_folder(folder: Path, *, option: str, given: str) -> None:
    """Make ``folder`` (and its parents), or raise one line naming the option and why:
    a file where a folder should be, or the system's reason."""
    for above in [folder, *folder.parents]:
        if above.exists():
            if not above.is_dir():
                raise TeachkitError(f"{option} {given!r}: {str(above)!r} is a file, not a "
                                    "folder. Pass a path in a folder you can write to.")
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TeachkitError(f"{option} {given!r}: {str(folder)!r} cannot be made "
                            f"({exc.strerror}). Pass a path in a folder you can write "
                            "to.") from None


def _data_dir(text: str | None) -> Path:
    """``--data-dir`` made and writable, or one line saying why not."""
    data_dir = Path(text) if text else default_data_dir()
    make_folder(data_dir, option="--data-dir", given=str(data_dir))
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise TeachkitError(f"--data-dir {str(data_dir)!r} is not writable: trainees' "
                            "reflections could not be saved. Pass a folder you can "
                            "write to.")
    return data_dir


PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int):
    """A ``preexec_fn``: the child gets SIGTERM when ``parent`` dies, however it dies
    (Linux; elsewhere Ctrl+C and ``kill`` still stop the child through teachkit)."""

    def preexec() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:  # the parent died before prctl: stop now
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def _start_warm_parent(env: dict) -> tuple[subprocess.Popen | None, tuple[int, ...]]:
    """Start the warm parent of forked kernels before Voila, which then adopts it
    (``env`` gets :data:`teachkit.forking.provisioner.HANDOFF_ENV`): its warm-up runs
    while Voila imports and starts, not after. Returns it and the pipe ends Voila must
    inherit; ``(None, ())`` when it cannot start (Voila then starts its own)."""
    from .forking.provisioner import HANDOFF_ENV, handed_fds, start_parent

    parent_env = dict(env)
    drop_server_path(parent_env)  # the children have the parent's sys.path
    try:
        parent, spec = start_parent(parent_env)
    except OSError as exc:
        print(f"teachkit: the warm parent starts with Voila ({exc})", flush=True)
        return None, ()
    env[HANDOFF_ENV] = spec
    return parent, handed_fds(spec)


def _serve(args) -> int:
    from .lessons import find_lessons
    from .room import lan_address, make_token, needs_token, pool_sizes, room_plan

    notebooks = find_notebooks(args.notebooks)
    host = "0.0.0.0" if args.lan and args.host in LOOPBACK else args.host
    if not 1 <= args.port <= 65535:
        raise TeachkitError(f"--port must be a whole number from 1 to 65535. Got "
                            f"{args.port} instead.")
    if args.pool_size < 0:
        raise TeachkitError(f"--pool-size must be 0 or more. Got {args.pool_size} instead.")
    if args.cull_idle < 0:
        raise TeachkitError("--cull-idle must be 0 (never) or more seconds. Got "
                            f"{args.cull_idle} instead.")
    if args.token is None and os.environ.get("TEACHKIT_TOKEN"):
        args.token = os.environ["TEACHKIT_TOKEN"]
    if args.token is not None and not args.token.strip():
        raise TeachkitError("--token must not be empty: off this machine every page needs "
                            "one (leave --token out to get a random one).")
    token = args.token or (make_token() if needs_token(host) else None)
    opening = [part.strip() for item in args.lesson or [] for part in item.split(",")
               if part.strip()]
    lessons = find_lessons(notebooks)
    sizes = pool_sizes(lessons, trainees=args.trainees, opening=opening or None)
    if args.trainees is None:
        if opening:
            raise TeachkitError("--lesson needs --trainees: the lessons the room opens "
                                "together get a preheated kernel per trainee.")
        sizes = {name: args.pool_size for name in sizes}
    else:
        sizes = {name: (n if n > 1 else args.pool_size) for name, n in sizes.items()}
    data_dir = _data_dir(args.data_dir)
    if not args.dry_run:
        _check_port(host, args.port)
    # The facilitator's view has a key of its own, never the trainees' token.
    instructor = os.environ.get("TEACHKIT_INSTRUCTOR_TOKEN", "").strip() or make_token()
    if instructor == token:
        raise TeachkitError("TEACHKIT_INSTRUCTOR_TOKEN must differ from the trainees' "
                            "token, or a trainee could open the facilitator's view.")
    env = serve_environment(data_dir, token=token, instructor=instructor,
                            room=args.trainees is not None)
    fork = args.fork
    if fork:
        from .forking import available

        why_not = available()
        if why_not:
            print(f"teachkit: kernels start the ordinary way: {why_not}", flush=True)
            fork = False
    cmd = voila_command(notebooks, host=host, port=args.port,
                        pool_size=args.pool_size, cull_idle_seconds=args.cull_idle,
                        pools=sizes, with_token=bool(token), fork=fork)
    shown = "localhost" if host in LOOPBACK else (
        lan_address() if host in ("0.0.0.0", "::") else host)
    if ":" in shown:
        shown = f"[{shown}]"
    url = f"http://{shown}:{args.port}/" + (f"?token={quote(token, safe='')}"
                                            if token else "")
    print(f"teachkit: serving {len(lessons)} lessons in {notebooks}", flush=True)
    for line in room_plan(sizes, forked=fork):
        print(f"teachkit: {line}", flush=True)
    print(f"teachkit: open {url} in a browser (Ctrl+C stops the server)", flush=True)
    if token:
        print("teachkit: trainees need the whole address, token included; anyone on the "
              "network who has it can open the lessons", flush=True)
    print(f"teachkit: trainees' reflections are kept in {data_dir}", flush=True)
    address, _, room = url.partition("?")
    print(f"teachkit: your facilitator's view (never give this address to trainees): "
          f"{address}teachkit/facilitator?{room + '&' if room else ''}"
          f"key={quote(instructor, safe='')} (see docs/facilitator-guide.md)", flush=True)
    if args.dry_run:
        print(shlex.join(cmd))
        return 0
    parent, pass_fds = (_start_warm_parent(env) if fork else (None, ()))
    try:
        proc = subprocess.Popen(cmd, env=env, start_new_session=True, pass_fds=pass_fds,
                                preexec_fn=_die_with_parent(os.getpid()))
    finally:
        if parent is not None:  # Voila holds the pipes now: its end is the parent's end
            parent.stdin.close()
            parent.stdout.close()

    def _stop(signum, frame):  # systemd, `kill`, a CI timeout: stop like Ctrl+C
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        return 0
    finally:
        if parent is not None:  # gone with Voila's end of its pipe; reaped here
            try:
                parent.wait(timeout=10)
            except subprocess.TimeoutExpired:
                parent.kill()
                parent.wait()
    if code:
        raise TeachkitError(f"Voila stopped with exit code {code} (its messages are "
                            "above).")
    return 0


def check_out_path(text: str, *, force: bool, option: str = "--out") -> Path:
    """An output file the command may write: its folder made and writable, and no file
    there already unless ``force`` (nothing is overwritten by surprise).

    Raises
    ------
    TeachkitError
        The folder cannot be made or written, the path is a folder, or the file exists
        and ``force`` is False.
    """
    out = Path(text)
    make_folder(out.parent, option=option, given=text)
    if out.is_dir():
        raise TeachkitError(f"{option} {text!r} is a folder. Pass a file name.")
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise TeachkitError(f"{option} {text!r}: the folder {str(out.parent)!r} is not "
                            "writable. Pass a path in a folder you can write to.")
    if out.exists() and not force:
        raise TeachkitError(f"{option} {text!r} exists already. Pass --force to replace "
                            "it, or another file name.")
    return out


def _cohort(args) -> int:
    from ._validation import check_param, check_seed
    from .cohort import PARAMETER_CONSTRAINTS, make_cohort
    from .io import save_cohort

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise TeachkitError(
            f"--out must end in .csv or .parquet. Got {args.out!r} instead."
        )
    # Check first, so a bad argument is the only line printed.
    check_param("n", args.n, PARAMETER_CONSTRAINTS["n"], caller="make_cohort")
    check_seed(args.seed, caller="make_cohort")
    out = check_out_path(args.out, force=args.force)
    start = time.perf_counter()
    print(f"teachkit: drawing {args.n:,} synthetic patients (seed {args.seed}, "
          f"{args.setting})...", file=sys.stderr, flush=True)
    cohort = make_cohort(args.n, seed=args.seed, setting=args.setting)
    print(f"teachkit: writing {out}...", file=sys.stderr, flush=True)
    # Written beside it, then renamed: an interrupted write never leaves half a file,
    # and a file replaced with --force is whole until the new one is.
    partial = out.with_name(f".{out.stem}.partial{out.suffix}")
    try:
        save_cohort(cohort, partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"teachkit: wrote {len(cohort):,} synthetic patients to {out} in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


def _dossier(args) -> int:
    from .reflections import default_data_dir
    from .rules.dossier import dossier_for, load_saved

    if (args.deployment is None) == (args.trainee is None):
        raise TeachkitError("Give a saved deployment file, or --trainee NAME (one of the "
                            "two).")
    data_dir = _data_dir(args.data_dir) if args.trainee is not None and args.data_dir \
        else default_data_dir()
    stem = Path(args.out)
    for suffix in (".html", ".pdf"):
        check_out_path(str(stem.with_suffix(suffix)), force=args.force)
    deployment = load_saved(args.deployment, trainee=args.trainee, data_dir=data_dir)
    print("teachkit: running the deployment and writing its dossier...", file=sys.stderr,
          flush=True)
    paths = dossier_for(deployment, out=stem)
    print(f"teachkit: wrote {paths['html']} and {paths['pdf']}", file=sys.stderr)
    return 0


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``teachkit`` command (every command has help)."""
    from .cohort import COHORT_SETTINGS

    parser = argparse.ArgumentParser(
        prog="teachkit",
        description="A teaching lab for the ethics of AI in mental-health care. "
                    "All data is synthetic.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", help="serve the lessons as Voila apps on this machine",
                           description="Serve the lessons in notebooks/ as Voila apps.")
    serve.add_argument("--port", type=_int, default=DEFAULT_PORT,
                       help=f"port to listen on, 1-65535 (default {DEFAULT_PORT}); a busy "
                            "port is an error, never silently another")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--notebooks", default=None, help="folder of lessons to serve")
    serve.add_argument("--lan", action="store_true",
                       help="serve the other machines on the network (listen on 0.0.0.0, "
                            "with a token)")
    serve.add_argument("--token", default=None,
                       help="the token every page needs (default: $TEACHKIT_TOKEN, else "
                            "none on this machine only and a random one when serving the "
                            "network); other users of the machine can read a --token "
                            "in the process list, never $TEACHKIT_TOKEN")
    serve.add_argument("--trainees", type=_int, default=None,
                       help="how many trainees open a lesson together: that many kernels "
                            "are preheated for the opening lesson (see --lesson)")
    serve.add_argument("--lesson", action="append", default=None, metavar="NN",
                       help="with --trainees: the lesson(s) the room opens together, e.g. "
                            "--lesson 01 (default the first lesson; repeat or use commas "
                            "for more)")
    serve.add_argument("--pool-size", type=_int, default=1,
                       help="preheated kernels for every other lesson (default 1; 0 turns "
                            "preheating off)")
    serve.add_argument("--cull-idle", type=_int, default=7200,
                       help="seconds before an idle trainee's kernel is shut down "
                            "(default 7200; 0: never)")
    serve.add_argument("--fork", action=argparse.BooleanOptionalAction, default=True,
                       help="fork each trainee's kernel from one warm parent that has "
                            "imported everything and built the lesson's cohort and "
                            "models (default; where forking is unavailable kernels start "
                            "the ordinary way); --no-fork starts every kernel from scratch")
    serve.add_argument("--data-dir", default=None,
                       help="where trainees' reflections are kept (default "
                            "$TEACHKIT_HOME or ~/.local/share/teachkit)")
    serve.add_argument("--dry-run", action="store_true",
                       help="print the Voila command instead of running it")
    serve.set_defaults(func=_serve)

    cohort = sub.add_parser("cohort", help="write a synthetic cohort to CSV or Parquet",
                            description="Draw a synthetic cohort and write it to a file.")
    cohort.add_argument("--n", type=_int, default=20_000,
                        help="number of patients (default 20000, a quick file; the lessons "
                             "use 60000)")
    cohort.add_argument("--seed", type=_int, default=0, help="random seed (default 0)")
    cohort.add_argument("--setting", default="general", choices=sorted(COHORT_SETTINGS),
                        help="care setting (default general)")
    cohort.add_argument("--out", required=True,
                        help="output file; .csv or .parquet decides the format")
    cohort.add_argument("--force", action="store_true",
                        help="replace --out if it exists (default: refuse)")
    cohort.set_defaults(func=_cohort)

    dossier = sub.add_parser(
        "dossier", help="write the lesson-07 dossier (HTML and PDF) of a saved deployment",
        description="Run a saved deployment and write its dossier: model card, datasheet, "
                    "checklist, impact level and audit log. Educational, not legal advice.")
    dossier.add_argument("deployment", nargs="?", default=None,
                         help="a deployment saved by lesson 07 (JSON)")
    dossier.add_argument("--trainee", default=None,
                         help="instead of a file: the deployment this trainee saved")
    dossier.add_argument("--data-dir", default=None,
                         help="with --trainee: where trainees' work is kept (default "
                              "$TEACHKIT_HOME or ~/.local/share/teachkit)")
    dossier.add_argument("--out", default="dossier",
                         help="output name without suffix; .html and .pdf are written "
                              "(default ./dossier)")
    dossier.add_argument("--force", action="store_true",
                         help="replace existing output files (default: refuse)")
    dossier.set_defaults(func=_dossier)

    from .grading.cli import add_commands  # the grading commands live with the grading module

    add_commands(sub)
    return parser


def check_finite(args: argparse.Namespace) -> None:
    """Every number given is finite: ``nan`` and ``inf`` parse as floats, and a time
    limit of ``inf`` or ``nan`` would mean no limit, or none reached, ever.

    Examples
    --------
    >>> check_finite(argparse.Namespace(timeout=float("nan")))
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: --timeout must be a finite number. Got nan instead.
    """
    for dest, value in vars(args).items():
        if isinstance(value, float) and not math.isfinite(value):
            raise TeachkitError(f"--{dest.replace('_', '-')} must be a finite number. "
                                f"Got {value} instead.")


def main(argv: list[str] | None = None) -> int:
    """Run the ``teachkit`` command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        check_finite(args)
        return int(args.func(args) or 0)
    except TeachkitError as exc:
        print(f"teachkit: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file or folder the system refused, in any command
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"teachkit: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
