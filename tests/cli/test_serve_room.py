"""``teachkit serve`` for a workshop room: the pool sized to the trainees, the refill
capped, a token off loopback, the landing page's lesson list (no server needed)."""

from __future__ import annotations

import ast
import asyncio
import json
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from teachkit.cli import main, voila_command
from teachkit.kernel_pool import RoomKernelManager
from teachkit.lessons import find_lessons, read_lesson
from teachkit.room import page_config_hook, pool_sizes, refill_size, room_plan

ROOT = Path(__file__).resolve().parents[2]


def _dry_run(capsys, tmp_path, *argv) -> tuple[int, str, str]:
    code = main(["serve", "--dry-run", "--data-dir", str(tmp_path), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_trainees_size_the_pool_of_the_opening_lesson(tmp_path, capsys):
    code, out, _ = _dry_run(capsys, tmp_path, "--trainees", "30", "--lesson", "01")
    assert code == 0
    cmd = shlex.split(out.strip().splitlines()[-1])
    config = next(part for part in cmd if "kernel_pools_config" in part)
    pools = ast.literal_eval(config.split("=", 1)[1])  # the literal passed to Voila
    assert pools["01_meet_the_cohort.ipynb"] == {"pool_size": 30}
    assert pools["default"] == {"pool_size": 1}
    assert ("--VoilaConfiguration.multi_kernel_manager_class="
            "teachkit.kernel_pool.RoomKernelManager") in cmd
    assert "--RoomKernelManager.refill_to={'01_meet_the_cohort.ipynb': 3}" in cmd
    lessons = len(find_lessons(ROOT / "notebooks"))
    assert f"preheating {30 + lessons - 1} kernels (30 for 01_meet_the_cohort.ipynb)" in out
    assert "--KernelManager.transport=ipc" in out and "cull_idle_timeout" in out
    assert "token" not in out.lower(), "loopback needs no token"


def test_one_command_with_no_options_still_serves_one_kernel_per_lesson(tmp_path, capsys):
    code, out, _ = _dry_run(capsys, tmp_path)
    assert code == 0
    assert "--pool_size=1" in out and "kernel_pools_config" not in out
    assert "RoomKernelManager.refill_to" not in out  # no room: nothing to refill small
    assert "http://localhost:8866/" in out and "disable_check_xsrf" in out


def test_lan_serves_the_network_behind_a_token(tmp_path, capsys):
    code, out, _ = _dry_run(capsys, tmp_path, "--lan")
    assert code == 0
    assert "--Voila.ip=0.0.0.0" in out and "--Voila.auto_token=True" in out
    token = out.split("?token=", 1)[1].split()[0]
    assert len(token) >= 12
    assert f":8866/?token={token}" in out and "localhost" not in out.split("open ")[1][:30]
    assert token not in out.strip().splitlines()[-1], "the token is on no command line"
    # Behind the token, the page's shutdown beacon is accepted (a closed tab frees its
    # kernel); without one off loopback it would not be.
    assert "disable_check_xsrf" in out
    code, out, _ = _dry_run(capsys, tmp_path, "--lan", "--token", "room-42-secret")
    assert "?token=room-42-secret" in out
    assert "room-42-secret" not in out.strip().splitlines()[-1]


def test_a_host_off_loopback_always_gets_a_token(tmp_path):
    cmd = voila_command(tmp_path, host="0.0.0.0", port=1, pool_size=1, cull_idle_seconds=60)
    assert not any("disable_check_xsrf" in part for part in cmd)
    assert main(["serve", "--dry-run", "--host", "0.0.0.0", "--data-dir",
                 str(tmp_path)]) == 0


@pytest.mark.parametrize("argv, message", [
    (["--trainees", "0"], "--trainees must be a whole number from 1 to 200. Got 0"),
    (["--trainees", "10", "--lesson", "42"], "--lesson must name a lesson served"),
    (["--lesson", "01"], "--lesson needs --trainees"),
    (["--token", " "], "--token must not be empty"),
    (["--pool-size", "-1"], "--pool-size must be 0 or more. Got -1"),
])
def test_bad_room_options_give_one_line(argv, message, tmp_path, capsys):
    code, out, err = _dry_run(capsys, tmp_path, *argv)
    assert code == 2
    assert err.startswith("teachkit: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_pool_sizes_and_refill():
    lessons = find_lessons(ROOT / "notebooks")
    sizes = pool_sizes(lessons, trainees=20, opening=["00", "01_meet_the_cohort.ipynb"])
    assert sizes["00_orientation.ipynb"] == sizes["01_meet_the_cohort.ipynb"] == 20
    assert all(n == 1 for name, n in sizes.items() if not name.startswith(("00", "01")))
    assert pool_sizes(lessons, trainees=5)[lessons[0].name] == 5  # the first by default
    assert [refill_size(n) for n in (1, 10, 11, 40)] == [1, 1, 2, 4]


def test_room_plan_warns_when_memory_is_short():
    lines = room_plan({"a.ipynb": 40}, cpus=2, available_mb=4000)
    assert lines[0].startswith("preheating 40 kernels (40 for a.ipynb): about 8.0 GB")
    assert lines[-1].startswith("WARNING: only 4.0 GB of memory is free")


def test_room_kernel_manager_caps_the_refill_once():
    km = RoomKernelManager(refill_to={"01.ipynb": 3})
    km.kernel_pools_config = {"default": {"pool_size": 1}, "01.ipynb": {"pool_size": 30}}
    km.trim_pools()
    assert km.kernel_pools_config == {"default": {"pool_size": 1},
                                      "01.ipynb": {"pool_size": 3}}
    km.kernel_pools_config["01.ipynb"]["pool_size"] = 7
    km.trim_pools()  # only once: the initial pools were queued before the first start
    assert km.kernel_pools_config["01.ipynb"]["pool_size"] == 7


# -- the landing page's data --------------------------------------------------------------
def test_every_lesson_states_its_title_and_length():
    lessons = find_lessons(ROOT / "notebooks")
    assert [ls.name for ls in lessons] == sorted(p.name for p in
                                                 (ROOT / "notebooks").glob("*.ipynb"))
    for lesson in lessons:
        assert lesson.number and lesson.title and not lesson.title.startswith("Lesson")
        assert lesson.minutes, f"{lesson.name} does not say how long it takes"
        assert lesson.objectives or lesson.summary, f"{lesson.name}: no objectives"


def _notebook(path: Path, source, metadata=None) -> Path:
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": source}],
                                "metadata": metadata or {}}))
    return path


