"""The hub keeps trainees apart: each attack a logged-in trainee tried is attempted here
through the running hub of ``conftest.py`` (and, for what the API cannot reach, as the
trainee's own system account inside their server's own mount namespace), and must fail.

- write a notebook through their server's contents API and open it in Voila;
- overwrite (or delete, or rename) ``00_orientation.ipynb``, which the next trainee runs;
- open anything outside the lessons (the hub's database, the checkout, /etc);
- read another trainee's reflections, through the hub or on disk, or meet their files
  in /tmp.
"""

from __future__ import annotations

import base64
import json
import pwd
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from hub_helpers import ROOT
from teachkit_hub import account_name

pytestmark = pytest.mark.slow

LESSON = "00_orientation.ipynb"
ROGUE = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                    "outputs": [],
                    "source": "import os; open(os.path.expanduser('~/owned'), 'w')"}],
         "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


class Trainee:
    """A trainee's browser session, logged in to the hub, their server started."""

    def __init__(self, hub: dict, name: str):
        self.url, self.name, self.hub = hub["url"], name, hub
        self.http = requests.Session()
        self.http.get(f"{self.url}/hub/login", timeout=30)
        self.http.post(f"{self.url}/hub/login?next=",
                       data={"username": name, "password": "any password",
                             "_xsrf": self.http.cookies.get("_xsrf", path="/hub/")},
                       timeout=180)
        deadline = time.monotonic() + 180
        while not self._ready():
            assert time.monotonic() < deadline, f"{name}'s server did not start:\n" \
                f"{hub['log']()}"
            time.sleep(1)
        # The landing page: the hub's OAuth hands the server's cookies to this session.
        page = self.http.get(f"{self.url}/user/{name}/", timeout=60)
        assert page.status_code == 200 and "/voila/tree" in page.url, page.url
        self.xsrf = next(c.value for c in self.http.cookies
                         if c.name == "_xsrf" and c.path == f"/user/{name}/")

    def _ready(self) -> bool:
        reply = self.http.get(f"{self.url}/hub/api/users/{self.name}", timeout=30)
        return reply.status_code == 200 and bool(
            reply.json().get("servers", {}).get("", {}).get("ready"))

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to their own server's API, as their browser would send it."""
        headers = {"X-XSRFToken": self.xsrf, **kwargs.pop("headers", {})}
        kwargs.setdefault("allow_redirects", False)
        return self.http.request(method, f"{self.url}/user/{self.name}/{path}",
                                 headers=headers, timeout=60, **kwargs)

    @property
    def account(self) -> pwd.struct_passwd:
        return pwd.getpwnam(account_name(self.name))

    def server_pid(self) -> int:
        """The trainee's Jupyter server process (running as their account)."""
        uid = self.account.pw_uid
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                if (proc.stat().st_uid == uid
                        and b"jupyterhub.singleuser" in (proc / "cmdline").read_bytes()):
                    return int(proc.name)
            except OSError:
                continue
        raise AssertionError(f"no server runs as {self.account.pw_name}")

    def run(self, code: str) -> subprocess.CompletedProcess:
        """Python ``code`` as the trainee's account inside their server's mount
        namespace: what their server's process could do if it ran code."""
        entry = self.account
        return subprocess.run(
            ["nsenter", "-t", str(self.server_pid()), "-m", "-S", str(entry.pw_uid),
             "-G", str(entry.pw_gid), sys.executable, "-c", code],
            capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def trainees(hub):
    """Two trainees who log in together, as a room does (their servers start at once)."""
    with ThreadPoolExecutor(2) as pool:
        return tuple(pool.map(lambda name: Trainee(hub, name), ("trainee-a", "trainee-b")))


def _refused(reply: requests.Response) -> bool:
    return reply.status_code in (400, 403, 404, 405)


def test_a_notebook_written_through_the_api_cannot_be_opened_in_voila(hub, trainees):
    a, _ = trainees
    attempts = {
        "save": a.api("PUT", "api/contents/rogue.ipynb",
                      json={"type": "notebook", "format": "json", "content": ROGUE}),
        "upload": a.api("PUT", "api/contents/rogue2.ipynb", json={
            "type": "file", "format": "base64",
            "content": base64.b64encode(json.dumps(ROGUE).encode()).decode()}),
        "new": a.api("POST", "api/contents", json={"type": "notebook"}),
        "copy": a.api("POST", "api/contents", json={"copy_from": LESSON}),
        "folder": a.api("PUT", "api/contents/sub", json={"type": "directory"}),
    }
    assert all(_refused(r) for r in attempts.values()), \
        {k: r.status_code for k, r in attempts.items()}
    assert sorted(p.name for p in hub["lessons"].iterdir()) == \
        sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    for name in ("rogue.ipynb", "rogue2.ipynb", "Untitled.ipynb"):
        assert _refused(a.api("GET", f"voila/render/{name}"))
    assert not list(hub["state"].glob("homes/*/owned")), "the rogue notebook ran"


def test_a_lesson_cannot_be_overwritten_deleted_or_renamed(hub, trainees):
    a, _ = trainees
    lesson = hub["lessons"] / LESSON
    before = lesson.read_bytes()
    changed = json.loads(before)
    changed["cells"].insert(0, ROGUE["cells"][0])
    attempts = {
        "overwrite": a.api("PUT", f"api/contents/{LESSON}",
                           json={"type": "notebook", "format": "json", "content": changed}),
        "delete": a.api("DELETE", f"api/contents/{LESSON}"),
        "rename": a.api("PATCH", f"api/contents/{LESSON}", json={"path": "old.ipynb"}),
        "checkpoint": a.api("POST", f"api/contents/{LESSON}/checkpoints"),
    }
    assert all(_refused(r) for r in attempts.values()), \
        {k: r.status_code for k, r in attempts.items()}
    assert lesson.read_bytes() == before == (ROOT / "notebooks" / LESSON).read_bytes()
    # On disk too: the served copy is root's and read-only to the trainee's account.
    folder = str(hub["lessons"])
    tried = a.run(
        "import os\n"
        f"for path, mode in [({str(lesson)!r}, 'ab'), ({folder + '/new.ipynb'!r}, 'w')]:\n"
        "    try:\n"
        "        open(path, mode).close(); print('WROTE', path)\n"
        "    except PermissionError:\n"
        "        print('refused')\n"
        f"try:\n    os.rename({str(lesson)!r}, {folder + '/x'!r}); print('RENAMED')\n"
        "except PermissionError:\n    print('refused')\n")
    assert tried.stdout.split() == ["refused"] * 3, tried.stdout + tried.stderr
    assert lesson.read_bytes() == before


def test_nothing_outside_the_lessons_can_be_opened(hub, trainees):
    a, _ = trainees
    listing = a.api("GET", "api/contents").json()
    assert sorted(x["name"] for x in listing["content"]) == \
        sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    outside = ["api/contents/..%2Fhub%2Fjupyterhub.sqlite", "api/contents/..%2F..",
               "files/..%2Fhub%2Fjupyterhub_cookie_secret", "files/%2Fetc%2Fpasswd",
               "voila/render/..%2F..%2Fsolutions", "voila/tree/..%2Fhomes",
               "lab", "tree", "terminals/1", "api/terminals", "edit/" + LESSON]
    replies = {path: a.api("GET", path, allow_redirects=True) for path in outside}
    leaked = {p: (r.status_code, r.url) for p, r in replies.items() if not _refused(r)}
    assert not leaked, leaked
    assert _refused(a.api("POST", "api/terminals"))
    assert _refused(a.api("POST", "api/sessions", json={
        "path": "x.ipynb", "type": "notebook", "kernel": {"name": "python3"}}))


def test_a_trainee_cannot_read_another_trainees_data(hub, trainees):
    a, b = trainees
    # Trainee B's notes, where their lessons keep them (their TEACHKIT_HOME).
    notes = Path(b.account.pw_dir) / "teachkit" / "reflections-b.json"
    written = b.run(f"open({str(notes)!r}, 'w').write('private'); "
                    "open('/tmp/from-b', 'w').write('b was here')")
    assert written.returncode == 0, written.stderr
    # Through the hub: A's session reaches only A's server.
    for path in ("api/contents", "voila/tree", "api/kernels"):
        reply = a.http.get(f"{a.url}/user/{b.name}/{path}", timeout=60,
                           allow_redirects=False)
        assert reply.status_code != 200 or "private" not in reply.text, path
        assert reply.status_code in (302, 403, 404), (path, reply.status_code)
    # As A's account, in A's server's mount namespace.
    tried = a.run(
        "import os\n"
        f"for attempt in (lambda: open({str(notes)!r}).read(),\n"
        f"                lambda: os.listdir({b.account.pw_dir!r}),\n"
        f"                lambda: os.listdir({str(notes.parent.parent.parent)!r})):\n"
        "    try:\n"
        "        print('READ', attempt())\n"
        "    except PermissionError:\n"
        "        print('refused')\n"
        "print(os.path.exists('/tmp/from-b'))\n")
    lines = tried.stdout.splitlines()
    assert lines[:3] == ["refused"] * 3, tried.stdout + tried.stderr
    assert lines[3] == "False", "B's /tmp is A's"
    assert not Path("/tmp/from-b").exists()
    # Each trainee's home is theirs alone.
    for trainee in (a, b):
        home = Path(trainee.account.pw_dir)
        assert home.stat().st_uid == trainee.account.pw_uid
        assert home.stat().st_mode & 0o777 == 0o700
    assert a.account.pw_uid != b.account.pw_uid != 0
