"""The Zero to JupyterHub recipe (jupyterhub/kubernetes/values.yaml) parses and agrees
with the one-machine hub: the same lock-down, landing page and environment, paths that
exist in the image (this repository), guarantees that cover the measured figures, and an
image environment (environment.yml) whose every package is installed here at a version it
allows. No cluster, helm or repo2docker runs here (the recipe's README says so)."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
import teachkit_hub
from hub_helpers import CONFIG, ROOT
from traitlets.config import Config

yaml = pytest.importorskip("yaml")

VALUES = ROOT / "jupyterhub" / "kubernetes" / "values.yaml"
REPO_DIR = "/home/jovyan"  # where repo2docker puts the repository in the image
#: Jupyter server + Voila of one trainee, PSS in MB (bench_room.py: ~130).
SERVER_MB = 130


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Config:
    """jupyterhub_config.py's settings, read without starting anything (its checks for
    root and its copy of the lessons are stood in for)."""
    c = Config()
    saved = (teachkit_hub.check_room, teachkit_hub.publish_lessons)
    teachkit_hub.check_room = lambda **kwargs: None
    teachkit_hub.publish_lessons = lambda *args: None
    import os

    state = tmp_path_factory.mktemp("hub-state")
    old = os.environ.get("TEACHKIT_HUB_STATE")
    os.environ["TEACHKIT_HUB_STATE"] = str(state)
    try:
        exec(compile(CONFIG.read_text(), str(CONFIG), "exec"),
             {"get_config": lambda: c, "__file__": str(CONFIG), "__name__": "config"})
    finally:
        teachkit_hub.check_room, teachkit_hub.publish_lessons = saved
        if old is None:
            os.environ.pop("TEACHKIT_HUB_STATE", None)
        else:
            os.environ["TEACHKIT_HUB_STATE"] = old
    return c


def test_the_trainees_lock_down_is_the_one_machine_hubs(values, hub):
    args = values["hub"]["config"]["KubeSpawner"]["args"]
    assert args == teachkit_hub.trainee_server_args(fork=True)
    assert [a for a in args if "teachkit-fork" not in a] == \
        [a for a in hub.Spawner.args if "teachkit-fork" not in a]
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] != "dummy"
    egress = values["singleuser"]["networkPolicy"]["egressAllowRules"]
    assert values["singleuser"]["networkPolicy"]["enabled"] is True
    assert egress["nonPrivateIPs"] is False and egress["cloudMetadataServer"] is False


def test_trainees_land_on_the_lessons_in_voila_with_the_hubs_environment(values, hub):
    single = values["singleuser"]
    assert single["defaultUrl"] == hub.Spawner.default_url == "/voila/tree"
    env = single["extraEnv"]
    for name in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH"):
        assert env[name].startswith(REPO_DIR + "/")
        assert env[name] == hub.Spawner.environment[name].replace(str(ROOT), REPO_DIR)
    assert env["OMP_NUM_THREADS"] == hub.Spawner.environment["OMP_NUM_THREADS"]
    image_paths = [env["JUPYTER_PATH"], env["JUPYTER_CONFIG_PATH"], env["PYTHONPATH"],
                   single["notebookDir"]]
    for path in image_paths:  # the repository is the image's /home/jovyan
        assert (ROOT / Path(path).relative_to(REPO_DIR)).is_dir(), path
    assert (ROOT / Path(env["PYTHONPATH"]).relative_to(REPO_DIR) / "teachkit_hub.py").exists()
    assert single["storage"]["homeMountPath"] == env["TEACHKIT_HOME"]
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] == 7200


def _mb(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([KMG]?)", text).groups()
    return float(number) * {"K": 1 / 1000, "M": 1, "G": 1000, "": 1e-6}[unit]


def test_guarantees_cover_the_measured_figures(values):
    from teachkit.room import FORK_PARENT_MB, FORKED_KERNEL_MB

    single = values["singleuser"]
    guarantee, limit = _mb(single["memory"]["guarantee"]), _mb(single["memory"]["limit"])
    assert guarantee >= SERVER_MB + FORK_PARENT_MB + 2 * FORKED_KERNEL_MB
    assert limit >= guarantee + 200  # lesson 05's shap
    assert 0 < single["cpu"]["guarantee"] <= single["cpu"]["limit"]


def test_the_images_environment_resolves_here():
    """Every package environment.yml names is installed in this environment at a version
    it allows (conda-forge's own resolution is not run here)."""
    from packaging.requirements import Requirement

    spec = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = [d for d in spec["dependencies"] if isinstance(d, str)]
    assert any(d.startswith("python") for d in names)
    wrong = []
    for text in names:
        requirement = Requirement(text.replace(" ", ""))
        if requirement.name in ("python", "pip"):
            continue
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            wrong.append(f"{requirement.name} is not installed")
            continue
        if installed not in requirement.specifier:
            wrong.append(f"{requirement.name} {installed} is not {requirement.specifier}")
    assert not wrong, wrong
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip, "repo2docker installs teachkit (and its entry points) from here"
