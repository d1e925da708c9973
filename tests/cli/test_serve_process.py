"""``teachkit serve`` as a process: it answers on its port, only to requests addressed
to this machine, and SIGTERM or even ``kill -9`` stops Voila and every kernel with it
(nothing is left holding the port or the memory)."""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from serve_helpers import alive, kill_all

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, set()).add(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def _status(port: int, path: str, host: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill-9"])
def test_voila_and_its_kernels_stop_with_teachkit_and_loopback_checks_the_host(
        tmp_path, stop):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(ROOT / "notebooks" / "00_orientation.ipynb", lessons)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "teachkit.cli", "serve", "--port", str(port), "--notebooks",
         str(lessons), "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    family: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "teachkit serve did not answer in 90 s"
                time.sleep(0.5)
        while len(family := _descendants(proc.pid)) < 2:  # Voila and the lesson's kernel
            assert time.monotonic() < deadline, f"only {len(family)} processes started"
            time.sleep(0.5)
        # DNS rebinding: a page from another site that resolves to 127.0.0.1 sends its
        # own name as Host; Voila answers only this machine's names.
        for host in ("localhost", "127.0.0.1", "[::1]"):
            assert _status(port, "/", f"{host}:{port}") == 200, host
        for path in ("/", "/voila/render/00_orientation.ipynb", "/voila/tree"):
            assert _status(port, path, f"rebind.example:{port}") == 403, path
        # SIGTERM: teachkit stops Voila; SIGKILL: teachkit cannot, Voila's parent-death
        # signal does.
        proc.send_signal(stop)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in family if alive(pid)], f"processes outlived {stop!r}"
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    finally:
        kill_all(family | _descendants(proc.pid), proc)
