"""The ``teachkit`` command: cohort files, serve's command line, clean one-line errors."""

import subprocess
import sys

import pandas as pd
import pytest

from teachkit.cli import build_parser, main, voila_command
from teachkit.cohort import make_cohort
from teachkit.io import load_cohort


def test_cohort_writes_csv(tmp_path, capsys):
    out = tmp_path / "c.csv"
    assert main(["cohort", "--n", "500", "--seed", "3", "--out", str(out)]) == 0
    written = load_cohort(out)
    expected = make_cohort(500, seed=3)
    assert len(written) == 500
    assert written["phq9_total"].tolist() == expected["phq9_total"].tolist()
    assert "wrote 500 synthetic patients" in capsys.readouterr().err


def test_cohort_writes_parquet_with_the_setting(tmp_path):
    out = tmp_path / "c.parquet"
    assert main(["cohort", "--n", "300", "--setting", "specialty", "--out", str(out)]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out), make_cohort(300, setting="specialty"), check_dtype=False,
        check_categorical=False,
    )


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["cohort", "--n", "0", "--out", "x.csv"], "The 'n' parameter of make_cohort"),
        (["cohort", "--n", "10", "--out", "x.xlsx"], "--out must end in .csv or .parquet"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(argv, expected, capsys, tmp_path,
                                                  monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("teachkit: error: ") and expected in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_non_number_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["cohort", "--n", "many", "--out", "x.csv"])
    assert exc.value.code == 2
    assert "must be a whole number, got 'many'" in capsys.readouterr().err


def test_serve_dry_run_prints_the_url_and_the_voila_command(tmp_path, capsys):
    assert main(["serve", "--dry-run", "--port", "8999", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "http://localhost:8999/" in out
    assert "-m voila" in out and "--port=8999" in out
    assert str(tmp_path) in out


def test_voila_command_for_a_room(tmp_path):
    cmd = voila_command(tmp_path, host="127.0.0.1", port=1234, pool_size=2,
                        cull_idle_seconds=600)
    assert "--preheat_kernel=True" in cmd and "--pool_size=2" in cmd
    assert "--KernelManager.transport=ipc" in cmd
    assert "--MappingKernelManager.cull_idle_timeout=600" in cmd
    assert "--show_tracebacks=False" in cmd and "--strip_sources=True" in cmd
    assert any("disable_check_xsrf" in part for part in cmd)
    lan = voila_command(tmp_path, host="0.0.0.0", port=1234, pool_size=0,
                        cull_idle_seconds=600)
    # Off loopback the XSRF check stays on, and no pool is preheated when asked for none.
    assert not any("disable_check_xsrf" in part for part in lan)
    assert not any("preheat" in part for part in lan)


def test_serve_without_lessons_says_where_it_looked(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--notebooks", str(tmp_path), "--dry-run"]) == 2
    assert "No lessons found" in capsys.readouterr().err


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, command in sub.choices.items():
        assert command.description, f"command {name!r} has no description"
        for action in command._actions:
            if action.dest != "help":
                assert action.help, f"option {action.dest!r} of {name!r} has no help"


def test_the_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "teachkit.cli", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "serve" in out and "cohort" in out


def test_serve_uses_teachkit_template_without_cdn_links(tmp_path, monkeypatch):
    from teachkit.cli import JUPYTER_DATA, serve_environment

    cmd = voila_command(tmp_path, host="127.0.0.1", port=1, pool_size=1, cull_idle_seconds=60)
    assert "--template=teachkit" in cmd
    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere")
    env = serve_environment(tmp_path)
    assert env["JUPYTER_PATH"].split(":") == [str(JUPYTER_DATA), "/elsewhere"]
    assert env["TEACHKIT_HOME"] == str(tmp_path) and env["OMP_NUM_THREADS"] == "1"
    template = JUPYTER_DATA / "voila" / "templates" / "teachkit"
    for name in ("conf.json", "index.html.j2", "page.html"):
        text = (template / name).read_text()
        assert "cdn." not in text and "https://" not in text