def test_a_new_or_broken_notebook_does_not_break_the_list(tmp_path):
    _notebook(tmp_path / "05_explain_it.ipynb", "# Lesson 05 · Explain it to me\n"
              "*About 30 minutes*\n\n**What you will learn**\n- what a `SHAP` value says;\n"
              "- what it *cannot* say.\n\n## The story\n")
    (tmp_path / "06_half_written.ipynb").write_text('{"cells": [')
    _notebook(tmp_path / "07_rules.ipynb", "# Rules", {"title": "Lesson 07 · Rules of the road",
              "teachkit": {"duration_minutes": 20, "objectives": ["the EU AI Act"]}})
    (tmp_path / ".hidden.ipynb").write_text("{}")
    lessons = find_lessons(tmp_path)
    assert [ls.as_dict() for ls in lessons] == [
        {"name": "05_explain_it.ipynb", "number": "05", "title": "Explain it to me",
         "minutes": 30, "objectives": ["what a SHAP value says", "what it cannot say"],
         "summary": ""},
        {"name": "06_half_written.ipynb", "number": "06", "title": "Half written",
         "minutes": None, "objectives": [], "summary": ""},
        {"name": "07_rules.ipynb", "number": "07", "title": "Rules of the road",
         "minutes": 20, "objectives": ["the EU AI Act"], "summary": ""},
    ]
    assert read_lesson(tmp_path / "missing.ipynb").title == "Missing"


