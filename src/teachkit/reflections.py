"""Trainees' written reflections, kept on disk so nothing they write is lost.

One small JSON file per trainee and lesson, under ``<data dir>/reflections/<lesson>/``,
written atomically (a temporary file renamed over the old one), so a reload, a kernel
restart or a crash mid-write never loses or corrupts a note. ``collect`` gathers them
for the instructor.

- **One file per distinct name.** Names are compared as people type them: case, accents'
  composition (NFC) and separators (spaces, hyphens, dots) aside, "Dr. Ana López" and
  "dr ana lópez" are one trainee, "José" and "Jos" are two. Any script is welcome
  (Cyrillic, Chinese, Arabic...); a name that is not plain ASCII, or is long, gets a
  readable part and a hash of the whole name (:func:`trainee_slug`).
- **Two tabs, one name.** Every save carries the revision it started from; a save that
  finds a newer revision on disk (another tab wrote meanwhile) keeps both texts, paragraph
  by paragraph, and says so (:attr:`SaveResult.merged`). No paragraph is dropped.
- **A size cap** (:data:`MAX_CHARS`) with a message; the text is never cut.
- Temporary files of a killed save are never read as notes, and are removed once stale.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ._validation import TeachkitError

if TYPE_CHECKING:  # pandas is imported by collect(), for the instructor, not by a save
    import pandas as pd

__all__ = ["ReflectionStore", "SaveResult", "trainee_slug", "trainee_identity",
           "merge_texts", "default_store", "default_data_dir", "MAX_CHARS", "MAX_NAME"]

#: Longest reflection kept, in characters (about 30 pages of text).
MAX_CHARS = 100_000
#: Longest name, in characters.
MAX_NAME = 120
#: A temporary file older than this (seconds) is left from a killed save: removed.
STALE_TMP_SECONDS = 600
_SEPARATORS = re.compile(r"[\s\-_.,;:'’]+")
_PLAIN = re.compile(r"[a-z0-9]+( [a-z0-9]+)*")
_LEGACY_SLUG = re.compile(r"[^a-z0-9]+")
_TMP_PREFIX = ".tmp-"


def trainee_identity(name: str) -> str:
    """Who a name means: NFC, case-folded, separators collapsed to one space.

    Raises TeachkitError for a name with no letters or digits, or a very long one.

    Examples
    --------
    >>> trainee_identity("  Dr. Ana  LÓPEZ "), trainee_identity("Дарья")
    ('dr ana lópez', 'дарья')
    """
    text = unicodedata.normalize("NFC", str(name)).casefold()
    identity = _SEPARATORS.sub(" ", text).strip()
    if not any(ch.isalnum() for ch in identity):
        raise TeachkitError(
            f"A trainee's name needs at least one letter or digit. Got {name!r} instead.")
    if len(identity) > MAX_NAME:
        raise TeachkitError(f"A trainee's name must be at most {MAX_NAME} characters. Got "
                            f"{len(identity)} characters instead.")
    return identity


def trainee_slug(name: str) -> str:
    """The file name (without ``.json``) of a trainee's reflections: one per identity.

    Examples
    --------
    >>> trainee_slug("  Seat 12 "), trainee_slug("José"), trainee_slug("Jos")
    ('seat-12', 'jos-d994e1d001', 'jos')
    """
    identity = trainee_identity(name)
    if len(identity) <= 64 and _PLAIN.fullmatch(identity):
        return identity.replace(" ", "-")
    readable = _LEGACY_SLUG.sub("-", identity).strip("-")[:40] or "name"
    return f"{readable}-{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:10]}"


def _legacy_slug(name: str) -> str:
    """The file name the first version used (lossy: kept only to find old notes)."""
    return _LEGACY_SLUG.sub("-", str(name).strip().lower()).strip("-")[:64]


def merge_texts(theirs: str, ours: str) -> str:
    """Both texts, paragraph by paragraph: ours first, then theirs' paragraphs ours lacks.

    A paragraph that is the beginning of another (a tab saved it mid-sentence) is kept
    only in its longer form, so nothing written is dropped and nothing is doubled.

    Examples
    --------
    >>> merge_texts("One.\\n\\nTwo from the other tab.", "One.\\n\\nThree, here")
    'One.\\n\\nThree, here\\n\\nTwo from the other tab.'
    >>> merge_texts("I thin", "I think so.")
    'I think so.'
    """
    def paragraphs(text):
        return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]

    pool = []
    for p in paragraphs(ours) + paragraphs(theirs):
        if p not in pool:
            pool.append(p)
    kept = [p for p in pool if not any(q != p and q.startswith(p) for q in pool)]
    return "\n\n".join(kept)


@dataclass(frozen=True)
class SaveResult:
    """What a save did: where, which revision, the text on disk, and whether it merged."""

    path: Path
    revision: int
    text: str
    merged: bool = False


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

    def _read(self, path: Path) -> dict | None:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def _record(self, lesson: str, trainee: str) -> tuple[Path, dict | None]:
        """The trainee's record, found under its file or (once) under the old file name."""
        path = self.path(lesson, trainee)
        record = self._read(path) if path.exists() else None
        if record is None:
            legacy = path.with_name(f"{_legacy_slug(trainee)}.json")
            if legacy != path and legacy.exists():
                old = self._read(legacy)
                try:
                    same = old is not None and \
                        trainee_identity(old.get("trainee", "")) == trainee_identity(trainee)
                except TeachkitError:
                    same = False
                if same:
                    record = old
        return path, record

    def load_record(self, lesson: str, trainee: str) -> tuple[str, int]:
        """The saved text and its revision (``("", 0)`` if nothing is saved yet)."""
        _, record = self._record(lesson, trainee)
        if record is None:
            return "", 0
        return str(record.get("text", "")), int(record.get("revision", 1) or 1)

    def load(self, lesson: str, trainee: str) -> str:
        """The saved text, or ``""`` if the trainee has written nothing yet."""
        return self.load_record(lesson, trainee)[0]

    def save(self, lesson: str, trainee: str, text: str, *,
             base_revision: int | None = None) -> SaveResult:
        """Write the text atomically; merge with a newer revision another tab saved.

        Parameters
        ----------
        base_revision : int, default=None
            The revision this text was based on (from :meth:`load_record` or the last
            save). When the file holds a newer one, both texts are kept
            (:func:`merge_texts`) and the result says ``merged=True``. None: overwrite.

        Raises
        ------
        TeachkitError
            When the text is longer than :data:`MAX_CHARS` (nothing is written).
        OSError
            When the folder cannot be written (nothing is changed).
        """
        text = str(text)
        if len(text) > MAX_CHARS:
            raise TeachkitError(
                f"Your notes are {len(text):,} characters long; the limit is "
                f"{MAX_CHARS:,}. They were NOT saved: shorten them (your text is still "
                "here).")
        path = self.path(lesson, trainee)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.parent / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _, current = self._record(lesson, trainee)
            revision = int(current.get("revision", 1) or 1) if current else 0
            merged = False
            if current and base_revision is not None and revision != base_revision:
                theirs = str(current.get("text", ""))
                if theirs.strip() and theirs.strip() != text.strip():
                    text, merged = merge_texts(theirs, text), True
            record = {
                "lesson": lesson,
                "trainee": str(trainee).strip(),
                "text": text,
                "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "revision": revision + 1,
            }
            self._write(path, record)
            legacy = path.with_name(f"{_legacy_slug(trainee)}.json")
            if legacy != path and current is not None and legacy.exists() and \
                    self._read(legacy) == current:
                legacy.unlink(missing_ok=True)  # moved to its own file: one row per name
        self._clean(path.parent)
        return SaveResult(path, revision + 1, text, merged)

    @staticmethod
    def _write(path: Path, record: dict) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TMP_PREFIX, suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogatepass") as handle:
                json.dump(record, handle, ensure_ascii=True, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def _clean(folder: Path) -> None:
        """Remove temporary files left by killed saves (once they are surely stale)."""
        now = time.time()
        for tmp in folder.glob(f"{_TMP_PREFIX}*"):
            try:
                if now - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                    tmp.unlink()
            except OSError:
                pass

    def collect(self) -> pd.DataFrame:
        """Every reflection, for the instructor: lesson, trainee, saved_at, text.

        Hidden files (temporary files of a killed save, the lock) are not notes.
        """
        rows = []
        folders = sorted(p for p in (self.root / "reflections").glob("*") if p.is_dir())
        for folder in folders:
            self._clean(folder)
            for path in sorted(folder.glob("*.json")):
                if path.name.startswith("."):
                    continue
                record = self._read(path)
                if record is not None:
                    rows.append(record)
        import pandas as pd

        return pd.DataFrame(rows, columns=["lesson", "trainee", "saved_at", "text"])


def default_data_dir() -> Path:
    """Where trainees' work is kept: ``$TEACHKIT_HOME`` (``teachkit serve`` sets it), else
    ``~/.local/share/teachkit``."""
    env = os.environ.get("TEACHKIT_HOME")
    return Path(env) if env else Path.home() / ".local" / "share" / "teachkit"


def default_store() -> ReflectionStore:
    """The store in :func:`default_data_dir`."""
    return ReflectionStore(default_data_dir())
