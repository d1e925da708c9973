"""Drive the real teachkit Voila apps in real (Debian) Chromium.

Used by the browser tests (``tests/browser``) and by ``benchmarks/bench_voila.py``:

- :class:`VoilaServer` starts ``teachkit serve`` on a free loopback port in its own
  process group, with a throw-away data dir, waits until the port answers and the
  preheated kernel pool has executed the lessons, and kills the whole group on exit, so
  no kernel outlives the run;
- :func:`launch_chromium` starts ``/usr/bin/chromium`` headless with the flags these
  machines need (VOILA-NOTES.md; never ``playwright install``);
- :func:`open_page` opens a page in a fresh context that aborts (and records) every
  request that would leave the machine and collects page errors and console errors;
- small helpers to read the dashboard's hidden ``tk-state`` element, to wait for its
  ``data-updates`` counter instead of sleeping, to read the figure's PNG, and to save
  screenshots to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from teachkit.lessons import find_lessons

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("TEACHKIT_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
#: Every lesson notebook the server preheats, by number, read from notebooks/ (a new
#: lesson is found there, not added here).
LESSONS = {lesson.number: lesson.name for lesson in find_lessons(ROOT / "notebooks")}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Any http(s)/ws(s) URL whose host is not loopback.
OFF_MACHINE = re.compile(
    r"^(?!(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?([/?#]|$))[a-z][a-z0-9+.-]*://",
    re.IGNORECASE)

# VOILA-NOTES.md: as root Chromium needs --no-sandbox; the rest stop it from calling
# hosts this network refuses (and from wasting the 2 cores on it).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

_CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- processes (from /proc: psutil is not a dependency) -------------------------------
def _children(pid: int) -> list[int]:
    kids: list[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        tasks = list(task_dir.iterdir())
    except OSError:
        return kids
    for task in tasks:
        try:
            kids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def descendants(pid: int) -> list[int]:
    """All processes below ``pid`` (children, grandchildren, ...)."""
    out, todo = [], [pid]
    while todo:
        for kid in _children(todo.pop()):
            out.append(kid)
            todo.append(kid)
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (0.0 if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def pss_mb(pid: int) -> float:
    """Proportional set size of ``pid`` in MB (from /proc/<pid>/smaps_rollup)."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"No Pss line in /proc/{pid}/smaps_rollup")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the server -------------------------------------------------------------------------
class ServerError(RuntimeError):
    """The Voila server did not come up (the message ends with its log)."""


