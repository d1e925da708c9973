"""The README documents what the project promises: the two commands, every CLI command,
every lever, every lesson; CI calls the README's test command."""

import re
from pathlib import Path

from teachkit.cli import build_parser
from teachkit.levers import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    assert "make serve" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call the README's test command"
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^serve:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_every_cli_command_is_in_the_readme():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name in sub.choices:
        assert f"teachkit {name}" in README, f"'teachkit {name}' is not documented"


def test_every_lever_is_documented_with_label_tooltip_and_source():
    for name, spec in REGISTRY.items():
        assert f"`{name}`" in README, f"lever {name!r} is missing from the README"
        assert spec.label and spec.tooltip.endswith(".") and spec.source


def test_every_lesson_is_listed():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"notebooks/{notebook.name}" in README, f"{notebook.name} is not in the README"


def test_the_screenshot_exists():
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / image).is_file(), f"README shows a missing image: {image}"
