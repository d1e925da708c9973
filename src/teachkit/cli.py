"""The ``teachkit`` command: serve the lessons, make cohorts, grade a class.

A thin layer over the library: every command parses its arguments, calls one function,
and turns a :class:`~teachkit.TeachkitError` into one clean line on stderr and exit
code 2.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from ._validation import TeachkitError
from .reflections import default_data_dir
from .room import refill_size

__all__ = ["main", "build_parser", "voila_command"]

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


def voila_command(notebooks: Path, *, host: str, port: int, pool_size: int,
                  cull_idle_seconds: int, pools: dict[str, int] | None = None,
                  token: str | None = None) -> list[str]:
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
    - ``token``: every page needs it (serving on a network); the XSRF work-around is
      used only on loopback or behind the token.
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
        "--MappingKernelManager.cull_interval=60",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle_seconds}",
        "--MappingKernelManager.cull_connected=False",
    ]
    if pool_size > 0 or any((pools or {}).values()):
        cmd += ["--preheat_kernel=True", f"--pool_size={max(pool_size, 0)}"]
        if pools and any(n != pool_size for n in pools.values()):
            config = {"default": {"pool_size": max(pool_size, 0)}}
            config.update({name: {"pool_size": n} for name, n in pools.items()})
            cmd.append(f"--VoilaKernelManager.kernel_pools_config={config!r}")
            # A room's big pools serve its arrival; then they are refilled small, or
            # the refill (a kernel start per trainee) would stall the levers.
            refill = {name: refill_size(n) for name, n in pools.items() if n > pool_size}
            if refill:
                cmd += ["--VoilaConfiguration.multi_kernel_manager_class="
                        "teachkit.kernel_pool.RoomKernelManager",
                        f"--RoomKernelManager.refill_to={refill!r}"]
    if token:
        cmd.append(f"--Voila.token={token}")
    if host in LOOPBACK or token:
        cmd.append("--Voila.tornado_settings={'disable_check_xsrf': True}")
    return cmd


#: Jupyter data folder shipped with the package: holds the "teachkit" Voila template.
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter_data"
#: Jupyter config folder shipped with the package: Voila's landing-page hook (voila.py)
#: and a trainee's server config under JupyterHub (jupyter_server_config.py).
JUPYTER_CONFIG = JUPYTER_DATA / "config"


def serve_environment(data_dir: Path) -> dict:
    """The environment Voila and its kernels run in."""
    paths = [str(JUPYTER_DATA), *filter(None, os.environ.get("JUPYTER_PATH", "").split(":"))]
    config = [str(JUPYTER_CONFIG),
              *filter(None, os.environ.get("JUPYTER_CONFIG_PATH", "").split(":"))]
    return dict(
        os.environ,
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


def _serve(args) -> int:
    from .lessons import find_lessons
    from .room import lan_address, make_token, needs_token, pool_sizes, room_plan

    notebooks = find_notebooks(args.notebooks)
    host = "0.0.0.0" if args.lan and args.host in LOOPBACK else args.host
    if args.pool_size < 0:
        raise TeachkitError(f"--pool-size must be 0 or more. Got {args.pool_size} instead.")
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
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = serve_environment(data_dir)
    cmd = voila_command(notebooks, host=host, port=args.port,
                        pool_size=args.pool_size, cull_idle_seconds=args.cull_idle,
                        pools=sizes, token=token)
    shown = "localhost" if host in LOOPBACK else (
        lan_address() if host in ("0.0.0.0", "::") else host)
    url = f"http://{shown}:{args.port}/" + (f"?token={token}" if token else "")
    print(f"teachkit: serving {len(lessons)} lessons in {notebooks}", flush=True)
    for line in room_plan(sizes):
        print(f"teachkit: {line}", flush=True)
    print(f"teachkit: open {url} in a browser (Ctrl+C stops the server)", flush=True)
    if token:
        print("teachkit: trainees need the whole address, token included; anyone on the "
              "network who has it can open the lessons", flush=True)
    print(f"teachkit: trainees' reflections are kept in {data_dir}", flush=True)
    if args.dry_run:
        print(shlex.join(cmd))
        return 0
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)

    def _stop(signum, frame):  # systemd, `kill`, a CI timeout: stop like Ctrl+C
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        return 0


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
    start = time.perf_counter()
    print(f"teachkit: drawing {args.n:,} synthetic patients (seed {args.seed}, "
          f"{args.setting})...", file=sys.stderr, flush=True)
    cohort = make_cohort(args.n, seed=args.seed, setting=args.setting)
    print(f"teachkit: writing {out}...", file=sys.stderr, flush=True)
    save_cohort(cohort, out)
    print(f"teachkit: wrote {len(cohort):,} synthetic patients to {out} in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
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
                       help=f"port to listen on (default {DEFAULT_PORT})")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--notebooks", default=None, help="folder of lessons to serve")
    serve.add_argument("--lan", action="store_true",
                       help="serve the other machines on the network (listen on 0.0.0.0, "
                            "with a token)")
    serve.add_argument("--token", default=None,
                       help="the token every page needs (default: none on this machine "
                            "only; a random one when serving the network)")
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
                            "(default 7200)")
    serve.add_argument("--data-dir", default=None,
                       help="where trainees' reflections are kept (default "
                            "$TEACHKIT_HOME or ~/.local/share/teachkit)")
    serve.add_argument("--dry-run", action="store_true",
                       help="print the Voila command instead of running it")
    serve.set_defaults(func=_serve)

    cohort = sub.add_parser("cohort", help="write a synthetic cohort to CSV or Parquet",
                            description="Draw a synthetic cohort and write it to a file.")
    cohort.add_argument("--n", type=_int, default=20_000,
                        help="number of patients (default 20000)")
    cohort.add_argument("--seed", type=_int, default=0, help="random seed (default 0)")
    cohort.add_argument("--setting", default="general", choices=sorted(COHORT_SETTINGS),
                        help="care setting (default general)")
    cohort.add_argument("--out", required=True,
                        help="output file; .csv or .parquet decides the format")
    cohort.set_defaults(func=_cohort)

    from .grading.cli import add_commands  # the grading commands live with the grading module

    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``teachkit`` command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TeachkitError as exc:
        print(f"teachkit: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
