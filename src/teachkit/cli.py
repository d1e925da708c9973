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

__all__ = ["main", "build_parser", "voila_command"]

DEFAULT_PORT = 8866


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
                  cull_idle_seconds: int) -> list[str]:
    """The Voila command line ``teachkit serve`` runs (tested, so it can be read here).

    - a preheated kernel per lesson, so the first trainee does not wait for imports;
    - the ipc kernel transport, which avoids the port race that left pages hanging on
      "Executing" when several trainees opened a lesson at once (VOILA-NOTES.md);
    - idle kernels culled, and on loopback the page's shutdown beacon accepted, so a
      closed tab frees its kernel (voila issue 1458);
    - sources stripped and tracebacks hidden: trainees see the app, not the code;
    - teachkit's template (Voila's "lab" without its CDN stylesheets), so a page asks
      nothing of the internet; :func:`serve_environment` puts it on ``JUPYTER_PATH``.
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
    if pool_size > 0:
        cmd += ["--preheat_kernel=True", f"--pool_size={pool_size}"]
    if host in ("127.0.0.1", "localhost", "::1"):
        cmd.append("--Voila.tornado_settings={'disable_check_xsrf': True}")
    return cmd


#: Jupyter data folder shipped with the package: holds the "teachkit" Voila template.
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter_data"


def serve_environment(data_dir: Path) -> dict:
    """The environment Voila and its kernels run in."""
    paths = [str(JUPYTER_DATA), *filter(None, os.environ.get("JUPYTER_PATH", "").split(":"))]
    return dict(
        os.environ,
        TEACHKIT_HOME=str(data_dir),
        JUPYTER_PATH=":".join(paths),
        # One OpenMP thread per kernel: with many trainees, gradient boosting's threads
        # would otherwise fight over the cores (one fit took 18 s instead of 0.3 s).
        OMP_NUM_THREADS="1",
    )


def _serve(args) -> int:
    notebooks = find_notebooks(args.notebooks)
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = serve_environment(data_dir)
    cmd = voila_command(notebooks, host=args.host, port=args.port,
                        pool_size=args.pool_size, cull_idle_seconds=args.cull_idle)
    url = f"http://{'localhost' if args.host == '127.0.0.1' else args.host}:{args.port}/"
    print(f"teachkit: serving the lessons in {notebooks}", flush=True)
    print(f"teachkit: open {url} in a browser (Ctrl+C stops the server)", flush=True)
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
    serve.add_argument("--pool-size", type=_int, default=1,
                       help="preheated kernels per lesson (default 1; 0 turns preheating "
                            "off)")
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
