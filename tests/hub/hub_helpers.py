"""What the hub tests share: where the hub's config and proxy are, and whether a hub can
run here (root, the proxy, jupyterhub)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "jupyterhub" / "jupyterhub_config.py"
# The proxy scripts/setup.sh installs beside the Python environment (.venv/node), found
# from the interpreter, so a worktree without its own .venv uses the main one's.
PROXY = Path(sys.prefix) / "node" / "node_modules" / ".bin" / "configurable-http-proxy"

sys.path.insert(0, str(ROOT / "jupyterhub"))  # teachkit_hub
sys.path.insert(0, str(ROOT / "tests" / "browser"))  # harness


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def hub_missing() -> str | None:
    """Why a hub cannot run here (None: it can)."""
    if os.geteuid() != 0:
        return ("the hub runs each trainee as a system account of their own, so its "
                "tests need root (run them as root, e.g. in a container).")
    if not PROXY.exists() and not shutil.which("configurable-http-proxy"):
        return ("configurable-http-proxy is not installed: `make test` installs it "
                "(scripts/setup.sh: npm install into .venv/node).")
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "jupyterhub is missing: `make test` installs it (pip install -e '.[test]')."
    return None


def skip_or_fail(message: str | None) -> None:
    if message:
        if in_ci():
            pytest.fail(f"The JupyterHub tests cannot run in CI: {message}", pytrace=False)
        pytest.skip(message)
