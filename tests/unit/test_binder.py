"""The Binder link: derived from the repository; it opens the lessons environment.yml serves."""

import importlib.util
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("binder_link", ROOT / "scripts" / "binder_link.py")
binder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(binder)


@pytest.mark.parametrize("remote", [
    "https://github.com/clinic-lab/teach.kit.git", "https://github.com/clinic-lab/teach.kit",
    "git@github.com:clinic-lab/teach.kit.git", "ssh://git@github.com/clinic-lab/teach.kit.git",
    "clinic-lab/teach.kit",
])
def test_link_names_the_repository_it_is_derived_from(remote):
    link = binder.binder_link(remote)
    assert urlsplit(link).path == "/v2/gh/clinic-lab/teach.kit/HEAD"


@pytest.mark.parametrize("remote", ["https://gitlab.com/a/b", "a/b/c", "", "../x", "a b/c"])
def test_a_remote_binder_cannot_build_is_refused(remote):
    with pytest.raises(ValueError, match="GitHub"):
        binder.binder_link(remote)


def test_link_opens_the_lessons_folder_in_voila():
    query = parse_qs(urlsplit(binder.binder_link("a/b")).query)
    path = unquote(query["urlpath"][0])
    assert path.startswith("voila/tree/")
    folder = ROOT / path.removeprefix("voila/tree/")
    assert sorted(folder.glob("0*.ipynb")), f"{folder} holds no lessons"


def test_binder_builds_what_the_link_needs():
    env = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s+- voila", env, re.M), "Binder's environment must install Voila"
    assert re.search(r"^\s+- -e \.\s*$", env, re.M), "Binder's environment must install teachkit"
    start = (ROOT / "start").read_text()
    assert "jupyter_data" in start and (ROOT / "start").stat().st_mode & 0o111


def test_readme_names_no_guessed_repository():
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"https://mybinder\.org/v2/gh/([^/\s)]+/[^/\s)]+)/", readme)
    assert links and all(link == "OWNER/REPO" for link in links), links
    assert "scripts/binder_link.py" in readme


def test_script_says_plainly_when_there_is_no_remote(capsys):
    assert binder.main(["not a repo"]) == 2
    assert "GitHub" in capsys.readouterr().err


def test_script_examples_run():
    import doctest

    result = doctest.testmod(binder, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0
