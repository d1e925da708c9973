"""How the suite is shared between two pytest-xdist workers (``make test``).

``make test`` runs ``pytest -n 2 --dist loadgroup``: each test file is one unit of work
(its module fixtures, and a notebook's cells in order, stay in one process), and every
test that starts a server or a browser is in one unit, ``servers``, so those run one
at a time in one worker, as they did before the suite was split: one Voila server and
one Chromium for the session (tests/browser/conftest.py), the JupyterHub, the
``teachkit serve`` processes. The other worker takes the remaining files meanwhile.

Run without ``-n`` (a single file, ``python -m pytest tests/unit/test_x.py``), no
group is set. Either way, the off-machine requests the browser tests' pages attempted
are reported at the end, from the file the process that opened the pages wrote.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Test files (relative to the checkout) that start a server, a browser or a hub.
SERVERS = ("tests/browser/", "tests/hub/", "tests/cli/test_serve_fork.py",
           "tests/cli/test_serve_process.py", "tests/cli/test_serve_token.py")
SERVERS_GROUP = "servers"
_STARTED = pytest.StashKey[float]()


def work_unit(path: Path) -> str:
    """The xdist group of the tests in ``path``: ``servers`` or the file itself."""
    try:
        name = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:  # a file outside the checkout (a test of a temporary folder)
        return str(path)
    return SERVERS_GROUP if name.startswith(SERVERS) else name


def _distributed(config) -> bool:
    return config.pluginmanager.hasplugin("xdist") and getattr(
        config.option, "dist", "no") == "loadgroup"


def pytest_collection_modifyitems(config, items):
    if not _distributed(config):
        return
    for item in items:
        item.add_marker(pytest.mark.xdist_group(work_unit(Path(str(item.path)))))


#: Written by tests/browser/conftest.py (harness.BLOCKED_REPORT) in the process that
#: opened the pages, which under xdist is not this one: reported from the file.
BLOCKED_REPORT = ROOT / "test-artifacts" / "blocked-requests.json"


def pytest_sessionstart(session):
    session.config.stash[_STARTED] = time.time()


def pytest_terminal_summary(terminalreporter, config):
    """Report the off-machine requests the browser tests' pages attempted (all were
    aborted), when browser tests ran in this session."""
    started = config.stash.get(_STARTED, None)
    if started is None or not BLOCKED_REPORT.exists() \
            or BLOCKED_REPORT.stat().st_mtime < started:
        return
    attempts = json.loads(BLOCKED_REPORT.read_text())
    terminalreporter.section("browser: off-machine requests attempted (all aborted)")
    if not attempts:
        terminalreporter.write_line("none")
    for url, lessons in attempts.items():
        terminalreporter.write_line(f"{url}  (lessons {', '.join(lessons)})")
    terminalreporter.write_line(f"(also written to {BLOCKED_REPORT.relative_to(ROOT)})")
