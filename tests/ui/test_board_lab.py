"""Lesson 08's app without a browser: alone, and two labs (two kernels) on one board."""

from __future__ import annotations

import asyncio

import pytest

from teachkit.board.store import BoardStore
from teachkit.ui import BoardLab
from teachkit.ui.board import proposal_table_html


@pytest.fixture
def store(tmp_path):
    return BoardStore(tmp_path)


def test_alone_every_try_is_compared_for_every_role(store):
    lab = BoardLab(store=store, poll=False, role="patient")
    updates = lab.dashboard.updates
    lab.set_lever("oversight", "model_alone")  # a lever move shows its consequences
    assert lab.dashboard.updates == updates + 1
    lab.set_lever("oversight", "review")
    lab.propose()
    lab.set_lever("consent", "honoured")
    lab.propose()
    lab.set_lever("oversight", "dropped")
    lab.propose()
    rows = lab.rows()
    assert [r[0] for r in rows] == ["P1", "P2", "P3"]
    assert rows[1][1]["consent"] == "honoured"
    table = lab._table.value
    # the patient's column comes first, and every role has a column
    assert table.index("Patient with lived experience (you)") < table.index("Clinician")
    assert table.count("<th scope='col'") == 1 + 6 + 1
    # honouring consent beats ignoring it for the patient; P1 is not beaten on every role
    assert "data-proposal='P2' data-frontier='1'" in table
    assert "records used without consent" in lab._mine.value.lower()


def test_codesign_level_closes_levers_and_keeps_them_at_rest(store):
    lab = BoardLab(store=store, poll=False, codesign="co_decide")
    lab.set_lever("escalation", "item9")
    lab.set_lever("consent", "honoured")
    assert lab.levers()["escalation"] == "item9"
    lab._codesign.value = "inform"
    rows = lab.panel.rows
    assert rows["consent"].disabled and rows["escalation"].disabled
    assert not rows["oversight"].disabled and lab._chatbot.disabled
    # closed levers go back to rest, in the proposal and in the run shown
    assert lab.levers()["escalation"] == "none" and lab.levers()["consent"] == "ignored"
    assert lab.panel.settings.escalation == "none"
    assert "Closed at this co-design level" in lab._closed_note.value


def test_two_members_see_each_others_proposals_and_votes(store):
    ana = BoardLab(store=store, poll=False, role="clinician", trainee="Ana")
    ana.new_board()
    ben = BoardLab(store=store, poll=False, role="regulator", trainee="Ben")
    ben._code.value = ana.code.lower()
    ben.join()
    ana.set_lever("oversight", "model_alone")
    ana.propose()
    assert ben.refresh() is True  # what the poll does
    assert [r[0] for r in ben.rows()] == ["P1"]
    assert "Ana (clinician)" in ben._table.value
    ben.vote(ben._vote_choice.value)
    assert ana.refresh() is True
    assert 'data-votes=\'1\'' in ana._state.value
    assert ana.refresh() is False  # nothing new: no redraw
    ana.vote()  # the list offers the latest proposal
    ana.refresh()
    assert "data-agreed='P1'" in ana._state.value
    assert "The board agreed on P1" in ana._wishes.value


def test_bad_input_is_a_message_not_a_crash(store):
    lab = BoardLab(store=store, poll=False)
    lab._join.click()
    assert "Type your name" in lab.banner.message
    lab._name.value = "Ana"
    lab._code.value = "ZZ"
    lab._join.click()
    assert "A board code is 6 letters and digits" in lab.banner.message
    lab._code.value = "K7QM2P"
    lab._join.click()
    assert "No board has the code 'K7QM2P'" in lab.banner.message
    lab._vote.click()
    assert "Join a board first" in lab.banner.message
    lab._note.value = "x" * 600
    lab._new.click()
    lab._propose.click()
    assert "at most 500 characters" in lab.banner.message
    assert lab._note.value == "x" * 600  # nothing the trainee wrote is lost


def test_no_proposal_yet_says_what_to_do():
    assert "press Propose" in proposal_table_html([], role="clinician")


def test_polling_starts_only_on_a_board(store):
    lab = BoardLab(store=store, trainee="Ana")  # poll=True, as in a lesson
    assert lab._task is None  # an idle (or preheated) kernel does not poll
    lab.new_board()
    assert lab._task is not None
    lab.stop_polling()
    if isinstance(lab._task, asyncio.Task):  # a loop runs here (a browser test's, say)
        assert lab._task.cancelling() or lab._task.done()
    else:
        lab._task.join(5)
        assert not lab._task.is_alive()
