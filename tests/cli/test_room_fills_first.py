"""A room's lesson pool fills first (issue 19): the other lessons' pools start once the
room's kernels have run their lesson, still get their kernel, and a page of another
lesson asked for meanwhile is served.

The fast tests run Voila's own pooling (``voila_kernel_manager_factory``, as Voila wraps
teachkit's kernel manager) over kernels that only record when they start and when their
"lesson" ran; the last one serves the real lessons.
"""

from __future__ import annotations

import asyncio
import contextvars
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from serve_helpers import kill_all, process_tree
from traitlets.config import Configurable
from voila.voila_kernel_manager import voila_kernel_manager_factory

from teachkit.kernel_pool import RoomKernelManager

ROOM = "01_room.ipynb"
OTHERS = ("00_intro.ipynb", "02_heavy.ipynb", "03_heavy.ipynb")


class _App(Configurable):
    """What Voila's kernel manager reads of its Voila application."""

    notebook_path = None
    base_url = "/"
    server_url = "/"
    port = 8866

    def __init__(self, root_dir: str, **kwargs):
        super().__init__(**kwargs)
        self.root_dir = root_dir


LESSON: contextvars.ContextVar[str] = contextvars.ContextVar("lesson", default="page")


class _Recorded(AsyncMappingKernelManager):
    """Kernels that record their start (and the lesson it is for) and return."""

    events: list

    async def start_kernel(self, kernel_name=None, **kwargs):
        kernel_id = f"k{len(self.fake)}"
        self.fake[kernel_id] = kwargs
        self.events.append(("start", LESSON.get(), kernel_id))
        await asyncio.sleep(0.01)
        return kernel_id

    def get_kernel(self, kernel_id):
        return self.fake[kernel_id]

    async def shutdown_all(self, now=False):
        await asyncio.sleep(0.4)  # kernels take a while to stop


class _Kernels(RoomKernelManager, _Recorded):
    """teachkit's kernel manager over the recorded kernels."""


class _Renderer:
    """A notebook renderer whose lesson takes ``run_s`` seconds of the loop."""

    def __init__(self, path: str, events: list, run_s: float):
        self.notebook_path, self.events, self.run_s = path, events, run_s
        self.notebook = SimpleNamespace(metadata=SimpleNamespace(
            kernelspec=SimpleNamespace(name="python3")))
        self.template_name, self.theme = "teachkit", "light"
        self.stop_generator = False
        self.rendered_cache: list = []

    async def initialize(self):
        await asyncio.sleep(0)

    async def generate_content_hybrid(self, kernel_id, kernel_future):
        await asyncio.sleep(self.run_s)
        self.events.append(("ran", self.notebook_path, kernel_id))
        return [], None


def _manager(root: Path, *, room: int = 4, run_s: float = 0.05, **traits):
    """Voila's pooling kernel manager over :class:`_Kernels`, for the notebooks of
    ``root``: ``room`` kernels for ROOM, one for every other lesson."""
    for name in (ROOM, *OTHERS):
        (root / name).write_text("{}")
    base = voila_kernel_manager_factory(_Kernels, True, 1)
    events: list = []

    class Manager(base):
        def _notebook_renderer_factory(self, notebook_path=None):
            return _Renderer(notebook_path, events, run_s)

        async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
            LESSON.set(notebook_path)  # this pool task's own context
            return await super()._initialize(notebook_path, kernel_id, **kwargs)

    Manager.fake, Manager.events = {}, events
    km = Manager(parent=_App(str(root)), refill_to={ROOM: 1},
                 kernel_pools_config={"default": {"pool_size": 1}, ROOM: {"pool_size": room}},
                 **traits)
    return km, events


async def _fill(root: Path, **kwargs):
    km, events = _manager(root, **kwargs)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sum(e[0] == "ran" for e in events) < 4 + 3:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    pools = {name: len(km._pools.get(name, ())) for name in (ROOM, *OTHERS)}
    return events, pools


def test_the_rooms_kernels_run_their_lesson_before_any_other_lesson_starts(tmp_path,
                                                                          in_own_thread):
    events, pools = in_own_thread(asyncio.run, _fill(tmp_path))
    starts = [e for e in events if e[0] == "start"]
    assert [e[1] for e in starts[:4]] == [ROOM] * 4, events
    room_ran = max(i for i, e in enumerate(events) if e[0] == "ran" and e[1] == ROOM)
    first_other = min(i for i, e in enumerate(events) if e[0] == "start" and e[1] != ROOM)
    assert room_ran < first_other, events
    # ... and every other lesson still gets its preheated kernel, which runs its lesson.
    assert sorted(e[1] for e in events if e[0] == "ran" and e[1] != ROOM) == sorted(OTHERS)
    assert pools == {ROOM: 4, **{name: 1 for name in OTHERS}}


