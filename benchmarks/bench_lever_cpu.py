"""The CPU of one lever move in lesson 01, split: what a room of 60 pays 30 times a second.

Issue 19's lever goal (60 trainees, a move every 2 s each, lever p95 <= 1 s on 2 cores)
is 30 moves a second: below ~75 % of two cores that is ~50 ms of CPU per move in total,
kernel and server. CPU, never wall time (the machine is shared): ``time.process_time``
and ``/proc/PID/stat`` of each process.

Two parts (``--parts``):

- ``split``: the kernel's side, in a child forked from this process once it holds the
  warm parent's state (:func:`teachkit.forking.parent.warm_up`), as a room's kernels are.
  The child builds lesson 01's app (``TriageLab`` and its ``NumbersTable``) on widgets
  whose messages are serialised and signed as ipykernel sends them (a jupyter_client
  ``Session``; no socket), chooses the logistic model, then moves the threshold as the
  room benchmark does (one step a move, four up, four down: a move back shows a picture
  already drawn) through the slider's ``set_state``, the path of a page's message. Per
  move: the stage computation (``stages.run``), the figure (its update, and its PNG: kept
  or drawn), the messages (how many, their bytes, the CPU to serialise them) and the
  rest (the dashboard's HTML, traitlets);
- ``wire``: the whole path, kernel and server: ``teachkit serve --trainees 1 --lesson 01``
  (forked kernels), one trainee on the wire (``bench_room.Trainee``: page, websocket,
  widget states), the logistic model, then ``--moves`` threshold moves one after another;
  the CPU of the trainee's kernel and of Voila's server over the moves, per move, and the
  bytes the page received.

Usage: .venv/bin/python benchmarks/bench_lever_cpu.py [--parts split wire] [--runs 5]
       [--moves 24] [--json FILE]
Prints medians over the runs, the load average beside them, and the arithmetic: moves a
second times CPU per move against two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

#: Issue 19's room: trainees, seconds between a trainee's moves, cores.
ROOM = {"trainees": 60, "interval_s": 2.0, "cores": 2}


def _moves(start: float, step: float, count: int) -> list[float]:
    """The room benchmark's pattern: four steps up, four down, ..."""
    values, value = [], start
    for i in range(count):
        value = round(value + (step if (i // 4) % 2 == 0 else -step), 6)
        values.append(value)
    return values


# -- the kernel's side, split -----------------------------------------------------------
class _Meter:
    """CPU milliseconds (``time.process_time``) spent inside wrapped functions, by part,
    each part's own time: a wrapped call inside another counts for its part only."""

    def __init__(self):
        self.ms: dict[str, float] = {}
        self._inner: list[float] = []  # time of wrapped calls inside the running one

    def wrap(self, part: str, function):
        def timed(*args, **kwargs):
            self._inner.append(0.0)
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                took = (time.process_time() - start) * 1e3
                inner = self._inner.pop()
                self.ms[part] = self.ms.get(part, 0.0) + took - inner
                if self._inner:
                    self._inner[-1] += took
        return timed

    def reset(self):
        self.ms.clear()


def _split_child(moves: int) -> dict:
    """In a forked child of the warm process: lesson 01's app, the model, the moves."""
    import comm
    import ipywidgets as widgets
    from jupyter_client.session import Session

    import teachkit.plotting as plotting
    import teachkit.ui.panel as panel
    from teachkit.ui import NumbersTable, TriageLab

    meter = _Meter()
    session = Session(key=b"teachkit-bench", username="kernel")
    sent = {"messages": 0, "bytes": 0, "png_bytes": 0, "kinds": {}}

    class WireComm(comm.base_comm.BaseComm):
        """A comm that serialises and signs each message as ipykernel sends it."""

        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            from ipykernel.jsonutil import json_clean

            content = json_clean(dict(data=data or {}, comm_id=self.comm_id, **keys))
            msg = session.msg(msg_type, content, metadata=metadata or {})
            frames = session.serialize(msg)
            buffers = [memoryview(b) for b in buffers or []]
            sent["messages"] += 1
            sent["bytes"] += sum(len(f) for f in frames) + sum(b.nbytes for b in buffers)
            sent["png_bytes"] += sum(b.nbytes for b in buffers)
            kind = (data or {}).get("method", msg_type)
            sent["kinds"][kind] = sent["kinds"].get(kind, 0) + 1

    WireComm.publish_msg = meter.wrap("messages", WireComm.publish_msg)
    comm.create_comm = lambda **kwargs: WireComm(**kwargs)
    panel.run_deployment = meter.wrap("stages", panel.run_deployment)
    fig = plotting.ConsequenceFigure
    fig.update = meter.wrap("figure update", fig.update)
    plotting.blitted_png = meter.wrap("png drawn", plotting.blitted_png)
    fig.to_png = meter.wrap("png kept", fig.to_png)

    lab = TriageLab()
    NumbersTable(lab)
    slider = lab.panel.rows["threshold"].control
    model = lab.panel.rows["model"].control
    start = time.process_time()
    model.set_state({"index": list(model._options_values).index("logistic")})
    first_ms = (time.process_time() - start) * 1e3
    rows = []
    for value in _moves(slider.value, slider.step, moves):
        meter.reset()
        before = dict(sent, kinds=dict(sent["kinds"]))
        cpu = time.process_time()
        slider.set_state({"value": value})
        total = (time.process_time() - cpu) * 1e3
        parts = dict(meter.ms)
        rows.append({"total": total, **parts,
                     "other": total - sum(parts.values()),
                     "messages_n": sent["messages"] - before["messages"],
                     "kB": (sent["bytes"] - before["bytes"]) / 1024,
                     "png_kB": (sent["png_bytes"] - before["png_bytes"]) / 1024,
                     "drawn": "png drawn" in parts,
                     "kinds": {k: v - before["kinds"].get(k, 0)
                               for k, v in sent["kinds"].items()
                               if v - before["kinds"].get(k, 0)}})
    widgets.Widget.close_all()
    return {"first_model_ms": first_ms, "moves": rows}


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _in_child(function, *args) -> dict:
    """``function(*args)`` in a forked child of this process, its JSON result."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read)
            with os.fdopen(write, "w") as out:
                json.dump(function(*args), out)
        except BaseException:  # noqa: BLE001 - reported by the parent as a failure
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as handle:
        text = handle.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not text:
        raise RuntimeError("the measuring child failed (its traceback is above)")
    return json.loads(text)


def split(runs: int, moves: int) -> dict:
    import teachkit.ui.apps as apps
    from teachkit.forking import parent

    os.environ.update(parent.WARM_ENV)
    os.environ[getattr(parent, "PREPARE_ENV", "unused")] = "1"  # as for a room
    warm_up = parent.warm_up
    prepared = {}
    prepare = getattr(apps, "prepare_lever_states", None)  # None: code before issue 19's

    def measured_prepare(*args, **kwargs):  # what preparing costs the parent
        from teachkit import plotting

        rss, cpu = _rss_mb(), time.process_time()
        count = prepare(*args, **kwargs)
        pictures = plotting._PNGS._kept.values()
        prepared.update(states=count, cpu_s=time.process_time() - cpu,
                        rss_mb=_rss_mb() - rss, pictures=len(pictures),
                        png_mb=sum(map(len, pictures)) / 2**20)
        return count

    if prepare is not None:
        apps.prepare_lever_states = measured_prepare
    cpu = time.process_time()
    warmed = warm_up()
    warm_s = time.process_time() - cpu
    print(f"warm parent state: {', '.join(warmed)} ({warm_s:.1f} CPU-s)", flush=True)
    if prepared:
        print(f"  of which lever states prepared: {prepared['states']} runs and "
              f"{prepared['pictures']} distinct pictures ({prepared['png_mb']:.1f} MB) in "
              f"{prepared['cpu_s']:.1f} CPU-s, +{prepared['rss_mb']:.0f} MB RSS (shared "
              "with every kernel forked after)", flush=True)
    results = [_in_child(_split_child, moves) for _ in range(runs)]
    rows = [row for r in results for row in r["moves"]]
    summary = {"warm_parent_cpu_s": warm_s, "prepared": prepared, "runs": runs,
               "moves": len(rows),
               "first_model_ms": statistics.median(r["first_model_ms"] for r in results)}
    for label, subset in (("all", rows), ("drawn", [r for r in rows if r["drawn"]]),
                          ("kept", [r for r in rows if not r["drawn"]])):
        if not subset:
            continue
        keys = [k for k in subset[0] if k not in ("drawn", "kinds")]
        keys += [k for r in subset for k in r if k not in keys and k not in ("drawn",
                                                                            "kinds")]
        summary[label] = {k: statistics.median(r.get(k, 0.0) for r in subset)
                          for k in dict.fromkeys(keys)}
        summary[label]["n"] = len(subset)
    summary["kinds"] = rows[-1]["kinds"]
    return summary


def print_split(s: dict) -> None:
    print(f"\nkernel side, in a child of the warm parent ({s['runs']} runs, {s['moves']} "
          f"moves; first model choice {s['first_model_ms']:.0f} ms CPU):")
    for label in ("all", "drawn", "kept"):
        if label not in s:
            continue
        row = s[label]
        parts = ", ".join(f"{k} {v:.1f}" for k, v in row.items()
                          if k not in ("total", "n", "messages_n", "kB", "png_kB"))
        print(f"  {label:5} ({row['n']:3d} moves): total {row['total']:.1f} ms CPU = {parts}"
              f"; {row['messages_n']:.0f} messages, {row['kB']:.1f} kB "
              f"(PNG {row['png_kB']:.1f} kB)")
    print(f"  messages of one move: {s['kinds']}")


# -- the whole path: Voila and the kernel -----------------------------------------------
def wire(runs: int, moves: int) -> dict:
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from bench_room import Trainee, cpu_split, wait_executed
    from harness import VoilaServer, cpu_seconds

    notebooks = len(list((ROOT / "notebooks").glob("*.ipynb")))
    results = []
    for _ in range(runs):
        with VoilaServer(pool_size=1, extra_args=("--trainees", "1", "--lesson", "01",
                                                  "--fork"),
                         expected_kernels=notebooks, startup_timeout=900,
                         cull_idle=3600) as server:
            wait_executed(server, notebooks, min_mb=0.0)
            forked = "kernels are forked from a warm parent" in server.log_tail(10**6)
            results.append(asyncio.run(_wire_run(server, moves, Trainee, cpu_split,
                                                 cpu_seconds)) | {"forked": forked})
    keys = [k for k in results[0] if k != "forked"]
    summary = {k: statistics.median(r[k] for r in results) for k in keys}
    summary.update(runs=runs, forked=all(r["forked"] for r in results))
    return summary


async def _wire_run(server, moves, Trainee, cpu_split, cpu_seconds) -> dict:
    from tornado.httpclient import AsyncHTTPClient

    http = AsyncHTTPClient()
    trainee = Trainee(server.url, None, 0)
    await trainee.open_page(time.perf_counter(), http)
    await trainee.connect()
    received = {"bytes": 0, "frames": 0}
    read = trainee.ws.read_message

    async def counting_read():  # every frame the page receives, counted
        frame = await read()
        if frame is not None:
            received["bytes"] += len(frame)
            received["frames"] += 1
        return frame

    trainee.ws.read_message = counting_read
    await trainee.request_states()
    kernel = server.kernel_pid(trainee.kernel_id)
    model = trainee.find("DropdownModel", "tk-lever-model")
    labels = trainee.states[model]["state"]["_options_labels"]
    await trainee.set_and_wait(model, {"index": next(
        i for i, label in enumerate(labels) if "ogistic" in label)}, 600)
    slider = trainee.find("FloatSliderModel", "tk-lever-threshold")
    state = trainee.states[slider]["state"]
    await asyncio.sleep(1.0)
    parts0, kernel0 = cpu_split(server.proc.pid, {kernel}), cpu_seconds(kernel)
    bytes0, frames0 = received["bytes"], received["frames"]
    latencies = []
    for value in _moves(state["value"], state["step"], moves):
        latencies.append(await trainee.set_and_wait(slider, {"value": value}, 600))
        await asyncio.sleep(0.2)  # the last messages of the move, before the next
    parts1, kernel1 = cpu_split(server.proc.pid, {kernel}), cpu_seconds(kernel)
    trainee.ws.close()
    http.close()
    return {"kernel_ms": (kernel1 - kernel0) * 1e3 / moves,
            "voila_ms": (parts1["voila"] - parts0["voila"]) * 1e3 / moves,
            "parent_ms": (parts1["parent"] - parts0["parent"]) * 1e3 / moves,
            "frames": (received["frames"] - frames0) / moves,
            "kB": (received["bytes"] - bytes0) / 1024 / moves,
            "latency_ms": statistics.median(latencies)}


def print_wire(w: dict) -> None:
    print(f"\nwhole path, teachkit serve ({'forked' if w['forked'] else 'NOT forked'} "
          f"kernels), one trainee, medians of {w['runs']} run(s), per move: kernel "
          f"{w['kernel_ms']:.1f} ms CPU, Voila's server {w['voila_ms']:.1f} ms CPU "
          f"(warm parent {w['parent_ms']:.1f}); {w['frames']:.1f} frames, {w['kB']:.1f} kB "
          f"to the page ({w['voila_ms'] / max(w['frames'], 1e-9):.1f} ms of the server's CPU "
          f"a frame); latency {w['latency_ms']:.0f} ms (one trainee alone)")
    per_move = w["kernel_ms"] + w["voila_ms"] + w["parent_ms"]
    rate = ROOM["trainees"] / ROOM["interval_s"]
    busy = rate * per_move / 1000 / ROOM["cores"]
    print(f"  arithmetic: {ROOM['trainees']} trainees / {ROOM['interval_s']:g} s = "
          f"{rate:.0f} moves/s x {per_move:.1f} ms = {rate * per_move / 1000:.2f} CPU-s a "
          f"second of {ROOM['cores']} cores: {busy:.0%} busy (goal: well below 75 %)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", nargs="+", choices=("split", "wire"),
                        default=["split", "wire"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--moves", type=int, default=24)
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    print(f"bench_lever_cpu: load average {os.getloadavg()[0]:.2f} at the start",
          flush=True)
    out = {}
    if "split" in args.parts:
        out["split"] = split(args.runs, args.moves)
        print_split(out["split"])
    if "wire" in args.parts:
        out["wire"] = wire(max(1, args.runs // 2), args.moves)
        print_wire(out["wire"])
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
