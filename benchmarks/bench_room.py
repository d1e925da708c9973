"""A workshop room on one machine: N trainees arrive together, then move a lever.

For each N (default 30 and 60) and each way of serving (``--modes``, default all three,
side by side in one run):

- ``fork``: ``teachkit serve --trainees N --lesson 01`` with kernels forked from one
  warm parent (teachkit.forking, the default);
- ``pool``: the same with ``--no-fork``: every preheated kernel imports and builds
  everything itself (the pool before issue 19);
- ``plain``: plain Voila, no preheated kernel: each page starts its own;

this starts the server, waits for its pool, then plays N trainees at once. Each trainee
is a client that does what the lesson's page does on the wire, so the figures are the
server's and not those of N browsers sharing this machine's two cores:

1. GET the lesson page (Voila streams the executed notebook) and read its kernel id;
2. open the kernel's websocket, open the ``jupyter.widget.control`` comm and ask for
   every widget's state (what ipywidgets' manager in the page does): the page is
   *rendered* when the states arrive; a page not rendered in ``--hang-after`` seconds
   is *hung*;
3. choose the logistic model (the first choice trains it in the kernel, unless the warm
   parent did), then move the threshold lever one step every ``--interval`` seconds (or
   as soon as the last move has been shown, if that took longer), ``--moves`` times; a
   move's *latency* runs from sending the widget update to receiving the dashboard's new
   state (figure, numbers, sentence and the hidden ``tk-state`` all updated).

It prints, per room: pages served (rendered) out of N, preheat times from the server's
start: "room ready" (the room lesson's N kernels, those the trainees' pages are then
given, have run their lesson: issue 19's preheat goal) and "all ready" (every preheated
kernel, the other lessons' too; a kernel has run its lesson when its CPU time is within
20 ms of what it is once the pool is quiet, looked at every quarter second), time until
every page was rendered, pages
hung, first model choice p50, lever -> update p50 / p95, CPU seconds (server + kernels;
the preheat's own, less at the mercy of other work on the machine than its wall time),
PSS per trainee's kernel (median, max) and the total of everything below ``teachkit
serve`` (Voila, the warm parent, every kernel). ``--browser-check`` also opens one real
Chromium page during the lever phase and checks it renders and updates (harness.py) - a
check, not a figure.

Usage: .venv/bin/python benchmarks/bench_room.py [--trainees 30 60] [--modes fork pool
       plain] [--runs 3] [--moves 15] [--interval 2] [--json FILE]
This machine is noisy (2 cores, other work): the load average at the start of each room
and the CPU used by others during it are printed; run it several times and compare
medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import struct
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import (  # noqa: E402
    VoilaServer,
    cmdline,
    cpu_seconds,
    descendants,
    pss_mb,
)

LESSON = "01_meet_the_cohort.ipynb"
#: Issue 19's goals (the last two for 60 trainees; preheat for 30).
GOALS = {"all_rendered_s": 10.0, "hung": 0, "p95_ms": 1000.0, "kernel_pss_mb": 100.0,
         "room_ready_s": 10.0, "total_gb": 10.0}
MODES = ("fork", "pool", "plain")
_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*'
                     r"</script>", re.S)


# -- the wire ---------------------------------------------------------------------------
def _message(msg_type: str, content: dict, session: str, metadata: dict | None = None):
    return {
        "header": {"msg_id": uuid.uuid4().hex, "username": "trainee", "session": session,
                   "msg_type": msg_type, "version": "5.3",
                   "date": datetime.now(UTC).isoformat()},
        "parent_header": {}, "metadata": metadata or {}, "content": content,
        "channel": "shell", "buffers": [],
    }


PROTOCOL = "v1.kernel.websocket.jupyter.org"


def encode(msg: dict) -> bytes:
    """A kernel message in Jupyter Server's v1 websocket format (what JupyterLab and
    Voila's pages speak): the number of offsets, the offsets (the last one is the end),
    then channel, header, parent header, metadata and content."""
    parts = [msg["channel"].encode()] + [json.dumps(msg[k]).encode() for k in (
        "header", "parent_header", "metadata", "content")]
    offsets = [8 * (len(parts) + 2)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return struct.pack(f"<{len(offsets) + 1}Q", len(offsets), *offsets) + b"".join(parts)


def decode(frame) -> dict | None:
    """A kernel message from a v1 websocket frame (the buffers are not decoded)."""
    try:
        data = bytes(frame)
        n = struct.unpack_from("<Q", data, 0)[0]
        offsets = struct.unpack_from(f"<{n}Q", data, 8)
        parts = [data[offsets[i]:offsets[i + 1]] for i in range(min(n - 1, 5))]
        return {"channel": parts[0].decode(), "header": json.loads(parts[1]),
                "content": json.loads(parts[4])}
    except (ValueError, struct.error, IndexError):
        return None


class Trainee:
    """One trainee's page on the wire: the page, the kernel websocket, the widgets."""

    def __init__(self, base: str, token: str | None, index: int):
        self.base, self.token, self.index = base, token, index
        self.session = uuid.uuid4().hex
        self.kernel_id: str | None = None
        self.ws = None
        self.states: dict = {}
        self.updates = 0
        self.rendered_s: float | None = None
        self.html_s: float | None = None
        self.first_model_ms: float | None = None
        self.latencies_ms: list[float] = []
        self.error: str | None = None
        self._waiters: list[tuple[int, asyncio.Future]] = []
        self._states_ready: asyncio.Future | None = None
        self.state_model: str | None = None

    def _q(self, extra: str = "") -> str:
        parts = [p for p in (f"token={self.token}" if self.token else "", extra) if p]
        return ("?" + "&".join(parts)) if parts else ""

    async def open_page(self, start: float, http) -> None:
        from tornado.httpclient import HTTPRequest

        reply = await http.fetch(HTTPRequest(
            f"{self.base}/voila/render/{LESSON}{self._q()}", request_timeout=3600,
            connect_timeout=3600, follow_redirects=True))
        body = reply.body.decode()
        self.html_s = time.perf_counter() - start
        config = _CONFIG.search(body)
        if not config or "</html>" not in body[-400:]:
            raise RuntimeError("the page did not arrive whole")
        self.kernel_id = json.loads(config.group(1))["kernelId"]

    async def connect(self) -> None:
        from tornado.websocket import websocket_connect

        ws_base = self.base.replace("http://", "ws://", 1)
        self.ws = await websocket_connect(
            f"{ws_base}/api/kernels/{self.kernel_id}/channels"
            f"{self._q(f'session_id={self.session}')}", max_message_size=256 * 2**20,
            subprotocols=[PROTOCOL])
        asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            frame = await self.ws.read_message()
            if frame is None:
                return
            msg = decode(frame)
            if not msg or msg["header"].get("msg_type") != "comm_msg":
                continue
            data = msg["content"].get("data", {})
            if data.get("method") == "update_states" and self._states_ready:
                self.states = data["states"]
                if not self._states_ready.done():
                    self._states_ready.set_result(True)
            elif data.get("method") in ("update", "echo_update") and \
                    msg["content"].get("comm_id") == self.state_model:
                value = data.get("state", {}).get("value", "")
                found = re.search(r'data-updates="(\d+)"', value)
                if found:
                    self.updates = int(found.group(1))
                    for above, fut in list(self._waiters):
                        if self.updates > above and not fut.done():
                            fut.set_result(self.updates)

    def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> None:
        self.ws.write_message(encode(_message(msg_type, content, self.session, metadata)),
                              binary=True)

    async def request_states(self) -> None:
        self._states_ready = asyncio.get_running_loop().create_future()
        comm = uuid.uuid4().hex
        self.send("comm_open", {"comm_id": comm, "target_name": "jupyter.widget.control",
                                "data": {}}, {"version": "1.0.0"})
        self.send("comm_msg", {"comm_id": comm, "data": {"method": "request_states"}})
        await self._states_ready
        self.state_model = self.find("HTMLModel", "tk-state")
        current = self.states[self.state_model]["state"].get("value", "")
        self.updates = int(re.search(r'data-updates="(\d+)"', current).group(1))

    def find(self, model_name: str, dom_class: str) -> str:
        """The id of the ``model_name`` widget in (or being) the element ``dom_class``."""
        for mid, model in self.states.items():
            if dom_class in model["state"].get("_dom_classes", ()):
                if model["model_name"] == model_name:
                    return mid
                for child in model["state"].get("children", ()):
                    cid = child.removeprefix("IPY_MODEL_")
                    if self.states.get(cid, {}).get("model_name") == model_name:
                        return cid
        raise LookupError(f"no {model_name} in .{dom_class}")

    async def set_and_wait(self, model_id: str, state: dict, timeout: float) -> float:
        before = self.updates
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append((before, fut))
        start = time.perf_counter()
        self.send("comm_msg", {"comm_id": model_id, "data": {
            "method": "update", "state": state, "buffer_paths": []}})
        try:
            await asyncio.wait_for(fut, timeout)
        finally:
            self._waiters.remove((before, fut))
        return (time.perf_counter() - start) * 1000


