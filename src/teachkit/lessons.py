"""The lessons on offer: what each notebook in ``notebooks/`` says about itself.

The landing page of ``teachkit serve`` and the room's pool sizing read the lessons from
the folder, not from a list kept by hand, so a new notebook appears as soon as it is
saved. Each lesson states, in its first markdown cell, its title (``# Lesson NN · ...``),
its length (``*About 25 minutes ...*``) and what the trainee will learn (a bullet list
under ``**What you will learn**``); a notebook's metadata may say the same under
``"teachkit": {"duration_minutes": 25, "objectives": [...]}``, which wins. A notebook
that cannot be read (half-written, not JSON) is still listed, by its file name.

A lesson's exercises say the same about themselves: :mod:`teachkit.exercises` reads the
``LESSON`` / ``SLUG`` / ``TITLE`` that each ``exercises/lessonNN.py`` declares. Both make
the one :class:`Lesson` below, so no list of lessons is kept by hand anywhere.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Lesson", "find_lessons", "read_lesson"]

_NUMBER = re.compile(r"^(\d+)[_-]")
_TITLE_PREFIX = re.compile(r"^\s*(?:lesson\s+\d+\s*[·:.\-–—]\s*)", re.IGNORECASE)
_DURATION = re.compile(r"about\s+(\d+)\s*(?:minutes|min)\b", re.IGNORECASE)
_OBJECTIVES_HEAD = re.compile(r"what you will learn", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_MARKUP = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")


@dataclass(frozen=True)
class Lesson:
    """One lesson: its notebook as the landing page lists it, and its exercises.

    :func:`read_lesson` fills the notebook's side (``path``, ``minutes``, ...), and
    :func:`teachkit.exercises.find_exercises` the exercises' side (``slug``,
    ``module``); a field the reader does not know stays empty.

    Attributes
    ----------
    path : Path or None
        The lesson notebook Voila serves (``notebooks/02_bias_creeps_in.ipynb``).
    number : str
        Its number (``"01"``), from the file name; ``""`` if the name has none.
    title : str
        Its title without the "Lesson NN ·" prefix.
    minutes : int or None
        How long it takes, as the lesson says ("About 25 minutes").
    objectives : tuple of str
        What the trainee will learn, in plain text.
    summary : str
        The first paragraph of the story (shown when a lesson lists no objectives).
    slug : str
        The exercise sheet's name (``"02-bias-creeps-in"``): ``solutions/source/<slug>.py``
        builds ``exercises/<slug>.ipynb``; ``""`` for a lesson without exercises.
    module : str
        The module holding the exercises' problems (``"teachkit.exercises.lesson02"``).
    """

    path: Path | None
    number: str
    title: str
    minutes: int | None = None
    objectives: tuple[str, ...] = field(default_factory=tuple)
    summary: str = ""
    slug: str = ""
    module: str = ""

    @property
    def id(self) -> str:
        """The lesson's number, as the grader and the exercise notebooks name it."""
        return self.number

    @property
    def name(self) -> str:
        """The lesson notebook's file name (what Voila's URLs use)."""
        return self.path.name if self.path is not None else ""

    @property
    def notebook(self) -> str:
        """The exercise sheet's file name, in ``exercises/`` and ``solutions/``."""
        return f"{self.slug}.ipynb"

    @property
    def problems(self) -> tuple:
        """The exercises' problems (imported on first use)."""
        return importlib.import_module(self.module).PROBLEMS

    def as_dict(self) -> dict:
        """Plain data for a template or a JSON page config."""
        return {"name": self.name, "number": self.number, "title": self.title,
                "minutes": self.minutes, "objectives": list(self.objectives),
                "summary": self.summary}


def _plain(text: str) -> str:
    """Markdown emphasis and code marks removed, whitespace collapsed."""
    return " ".join(_MARKUP.sub("", text).split()).rstrip(";.,") or text.strip()


def _objectives(lines: list[str]) -> tuple[str, ...]:
    found, inside = [], False
    for line in lines:
        if not inside:
            inside = bool(_OBJECTIVES_HEAD.search(line))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            found.append(bullet.group(1))
        elif found and line.startswith((" ", "\t")) and line.strip():
            found[-1] += " " + line.strip()  # a bullet continued on the next line
        elif found or line.startswith("#"):
            break
    return tuple(_plain(item) for item in found)


def _summary(lines: list[str]) -> str:
    paragraph: list[str] = []
    for line in [*lines, ""]:
        text = line.strip()
        if not text:
            if paragraph:
                return _plain(" ".join(paragraph)) + "."
            continue
        if (text.startswith(("#", ">", "*", "-", "|", "<")) or _DURATION.search(text)
                or (line[:1].isspace() and not paragraph)):  # a list item's next line
            paragraph = []
            continue
        paragraph.append(text)
    return ""


def read_lesson(path: str | Path) -> Lesson:
    """What one lesson notebook says about itself.

    Parameters
    ----------
    path : path
        A ``.ipynb`` file.

    Returns
    -------
    Lesson
        Never raises for a notebook that cannot be parsed: its title is then made from
        the file name.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> nb = {"cells": [{"cell_type": "markdown", "source": [
    ...     "# Lesson 07 · Rules of the road\\n", "*About 20 minutes*\\n",
    ...     "**What you will learn**\\n", "- what the **EU AI Act** asks;\\n"]}],
    ...     "metadata": {}}
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "07_rules.ipynb"
    >>> _ = p.write_text(json.dumps(nb))
    >>> lesson = read_lesson(p)
    >>> lesson.number, lesson.title, lesson.minutes, lesson.objectives
    ('07', 'Rules of the road', 20, ('what the EU AI Act asks',))
    """
    path = Path(path)
    match = _NUMBER.match(path.name)
    number = match.group(1) if match else ""
    fallback = path.stem[match.end():] if match else path.stem
    fallback = fallback.replace("_", " ").replace("-", " ").strip().capitalize() or path.stem
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook.get("cells", [])
        metadata = notebook.get("metadata", {}) or {}
    except (OSError, ValueError, AttributeError):
        return Lesson(path=path, number=number, title=fallback)
    first = next((c for c in cells if isinstance(c, dict)
                  and c.get("cell_type") == "markdown"), {})
    source = first.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    lines = text.splitlines()
    heading = next((ln.lstrip("#").strip() for ln in lines if ln.startswith("# ")), "")
    title = _TITLE_PREFIX.sub("", str(metadata.get("title") or heading)).strip()
    duration = _DURATION.search(text)
    extra = metadata.get("teachkit", {}) if isinstance(metadata.get("teachkit"), dict) \
        else {}
    minutes = extra.get("duration_minutes", int(duration.group(1)) if duration else None)
    objectives = extra.get("objectives") or _objectives(lines)
    return Lesson(path=path, number=number, title=_plain(title) if title else fallback,
                  minutes=int(minutes) if isinstance(minutes, int | float) else None,
                  objectives=tuple(str(o) for o in objectives), summary=_summary(lines))


def find_lessons(folder: str | Path) -> list[Lesson]:
    """Every lesson notebook in ``folder``, in file-name order (hidden files skipped).

    Examples
    --------
    >>> import tempfile
    >>> find_lessons(tempfile.mkdtemp())
    []
    """
    folder = Path(folder)
    return [read_lesson(p) for p in sorted(folder.glob("*.ipynb"))
            if not p.name.startswith(".")]
