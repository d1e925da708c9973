"""The design-review board's shared state: one SQLite file that many kernels write at once.

Every trainee's page runs in its own kernel (its own process), so a board lives on disk,
under the data folder where reflections are kept (``<data dir>/boards/boards.sqlite3``):

- **WAL mode** (readers never block the writer), a **busy timeout** (a writer waits its
  turn instead of failing) and **one transaction per change** (``BEGIN IMMEDIATE``), so
  thirty votes in the same second are all kept, and a reload or a kernel restart finds
  everything where it was;
- a **revision** per board, raised by every change, so a page polls one integer and
  reloads the board only when it moved;
- **hostile input** is refused with one sentence naming what is wrong and what is
  allowed: a malformed or unknown code, an empty or over-long name, an over-long note,
  a proposal that is not a small table of lever values, a vote for another board's
  proposal.

A member votes for one proposal at a time (a new vote replaces the old one). The board's
agreed deployment is the proposal with the most votes (the earliest on a tie), once more
than half of the members have voted.

Examples
--------
>>> import tempfile
>>> store = BoardStore(tempfile.mkdtemp())
>>> code = store.create_board("Ward 7", seed=1)
>>> code
'6MWUT4'
>>> _ = store.join(code, "Ana", "clinician")
>>> pid = store.propose(code, "Ana", {"oversight": "review"}, note="Keep a human")
>>> store.vote(code, "ana", pid)
>>> board = store.board(code)
>>> board.tally(), board.agreed().levers
({1: 1}, {'oversight': 'review'})
>>> store.board("nope")
Traceback (most recent call last):
...
teachkit._validation.TeachkitError: A board code is 6 letters and digits, like 'K7QM2P'. \
Got 'nope' instead.
"""

from __future__ import annotations

import json
import random
import re
import secrets
import sqlite3
from collections import Counter
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .._validation import TeachkitError
from ..reflections import default_data_dir, trainee_identity

__all__ = ["BoardStore", "Board", "Member", "Proposal", "default_board_store",
           "CODE_ALPHABET", "CODE_LENGTH", "MAX_NOTE", "MAX_TITLE", "MAX_LEVERS",
           "check_code"]

