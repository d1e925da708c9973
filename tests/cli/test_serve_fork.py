"""``teachkit serve`` forks trainees' kernels from a warm parent by default, says so when
it cannot, and stops the parent and every forked kernel with itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from serve_helpers import alive, kill_all, process_tree

import teachkit.forking
from teachkit.cli import main
from teachkit.lessons import find_lessons
from teachkit.room import FORK_PARENT_MB, FORKED_KERNEL_MB, KERNEL_MB

ROOT = Path(__file__).resolve().parents[2]
FLAG = "--KernelProvisionerFactory.default_provisioner_name=teachkit-fork"


def _dry_run(capsys, tmp_path, *argv) -> tuple[int, str]:
    code = main(["serve", "--dry-run", "--data-dir", str(tmp_path), *argv])
    return code, capsys.readouterr().out


def test_kernels_are_forked_by_default_where_it_works(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(teachkit.forking, "available", lambda: None)
    code, out = _dry_run(capsys, tmp_path, "--trainees", "30", "--lesson", "01")
    assert code == 0
    assert FLAG in out.strip().splitlines()[-1]
    kernels = 30 + len(find_lessons(ROOT / "notebooks")) - 1
    gb = (kernels * FORKED_KERNEL_MB + FORK_PARENT_MB) / 1000
    assert f"forked from a warm parent: about {gb:.1f} GB of memory" in out
    code, out = _dry_run(capsys, tmp_path, "--trainees", "30", "--lesson", "01",
                         "--no-fork")
    assert code == 0 and FLAG not in out and "forked from" not in out
    assert f"about {kernels * KERNEL_MB / 1000:.1f} GB of memory" in out


def test_where_forking_is_unavailable_it_says_so_once_and_serves_ordinary_kernels(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(teachkit.forking, "available",
                        lambda: "this system (test) cannot fork kernels")
    code, out = _dry_run(capsys, tmp_path)
    assert code == 0 and FLAG not in out
    assert out.count("kernels start the ordinary way: this system (test) cannot fork "
                     "kernels") == 1


def test_forking_is_available_here_once_installed():
    reason = teachkit.forking.available()
    if reason and "not installed" in reason:
        pytest.skip(f"{reason} (this environment predates the entry point)")
    assert reason is None, reason


# -- the real server ----------------------------------------------------------------------
def entry_point_env(folder: Path) -> dict:
    """The environment of a server that finds the ``teachkit-fork`` entry point even when
    this checkout was installed before pyproject.toml declared it (a dist-info of that
    one entry point on PYTHONPATH); a fresh install needs none of this."""
    env = dict(os.environ)
    if teachkit.forking.available() is None:
        return env
    info = folder / "teachkit_fork_entry_point-0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: teachkit-fork-entry-point"
                                   "\nVersion: 0\n")
    (info / "entry_points.txt").write_text(
        f"[{teachkit.forking.PROVISIONER_GROUP}]\n"
        f"{teachkit.forking.ENTRY_POINT} = teachkit.forking.provisioner:ForkingProvisioner\n")
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, str(folder),
                                                      env.get("PYTHONPATH", "")]))
    return env


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forking is Linux-only")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill-9"])
def test_the_parent_and_its_forked_kernels_stop_with_teachkit(tmp_path, stop):
    import socket

    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "00_orientation.ipynb").write_bytes(
        (ROOT / "notebooks" / "00_orientation.ipynb").read_bytes())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "teachkit.cli", "serve", "--port", str(port), "--notebooks",
         str(lessons), "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True, env=entry_point_env(tmp_path / "ep"))
    family: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 300
        while not (any("teachkit.forking.parent" in c for c in family.values())
                   and any("ipykernel_launcher" in c for c in family.values())):
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, f"no forked kernel in 300 s: {family}"
            time.sleep(0.5)
            family.update(process_tree(proc.pid))
        kernel = next(p for p, c in family.items() if "ipykernel_launcher" in c)
        parent = next(p for p, c in family.items() if "teachkit.forking.parent" in c)
        assert "forked by teachkit" in family[kernel]
        assert Path(f"/proc/{kernel}/stat").read_text().rsplit(")", 1)[1].split()[1] == \
            str(parent), "the kernel is the warm parent's child"
        # the lesson renders in a forked kernel (a second one: the first stays pooled)
        page = urllib.request.urlopen(
            f"http://127.0.0.1:{port}/voila/render/00_orientation.ipynb", timeout=300)
        assert b"jupyter-config-data" in page.read()
        family.update(process_tree(proc.pid))
        proc.send_signal(stop)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 90  # Voila asks each kernel to shut down first
        while any(alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = {pid: cmd for pid, cmd in family.items() if alive(pid)}
        assert not left, f"processes outlived {stop!r}: {left}"
    finally:
        kill_all(set(family) | set(process_tree(proc.pid)), proc)
