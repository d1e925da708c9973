"""Print the Binder link that opens this repository's lessons in Voila.

Binder builds an environment from ``environment.yml`` and runs ``start`` (which points
Jupyter at teachkit's Voila template), then opens ``urlpath``: the lessons' folder in Voila.
The link names the GitHub repository it builds, so it is derived from this checkout's
``origin`` remote rather than written by hand::

    python scripts/binder_link.py                 # from `git remote get-url origin`
    python scripts/binder_link.py OWNER/REPO      # or name the repository
    python scripts/binder_link.py --ref v1.0      # a tag or branch instead of HEAD
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
#: The folder Binder opens in Voila: the lessons.
LESSONS_URLPATH = "voila/tree/notebooks"
_GITHUB = re.compile(
    r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$")
_SLUG = re.compile(r"^(?P<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?P<repo>[A-Za-z0-9._-]+)$")


def github_slug(remote: str) -> str:
    """``owner/repo`` from a GitHub remote URL (https or ssh) or an ``owner/repo`` slug.

    >>> github_slug("git@github.com:clinic/teachkit.git")
    'clinic/teachkit'
    >>> github_slug("https://gitlab.com/clinic/teachkit")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Binder builds GitHub repositories: 'https://gitlab.com/clinic/teachkit' is ...
    """
    remote = remote.strip()
    match = _GITHUB.match(remote) or _SLUG.match(remote)
    if not match:
        raise ValueError(f"Binder builds GitHub repositories: {remote!r} is not a GitHub URL "
                         "or an OWNER/REPO name.")
    return f"{match['owner']}/{match['repo']}"


def binder_link(slug: str, ref: str = "HEAD") -> str:
    """The mybinder.org link that opens the lessons of ``slug`` at ``ref`` in Voila.

    >>> binder_link("clinic/teachkit")
    'https://mybinder.org/v2/gh/clinic/teachkit/HEAD?urlpath=voila%2Ftree%2Fnotebooks'
    """
    return (f"https://mybinder.org/v2/gh/{github_slug(slug)}/{quote(ref, safe='')}"
            f"?urlpath={quote(LESSONS_URLPATH, safe='')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repository", nargs="?", help="OWNER/REPO (default: the origin remote)")
    parser.add_argument("--ref", default="HEAD", help="branch, tag or commit (default: HEAD)")
    args = parser.parse_args(argv)
    remote = args.repository
    if remote is None:
        found = subprocess.run(["git", "remote", "get-url", "origin"], cwd=ROOT,
                               capture_output=True, text=True)
        if found.returncode != 0:
            print("binder_link: this checkout has no 'origin' remote; name the repository: "
                  "scripts/binder_link.py OWNER/REPO", file=sys.stderr)
            return 2
        remote = found.stdout
    try:
        print(binder_link(remote, args.ref))
    except ValueError as error:
        print(f"binder_link: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
