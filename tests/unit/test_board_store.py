"""The board store: nothing lost when many kernels (processes) write at once."""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest

from teachkit._validation import TeachkitError
from teachkit.board.store import MAX_NOTE, BoardStore, check_code

VOTERS = 30


@pytest.fixture
def store(tmp_path):
    return BoardStore(tmp_path, roles=("clinician", "ethicist"))


def _member(root, code, i, barrier):
    """One member in its own process: join, propose, then vote when all are ready."""
    store = BoardStore(root)
    name = f"Seat {i}"
    store.join(code, name, "clinician")
    pid = store.propose(code, name, {"review_capacity": 10 + i})
    barrier.wait()
    store.vote(code, name, pid)


def test_thirty_members_voting_at_once_lose_nothing(tmp_path):
    store = BoardStore(tmp_path)
    code = store.create_board("load")
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(VOTERS)
    procs = [ctx.Process(target=_member, args=(tmp_path, code, i, barrier))
             for i in range(VOTERS)]
    for p in procs:
        p.start()
    seen = set()  # what a page polling the board sees while the votes land
    deadline = time.monotonic() + 120
    while len(seen) < VOTERS and time.monotonic() < deadline:
        seen.update(store.board(code).votes)
        time.sleep(0.02)
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    board = store.board(code)
    assert len(board.members) == VOTERS
    assert len(board.proposals) == VOTERS
    assert len(board.votes) == VOTERS  # every vote kept
    # each vote is for the member's own proposal: no vote landed on another's row
    own = {p.identity: p.id for p in board.proposals}
    assert board.votes == own
    assert {f"seat {i}" for i in range(VOTERS)} == seen
    assert board.revision == 3 * VOTERS  # 30 joins, 30 proposals, 30 votes


def test_a_state_survives_a_new_store_object(store, tmp_path):
    code = store.create_board("Ward 7", seed=3)
    store.join(code, "Ana", "clinician")
    pid = store.propose(code, "Ana", {"oversight": "review"}, note="a human looks")
    store.vote(code, "ANA", pid)
    again = BoardStore(tmp_path).board(code)  # a reload, another kernel
    assert again.votes == {"ana": pid}
    assert again.proposals[0].levers == {"oversight": "review"}
    assert again.proposals[0].note == "a human looks"
    assert again.agreed().id == pid


def test_a_new_vote_replaces_the_old_and_agreement_needs_a_majority(store):
    code = store.create_board()
    for name in ("Ana", "Ben", "Chi"):
        store.join(code, name, "clinician")
    first = store.propose(code, "Ana", {"model": "rule"})
    second = store.propose(code, "Ben", {"model": "logistic"})
    store.vote(code, "Ana", first)
    assert store.board(code).agreed() is None  # 1 of 3 voted
    store.vote(code, "Ben", second)
    assert store.board(code).agreed().id == first  # a tie: the earliest
    store.vote(code, "Ana", second)
    board = store.board(code)
    assert board.tally() == {second: 2}
    assert board.agreed().id == second


def test_rejoining_changes_the_role_not_the_count(store):
    code = store.create_board()
    store.join(code, "Ana", "clinician")
    store.join(code, " ana ", "ethicist")
    board = store.board(code)
    assert [(m.identity, m.role) for m in board.members] == [("ana", "ethicist")]


@pytest.mark.parametrize("code, message", [
    ("abc", "A board code is 6 letters and digits, like 'K7QM2P'. Got 'abc' instead."),
    ("ABCDE0", "A board code is 6 letters and digits, like 'K7QM2P'. Got 'ABCDE0' instead."),
    ("X" * 500, "A board code is 6 letters and digits"),
])
def test_bad_codes_say_what_a_code_is(store, code, message):
    with pytest.raises(TeachkitError, match="^" + message.replace("(", r"\(")[:60]):
        store.board(code)


def test_hostile_input_gets_one_clear_message(store):
    code = store.create_board()
    assert check_code(code.lower()[:3] + " - " + code[3:]) == code
    with pytest.raises(TeachkitError, match="No board has the code 'K7QM2P'"):
        store.join("K7QM2P", "Ana", "clinician")
    with pytest.raises(TeachkitError, match="at least one letter or digit"):
        store.join(code, " -- ", "clinician")
    with pytest.raises(TeachkitError, match="The role must be one of clinician, ethicist"):
        store.join(code, "Ana", "king")
    with pytest.raises(TeachkitError, match="has not joined board"):
        store.propose(code, "Nobody", {"model": "rule"})
    store.join(code, "Ana", "clinician")
    with pytest.raises(TeachkitError, match=f"at most {MAX_NOTE} characters. Got 501"):
        store.propose(code, "Ana", {}, note="x" * 501)
    with pytest.raises(TeachkitError, match="table of lever names"):
        store.propose(code, "Ana", ["model"])
    with pytest.raises(TeachkitError, match="lower-case letters"):
        store.propose(code, "Ana", {"DROP TABLE votes;--": 1})
    with pytest.raises(TeachkitError, match="must be a number or a short word"):
        store.propose(code, "Ana", {"threshold": float("nan")})
    with pytest.raises(TeachkitError, match="has no proposal number 99"):
        store.vote(code, "Ana", 99)
    with pytest.raises(TeachkitError, match="by its number"):
        store.vote(code, "Ana", "1; DROP TABLE votes")
    other = store.create_board()
    store.join(other, "Ben", "clinician")
    theirs = store.propose(other, "Ben", {"model": "rule"})
    with pytest.raises(TeachkitError, match=f"Board {code} has no proposal number"):
        store.vote(code, "Ana", theirs)
    board = store.board(code)
    assert board.proposals == () and board.votes == {}  # nothing half-written
