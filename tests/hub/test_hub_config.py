"""The hub's start-up checks and the pieces of its isolation that need no running hub:
the refusal to serve the network without a password (as the real ``jupyterhub`` command
meets it), accounts, the read-only lessons, the folders each trainee sees privately."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
import teachkit_hub
from hub_helpers import CONFIG, ROOT
from teachkit_hub import (
    account_name,
    check_room,
    hidden_folders,
    is_loopback,
    publish_lessons,
    read_roster,
    write_roster,
)


def test_the_hub_refuses_the_network_without_a_password(tmp_path):
    env = dict(os.environ, TEACHKIT_HUB_IP="0.0.0.0", TEACHKIT_HUB_STATE=str(tmp_path))
    env.pop("TEACHKIT_HUB_PASSWORD", None)
    env.pop("TEACHKIT_HUB_ROSTER", None)
    done = subprocess.run([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
                          env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    wanted = ("TEACHKIT_HUB_IP=0.0.0.0 serves the network, which needs "
              "TEACHKIT_HUB_ROSTER" if os.geteuid() == 0 else "start the hub as root")
    assert wanted in done.stderr, done.stderr[-2000:]
    assert not (tmp_path / "hub").exists(), "nothing is set up before the checks pass"


@pytest.mark.parametrize("ip", ["0.0.0.0", "192.168.1.20", "::", "hub.example.org"])
def test_check_room_wants_a_password_off_loopback(ip, monkeypatch):
    monkeypatch.setattr(teachkit_hub.os, "geteuid", lambda: 0)
    with pytest.raises(SystemExit, match="which needs TEACHKIT_HUB_ROSTER .* or "
                                         "TEACHKIT_HUB_PASSWORD"):
        check_room(ip=ip, authenticated=False)


def test_check_room_wants_root(monkeypatch):
    monkeypatch.setattr(teachkit_hub.os, "geteuid", lambda: 1000)
    with pytest.raises(SystemExit, match=r"start the hub as root \(sudo make hub\)"):
        check_room(ip="127.0.0.1", authenticated=True)


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.9.9.9", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("10.0.0.2", False), ("example.org", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_accounts_are_distinct_valid_unix_names():
    names = ["trainee-07", "Trainee-07", "josé", "jose", "jos", "李雷", "x" * 200,
             "a b", "../root", ""]
    accounts = [account_name(n) for n in names]
    assert len(set(accounts)) == len(names)
    for account in accounts:
        assert account.startswith("tk-") and len(account) <= 32
        assert account.replace("-", "").isalnum() and account.isascii()


def test_published_lessons_are_a_read_only_copy_of_the_lessons_only(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "00_a.ipynb").write_text("{}")
    (source / "notes.md").write_text("not a lesson")
    (source / ".hidden.ipynb").write_text("{}")
    (source / "link.ipynb").symlink_to(tmp_path / "elsewhere.ipynb")
    (tmp_path / "elsewhere.ipynb").write_text("{}")
    target = tmp_path / "lessons"
    assert publish_lessons(source, target) == ["00_a.ipynb"]
    (source / "00_a.ipynb").unlink()
    (source / "01_b.ipynb").write_text("{}")
    assert publish_lessons(source, target) == ["01_b.ipynb"]  # a removed lesson goes
    assert [p.name for p in target.iterdir()] == ["01_b.ipynb"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o555
    assert stat.S_IMODE((target / "01_b.ipynb").stat().st_mode) == 0o444


def test_each_trainee_gets_private_temporary_folders_and_sees_only_what_is_needed(
        tmp_path, monkeypatch):
    needed = ["/tmp/hub/lessons", str(ROOT / "src")]
    hidden = hidden_folders(needed)
    # Shown again in the private /tmp: what is needed under it (CI may clone into /tmp).
    assert hidden["/tmp"] == [path for path in needed if path.startswith("/tmp/")]
    assert hidden["/var/tmp"] == [] and hidden["/dev/shm"] == []
    # The highest folder others cannot enter above a needed path is covered, and only
    # that path shows in it.
    closed = tmp_path / "closed"
    (closed / "python" / "lib").mkdir(parents=True)
    closed.chmod(0o700)
    monkeypatch.setattr(teachkit_hub, "PRIVATE_TMP", ())
    hidden = hidden_folders([str(closed / "python" / "lib")])
    [(top, shown)] = hidden.items()
    assert str(closed).startswith(top) and not os.stat(top).st_mode & stat.S_IXOTH
    assert shown == [str(closed / "python" / "lib")]


def test_the_hub_module_examples_hold():
    import doctest

    assert doctest.testmod(teachkit_hub).failed == 0


def test_a_roster_gives_each_trainee_a_password_of_their_own(tmp_path, in_own_thread):
    import asyncio

    names = tmp_path / "names.txt"
    names.write_text("Ana\n\nBo Lee\n", encoding="utf-8")
    roster = tmp_path / "roster.csv"
    slips = write_roster(names, roster)
    assert [name for name, _ in slips] == ["Ana", "Bo Lee"]
    assert stat.S_IMODE(roster.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError):
        write_roster(names, roster)  # never over a roster already handed out
    (ana, ana_pw), (bo, bo_pw) = slips
    auth = teachkit_hub.RosterAuthenticator(roster_file=str(roster))

    def login(name, password):
        return in_own_thread(asyncio.run, auth.authenticate(
            None, {"username": name, "password": password}))

    assert login("Ana", ana_pw) == {"name": "ana", "admin": False}
    assert login("bo lee", bo_pw)["name"] == "bo lee"
    assert login("Ana", bo_pw) is None, "a classmate's password opens only their name"
    assert login("Ana", "") is None and login("Cy", ana_pw) is None
    roster.chmod(0o644)  # readable by trainees' accounts: nobody logs in, the hub runs on
    assert login("Ana", ana_pw) is None


@pytest.mark.parametrize("text, message", [
    ("ana,short\n", "line 1 of the roster .* must be name,password"),
    ("ana\n", "line 1 of the roster"),
    ("\n", "names nobody"),
])
def test_a_bad_roster_stops_the_hub_with_one_line(tmp_path, text, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(text)
    roster.chmod(0o600)
    with pytest.raises(SystemExit, match=message):
        read_roster(roster)
    roster.chmod(0o640)
    with pytest.raises(SystemExit, match="can be read by other accounts: chmod 600"):
        read_roster(roster)