#: Letters and digits of a join code: no 0/O, 1/I/L, so a code read aloud is not misheard.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
#: Longest note on a proposal, and longest board title, in characters.
MAX_NOTE = 500
MAX_TITLE = 80
#: Most levers one proposal may hold (a deployment has a few dozen).
MAX_LEVERS = 40
#: How long (seconds) a writer waits for another before giving up.
BUSY_TIMEOUT_S = 30.0
_CODE_SEPARATORS = re.compile(r"[\s\-_.]+")
_LEVER_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS boards (
    code TEXT PRIMARY KEY, title TEXT NOT NULL, codesign TEXT NOT NULL,
    created_at TEXT NOT NULL, revision INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS members (
    board TEXT NOT NULL REFERENCES boards(code), identity TEXT NOT NULL,
    name TEXT NOT NULL, role TEXT NOT NULL, joined_at TEXT NOT NULL,
    PRIMARY KEY (board, identity));
CREATE TABLE IF NOT EXISTS proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT, board TEXT NOT NULL REFERENCES boards(code),
    identity TEXT NOT NULL, levers TEXT NOT NULL, note TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS votes (
    board TEXT NOT NULL REFERENCES boards(code), identity TEXT NOT NULL,
    proposal INTEGER NOT NULL REFERENCES proposals(id), voted_at TEXT NOT NULL,
    PRIMARY KEY (board, identity));
"""


def check_code(code) -> str:
    """A join code as typed (any case, spaces or hyphens) in its one canonical form.

    Examples
    --------
    >>> check_code(" nxp-5am ")
    'NXP5AM'
    """
    text = _CODE_SEPARATORS.sub("", str(code)).upper()
    if len(text) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in text):
        shown = str(code) if len(str(code)) <= 40 else str(code)[:40] + "..."
        raise TeachkitError(f"A board code is {CODE_LENGTH} letters and digits, like "
                            f"'K7QM2P'. Got {shown!r} instead.")
    return text


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _check_text(text, *, what: str, limit: int) -> str:
    text = str(text).strip()
    if len(text) > limit:
        raise TeachkitError(f"{what} must be at most {limit} characters. Got {len(text)} "
                            "characters instead (your text is still in the box).")
    return text


def _check_levers(levers) -> str:
    """A proposal's levers as canonical JSON: a small table of name -> plain value."""
    if not isinstance(levers, dict):
        raise TeachkitError("A proposal must be a table of lever names and values. Got "
                            f"{type(levers).__name__} instead.")
    if len(levers) > MAX_LEVERS:
        raise TeachkitError(f"A proposal may set at most {MAX_LEVERS} levers. Got "
                            f"{len(levers)} instead.")
    for name, value in levers.items():
        if not isinstance(name, str) or not _LEVER_NAME.fullmatch(name):
            raise TeachkitError("A lever name is lower-case letters, digits and '_'. Got "
                                f"{str(name)[:40]!r} instead.")
        plain = isinstance(value, (bool, int, float)) or (
            isinstance(value, str) and len(value) <= 40)
        if not plain or value != value or value in (float("inf"), float("-inf")):
            raise TeachkitError(f"The lever {name!r} must be a number or a short word. Got "
                                f"{str(value)[:40]!r} instead.")
    return json.dumps(levers, sort_keys=True)


@dataclass(frozen=True)
class Member:
    """Someone on a board: their name as typed, who it means, and their role."""

    identity: str
    name: str
    role: str
    joined_at: str


@dataclass(frozen=True)
class Proposal:
    """A proposed deployment: its levers (name -> value), who proposed it, why."""

    id: int
    identity: str
    levers: dict
    note: str
    created_at: str


@dataclass(frozen=True)
class Board:
    """One board as read at one revision: members, proposals and votes."""

    code: str
    title: str
    codesign: str
    revision: int
    created_at: str
    members: tuple[Member, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    #: identity -> the proposal id they vote for.
    votes: dict = field(default_factory=dict)

    def member(self, identity: str) -> Member | None:
        return next((m for m in self.members if m.identity == identity), None)

    def proposal(self, pid: int) -> Proposal | None:
        return next((p for p in self.proposals if p.id == pid), None)

    def tally(self) -> dict[int, int]:
        """Votes per proposal id (proposals with no vote left out)."""
        return dict(sorted(Counter(self.votes.values()).items()))

    def agreed(self) -> Proposal | None:
        """The proposal with the most votes (earliest on a tie), once more than half of
        the members have voted; None before."""
        if not self.votes or 2 * len(self.votes) <= len(self.members):
            return None
        tally = self.tally()
        best = max(tally.values())
        return self.proposal(min(pid for pid, n in tally.items() if n == best))

    def latest_by(self, identity: str) -> Proposal | None:
        """A member's own latest proposal (their wish)."""
        own = [p for p in self.proposals if p.identity == identity]
        return own[-1] if own else None


class BoardStore:
    """Boards on disk, shared by every kernel of a room.

    Parameters
    ----------
    root : path
        The data folder; the database is ``root/boards/boards.sqlite3``.
    roles : collection of str, default=None
        The roles a member may take (None: any short word).
    """

    def __init__(self, root: str | Path, *, roles=None):
        self.root = Path(root)
        self.path = self.root / "boards" / "boards.sqlite3"
        self.roles = tuple(roles) if roles is not None else None
        self._ready = False

    # -- connections -----------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if not self._ready:
            con.execute("PRAGMA journal_mode = WAL")
            con.executescript(_SCHEMA)
            self._ready = True
        con.execute("PRAGMA synchronous = NORMAL")
        return con

    @contextmanager
    def _write(self):
        """One write transaction, taken at once (``BEGIN IMMEDIATE``): no two writers
        interleave, and a writer that finds the file busy waits for its turn."""
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _board_row(self, con, code: str):
        row = con.execute("SELECT code, title, codesign, revision, created_at FROM boards "
                          "WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise TeachkitError(f"No board has the code {code!r}: check it with the person "
                                "who made the board (codes are 6 letters and digits).")
        return row

    @staticmethod
    def _bump(con, code: str) -> None:
        con.execute("UPDATE boards SET revision = revision + 1 WHERE code = ?", (code,))

    # -- changes ---------------------------------------------------------------------
    def create_board(self, title: str = "", *, codesign: str = "consult",
                     seed: int | None = None) -> str:
        """A new board; returns its join code.

        Parameters
        ----------
        title : str, default=""
            A name for the board (at most :data:`MAX_TITLE` characters).
        codesign : str, default="consult"
            How far people with lived experience decide (kept with the board).
        seed : int, default=None
            Makes the code reproducible (tests); None draws it from ``secrets``.
        """
        title = _check_text(title, what="A board's name", limit=MAX_TITLE)
        draw = random.Random(seed).choice if seed is not None else secrets.choice
        with self._write() as con:
            for _ in range(100):
                code = "".join(draw(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if con.execute("SELECT 1 FROM boards WHERE code = ?", (code,)).fetchone() \
                        is None:
                    break
            else:  # pragma: no cover - 31**6 codes
                raise TeachkitError("No free board code was found; try again.")
            con.execute("INSERT INTO boards (code, title, codesign, created_at) VALUES "
                        "(?, ?, ?, ?)", (code, title, str(codesign), _now()))
        return code

    def set_codesign(self, code: str, level: str) -> None:
        """Change the board's co-design level (its levers' rules follow)."""
        code = check_code(code)
        with self._write() as con:
            self._board_row(con, code)
            con.execute("UPDATE boards SET codesign = ? WHERE code = ?", (str(level), code))
            self._bump(con, code)

    def join(self, code: str, name: str, role: str) -> Member:
        """Join (or re-join, perhaps in another role) the board ``code`` as ``name``."""
        code = check_code(code)
        identity = trainee_identity(name)
        role = str(role)
        if self.roles is not None and role not in self.roles:
            raise TeachkitError(f"The role must be one of {', '.join(self.roles)}. Got "
                                f"{role[:40]!r} instead.")
        member = Member(identity, str(name).strip(), role, _now())
        with self._write() as con:
            self._board_row(con, code)
            con.execute("INSERT INTO members (board, identity, name, role, joined_at) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (board, identity) DO UPDATE "
                        "SET role = excluded.role, name = excluded.name",
                        (code, identity, member.name, role, member.joined_at))
            self._bump(con, code)
        return member

    def _member(self, con, code: str, name: str) -> str:
        identity = trainee_identity(name)
        if con.execute("SELECT 1 FROM members WHERE board = ? AND identity = ?",
                       (code, identity)).fetchone() is None:
            raise TeachkitError(f"{str(name).strip()[:40]!r} has not joined board {code}: "
                                "join it first (your name and a role).")
        return identity

    def propose(self, code: str, name: str, levers: dict, *, note: str = "") -> int:
        """Put a deployment (its levers) before the board; returns the proposal's id."""
        code = check_code(code)
        text = _check_levers(levers)
        note = _check_text(note, what="A proposal's note", limit=MAX_NOTE)
        with self._write() as con:
            self._board_row(con, code)
            identity = self._member(con, code, name)
            cur = con.execute("INSERT INTO proposals (board, identity, levers, note, "
                              "created_at) VALUES (?, ?, ?, ?, ?)",
                              (code, identity, text, note, _now()))
            self._bump(con, code)
            return int(cur.lastrowid)

    def vote(self, code: str, name: str, proposal: int) -> None:
        """``name`` votes for ``proposal`` (replacing their earlier vote)."""
        code = check_code(code)
        if isinstance(proposal, bool) or not isinstance(proposal, int):
            raise TeachkitError(f"A vote names a proposal by its number. Got "
                                f"{str(proposal)[:40]!r} instead.")
        with self._write() as con:
            self._board_row(con, code)
            identity = self._member(con, code, name)
            if con.execute("SELECT 1 FROM proposals WHERE id = ? AND board = ?",
                           (proposal, code)).fetchone() is None:
                raise TeachkitError(f"Board {code} has no proposal number {proposal}.")
            con.execute("INSERT INTO votes (board, identity, proposal, voted_at) VALUES "
                        "(?, ?, ?, ?) ON CONFLICT (board, identity) DO UPDATE SET "
                        "proposal = excluded.proposal, voted_at = excluded.voted_at",
                        (code, identity, proposal, _now()))
            self._bump(con, code)

    # -- reading ---------------------------------------------------------------------
    def revision(self, code: str) -> int:
        """The board's revision: it rises with every change (cheap to poll)."""
        code = check_code(code)
        with closing(self._connect()) as con:
            return int(self._board_row(con, code)[3])

    def board(self, code: str) -> Board:
        """Everything on the board, read in one consistent snapshot."""
        code = check_code(code)
        with closing(self._connect()) as con:
            con.execute("BEGIN")  # one snapshot for every table
            row = self._board_row(con, code)
            members = tuple(Member(*r) for r in con.execute(
                "SELECT identity, name, role, joined_at FROM members WHERE board = ? "
                "ORDER BY joined_at, identity", (code,)))
            proposals = tuple(Proposal(r[0], r[1], json.loads(r[2]), r[3], r[4])
                              for r in con.execute(
                "SELECT id, identity, levers, note, created_at FROM proposals WHERE "
                "board = ? ORDER BY id", (code,)))
            votes = dict(con.execute("SELECT identity, proposal FROM votes WHERE "
                                     "board = ? ORDER BY identity", (code,)).fetchall())
            con.execute("COMMIT")
        return Board(row[0], row[1], row[2], int(row[3]), row[4], members, proposals, votes)

    def codes(self) -> list[str]:
        """Every board's code, oldest first."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as con:
            return [r[0] for r in con.execute(
                "SELECT code FROM boards ORDER BY created_at, code")]

    def boards(self) -> list[Board]:
        """Every board, oldest first (the facilitator's view)."""
        return [self.board(code) for code in self.codes()]


def default_board_store(*, roles=None) -> BoardStore:
    """The store in :func:`teachkit.reflections.default_data_dir` (``teachkit serve``'s
    data folder)."""
    return BoardStore(default_data_dir(), roles=roles)

