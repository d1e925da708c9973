"""Every bad argument is one line on stderr and exit code 2, before anything runs; an
output file is never replaced without --force; the token stays off command lines."""

from __future__ import annotations

import os
import shlex
import socket
from pathlib import Path

import pytest

from teachkit.cli import main, serve_environment, voila_command


def _one_line(capsys, argv, expected: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("teachkit: error: ") and expected in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


@pytest.fixture
def a_file(tmp_path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("not a folder")
    return path


@pytest.fixture
def unwritable(tmp_path) -> Path:
    """A folder this process cannot write to (root writes anywhere but /proc/sys)."""
    if os.geteuid() == 0:
        return Path("/proc/sys")
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    return folder


def test_cohort_out_under_a_file(capsys, a_file):
    _one_line(capsys, ["cohort", "--n", "50", "--out", str(a_file / "c.csv")],
              f"{str(a_file)!r} is a file, not a folder. Pass a path in a folder")


def test_cohort_out_in_an_unwritable_folder(capsys, unwritable):
    _one_line(capsys, ["cohort", "--n", "50", "--out", str(unwritable / "c.csv")],
              "is not writable. Pass a path in a folder you can write to.")


def test_a_write_the_system_refuses_is_one_line_and_leaves_nothing(capsys, tmp_path,
                                                                    monkeypatch):
    import teachkit.io

    def refuse(cohort, path):
        Path(path).write_text("half")
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(teachkit.io, "save_cohort", refuse)
    assert main(["cohort", "--n", "50", "--out", str(tmp_path / "c.csv")]) == 2
    err = capsys.readouterr().err  # progress lines, then the error
    assert err.strip().splitlines()[-1].startswith("teachkit: error: Permission denied (")
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "no half-written file is left"


def test_cohort_never_overwrites_without_force(capsys, tmp_path):
    out = tmp_path / "c.csv"
    out.write_text("the instructor's own file")
    _one_line(capsys, ["cohort", "--n", "50", "--out", str(out)],
              f"--out {str(out)!r} exists already. Pass --force to replace it")
    assert out.read_text() == "the instructor's own file"
    (tmp_path / "d.csv").mkdir()
    _one_line(capsys, ["cohort", "--n", "50", "--out", str(tmp_path / "d.csv")],
              "is a folder. Pass a file name.")
    assert main(["cohort", "--n", "50", "--out", str(out), "--force"]) == 0
    assert out.read_text().startswith("patient_id") or "," in out.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "d.csv"]


def test_serve_data_dir_under_a_file(capsys, a_file):
    _one_line(capsys, ["serve", "--dry-run", "--data-dir", str(a_file / "reflections")],
              f"{str(a_file)!r} is a file, not a folder.")


@pytest.mark.parametrize("argv, expected", [
    (["--port", "0"], "--port must be a whole number from 1 to 65535. Got 0 instead."),
    (["--port", "70000"], "--port must be a whole number from 1 to 65535. Got 70000"),
    (["--cull-idle", "-5"], "--cull-idle must be 0 (never) or more seconds. Got -5"),
])
def test_bad_serve_numbers(capsys, tmp_path, argv, expected):
    _one_line(capsys, ["serve", "--dry-run", "--data-dir", str(tmp_path), *argv], expected)


@pytest.mark.parametrize("option, value", [("--timeout", "nan"), ("--cell-timeout", "inf"),
                                           ("--timeout", "Infinity"), ("--cell-timeout", "NaN")])
def test_time_limits_must_be_finite(capsys, tmp_path, option, value):
    _one_line(capsys, ["grade", str(tmp_path), f"{option}={value}"],
              f"{option} must be a finite number. Got")
    assert list(tmp_path.iterdir()) == [], "nothing was graded"


def test_a_busy_port_is_one_line_and_starts_nothing(capsys, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        _one_line(capsys, ["serve", "--port", str(port), "--data-dir", str(tmp_path)],
                  f"--port {port} is not free on 127.0.0.1 (Address already in use)")


def test_an_address_not_of_this_machine_is_one_line(capsys, tmp_path):
    _one_line(capsys, ["serve", "--host", "203.0.113.7", "--data-dir", str(tmp_path)],
              "--host '203.0.113.7' cannot be served from this machine")  # TEST-NET-3


def test_the_token_is_off_the_command_line_and_url_encoded(capsys, tmp_path):
    token = "room 7/&?=#é"
    assert main(["serve", "--dry-run", "--lan", "--token", token, "--data-dir",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "?token=room%207%2F%26%3F%3D%23%C3%A9 " in out
    command = out.strip().splitlines()[-1]
    assert token not in command and "room 7" not in command and "room%207" not in command
    assert "--Voila.auto_token=True" in shlex.split(command)
    env = serve_environment(tmp_path, token=token)
    assert env["TEACHKIT_VOILA_TOKEN"] == token
    assert "TEACHKIT_VOILA_TOKEN" not in serve_environment(tmp_path)


def test_loopback_turns_the_host_check_on(tmp_path):
    loopback = " ".join(voila_command(tmp_path, host="127.0.0.1", port=1, pool_size=0,
                                      cull_idle_seconds=60))
    assert "'allow_remote_access': False" in loopback
    assert "'local_hostnames': ['localhost']" in loopback
    lan = " ".join(voila_command(tmp_path, host="0.0.0.0", port=1, pool_size=0,
                                 cull_idle_seconds=60, with_token=True))
    assert "allow_remote_access" not in lan and "--Voila.auto_token=True" in lan