class VoilaServer:
    """``teachkit serve`` on a free loopback port, for the length of a ``with`` block.

    Parameters
    ----------
    pool_size : int, default=1
        Preheated kernels per lesson.
    data_dir : path, default=a new temporary folder (removed at exit)
    startup_timeout : float, default=180
        Seconds to wait for the port and for the pool (a busy 2-core machine is slow).

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:<port>``.
    data_dir : Path
        Where the trainees' reflections are written.
    log_path : Path
        The server's stdout and stderr.

    Examples
    --------
    >>> with VoilaServer() as server:                       # doctest: +SKIP
    ...     print(server.lesson_url("01"))
    """

    def __init__(self, *, pool_size: int = 1, data_dir: str | Path | None = None,
                 startup_timeout: float = 180.0, cull_idle: int = 600,
                 extra_args: tuple[str, ...] = (), expected_kernels: int | None = None,
                 env: dict | None = None):
        self.pool_size = pool_size
        self.extra_args = tuple(extra_args)  # more ``teachkit serve`` options
        self.expected_kernels = expected_kernels  # the pool when ready (default: below)
        self.env = env or {}
        self.startup_timeout = startup_timeout
        self.cull_idle = cull_idle
        self._tmp = None if data_dir else tempfile.TemporaryDirectory(prefix="tk-browser-")
        self.data_dir = Path(data_dir or self._tmp.name)
        self.log_path = self.data_dir / "voila-server.log"
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self._log = None
        self._seen: dict[int, str] = {}  # pid -> cmdline of every process seen below

    # context manager
    def __enter__(self) -> VoilaServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lesson_url(self, lesson: str) -> str:
        return f"{self.url}/voila/render/{LESSONS.get(lesson, lesson)}"

    def command(self) -> list[str]:
        script = Path(sys.executable).with_name("teachkit")
        exe = [str(script)] if script.exists() else [sys.executable, "-m", "teachkit.cli"]
        return exe + ["serve", "--port", str(self.port), "--host", "127.0.0.1",
                      "--data-dir", str(self.data_dir), "--pool-size", str(self.pool_size),
                      "--cull-idle", str(self.cull_idle), *self.extra_args]

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):  # a port picked free can be taken before Voila binds it
            self.port = free_port()
            self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
            self.proc = subprocess.Popen(
                self.command(), cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1", **self.env),
            )
            try:
                self.wait_for_port()
                break
            except ServerError:
                self.stop(remove_data=False)
                if attempt == 2 or "already in use" not in self.log_tail():
                    raise
        self.wait_pool_ready()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def _fail(self, what: str) -> ServerError:
        return ServerError(f"{what}\n--- command: {' '.join(self.command())}\n"
                           f"--- server log ({self.log_path}):\n{self.log_tail()}")

    def wait_for_port(self) -> None:
        """Poll ``GET /`` (the lessons' list) until it answers 200."""
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise self._fail(f"teachkit serve exited with code {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as reply:
                    if reply.status == 200:
                        self._below()
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise self._fail(f"Voila did not answer on {self.url} within {self.startup_timeout} s")

    # kernels
    @property
    def voila_pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def _below(self) -> list[int]:
        """Processes below ``teachkit serve`` now (and remembered, for stop())."""
        if not self.proc:
            return []
        pids = descendants(self.proc.pid)
        for pid in pids:
            self._seen.setdefault(pid, cmdline(pid))
        return pids

    def kernel_pids(self) -> list[int]:
        """PIDs of the kernels (``ipykernel_launcher`` processes below the server)."""
        return [p for p in self._below() if "ipykernel" in cmdline(p)]

    def kernel_pid(self, kernel_id: str) -> int:
        """The PID of the kernel with this id (its connection file is on its cmdline)."""
        for pid in self.kernel_pids():
            if kernel_id in cmdline(pid):
                return pid
        raise LookupError(f"No kernel process with id {kernel_id} below the server")

    def wait_pool_ready(self, *, in_use: int = 0, quiet: float = 1.5,
                        timeout: float | None = None) -> float:
        """Wait until every lesson has its preheated kernels and they are idle.

        Voila has no HTTP endpoint for the pool (and a render request takes a kernel
        from it), so this watches /proc: at least ``len(LESSONS) * pool_size + in_use``
        kernels exist and none of them used CPU for ``quiet`` seconds (a preheated
        kernel is idle once it has executed its lesson); ``expected_kernels`` given to
        the constructor replaces that count. Returns the seconds waited.
        """
        start = time.monotonic()
        deadline = start + (timeout or self.startup_timeout)
        expected = (self.expected_kernels if self.expected_kernels is not None
                    else len(LESSONS) * self.pool_size) + in_use
        quiet_since, last = None, {}
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise self._fail(f"teachkit serve exited with code {self.proc.returncode}")
            pids = self.kernel_pids()
            now = {pid: cpu_seconds(pid) for pid in pids}
            busy = len(pids) < expected or any(
                now[pid] - last.get(pid, -1.0) > 0.02 for pid in pids)
            last = now
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet:
                return time.monotonic() - start
            time.sleep(0.25)
        raise self._fail(f"The kernel pool was not ready after {timeout or self.startup_timeout}"
                         f" s ({len(self.kernel_pids())} kernel(s), {expected} expected)")

    def stop(self, remove_data: bool = True) -> None:
        """Stop the server and every kernel below it, then tidy up.

        ``teachkit serve`` starts Voila in a session of its own, and jupyter_client
        starts each kernel in a session of its own, so one ``killpg`` does not reach
        them all: Voila's group gets SIGTERM (Voila then shuts its kernels down
        cleanly), and whatever is still alive after that, in the whole tree, gets
        SIGKILL with its group.
        """
        if self.proc is not None:
            # Processes seen earlier count too: if ``teachkit serve`` died, Voila was
            # re-parented away from it (same pid and command line: not a reused pid).
            tree = [self.proc.pid, *self._below()]
            tree += [p for p, cmd in self._seen.items()
                     if p not in tree and cmd and cmdline(p) == cmd]
            if self.proc.poll() is not None:  # nobody left to ask Voila to stop
                for pid in tree[1:]:
                    if "-m voila" in cmdline(pid):
                        _signal_group(pid, signal.SIGTERM)
            for pid in _children(self.proc.pid):  # the Voila process(es)
                _signal_group(pid, signal.SIGTERM)
            if not _children(self.proc.pid):
                _signal_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            deadline = time.monotonic() + 10
            while any(_alive(p) for p in tree[1:]) and time.monotonic() < deadline:
                time.sleep(0.1)
            tree += [p for p in self._below() if p not in tree]
            for pid in tree:
                if _alive(pid):
                    _signal_group(pid, signal.SIGKILL)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None
            self._seen.clear()
        if self._log:
            self._log.close()
            self._log = None
        if remove_data and self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def _signal_group(pid: int, sig: int) -> None:
    """Send ``sig`` to the process group led by ``pid`` (or to ``pid`` alone)."""
    try:
        pgid = os.getpgid(pid)
    except ProcessLookupError:
        return
    try:
        if pgid == pid:
            os.killpg(pgid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


# -- the browser ------------------------------------------------------------------------
def chromium_missing_message() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if not CHROMIUM.exists():
        return (f"Chromium is not installed at {CHROMIUM}. `make test` installs it "
                "(scripts/setup.sh browser: apt-get install chromium); never run "
                "`playwright install` on these machines.")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("The playwright Python package is missing: `make test` installs it "
                "(pip install -e '.[test]').")
    return None


def launch_chromium(playwright, *, headless: bool = True, **kwargs):
    """Launch Debian's Chromium headless with the flags these machines need."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=headless,
                                      args=CHROMIUM_ARGS, **kwargs)


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "devtools"):
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


@dataclass
class RecordedPage:
    """A page plus what it tried: blocked off-machine requests, errors, kernel ids."""

    page: object
    context: object
    blocked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)

    def close(self) -> None:
        """Close like a trainee closing the tab: Voila's ``beforeunload`` handler asks
        the server to shut the page's kernel down; then drop the context."""
        try:
            if not self.page.is_closed():
                self.page.close(run_before_unload=True)
            if not self.page.is_closed():
                self.page.wait_for_event("close", timeout=10_000)
        except Exception:  # noqa: BLE001 - the page may already be gone
            pass
        try:
            self.context.close()
        except Exception:  # noqa: BLE001 - the browser may already be gone
            pass

    @property
    def kernel_ids(self) -> list[str]:
        """Ids of the kernels this page connected to (from its websocket URLs)."""
        ids = []
        for url in self.websockets:
            match = re.search(r"/api/kernels/([0-9a-f-]{36})/channels", url)
            if match and match.group(1) not in ids:
                ids.append(match.group(1))
        return ids

    @property
    def kernel_id(self) -> str:
        """The id of the kernel behind this page (from Voila's page config)."""
        return self.page.evaluate(
            "() => JSON.parse(document.getElementById('jupyter-config-data')"
            ".textContent).kernelId")

    def unexplained_console_errors(self) -> list[str]:
        """Console errors other than the "failed to load" of a request we blocked."""
        return [e for e in self.console_errors
                if not ("net::ERR_FAILED" in e or "ERR_BLOCKED" in e
                        or any(url in e for url in self.blocked))]


def open_page(browser, *, viewport=(1280, 900), default_timeout_ms: float = 60_000,
              on_websocket=None) -> RecordedPage:
    """A new page in a fresh context that never leaves the machine.

    Every request whose host is not loopback is aborted and its URL recorded in
    ``.blocked`` (websockets too); ``pageerror`` events go to ``.page_errors`` and
    console messages of type error to ``.console_errors``.
    """
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                  service_workers="block")
    page = context.new_page()
    page.set_default_timeout(default_timeout_ms)
    rec = RecordedPage(page=page, context=context)

    def route(route):
        url = route.request.url
        if is_loopback(url):  # not expected: the pattern below leaves loopback alone
            route.continue_()
        else:
            rec.blocked.append(url)
            route.abort("blockedbyclient")

    # The patterns are regular expressions, matched inside Playwright: only requests
    # leaving the machine reach this process. (A Python callable, or "**/*", would
    # send every request, and the kernel's websocket, through this process, adding
    # latency and stalling the page whenever the test is not inside a Playwright call.)
    context.route(OFF_MACHINE, route)

    def ws_route(ws):
        rec.blocked.append(ws.url)
        ws.close()

    if hasattr(context, "route_web_socket"):
        context.route_web_socket(OFF_MACHINE, ws_route)
    page.on("pageerror", lambda exc: rec.page_errors.append(str(exc)))
    page.on("console", lambda msg: rec.console_errors.append(
        f"{msg.text} @ {msg.location.get('url', '')}") if msg.type == "error" else None)

    def websocket(ws):
        rec.websockets.append(ws.url)
        if on_websocket is not None:
            on_websocket(ws)

    page.on("websocket", websocket)
    return rec


# -- the app in the page ----------------------------------------------------------------
STATE = ".tk-state .tk-state-data"
FIGURE = "img.tk-figure"

_STATE_JS = """() => {
  const el = document.querySelector('.tk-state .tk-state-data');
  if (!el) return null;
  const d = {...el.dataset};
  d.updates = parseInt(d.updates || '0', 10);
  for (const k of ['flagged', 'caught', 'missed', 'needless']) d[k] = parseFloat(d[k]);
  return d;
}"""


def state(page) -> dict | None:
    """The dashboard's hidden state: updates, flagged, caught, missed, needless (per
    1,000), attribute, settings. None until the dashboard has shown a result."""
    return page.evaluate(_STATE_JS)


class AppError(AssertionError):
    """The app showed its error banner instead of updating."""


_BANNER_JS = """() => Array.from(document.querySelectorAll('.tk-banner'))
  .filter(b => b.offsetParent !== null && b.innerText.trim())
  .map(b => b.innerText.trim())"""


def banners(page) -> list[str]:
    """The messages of the error banners on show (none when all is well)."""
    return page.evaluate(_BANNER_JS)


def wait_for_updates(page, above: int = 0, timeout_ms: float = 60_000) -> dict:
    """Wait until ``data-updates`` exceeds ``above``; return the new state.

    Raises :class:`AppError` at once if an error banner appears instead (a failed
    callback never updates the counter, so waiting on would only time out).
    """
    page.wait_for_function(
        "(n) => { const el = document.querySelector('.tk-state .tk-state-data');"
        " if (el && parseInt(el.dataset.updates, 10) > n) return true;"
        " return Array.from(document.querySelectorAll('.tk-banner'))"
        ".some(b => b.offsetParent !== null && b.innerText.trim()); }",
        arg=above, timeout=timeout_ms)
    shown = banners(page)
    if shown:
        raise AppError(f"the app shows an error banner: {shown}")
    return state(page)


def wait_for_app(page, timeout_ms: float = 90_000) -> dict:
    """Wait until the app has rendered: figure visible and one dashboard update."""
    page.wait_for_selector(".tk-app", state="visible", timeout=timeout_ms)
    page.wait_for_selector(FIGURE, state="visible", timeout=timeout_ms)
    return wait_for_updates(page, 0, timeout_ms)


#: Keys that move a slider's handle; any other value of a lever is a <select> option.
SLIDER_KEYS = ("End", "Home", "ArrowRight", "ArrowLeft")


def move_lever(page, lever: str, value) -> tuple[dict, float]:
    """Move one lever of the page's dashboard app (a <select> option by its value, shown
    by its label; or a key on a slider's handle); wait for the dashboard; return its new
    state and the seconds it took."""
    from teachkit.levers import get_spec

    before = state(page)["updates"]
    spec = get_spec(lever)
    start = time.perf_counter()
    if value in SLIDER_KEYS:
        handle = page.locator(f".tk-lever-{lever} .noUi-handle")
        handle.focus()
        handle.press(value)
    else:
        page.locator(f".tk-lever-{lever} select").select_option(
            value=spec.option_labels.get(value, str(value)))
    st = wait_for_updates(page, before)
    return st, time.perf_counter() - start


def reset_lever(page, lever: str) -> dict:
    """Press a lever's Reset button and wait for the dashboard."""
    before = state(page)["updates"]
    page.locator(f".tk-reset-{lever}").click()
    return wait_for_updates(page, before)


def settings_of(st: dict) -> dict:
    """The settings a dashboard state reports, as a dict of strings."""
    return dict(item.split("=", 1) for item in st["settings"].split(";"))


def goto_lesson(rec: RecordedPage, server: VoilaServer, lesson: str,
                timeout_ms: float = 120_000) -> dict:
    """Open a lesson and wait for its app; return the dashboard state."""
    rec.page.goto(server.lesson_url(lesson), wait_until="commit", timeout=timeout_ms)
    return wait_for_app(rec.page, timeout_ms)


_PNG_JS = """async () => {
  const img = document.querySelector('img.tk-figure');
  if (!img || !img.src) return null;
  const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let bin = '';
  for (let i = 0; i < buf.length; i += 0x8000)
    bin += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
  return {src: img.src, b64: btoa(bin), width: img.naturalWidth, height: img.naturalHeight};
}"""


@dataclass
class Figure:
    src: str
    png: bytes
    width: int
    height: int

    @property
    def is_png(self) -> bool:
        return self.png.startswith(b"\x89PNG\r\n\x1a\n") and len(self.png) > 1000

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.png).hexdigest()


