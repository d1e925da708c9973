"""environment.yml (conda, Binder) and pyproject.toml must list the same dependencies."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {_name(d): d.replace(" ", "") for d in deps}


def _environment() -> dict[str, str]:
    deps = {}
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        match = re.match(r"^  - ([^\s#]+)\s*$", line)
        if in_deps and match and match.group(1) not in ("pip", "pip:"):
            spec = match.group(1)
            if not spec.startswith("python"):
                deps[_name(spec)] = spec.replace(" ", "")
    return deps


def test_environment_yml_lists_the_same_packages_as_pyproject():
    py, env = _pyproject(), _environment()
    assert set(py) == set(env), (
        f"only in pyproject.toml: {sorted(set(py) - set(env))}; "
        f"only in environment.yml: {sorted(set(env) - set(py))}"
    )


def test_environment_yml_pins_the_same_versions_as_pyproject():
    py, env = _pyproject(), _environment()
    different = {k: (py[k], env[k]) for k in py if k in env and py[k] != env[k]}
    assert not different, f"version specifiers differ (pyproject, environment.yml): {different}"


def test_environment_yml_installs_teachkit_itself():
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_the_drift_check_can_fail(tmp_path, monkeypatch):
    # A copy of environment.yml without pandas must be seen as drifted.
    text = (ROOT / "environment.yml").read_text().replace("  - pandas>=2.1\n", "")
    fake = tmp_path / "environment.yml"
    fake.write_text(text)
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert "pandas" in set(_pyproject()) - set(_environment())
