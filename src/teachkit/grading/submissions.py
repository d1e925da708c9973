"""Finding and reading submissions without trusting them.

A submissions folder holds one notebook per trainee, or one folder per trainee. Anything
in it may be hostile or broken, so this module:

- refuses symbolic links and special files (a link could point at the solutions or at
  another trainee's work; a FIFO would block a reader forever): each becomes that
  trainee's status, never a file that is read;
- checks a file's size on the open file before reading it, and reads at most the cap;
- turns file names that are not UTF-8 (an archive made on another system) into readable
  names, and gives every distinct name its own file key (:func:`trainee_key`), so two
  trainees never share a result or a feedback file;
- reads a notebook's lesson id whatever the metadata holds.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Submission", "find_submissions", "read_notebook", "trainee_key", "clean_text",
           "display_name", "MAX_NOTEBOOK_BYTES"]

MAX_NOTEBOOK_BYTES = 20_000_000
#: How deep, and how many entries, a trainee's folder is searched for a notebook.
MAX_DEPTH, MAX_ENTRIES = 4, 2_000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text) -> str:
    """``text`` as a string that can be written as UTF-8: lone surrogates become U+FFFD.

    Examples
    --------
    >>> clean_text("a\\ud800b") == "a\\ufffdb"
    True
    """
    return _SURROGATE.sub("\ufffd", str(text))


def display_name(name: str) -> str:
    """A file name as readable text: a name that is not UTF-8 is read as Windows-1252.

    Examples
    --------
    >>> display_name(os.fsdecode(b"caf\\xe9"))
    'café'
    """
    raw = os.fsencode(name) if _escapes_only(name) else None
    if raw is None:
        return clean_text(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return clean_text(raw.decode("cp1252", "replace"))


def _escapes_only(text: str) -> bool:
    try:
        os.fsencode(text)
        return True
    except UnicodeEncodeError:
        return False


def trainee_key(name: str) -> str:
    """A file-safe key, distinct for every distinct name (the feedback and result file).

    A plain ASCII id keeps its own name; any other name gets a readable part and a short
    hash of the whole name, so "José", "Josè" and "Jos" never share a file.

    Examples
    --------
    >>> trainee_key("alice"), trainee_key("José")
    ('alice', 'Jos-24c2ab65b7')
    """
    readable = _UNSAFE.sub("-", name).strip(".-_")[:40] or "trainee"
    if readable == name:
        return name
    raw = os.fsencode(name) if _escapes_only(name) else name.encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(raw).hexdigest()[:10]
    return f"{readable}-{digest}"


@dataclass(frozen=True)
class Submission:
    """One trainee's submission.

    ``trainee`` is the name shown in the gradebook (always valid text); ``key`` names
    its files; ``path`` is the notebook (None: nothing to grade); ``refused`` says why a
    file was not read (a link, a special file).
    """

    trainee: str
    key: str
    path: Path | None
    refused: str | None = None


def _kind(mode: int) -> str | None:
    """None for a regular file or folder, else what the entry is (in plain words)."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "a special file (a pipe, socket or device)"


def _search(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Regular files under ``folder`` (never following links), and what was refused."""
    files, refused, stack, seen = [], [], [(folder, 0)], 0
    while stack:
        here, depth = stack.pop()
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                return files, refused
            if entry.name.startswith(".") or entry.name == ".ipynb_checkpoints":
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            what = _kind(mode)
            if what:
                refused.append((Path(entry.path), what))
            elif stat.S_ISDIR(mode):
                if depth < MAX_DEPTH:
                    stack.append((Path(entry.path), depth + 1))
            else:
                files.append(Path(entry.path))
    return sorted(files), refused


def find_submissions(folder: Path) -> list[Submission]:
    """One submission per trainee: a sub-folder per trainee, or a file per trainee."""
    subs = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        name = entry.name
        if name.startswith((".", "_")) or name.endswith("-graded"):
            continue
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue
        path = Path(entry.path)
        stem = name if stat.S_ISDIR(mode) else path.stem
        trainee = display_name(stem)
        what = _kind(mode)
        if what:
            subs.append(Submission(trainee, trainee_key(stem), None,
                                   f"{clean_text(name)} is {what}; links and special files "
                                   "are not graded. Submit the notebook file itself."))
        elif stat.S_ISDIR(mode):
            files, refused = _search(path)
            pick = [p for p in files if p.suffix == ".ipynb"] or files
            why = None
            if not pick and refused:
                link, what = refused[0]
                why = (f"{clean_text(link.name)} is {what}; links and special files are not "
                       "graded. Submit the notebook file itself.")
            subs.append(Submission(trainee, trainee_key(stem), pick[0] if pick else None,
                                   why))
        else:
            subs.append(Submission(trainee, trainee_key(stem), path))
    return subs


def read_bytes(path: Path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """At most ``limit`` bytes of a regular file, never following a link or blocking.

    Raises
    ------
    ValueError
        When the path is not a regular file, or the file is larger than ``limit``.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{clean_text(path.name)} is not a regular file.")
        if info.st_size > limit:
            raise ValueError(f"The file is larger than {limit // 1_000_000} MB: not a lesson "
                             "notebook.")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"The file is larger than {limit // 1_000_000} MB: not a lesson "
                         "notebook.")
    return data


def sha256_of(path: Path | None) -> str:
    """The file's hash (empty for no file, or one that cannot be read safely)."""
    if path is None:
        return ""
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()
    except (OSError, ValueError):
        return "unreadable"


def read_notebook(path: Path | None):
    """The notebook's lesson id and code cells, or an error sentence if it is not one.

    Returns ``(lesson, cells, problem)``: ``problem`` is None for a readable notebook.
    """
    import nbformat

    if path is None:
        return None, None, "The trainee's folder holds no file."
    name = clean_text(path.name)
    try:
        text = read_bytes(path).decode("utf-8")
    except ValueError as exc:
        reason = str(exc) if "larger" in str(exc) or "regular" in str(exc) else \
            f"{name} is not UTF-8 text."
        return None, None, reason
    except OSError as exc:
        return None, None, f"{name} could not be opened ({exc.strerror or 'error'})."
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        cells = [c.source for c in nb.cells if c.cell_type == "code"]
        if not all(isinstance(c, str) for c in cells):
            raise TypeError("cell source")
    except Exception as exc:  # noqa: BLE001  any unreadable file is simply not a notebook
        return None, None, (f"{name} is not a Jupyter notebook that can be read "
                            f"({type(exc).__name__}).")
    meta = nb.get("metadata")
    meta = meta.get("teachkit") if isinstance(meta, dict) else None
    lesson = meta.get("lesson") if isinstance(meta, dict) else None
    if not isinstance(lesson, str | int) or isinstance(lesson, bool):
        lesson = None
    return (clean_text(lesson)[:20] if lesson is not None else None), cells, None