async def play(server_url: str, token: str | None, n: int, *, moves: int,
               interval: float, hang_after: float, on_arrived) -> list[Trainee]:
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=max(n, 10) * 2)
    http = AsyncHTTPClient()
    trainees = [Trainee(server_url, token, i) for i in range(n)]
    start = time.perf_counter()

    async def arrive(t: Trainee) -> None:
        await t.open_page(start, http)
        await t.connect()
        await t.request_states()
        t.rendered_s = time.perf_counter() - start

    async def arrive_or_hang(t: Trainee) -> None:
        try:
            await asyncio.wait_for(arrive(t), hang_after)
        except TimeoutError:
            t.error = "hung"
        except Exception as exc:  # noqa: BLE001 - counted and reported
            t.error = f"{type(exc).__name__}: {exc}"

    await asyncio.gather(*(arrive_or_hang(t) for t in trainees))
    on_arrived()

    async def active(t: Trainee) -> None:
        if t.error:
            return
        try:
            model = t.find("DropdownModel", "tk-lever-model")
            labels = t.states[model]["state"]["_options_labels"]
            index = next(i for i, label in enumerate(labels) if "ogistic" in label)
            t.first_model_ms = await t.set_and_wait(model, {"index": index}, 600)
            slider = t.find("FloatSliderModel", "tk-lever-threshold")
            value = t.states[slider]["state"]["value"]
            step = t.states[slider]["state"]["step"]
            next_at = time.perf_counter() + random.uniform(0, interval)
            for i in range(moves):
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                value = round(value + (step if (i // 4) % 2 == 0 else -step), 6)
                t.latencies_ms.append(await t.set_and_wait(slider, {"value": value}, 600))
                next_at = max(next_at + interval, time.perf_counter())
        except Exception as exc:  # noqa: BLE001 - counted and reported
            t.error = f"lever: {type(exc).__name__}: {exc}"

    await asyncio.gather(*(active(t) for t in trainees))
    for t in trainees:
        if t.ws is not None:
            t.ws.close()
    http.close()
    return trainees


# -- one room ---------------------------------------------------------------------------
def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def tree_cpu(pid: int) -> float:
    return sum(cpu_seconds(p) for p in [pid, *descendants(pid)])


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def cpu_split(server: int, kernels: set[int]) -> dict[str, float]:
    """CPU seconds of everything below ``teachkit serve`` (``server``), by part: the
    kernels, the warm parent, Voila's server, and the rest (``teachkit serve`` itself)."""
    split = {"voila": 0.0, "parent": 0.0, "kernels": 0.0, "other": 0.0}
    for pid in [server, *descendants(server)]:
        line = cmdline(pid)
        part = ("kernels" if pid in kernels else "parent" if "teachkit.forking.parent" in line
                else "voila" if " -m voila " in line else "other")
        split[part] += cpu_seconds(pid)
    return split


def room(n: int, mode: str, args) -> dict:
    notebooks = len(list((ROOT / "notebooks").glob("*.ipynb")))
    plain = mode == "plain"
    extra = (("--no-fork",) if plain else
             ("--trainees", str(n), "--lesson", "01",
              "--fork" if mode == "fork" else "--no-fork"))
    pool = 0 if plain else 1
    expected = 0 if plain else n + notebooks - 1
    load = os.getloadavg()
    print(f"\nbench_room: N = {n}, {mode}: starting teachkit serve "
          f"({'no pool' if plain else f'{expected} kernels to preheat'}); "
          f"load average {load[0]:.2f}", flush=True)
    t0, up0 = time.perf_counter(), _uptime()
    with _Server(pool_size=pool, extra_args=extra, expected_kernels=expected,
                 startup_timeout=1800, cull_idle=3600) as server:
        busy_at = wait_executed(server, expected, min_mb=0.0 if mode == "fork" else 120.0,
                                since=t0)
        warm = time.perf_counter() - t0
        voila = server.proc.pid
        timeline = preheat_timeline(server, voila, up0)
        preheat_cpu = tree_cpu(voila)  # less at the mercy of the machine's load than warm
        forked = "kernels are forked from a warm parent" in server.log_tail(10**6)
        if mode == "fork" and not forked:
            print("  WARNING: kernels were not forked (see the server log)", flush=True)
        pool_pids = set(server.kernel_pids())
        preheat_split = cpu_split(voila, pool_pids)
        pool_pss = sum(pss_mb(p) for p in pool_pids)
        print("  timeline (s after teachkit serve started): " + ", ".join(
            f"{k} {v:.1f}" for k, v in timeline.items() if v is not None)
            + f", all ready {max(busy_at.values(), default=float('nan')):.1f}", flush=True)
        print(f"  pool quiet in {warm:.0f} s ({len(pool_pids)} kernels, "
              f"{pool_pss / 1000:.2f} GB PSS); preheat CPU: " + ", ".join(
                  f"{k} {v:.1f} s" for k, v in preheat_split.items()), flush=True)
        cpu0, busy0 = tree_cpu(voila), machine_busy()
        marks: list[tuple[float, float]] = []
        start = time.perf_counter()
        checker = None
        if args.browser_check:
            checker = _browser_check_thread(server)
        trainees = asyncio.run(play(server.url, None, n, moves=args.moves,
                                    interval=args.interval, hang_after=args.hang_after,
                                    on_arrived=lambda: marks.append(
                                        (time.perf_counter(), tree_cpu(voila)))))
        cpu1 = tree_cpu(voila)
        end = time.perf_counter()
        busy1 = machine_busy()
        cpu_arrive = marks[0][1] - cpu0 if marks else None
        kernels = {t.kernel_id: server.kernel_pid(t.kernel_id) for t in trainees
                   if t.kernel_id and _has(server, t.kernel_id)}
        room_pids = [p for p in kernels.values() if p in pool_pids]
        ready = readiness({p: t for p, t in busy_at.items() if p in pool_pids}, room_pids, n)
        if not plain:
            timeline.update(ready)
        per_kernel = [pss_mb(pid) for pid in kernels.values()]
        kernel_cpu = [cpu_seconds(pid) for pid in kernels.values()]
        all_kernels = server.kernel_pids()
        total_pss = sum(_pss_or_zero(p) for p in descendants(voila))  # Voila, parent, kernels
        log = server.log_tail(10**6)
        if checker is not None:
            checker.join(timeout=300)
    rendered = [t.rendered_s for t in trainees if t.rendered_s is not None]
    hung = [t for t in trainees if t.error == "hung"]
    failed = [t for t in trainees if t.error and t.error != "hung"]
    lat = [x for t in trainees for x in t.latencies_ms]
    first = [t.first_model_ms for t in trainees if t.first_model_ms is not None]
    machine = (busy1[0] - busy0[0]) / os.sysconf("SC_CLK_TCK")
    result = {
        "n": n, "mode": mode, "forked": forked, "load_at_start": load[0],
        "warm_up_s": warm if not plain else None,
        "room_ready_s": ready["room ready"] if not plain else None,
        "all_ready_s": ready["all ready"] if not plain else None,
        "room_kernels_seen": len(room_pids),  # the pool's kernels the pages were given
        "preheat_cpu_s": preheat_cpu if not plain else None,
        "preheat_cpu_split_s": preheat_split if not plain else None,
        "preheat_timeline_s": timeline if not plain else None,
        "pool_kernels": len(pool_pids), "pool_pss_mb": pool_pss,
        "served": len(rendered),
        "all_rendered_s": max(rendered) if len(rendered) == n else None,
        "rendered_p50_s": pct(rendered, 0.5), "rendered_max_s": max(rendered or [0]),
        "html_p50_s": pct([t.html_s for t in trainees if t.html_s], 0.5),
        "hung": len(hung), "failed": [t.error for t in failed],
        "first_model_p50_ms": pct(first, 0.5), "first_model_p95_ms": pct(first, 0.95),
        "moves": len(lat), "p50_ms": pct(lat, 0.5), "p95_ms": pct(lat, 0.95),
        "max_ms": max(lat or [float("nan")]),
        "cpu_total_s": cpu1 - cpu0, "cpu_arrival_s": cpu_arrive,
        "wall_s": end - start, "arrival_wall_s": (marks[0][0] - start) if marks else None,
        "machine_busy_s": machine, "others_cpu_s": machine - (cpu1 - cpu0),
        "kernel_cpu_p50_s": pct(kernel_cpu, 0.5),
        "kernel_pss_p50_mb": pct(per_kernel, 0.5), "kernel_pss_max_mb": max(per_kernel or [0]),
        "kernels_at_end": len(all_kernels), "total_pss_mb": total_pss,
        "log_tracebacks": log.count("Traceback"),
    }
    _print_room(result)
    return result


class _Server(VoilaServer):
    """``teachkit serve`` whose start returns once its port is open: the room's own wait
    (:func:`wait_executed`) watches each kernel run its lesson."""

    def wait_pool_ready(self, **_) -> float:
        return 0.0


def _uptime() -> float:
    return float(Path("/proc/uptime").read_text().split()[0])


def preheat_timeline(server, voila: int, up0: float) -> dict[str, float | None]:
    """When the preheat's parts started, in seconds after ``teachkit serve`` (``up0``:
    the machine's uptime then): Voila, the warm parent and when it was warm (issue 19:
    the parent's warm-up and Voila's start run side by side), the first and the last
    kernel of the pool."""
    hz = os.sysconf("SC_CLK_TCK")

    def started(pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return int(fields[19]) / hz - up0

    below = descendants(voila)
    parent = next((p for p in below if "teachkit.forking.parent" in cmdline(p)), None)
    server_pid = next((p for p in below if " -m voila " in cmdline(p)), None)
    kernels = sorted(t for t in map(started, server.kernel_pids()) if t is not None)
    warm = re.search(r"warm in ([0-9.]+) s", server.log_tail(10**6))
    parent_start = started(parent) if parent else None
    return {"voila": started(server_pid) if server_pid else None,
            "parent": parent_start,
            "parent warm": (parent_start + float(warm.group(1))
                            if parent_start is not None and warm else None),
            "first kernel": kernels[0] if kernels else None,
            "last kernel": kernels[-1] if kernels else None}


def _pss_or_zero(pid: int) -> float:
    try:
        return pss_mb(pid)
    except (OSError, RuntimeError):
        return 0.0


def wait_executed(server, expected: int, *, quiet: float = 3.0, timeout: float = 1800,
                  min_mb: float = 120.0, since: float | None = None,
                  look: float = 0.25) -> dict[int, float]:
    """Wait until ``expected`` kernels exist, each has run its lesson (PSS above
    ``min_mb``: an ordinary kernel that has only started is ~40 MB; a forked one shares
    the parent's pages, so only quiet counts) and neither they nor Voila nor the warm
    parent used CPU for ``quiet`` seconds. (Voila logs a pool as "filled" once its
    kernels have started, before they have run the notebook.)

    Returns when each kernel had run its lesson, ``{pid: seconds after since}``
    (``since``: a ``time.perf_counter()``; default now): :func:`ran_at` of its CPU
    seen every ``look`` seconds."""
    since = time.perf_counter() if since is None else since
    deadline = time.monotonic() + timeout
    last, quiet_since, seen = {}, None, {}
    while time.monotonic() < deadline:
        pids = server.kernel_pids()
        now = {pid: cpu_seconds(pid) for pid in [*pids, *descendants(server.proc.pid)]}
        at = time.perf_counter() - since
        for pid, cpu in now.items():  # a forked kernel is named ipykernel a moment late
            seen.setdefault(pid, []).append((at, cpu))
        try:
            small = [pid for pid in pids if pss_mb(pid) < min_mb]
        except OSError:
            small = pids
        busy = len(pids) < expected or small or any(
            now[pid] - last.get(pid, -1.0) > 0.05 for pid in now)
        last = now
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet:
            return {pid: ran_at(seen[pid]) for pid in pids if pid in seen}
        time.sleep(look)
    raise TimeoutError(f"the pool was not ready after {timeout} s")


def ran_at(cpu: list[tuple[float, float]], spare: float = 0.02) -> float:
    """When a kernel had run its lesson: the first look at which its CPU time (``cpu``:
    ``(seconds, CPU seconds)`` looks) was within ``spare`` of its last (an idle kernel
    still ticks now and then; a forked lesson-01 run is ~0.2 CPU-s, too little to see
    by a threshold per look).

    Examples
    --------
    >>> ran_at([(1.0, 0.0), (1.5, 0.1), (2.0, 0.25), (2.5, 0.25), (9.0, 0.26)])
    2.0
    """
    final = cpu[-1][1]
    return next(t for t, c in cpu if c >= final - spare)


def readiness(busy_at: dict[int, float], room: list[int], n: int) -> dict[str, float | None]:
    """"room ready": when the last of the room lesson's ``n`` preheated kernels (``room``:
    the pids the trainees' pages were given) had run its lesson; "all ready": the same
    for every preheated kernel (issue 19's preheat goal is the room's).

    Examples
    --------
    >>> readiness({1: 4.0, 2: 6.5, 3: 9.0}, [1, 2], 2)
    {'room ready': 6.5, 'all ready': 9.0}
    >>> readiness({1: 4.0, 2: 6.5}, [1], 2)  # a page was not given a preheated kernel
    {'room ready': None, 'all ready': 6.5}
    """
    mine = [busy_at[pid] for pid in room if pid in busy_at]
    return {"room ready": max(mine) if len(mine) == n else None,
            "all ready": max(busy_at.values()) if busy_at else None}


def _has(server, kernel_id: str) -> bool:
    try:
        server.kernel_pid(kernel_id)
        return True
    except LookupError:
        return False


def _voila_pid(server) -> int:
    from harness import _children

    kids = _children(server.voila_pid)
    return kids[0] if kids else server.voila_pid


def _browser_check_thread(server):
    """One real Chromium page opened while the room is busy (a check, not a figure)."""
    import threading

    def run():
        from harness import goto_lesson, launch_chromium, open_page
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            rec = open_page(browser)
            try:
                st = goto_lesson(rec, server, "01", timeout_ms=300_000)
                print(f"  browser check: lesson 01 rendered in Chromium (updates "
                      f"{st['updates']}), blocked off-machine requests: {rec.blocked}",
                      flush=True)
            except Exception as exc:  # noqa: BLE001 - reported
                print(f"  browser check FAILED: {exc}", flush=True)
            finally:
                rec.close()
                browser.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _print_room(r: dict) -> None:
    def f(v, d=1):
        return "n/a" if v is None or v != v else f"{v:.{d}f}"

    seen = ("" if r["room_kernels_seen"] in (0, r["n"]) else
            f" (only {r['room_kernels_seen']} pages were given a preheated kernel)")
    print(f"  {r['mode']}: room ready {f(r['room_ready_s'])} s{seen}, all pools ready "
          f"{f(r['all_ready_s'])} s (pool quiet {f(r['warm_up_s'])} s, "
          f"{f(r['preheat_cpu_s'])} CPU-s); "
          f"all {r['n']} rendered after "
          f"{f(r['all_rendered_s'])} s (median {f(r['rendered_p50_s'])} s, page HTML median "
          f"{f(r['html_p50_s'])} s); hung {r['hung']}; failed {len(r['failed'])} "
          f"{r['failed'][:3]}")
    print(f"  first model choice: p50 {f(r['first_model_p50_ms'], 0)} ms, "
          f"p95 {f(r['first_model_p95_ms'], 0)} ms")
    print(f"  lever -> update ({r['moves']} moves): p50 {f(r['p50_ms'], 0)} ms, p95 "
          f"{f(r['p95_ms'], 0)} ms, max {f(r['max_ms'], 0)} ms")
    print(f"  CPU: {f(r['cpu_arrival_s'])} s while arriving ({f(r['arrival_wall_s'])} s), "
          f"{f(r['cpu_total_s'])} s server + kernels over {f(r['wall_s'])} s "
          f"(others on the machine: {f(r['others_cpu_s'])} s); a trainee's kernel "
          f"{f(r['kernel_cpu_p50_s'])} s in all (median)")
    print(f"  PSS: trainee kernel median {f(r['kernel_pss_p50_mb'], 0)} MB, max "
          f"{f(r['kernel_pss_max_mb'], 0)} MB; total {f(r['total_pss_mb'] / 1000, 2)} GB "
          f"({r['kernels_at_end']} kernels incl. the pool refilled, + Voila and any warm "
          f"parent)", flush=True)


def verdict(value, goal) -> str:
    if value is None or value != value:
        return "MISSED"
    return "ok" if value <= goal else "MISSED"


def table(results: list[dict], trainees: list[int], modes: list[str]) -> list[str]:
    """The side-by-side table: one row per N and way of serving (medians over runs)."""
    header = ("N", "kernels", "served", "room ready", "all ready", "preheat CPU",
              "all rendered", "hung",
              "1st model p50", "lever p50", "lever p95", "PSS/kernel", "PSS total", "others' CPU")
    rows = [header]
    for n in trainees:
        for mode in modes:
            rs = [r for r in results if r["n"] == n and r["mode"] == mode]
            if not rs:
                continue

            def med(key, rs=rs):
                vals = [r[key] for r in rs if r[key] is not None and r[key] == r[key]]
                return statistics.median(vals) if vals else None

            def show(value, fmt, unit=""):
                return "n/a" if value is None else f"{value:{fmt}}{unit}"

            rows.append((
                str(n), mode + ("" if mode != "fork" or all(r["forked"] for r in rs)
                                else " (NOT forked)"),
                show(med("served"), ".0f", f"/{n}"), show(med("room_ready_s"), ".1f", " s"),
                show(med("all_ready_s"), ".1f", " s"),
                show(med("preheat_cpu_s"), ".0f", " s"),
                show(med("all_rendered_s"), ".1f", " s"),
                show(med("hung"), ".0f"), show(med("first_model_p50_ms"), ".0f", " ms"),
                show(med("p50_ms"), ".0f", " ms"), show(med("p95_ms"), ".0f", " ms"),
                show(med("kernel_pss_p50_mb"), ".0f", " MB"),
                show(None if med("total_pss_mb") is None else med("total_pss_mb") / 1000,
                     ".1f", " GB"),
                show(med("others_cpu_s"), ".0f", " s")))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, nargs="+", default=[30, 60])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES),
                        help="ways of serving, side by side (default all)")
    parser.add_argument("--runs", type=int, default=3, help="runs per N (medians shown)")
    parser.add_argument("--moves", type=int, default=15, help="lever moves per trainee")
    parser.add_argument("--interval", type=float, default=2.0,
                        help="seconds between a trainee's moves")
    parser.add_argument("--hang-after", type=float, default=300.0,
                        help="a page not rendered after this many seconds is hung")
    parser.add_argument("--browser-check", action="store_true",
                        help="also open one Chromium page while the room is busy")
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    results = []
    for n in args.trainees:
        for _ in range(args.runs):
            for mode in args.modes:
                results.append(room(n, mode, args))
                if args.json:  # kept as it goes: a long run interrupted keeps its rooms
                    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
                    Path(args.json).write_text(json.dumps(results, indent=2))
    loads = ", ".join(f"{r['load_at_start']:.1f}" for r in results)
    print(f"\nbench_room: {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
          f"lesson 01, {args.moves} moves every {args.interval:g} s; medians of "
          f"{args.runs} run(s); load average at the start of each room: {loads}")
    for line in table(results, args.trainees, args.modes):
        print(line)
    print("goals (issue 19): PSS per kernel <= 100 MB; preheat (room ready) for 30 <= 10 s; "
          "for 60: all "
          "rendered <= 10 s, none hung, lever p95 <= 1 s, total <= 10 GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
