"""The warm parent's warm-up, computed against put back from disk (issue 19, preheat).

Starts the warm parent of forked kernels as ``teachkit serve`` does
(:func:`teachkit.forking.provisioner.parent_command`), waits for its ready event and
reads, for each start:

- wall: seconds from the process's start to ready (the parent's own figure);
- CPU: the process's user + system CPU-seconds at ready (/proc), imports included;
- the CPU-seconds of each part of its warm-up (:data:`teachkit.forking.parent.TIMES`:
  imports, snapshot, cohort, models, figures, lever states, save, fonts);
- its resident and proportional memory at ready.

Kinds, alternated run by run so the machine's load falls on both alike: ``cold``
(``TEACHKIT_WARM_SNAPSHOT=0``: every start computes, as before snapshots) and ``disk``
(the snapshot of this set-up, written by one untimed start into a temporary cache
folder, put back). Both for a plain server and a room's parent
(``TEACHKIT_PREPARE_LEVER_STATES=1``). Prints medians, the paired disk/cold ratios and
the snapshot's size.

Usage: nice .venv/bin/python benchmarks/bench_warm_parent.py [--runs 3] [--kinds plain room]
Wall-clock figures: run it under ``flock /tmp/teachkit-bench.lock``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from teachkit.forking.parent import PREPARE_ENV  # noqa: E402
from teachkit.forking.provisioner import parent_command, read_ready  # noqa: E402
from teachkit.forking.snapshot import SNAPSHOT_ENV  # noqa: E402


def _proc_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory_mb(pid: int) -> tuple[float, float]:
    rss = pss = float("nan")
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


def start_parent(env: dict[str, str]) -> dict:
    """One warm parent started and stopped; its figures at ready."""
    cmd, parent_env = parent_command(env, os.getpid())
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=parent_env)
    message = read_ready(proc)
    figures = {"wall": message.get("seconds"), "cpu": _proc_cpu(proc.pid),
               "parts": message.get("cpu", {}), "warm": message.get("warm", []),
               "ready": message.get("ready")}
    figures["rss_mb"], figures["pss_mb"] = _memory_mb(proc.pid)
    proc.stdin.close()
    proc.wait(timeout=60)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", default=["plain", "room"],
                        choices=["plain", "room"])
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="teachkit-warm-bench-") as cache:
        base = {k: v for k, v in os.environ.items() if k not in (PREPARE_ENV, SNAPSHOT_ENV)}
        base["XDG_CACHE_HOME"] = cache
        for kind in args.kinds:
            env = dict(base, **({PREPARE_ENV: "1"} if kind == "room" else {}))
            first = start_parent(env)  # writes the snapshot (untimed)
            note = [w for w in first["warm"] if "snapshot" in w]
            runs = {"cold": [], "disk": []}
            for i in range(args.runs):
                order = ("cold", "disk") if i % 2 == 0 else ("disk", "cold")
                for mode in order:
                    mode_env = dict(env, **({SNAPSHOT_ENV: "0"} if mode == "cold" else {}))
                    runs[mode].append(start_parent(mode_env))
            files = list(Path(cache, "teachkit", "warm-parent").glob("warm-*.pickle"))
            results[kind] = {"runs": runs, "written": note,
                             "snapshot_bytes": {f.name: f.stat().st_size for f in files}}
            _print(kind, runs, note)
    print(f"load average {os.getloadavg()[0]:.2f} at the end; {os.cpu_count()} CPUs")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    return 0


def _print(kind: str, runs: dict, note: list[str]) -> None:
    med = statistics.median
    print(f"\n== {kind} warm parent ({len(runs['cold'])} runs each; first start: "
          f"{'; '.join(note) or 'no snapshot note'})")
    parts = sorted({p for rs in runs.values() for r in rs for p in r["parts"]},
                   key=["imports", "snapshot", "cohort", "models", "figures",
                        "lever states", "save", "fonts"].index)
    header = f"{'':6} {'wall s':>7} {'CPU s':>6} " + " ".join(f"{p:>12}" for p in parts)
    print(header + f" {'RSS MB':>7} {'PSS MB':>7}")
    for mode, rs in runs.items():
        cells = " ".join(f"{med([r['parts'].get(p, 0.0) for r in rs]):12.3f}" for p in parts)
        memory = f"{med([r['rss_mb'] for r in rs]):7.0f} {med([r['pss_mb'] for r in rs]):7.0f}"
        print(f"{mode:6} {med([r['wall'] for r in rs]):7.2f} {med([r['cpu'] for r in rs]):6.2f} "
              f"{cells} {memory}")
    for mode, rs in runs.items():
        rest = [sum(v for p, v in r["parts"].items() if p not in ("imports", "fonts"))
                for r in rs]
        print(f"{mode:6} beyond imports: median {med(rest):.2f} CPU-s "
              f"(runs: {', '.join(f'{x:.2f}' for x in rest)})")
    pairs = list(zip(runs["cold"], runs["disk"]))
    for key in ("wall", "cpu"):
        ratios = [d[key] / c[key] for c, d in pairs if c[key]]
        print(f"disk/cold {key}: median ratio {med(ratios):.2f} "
              f"(pairs: {', '.join(f'{x:.2f}' for x in ratios)})")
    restored = [w for r in runs["disk"] for w in r["warm"] if "from disk" in w]
    print(f"disk starts restored: {len(restored)}/{len(runs['disk'])} ({restored[:1]})")


if __name__ == "__main__":
    sys.exit(main())
