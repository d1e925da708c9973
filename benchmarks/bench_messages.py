"""The kernel messages each lesson sends while it runs: what Voila decodes (twice: Jupyter
Server's activity tracking and nbclient) and the browser builds, for every trainee.

Runs each lesson's code cells in order in one ordinary kernel (no Voila, no browser), as
Voila executes a notebook, and counts the iopub messages by type: ``comm_open`` (one
widget model each: a widget, its ``Layout``, its ``Style``), ``comm_msg`` (later state
updates), ``display_data``, ``stream``, ... Also the bytes of those messages and the
kernel's CPU seconds for the whole lesson (its imports included).

Usage: .venv/bin/python benchmarks/bench_messages.py [LESSON ...] [--json FILE]
(``LESSON``: a number such as ``01``; default every lesson).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
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


def count_messages(path: Path, timeout_s: float = 300.0) -> dict:
    """Run the notebook's code cells in a fresh kernel; count its iopub messages."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(path.parent))
    try:
        pid = km.provisioner.pid
        cpu0 = _cpu_seconds(pid)
        kinds: Counter = Counter()
        models: Counter = Counter()
        methods: Counter = Counter()
        updates: Counter = Counter()  # (model, traits) of each later state update
        comms: dict = {}
        size = 0
        errors = []
        start = time.perf_counter()
        for source in lesson_cells(path):
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
        return {"lesson": path.name[:2], "messages": sum(kinds.values()),
                "by_type": dict(kinds), "models": dict(models.most_common()),
                "comm_msg_methods": dict(methods),
                "updates": dict(updates.most_common()), "kB": round(size / 1024, 1),
                "kernel_cpu_s": round(_cpu_seconds(pid) - cpu0, 2),
                "wall_s": round(time.perf_counter() - start, 2), "errors": errors}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: all)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.lessons:
        paths = [p for p in paths if p.name[:2] in args.lessons]
    rows = []
    print(f"{'lesson':6} {'msgs':>5} {'comm_open':>9} {'comm_msg':>8} {'display':>7} "
          f"{'kB':>7} {'kernel CPU s':>12}  models (top 4)")
    for path in paths:
        row = count_messages(path)
        rows.append(row)
        top = ", ".join(f"{k.removesuffix('Model')} {v}" for k, v in
                        list(row["models"].items())[:4])
        by = row["by_type"]
        print(f"{row['lesson']:6} {row['messages']:5d} {by.get('comm_open', 0):9d} "
              f"{by.get('comm_msg', 0):8d} {by.get('display_data', 0):7d} {row['kB']:7.1f} "
              f"{row['kernel_cpu_s']:12.2f}  {top}"
              + (f"  ERRORS {row['errors']}" if row["errors"] else ""), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
