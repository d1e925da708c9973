"""Trainees' written reflections, kept on disk so nothing they write is lost.

One small JSON file per trainee and lesson, under ``<data dir>/reflections/<lesson>/``,
written atomically (a temporary file renamed over the old one), so a reload, a kernel
restart or a crash mid-write never loses or corrupts a note. ``collect`` gathers them
for the instructor.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ._validation import TeachkitError

__all__ = ["ReflectionStore", "trainee_slug", "default_store", "default_data_dir"]

_SLUG = re.compile(r"[^a-z0-9]+")


def trainee_slug(name: str) -> str:
    """A file-safe key for a trainee's name ("Dr. Ana López" -> "dr-ana-l-pez").

    Raises TeachkitError for a name with no letters or digits.

    Examples
    --------
    >>> trainee_slug("  Seat 12 ")
    'seat-12'
    """
    slug = _SLUG.sub("-", str(name).strip().lower()).strip("-")[:64]
    if not slug:
        raise TeachkitError(
            f"A trainee's name needs at least one letter or digit. Got {name!r} instead."
        )
    return slug


class ReflectionStore:
    """Reflections on disk, one file per (lesson, trainee).

    Parameters
    ----------
    root : path
        The data folder; files go to ``root/reflections/<lesson>/<trainee>.json``.

    Examples
    --------
    >>> import tempfile
    >>> store = ReflectionStore(tempfile.mkdtemp())
    >>> _ = store.save("01", "Ana", "Missing a crisis hurts the patient most.")
    >>> store.load("01", "ana")
    'Missing a crisis hurts the patient most.'
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, lesson: str, trainee: str) -> Path:
        return self.root / "reflections" / trainee_slug(lesson) / f"{trainee_slug(trainee)}.json"

    def save(self, lesson: str, trainee: str, text: str) -> Path:
        """Write the text atomically and return the file's path."""
        path = self.path(lesson, trainee)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "lesson": lesson,
            "trainee": str(trainee).strip(),
            "text": text,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def load(self, lesson: str, trainee: str) -> str:
        """The saved text, or ``""`` if the trainee has written nothing yet."""
        path = self.path(lesson, trainee)
        if not path.exists():
            return ""
        return json.loads(path.read_text(encoding="utf-8")).get("text", "")

    def collect(self) -> pd.DataFrame:
        """Every reflection, for the instructor: lesson, trainee, saved_at, text."""
        rows = []
        for path in sorted((self.root / "reflections").glob("*/*.json")):
            try:
                rows.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return pd.DataFrame(rows, columns=["lesson", "trainee", "saved_at", "text"])


def default_data_dir() -> Path:
    """Where trainees' work is kept: ``$TEACHKIT_HOME`` (``teachkit serve`` sets it), else
    ``~/.local/share/teachkit``."""
    env = os.environ.get("TEACHKIT_HOME")
    return Path(env) if env else Path.home() / ".local" / "share" / "teachkit"


def default_store() -> ReflectionStore:
    """The store in :func:`default_data_dir`."""
    return ReflectionStore(default_data_dir())
