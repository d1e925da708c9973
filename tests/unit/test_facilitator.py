"""The facilitator's view: the room read from the data folder, its CSV, and its key."""

from __future__ import annotations

import csv
import io

from teachkit.board.store import BoardStore
from teachkit.cli import serve_environment
from teachkit.facilitator import key_matches, page_html, room_csv, room_html, room_state
from teachkit.reflections import ReflectionStore


def _room(tmp_path):
    store = BoardStore(tmp_path)
    code = store.create_board("Ward <7>")
    store.join(code, "Ana", "clinician")
    store.join(code, "Ben", "patient")
    pid = store.propose(code, "Ana", {"oversight": "model_alone"}, note="<b>fast</b>")
    store.vote(code, "Ana", pid)
    store.vote(code, "Ben", pid)
    ReflectionStore(tmp_path).save("08", "Ana", "We disagreed about consent.")
    ReflectionStore(tmp_path).save("08", "Ben", "Nobody asked me.")
    return code, pid


def test_the_room_shows_members_reflections_and_each_board(tmp_path):
    code, pid = _room(tmp_path)
    page = room_html(room_state(tmp_path))
    assert "2 members on 1 boards" in page
    assert f"agreed: <b>P{pid}</b>" in page
    assert "&lt;b&gt;fast&lt;/b&gt;" in page and "Ward &lt;7&gt;" in page  # escaped
    assert "<td style=\"padding:3px 10px;text-align:left;vertical-align:top\">08</td>" \
        "<td style=\"padding:3px 10px;text-align:left;vertical-align:top\">2</td>" in page


def test_the_csv_export_has_every_member_and_proposal(tmp_path):
    code, pid = _room(tmp_path)
    rows = list(csv.DictReader(io.StringIO(room_csv(room_state(tmp_path)))))
    assert [(r["kind"], r["name"]) for r in rows] == [
        ("member", "Ana"), ("member", "Ben"), ("proposal", "Ana")]
    assert rows[2]["votes"] == "2" and rows[2]["agreed"] == "yes"
    assert rows[0]["proposal"] == f"P{pid}"
    notes = list(csv.DictReader(io.StringIO(room_csv(room_state(tmp_path),
                                                     "reflections"))))
    assert sorted(n["trainee"] for n in notes) == ["Ana", "Ben"]


def test_only_the_instructors_key_opens_the_page():
    assert key_matches("k3y", "k3y")
    assert not key_matches("room-token", "k3y")
    assert not key_matches("", "k3y") and not key_matches("k3y", "")
    assert 'href="/teachkit/facilitator/guide?key=k3y"' in page_html("k3y")


def test_serve_hands_the_key_to_voila_only_through_its_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TEACHKIT_INSTRUCTOR_TOKEN", "from-the-shell")
    assert "TEACHKIT_INSTRUCTOR_TOKEN" not in serve_environment(tmp_path)
    env = serve_environment(tmp_path, token="room", instructor="k3y")
    assert env["TEACHKIT_INSTRUCTOR_TOKEN"] == "k3y"
    assert env["TEACHKIT_VOILA_TOKEN"] == "room"
