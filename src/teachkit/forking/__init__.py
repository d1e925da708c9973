"""Trainees' kernels forked from one warm parent, behind Voila.

A room's kernels all import the same stack (pandas, scipy, scikit-learn, matplotlib,
ipykernel) and build the same lesson cohort and models: ~140 MB and several CPU-seconds
each, thirty times over. Here one *parent* does that work once, freezes its objects for
the collector (``gc.freeze``: the children then keep sharing its pages), and forks a
child per kernel; each child becomes an ordinary ipykernel on its own connection file.

- :mod:`teachkit.forking.parent`: the warm parent (``python -m teachkit.forking.parent``):
  warms up, then forks a kernel per request, reaps its children and reports their exits;
- :mod:`teachkit.forking.provisioner`: :class:`ForkingProvisioner`, a jupyter_client
  kernel provisioner (entry point ``teachkit-fork``) that asks the parent for a child and
  manages it as :class:`~jupyter_client.provisioning.LocalProvisioner` manages a process.
  Where forking is unavailable or fails it launches ordinary kernels and says so once;
- :mod:`teachkit.forking.snapshot`: the parent's warm state on disk, so a server started
  again puts back what the last one computed (``TEACHKIT_WARM_SNAPSHOT=0``: off).

What was looked for first (issue 19): ipykernel's "fork kernel" pull requests (#410,
2019; #1261 with jupyter_client #1031, 2024) fork a running kernel on a new message and
were closed unmerged; forkd (a Rust sandbox daemon with a Jupyter recipe) forks a warm
interpreter but is not a provisioner and needs its own daemon; prime-agent's forkserver
is internal to that application. No maintained provisioner does this, so this package
builds only the provisioner and its parent, on jupyter_client's public provisioner API.
"""

from __future__ import annotations

__all__ = ["ENTRY_POINT", "PROVISIONER_GROUP", "available"]

#: The entry point name (pyproject.toml) and group jupyter_client looks it up in.
ENTRY_POINT = "teachkit-fork"
PROVISIONER_GROUP = "jupyter_client.kernel_provisioners"


def available() -> str | None:
    """Why forked kernels cannot be used here, or None when they can.

    Examples
    --------
    >>> available() is None or isinstance(available(), str)
    True
    """
    import os
    import sys
    from importlib.metadata import entry_points

    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return f"this system ({sys.platform}) cannot fork kernels"
    if not entry_points(group=PROVISIONER_GROUP, name=ENTRY_POINT):
        return ("teachkit's kernel provisioner is not installed (run scripts/setup.sh or "
                "pip install -e . again)")
    return None