def test_page_config_hook_lists_lessons_on_folder_pages_and_keeps_mathjax_local():
    class Contents:
        root_dir = str(ROOT)

    folder = page_config_hook({"fullMathjaxUrl": "https://cdn.example/mathjax.js"},
                              settings={"contents_manager": Contents()},
                              notebook_path="notebooks")
    assert folder["fullMathjaxUrl"] is None and folder["mathjaxConfig"] is None
    assert [x["name"] for x in folder["teachkitLessons"]] == \
        [ls.name for ls in find_lessons(ROOT / "notebooks")]
    assert folder["teachkitLessons"][0]["path"] == "notebooks/00_orientation.ipynb"
    page = page_config_hook({}, settings={}, notebook_path="notebooks/01.ipynb")
    assert "teachkitLessons" not in page and page["fullMathjaxUrl"] is None


def test_a_kernel_still_starting_is_never_culled(in_own_thread):
    """Jupyter Server lists a kernel one event-loop turn before it records the kernel's
    last activity; a look for idle kernels in that turn raised TraitError (CI log)."""
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
    from traitlets import TraitError

    km = RoomKernelManager(cull_idle_timeout=1)
    starting = ServerKernelManager(kernel_name="python3")
    with pytest.raises(TraitError):  # the state the guard is for
        _ = starting.last_activity
    km._kernels["starting"] = starting
    def look():
        return in_own_thread(asyncio.run, km.cull_kernel_if_idle("starting"))

    look()  # no TraitError
    assert "starting" in km._kernels

    # An idle kernel is still culled: the guard skips only kernels still starting.
    shut = []

    async def shutdown(kernel_id, now=False, restart=False):
        shut.append(kernel_id)

    km.shutdown_kernel = shutdown
    starting.last_activity = datetime.now(UTC) - timedelta(seconds=60)
    starting.execution_state = "idle"
    look()
    assert shut == ["starting"]


def test_the_server_alone_leaves_out_the_slow_iri_parser(tmp_path):
    """Voila's server starts with SERVER_PATH first on its path (jsonschema then leaves
    out its "iri" checker and the parser it builds); its config takes the folder off
    before any kernel starts, and the warm parent never gets it."""
    import os
    import subprocess
    import sys

    from teachkit.cli import SERVER_PATH, drop_server_path, serve_environment

    env = serve_environment(tmp_path)
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(SERVER_PATH)
    probe = ("import sys, jsonschema\n"
             "print('rfc3987_syntax' in sys.modules, "
             "'iri' in jsonschema.FormatChecker().checkers)")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout.split()
    assert out == ["False", "False"]
    # Voila's config, as Voila runs it, takes the folder off its environment.
    config = (ROOT / "src/teachkit/jupyter_data/config/voila.py").read_text()
    script = ("import os, traitlets.config\n"
              "get_config = traitlets.config.get_config\n"
              f"exec(compile({config!r}, 'voila.py', 'exec'))\n"
              "print('PYTHONPATH=' + os.environ.get('PYTHONPATH', ''))")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout.splitlines()
    assert out[-1].startswith("PYTHONPATH=")  # empty when only the folder was on it
    assert str(SERVER_PATH) not in out[-1]
    kernel_env = dict(env)
    drop_server_path(kernel_env)
    assert str(SERVER_PATH) not in kernel_env.get("PYTHONPATH", "")


def test_only_a_room_has_its_warm_parent_prepare_lever_states(tmp_path, monkeypatch):
    from teachkit.cli import serve_environment
    from teachkit.forking.parent import PREPARE_ENV

    monkeypatch.setenv(PREPARE_ENV, "1")  # left over in the instructor's shell
    assert PREPARE_ENV not in serve_environment(tmp_path)
    assert serve_environment(tmp_path, room=True)[PREPARE_ENV] == "1"
