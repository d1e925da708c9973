"""``teachkit serve`` with a token: without the token a page shows nothing of the
lessons; with it (once, in the address) the landing page lists every lesson. Given in
``TEACHKIT_TOKEN``, it is on no process's command line nor in the kernels' environment."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cmdline(proc: Path) -> bytes:
    return _read(proc / "cmdline")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_pages_need_the_token(tmp_path):
    port, token = _free_port(), "workshop-room-7"
    proc = subprocess.Popen(
        [sys.executable, "-m", "teachkit.cli", "serve", "--port", str(port),
         "--pool-size", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True, env=dict(os.environ, TEACHKIT_TOKEN=token))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/login", timeout=2).read()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "teachkit serve did not answer in 90 s"
                time.sleep(0.3)
        # No command line on the machine shows it (other users can read them all).
        shown = [pid for pid in Path("/proc").glob("[0-9]*")
                 if token.encode() in _cmdline(pid)]
        assert not shown, [_cmdline(pid) for pid in shown]
        anonymous = urllib.request.urlopen(f"{base}/", timeout=10).read().decode()
        assert 'class="tk-lesson"' not in anonymous
        with urllib.request.urlopen(f"{base}/voila/render/00_orientation.ipynb",
                                    timeout=10) as refused:  # sent to the login form
            assert "/login" in refused.url
            assert "kernelId" not in refused.read().decode()

        # A trainee's browser: the token once in the address, then a cookie.
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{base}/?token={token}", timeout=10).read().decode()
        notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
        assert page.count('class="tk-lesson"') == len(notebooks)
        assert f"?token={token}" in page, "lesson links keep the token for a new tab"
        again = opener.open(f"{base}/", timeout=10).read().decode()
        assert again.count('class="tk-lesson"') == len(notebooks)
        # A lesson's kernel (the lesson's code runs there) does not inherit the token.
        opener.open(f"{base}/voila/render/00_orientation.ipynb", timeout=120).read()
        kernels = [p for p in Path("/proc").glob("[0-9]*")
                   if b"ipykernel" in _cmdline(p) and str(tmp_path).encode()
                   in _read(p / "environ")]
        assert kernels, "no kernel started"
        assert all(token.encode() not in _read(p / "environ") for p in kernels)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
