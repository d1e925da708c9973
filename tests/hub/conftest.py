"""One JupyterHub for the hub tests: ``jupyterhub -f jupyterhub/jupyterhub_config.py`` on
free loopback ports (the dummy authenticator, teachkit's spawner, configurable-http-proxy
from npm beside the Python environment, as ``scripts/setup.sh hub`` installs it).

Without root, the proxy or jupyterhub the tests are skipped with a hint, except in CI
(``CI`` set), where they fail. The hub's whole process tree, the trainees' system
accounts it made and its folder are removed at the end.
"""

from __future__ import annotations

import os
import pwd
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hub_helpers import CONFIG, hub_missing, skip_or_fail


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
            found.update(kids)
            todo += kids
    return found


def _remove_accounts(state: Path) -> None:
    """The trainees' system accounts this hub made (their homes are in ``state``)."""
    homes = state / "homes"
    for entry in pwd.getpwall():
        if entry.pw_name.startswith("tk-") and Path(entry.pw_dir).parent == homes:
            subprocess.run(["userdel", entry.pw_name], capture_output=True)


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    """JupyterHub on free loopback ports; everything it started is stopped after."""
    skip_or_fail(hub_missing())
    state = tmp_path_factory.mktemp("hub")
    port = _free_port()
    env = dict(os.environ, TEACHKIT_HUB_STATE=str(state), TEACHKIT_HUB_PORT=str(port),
               TEACHKIT_HUB_API_PORT=str(_free_port()),
               TEACHKIT_HUB_PROXY_API_PORT=str(_free_port()), PYTHONUNBUFFERED="1")
    env.pop("TEACHKIT_HUB_PASSWORD", None)
    env.pop("TEACHKIT_HUB_ROSTER", None)
    env.pop("TEACHKIT_HUB_IP", None)
    log_path = state.parent / f"{state.name}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
                            cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    seen: set[int] = set()
    url = f"http://127.0.0.1:{port}"

    def tail() -> str:
        return log_path.read_text(errors="replace")[-5000:]

    try:
        deadline = time.monotonic() + 120
        while True:
            seen.update(_descendants(proc.pid))
            assert proc.poll() is None, f"jupyterhub exited:\n{tail()}"
            try:
                with urllib.request.urlopen(f"{url}/hub/api", timeout=5) as reply:
                    if reply.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            assert time.monotonic() < deadline, f"jupyterhub did not answer:\n{tail()}"
            time.sleep(0.3)
        yield {"url": url, "log": tail, "proc": proc, "seen": seen, "state": state,
               "lessons": state / "lessons"}
    finally:
        seen.update(_descendants(proc.pid))
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # the hub stops the servers and the proxy
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        for pid in [proc.pid, *seen]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        log.close()
        # Trainees' servers run in sessions of their own: stop any left, by account.
        accounts = {e.pw_uid for e in pwd.getpwall() if e.pw_name.startswith("tk-")
                    and Path(e.pw_dir).parent == state / "homes"}
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                uid = int(re.search(r"^Uid:\s+(\d+)", status.read_text(), re.M).group(1))
            except (OSError, AttributeError):
                continue
            if uid in accounts:
                try:
                    os.kill(int(status.parent.name), signal.SIGKILL)
                except OSError:
                    pass
        _remove_accounts(state)