def test_without_room_first_every_pool_starts_at_once(tmp_path, in_own_thread):
    """What Voila does alone (and the order the test above would see without the hold)."""
    events, pools = in_own_thread(asyncio.run, _fill(tmp_path, room_first=False))
    first_ran = next(i for i, e in enumerate(events) if e[0] == "ran")
    assert {e[1] for e in events[:first_ran] if e[0] == "start"} == {ROOM, *OTHERS}
    assert pools == {ROOM: 4, **{name: 1 for name in OTHERS}}


def test_a_page_of_another_lesson_during_the_rooms_fill_gets_a_kernel_at_once(
        tmp_path, in_own_thread):
    """Voila serves a page from the pool only when the lesson has pool data; a held
    lesson has none, so its page starts a kernel of its own, which is never held."""

    async def during_the_fill():
        km, events = _manager(tmp_path, run_s=0.5)
        await asyncio.sleep(0.1)  # the room's kernels are running their lesson
        other = OTHERS[1]
        assert km.get_pool_size(other) == 0 and other not in km.notebook_data
        LESSON.set(other)
        kernel_id = await asyncio.wait_for(km.start_kernel(kernel_name="python3"), 0.3)
        assert not any(e[0] == "ran" and e[1] == ROOM for e in events)
        return kernel_id

    assert in_own_thread(asyncio.run, during_the_fill())


def test_a_server_stopping_during_the_rooms_fill_starts_no_held_pool(tmp_path, in_own_thread):
    async def stop_during_the_fill():
        km, events = _manager(tmp_path, run_s=0.2)
        await asyncio.sleep(0.05)
        await km.shutdown_all()  # the room's lesson runs end while it stops the kernels
        await asyncio.sleep(0.1)
        return events

    events = in_own_thread(asyncio.run, stop_during_the_fill())
    assert {e[1] for e in events if e[0] == "start"} == {ROOM}, events


# -- the real server ----------------------------------------------------------------------
def _lesson(path: Path, code: str) -> None:
    nbformat.write(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell(f"# {path.stem}"),
               nbformat.v4.new_code_cell(code)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}}), path)


def _kernels(pid: int) -> list[int]:
    """The ipykernel processes below ``pid``."""
    return [child for child, line in process_tree(pid).items() if "ipykernel" in line]


@pytest.mark.slow
def test_a_page_of_another_lesson_opened_while_the_room_fills_is_served(tmp_path):
    """A room of two for lesson 00, whose run takes 8 s; lesson 01's page, asked for while
    the room's kernels run, is served at once by a kernel of its own; lesson 01's pool
    gets its kernel once the room's have run."""
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    _lesson(lessons / "00_room.ipynb", "import time\ntime.sleep(8)\nprint('room ran')")
    _lesson(lessons / "01_other.ipynb", "print('the other lesson ran')")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "teachkit.cli", "serve", "--port", str(port),
             "--notebooks", str(lessons), "--data-dir", str(tmp_path / "data"),
             "--trainees", "2", "--lesson", "00", "--no-fork"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    released = "the other lessons' pools fill now"
    try:
        deadline = time.monotonic() + 120
        while len(_kernels(proc.pid)) < 2:  # the room's kernels have started
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "no room kernel in 120 s\n" + log.read_text()
            time.sleep(0.2)
        assert released not in log.read_text(), "the room ran before the page was asked"
        asked = time.monotonic()
        page = urllib.request.urlopen(
            f"http://127.0.0.1:{port}/voila/render/01_other.ipynb", timeout=120).read()
        assert b"the other lesson ran" in page and page.rstrip().endswith(b"</html>")
        assert time.monotonic() - asked < 60
        room = log.read_text()
        assert "Using pre-heated kernel" not in room, "lesson 01 had a pool kernel already"
        # Lesson 01's pool gets its kernel after the room's have run: 2 + the page's + 1.
        while len(_kernels(proc.pid)) < 4 or released not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert "Traceback" not in log.read_text()
    finally:
        family = _kernels(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
        kill_all(family, proc)
