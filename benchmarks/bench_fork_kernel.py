"""A forked kernel against an ordinary one, in process: the same lesson, the same moves.

Issue 19 asked why a room's forked kernels seemed slower at the first model choice and
at lever moves than the pool's ordinary kernels (room benchmark at load 14-22: 3.0 s
against 0.9 s, 689 against 255 ms). This takes Voila, the websocket and the browser out:
for each kind (``fork``: the ``teachkit-fork`` provisioner; ``plain``: jupyter_client's
own), it starts ``--kernels`` kernels together, as a pool does, runs lesson 01 in each
(nbclient, as Voila does), then in every kernel at once times, inside the kernel:

- the first model choice (``lab.panel.rows["model"].value = "logistic"``);
- ``--moves`` threshold moves, each from setting the value to the dashboard redrawn;
- the kernel's CPU for each (all its threads): the first model choice, moves to a
  threshold not yet shown (first visits: the first 4 of every 8) and moves back to
  one shown before (revisits: the figure's kept picture);
- the kernel's CPU to be ready (a forked child's start; an ordinary kernel's imports)
  and for the lesson;
- the minor page faults of each (a forked child's first writes to pages it shares with
  the parent are copy-on-write faults);

and reads the kernel's threads and its BLAS / OpenMP pools (threadpoolctl), the first
hypothesis for a slow forked child (libgomp is not fork-safe; a pool initialised in
the parent could be broken or oversubscribed after the fork).

Usage: .venv/bin/python benchmarks/bench_fork_kernel.py [--kernels 5] [--runs 3]
Kernels get ``OMP_NUM_THREADS=1`` as under ``teachkit serve``. Prints medians per kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "01_meet_the_cohort.ipynb"
KINDS = {"fork": "teachkit-fork", "plain": "local-provisioner"}

#: Run in the kernel after the lesson: times measured there, as one JSON line.
PROBE = r'''
import json as _json, os as _os, resource as _resource, time as _time
_faults, _cpu = [], []
def _ms(set_value):
    before = _resource.getrusage(_resource.RUSAGE_SELF).ru_minflt
    cpu = _time.process_time()
    start = _time.perf_counter(); set_value(); took = (_time.perf_counter() - start) * 1000
    _cpu.append((_time.process_time() - cpu) * 1000)
    _faults.append(_resource.getrusage(_resource.RUSAGE_SELF).ru_minflt - before)
    return took
_rows = lab.panel.rows
_out = {"first_model_ms": _ms(lambda: setattr(_rows["model"], "value", "logistic"))}
_value, _step, _moves = _rows["threshold"].value, 0.01, []
for _i in range(MOVES):
    _value = round(_value + (_step if (_i // 4) % 2 == 0 else -_step), 4)
    _moves.append(_ms(lambda: setattr(_rows["threshold"], "value", _value)))
_out["moves_ms"] = _moves
_out["faults"] = _faults  # minor page faults (copy-on-write among them) per change
_out["cpu_ms"] = _cpu  # the kernel's CPU per change (all its threads)
_out["threads"] = len(_os.listdir("/proc/self/task"))
try:
    from threadpoolctl import threadpool_info
    _out["pools"] = sorted({f"{p['internal_api']}:{p['num_threads']}"
                            for p in threadpool_info()})
except ImportError:
    _out["pools"] = ["threadpoolctl missing"]
print(_json.dumps(_out))
'''


async def _start(kind: str, folder: str):
    from jupyter_client.manager import AsyncKernelManager

    # ipc, as teachkit serve: concurrent starts on TCP race for ports (VOILA-NOTES.md)
    km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                            ip=tempfile.mkdtemp(dir=folder) + "/kernel")
    start = time.perf_counter()
    await km.start_kernel(cwd=str(LESSON.parent),
                          env=dict(os.environ, OMP_NUM_THREADS="1"))
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=600)
    return km, kc, time.perf_counter() - start


def _cpu(km) -> float:
    """The kernel process's CPU seconds so far (all its threads)."""
    fields = Path(f"/proc/{km.provisioner.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _lesson(km, kc):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(LESSON, as_version=4)
    client = NotebookClient(nb, km=km, timeout=600)
    client.kc = kc
    start = time.perf_counter()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            await client.async_execute_cell(cell, index)
    return client, nb, time.perf_counter() - start


async def _probe(client, nb, moves: int) -> dict:
    import nbformat

    cell = nbformat.v4.new_code_cell(PROBE.replace("MOVES", str(moves)))
    nb.cells.append(cell)
    await client.async_execute_cell(cell, len(nb.cells) - 1)
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
    return json.loads(text.strip().splitlines()[-1])


async def kind_run(kind: str, kernels: int, moves: int) -> list[dict]:
    """``kernels`` kernels of one kind, started together; their figures."""
    from jupyter_client.provisioning import KernelProvisionerFactory

    KernelProvisionerFactory.instance().default_provisioner_name = KINDS[kind]
    folder = tempfile.mkdtemp(prefix="bench-fork-kernel-")
    started = await asyncio.gather(*(_start(kind, folder) for _ in range(kernels)))
    # The kernel's own CPU: to ready (a forked child's start, an ordinary kernel's
    # imports), then for the lesson (measured before the probe's moves).
    started_cpu = [_cpu(km) for km, _, _ in started]
    ran = await asyncio.gather(*(_lesson(km, kc) for km, kc, _ in started))
    cpus = [(before, _cpu(km)) for (km, _, _), before in zip(started, started_cpu)]
    probes = await asyncio.gather(*(_probe(client, nb, moves) for client, nb, _ in ran))
    results = []
    for (km, kc, start_s), (_, _, lesson_s), probe, cpu in zip(started, ran, probes,
                                                               cpus):
        results.append({"kind": kind, "start_s": start_s, "lesson_s": lesson_s,
                        "start_cpu_s": cpu[0], "lesson_cpu_s": cpu[1] - cpu[0], **probe})
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
    shutil.rmtree(folder, ignore_errors=True)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kernels", type=int, default=5, help="kernels of each kind at once")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--moves", type=int, default=8)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    asyncio.run(kind_run("fork", 1, 1))  # the warm parent warms up: not in the figures
    print(f"warm parent ready and one kernel run in {time.perf_counter() - start:.1f} s")
    results: list[dict] = []
    for _ in range(args.runs):
        for kind in KINDS:
            results += asyncio.run(kind_run(kind, args.kernels, args.moves))
    print(f"bench_fork_kernel: {args.kernels} kernels of each kind at once, {args.runs} "
          f"run(s), {args.moves} moves each; load average {os.getloadavg()[0]:.1f}")
    for kind in KINDS:
        rs = [r for r in results if r["kind"] == kind]
        moves = [m for r in rs for m in r["moves_ms"]]
        print(f"  {kind:5}: start p50 {statistics.median(r['start_s'] for r in rs):.2f} s, "
              f"lesson p50 {statistics.median(r['lesson_s'] for r in rs):.2f} s, first model "
              f"choice p50 {statistics.median(r['first_model_ms'] for r in rs):.0f} ms, "
              f"move p50 {statistics.median(moves):.0f} ms (max {max(moves):.0f}); page "
              f"faults: first choice p50 {statistics.median(r['faults'][0] for r in rs):.0f}, "
              f"a move p50 {statistics.median(f for r in rs for f in r['faults'][1:]):.0f}; "
              f"threads {sorted({r['threads'] for r in rs})}, pools "
              f"{sorted({p for r in rs for p in r['pools']})}")
        print(f"         kernel CPU: start p50 "
              f"{statistics.median(r['start_cpu_s'] for r in rs):.2f} s, lesson p50 "
              f"{statistics.median(r['lesson_cpu_s'] for r in rs):.2f} s")
        first = [c for r in rs for i, c in enumerate(r["cpu_ms"][1:]) if (i // 4) % 2 == 0]
        again = [c for r in rs for i, c in enumerate(r["cpu_ms"][1:]) if (i // 4) % 2 == 1]
        print(f"         kernel CPU: first model choice p50 "
              f"{statistics.median(r['cpu_ms'][0] for r in rs):.0f} ms; a move to a new "
              f"threshold p50 {statistics.median(first):.0f} ms"
              + (f", back to one shown before p50 {statistics.median(again):.0f} ms"
                 if again else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