def figure(page) -> Figure | None:
    """The figure on show: its src (a blob: URL) and the PNG bytes behind it."""
    import base64

    data = page.evaluate(_PNG_JS)
    if data is None:
        return None
    return Figure(src=data["src"], png=base64.b64decode(data["b64"]),
                  width=data["width"], height=data["height"])


def app_text(page) -> str:
    """The rendered text of the notebook's outputs (what a trainee can read)."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))"
        ".map(e => e.innerText).join('\\n')")


def _stretched(page):
    """A context manager: the viewport as tall as Voila's scrolling content.

    Voila's page scrolls inside a container, not the document, so Playwright's
    ``full_page`` alone shows only the first screen.
    """
    import contextlib

    @contextlib.contextmanager
    def stretch():
        size = page.viewport_size
        height = page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight, ...Array.from("
            "document.querySelectorAll('body, body *')).filter(e => e.scrollHeight >"
            " e.clientHeight + 1 && getComputedStyle(e).overflowY.match(/auto|scroll/))"
            ".map(e => e.scrollHeight + e.getBoundingClientRect().top))")
        page.set_viewport_size({"width": size["width"],
                                "height": int(min(max(height, size["height"]), 16000))})
        settle(page)
        try:
            yield
        finally:
            page.set_viewport_size(size)
            settle(page)

    return stretch()


def settle(page) -> None:
    """Let the widgets re-layout after a resize (Lumino does it on animation frames)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() =>"
                  " requestAnimationFrame(() => setTimeout(r, 100))))")


def screenshot(page, name: str) -> Path:
    """A full-page screenshot in test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    with _stretched(page):
        page.screenshot(path=str(path), full_page=True)
    return path


def element_screenshot(page, selector: str, name: str) -> Path:
    """A screenshot of one element (e.g. ``.tk-app``) and everything drawn inside it
    (its content may overflow its box) in test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    with _stretched(page):
        box = page.evaluate(
            """(sel) => { const el = document.querySelector(sel);
              const r = el.getBoundingClientRect();
              let bottom = r.bottom, right = r.right;
              for (const d of el.querySelectorAll('*')) {
                const b = d.getBoundingClientRect();
                if (b.width && b.height && d.checkVisibility()) {  // not in a closed <details>
                  bottom = Math.max(bottom, b.bottom); right = Math.max(right, b.right); } }
              return {x: r.left, y: r.top + window.scrollY, width: right - r.left,
                      height: bottom - r.top}; }""", selector)
        box = {k: max(0, v) for k, v in box.items()}
        box["height"] += 8
        page.screenshot(path=str(path), full_page=True, clip=box)
    return path


def read_reflection(data_dir: Path, lesson: str, slug: str) -> dict | None:
    path = Path(data_dir) / "reflections" / lesson / f"{slug}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
