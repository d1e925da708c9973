"""The kernel messages each lesson sends while it runs: what Voila decodes (twice: Jupyter
Server's activity tracking and nbclient) and the browser builds, for every trainee.

Runs each lesson's code cells in order in one ordinary kernel (no Voila, no browser), as
Voila executes a notebook, and counts the iopub messages by type: ``comm_open`` (one
widget model each: a widget, its ``Layout``, its ``Style``), ``comm_msg`` (later state
updates), ``display_data``, ``stream``, ... Also the bytes of those messages and the
kernel's CPU seconds for the whole lesson (its imports included).

``--fork``: in kernels forked from teachkit's warm parent (the ``teachkit-fork``
provisioner, as a room's pool under ``teachkit serve``) instead: the kernel's CPU to be
ready (a child's start) and for each cell, and this process's CPU to receive and decode
the lesson's messages (what Voila's server pays per kernel, once per decode), medians of
``--runs`` kernels (the first, which starts the warm parent, not counted).

Usage: .venv/bin/python benchmarks/bench_messages.py [LESSON ...] [--json FILE]
       [--fork] [--runs 3]
(``LESSON``: a number such as ``01``; default every lesson).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def lesson_cells(path: Path) -> list[str]:
    """The code cells of a notebook, in order."""
    notebook = json.loads(path.read_text())
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def _start_kernel(path: Path, fork: bool):
    """A kernel and its client, ready; ``fork``: forked from teachkit's warm parent."""
    from jupyter_client.manager import KernelManager
    from jupyter_client.provisioning import KernelProvisionerFactory

    factory = KernelProvisionerFactory.instance()
    factory.default_provisioner_name = "teachkit-fork" if fork else "local-provisioner"
    # ipc, as teachkit serve (and no port races between kernels)
    km = KernelManager(kernel_name="python3", transport="ipc",
                       ip=tempfile.mkdtemp(prefix="bench-messages-") + "/kernel")
    km.start_kernel(cwd=str(path.parent), env=dict(os.environ, OMP_NUM_THREADS="1"))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=600)
    return km, kc


def count_messages(path: Path, timeout_s: float = 300.0, fork: bool = False) -> dict:
    """Run the notebook's code cells in a fresh kernel; count its iopub messages."""
    km, kc = _start_kernel(path, fork)
    try:
        pid = km.provisioner.pid
        cpu0 = _cpu_seconds(pid)
        client0 = time.process_time()
        cells_cpu = []
        kinds: Counter = Counter()
        models: Counter = Counter()
        methods: Counter = Counter()
        updates: Counter = Counter()  # (model, traits) of each later state update
        comms: dict = {}
        size = 0
        errors = []
        start = time.perf_counter()
        for source in lesson_cells(path):
            cell0 = _cpu_seconds(pid)
            msg_id = kc.execute(source, store_history=False)
            while True:
                msg = kc.get_iopub_msg(timeout=timeout_s)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "status":
                    if msg["content"]["execution_state"] == "idle":
                        break
                    continue
                if kind == "execute_input":
                    continue
                kinds[kind] += 1
                size += len(json.dumps(msg["content"], default=str))
                size += sum(len(b) for b in msg.get("buffers", []))
                if kind == "comm_open":
                    state = msg["content"].get("data", {}).get("state", {})
                    models[state.get("_model_name", "?")] += 1
                    comms[msg["content"]["comm_id"]] = state.get("_model_name", "?")
                elif kind == "comm_msg":
                    data = msg["content"].get("data", {})
                    methods[data.get("method", "?")] += 1
                    model = comms.get(msg["content"]["comm_id"], "?")
                    updates[f"{model} {','.join(sorted(data.get('state', {})))}"] += 1
                elif kind == "error":
                    errors.append(msg["content"]["ename"])
            cells_cpu.append(round(_cpu_seconds(pid) - cell0, 3))
        return {"lesson": path.name[:2], "messages": sum(kinds.values()),
                "by_type": dict(kinds), "models": dict(models.most_common()),
                "comm_msg_methods": dict(methods),
                "updates": dict(updates.most_common()), "kB": round(size / 1024, 1),
                "kernel_cpu_s": round(_cpu_seconds(pid) - cpu0, 2),
                "start_cpu_s": round(cpu0, 2), "cells_cpu_s": cells_cpu,
                "client_cpu_s": round(time.process_time() - client0, 3),
                "wall_s": round(time.perf_counter() - start, 2), "errors": errors}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _median_row(rows: list[dict]) -> dict:
    """The first row with its CPU figures replaced by their medians over ``rows``."""
    out = dict(rows[0])
    for key in ("kernel_cpu_s", "start_cpu_s", "client_cpu_s", "wall_s"):
        out[key] = round(statistics.median(r[key] for r in rows), 3)
    out["cells_cpu_s"] = [round(statistics.median(cells), 3)
                          for cells in zip(*(r["cells_cpu_s"] for r in rows))]
    out["runs"] = len(rows)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--fork", action="store_true",
                        help="kernels forked from teachkit's warm parent")
    parser.add_argument("--runs", type=int, default=1, help="kernels per lesson (medians)")
    args = parser.parse_args(argv)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.lessons:
        paths = [p for p in paths if p.name[:2] in args.lessons]
    if args.fork and paths:  # the first forked kernel starts the warm parent: not counted
        count_messages(paths[0], fork=True)
    rows = []
    print(f"{'lesson':6} {'msgs':>5} {'comm_open':>9} {'comm_msg':>8} {'display':>7} "
          f"{'kB':>7} {'kernel CPU s':>12}  models (top 4)")
    for path in paths:
        row = _median_row([count_messages(path, fork=args.fork)
                           for _ in range(max(args.runs, 1))])
        rows.append(row)
        top = ", ".join(f"{k.removesuffix('Model')} {v}" for k, v in
                        list(row["models"].items())[:4])
        by = row["by_type"]
        print(f"{row['lesson']:6} {row['messages']:5d} {by.get('comm_open', 0):9d} "
              f"{by.get('comm_msg', 0):8d} {by.get('display_data', 0):7d} {row['kB']:7.1f} "
              f"{row['kernel_cpu_s']:12.2f}  {top}"
              + (f"  ERRORS {row['errors']}" if row["errors"] else ""), flush=True)
        print(f"{'':6} kernel CPU s: to ready {row['start_cpu_s']:.2f}, cells "
              + " ".join(f"{c:.3f}" for c in row["cells_cpu_s"])
              + f"; this client's CPU to decode them {row['client_cpu_s']:.3f} s"
              + (f" (medians of {row['runs']})" if row["runs"] > 1 else ""), flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
