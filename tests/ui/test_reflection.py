"""The reflection box: names never mix, two tabs merge, a failed save says so."""

from __future__ import annotations

import json

from teachkit.reflections import MAX_CHARS, ReflectionStore
from teachkit.ui import ReflectionBox


def test_changing_the_name_writes_nothing_under_the_new_name(tmp_path):
    store = ReflectionStore(tmp_path)
    store.save("01", "Bea", "Bea's own notes")
    box = ReflectionBox("01", "q", store=store)
    box.name = "Ana"
    box.text = "Ana's notes"
    box.name = "Bea"
    assert box.text == "Bea's own notes"
    assert store.load("01", "Bea") == "Bea's own notes"
    assert store.load("01", "Ana") == "Ana's notes"
    box.name = "Cal"  # a new name starts empty: Bea's notes are not copied
    assert box.text == ""
    assert not store.path("01", "Cal").exists()


def test_two_tabs_under_one_name_keep_both_paragraphs(tmp_path):
    store = ReflectionStore(tmp_path)
    tab_a = ReflectionBox("01", "q", store=store, trainee="Ana")
    tab_b = ReflectionBox("01", "q", store=store, trainee="Ana")
    tab_a.text = "From tab A."
    tab_b.text = "From tab B."
    on_disk = store.load("01", "Ana")
    assert "From tab A." in on_disk and "From tab B." in on_disk
    assert tab_b.text == on_disk
    assert "another tab" in tab_b._status.value


def test_a_failed_save_says_so_and_shows_no_old_saved_time(tmp_path, monkeypatch):
    store = ReflectionStore(tmp_path)
    box = ReflectionBox("01", "q", store=store, trainee="Ana")
    box.text = "first"
    assert "Saved for Ana" in box._status.value

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "save", full_disk)
    box.text = "first and second"
    assert "NOT saved" in box._status.value and "No space left" in box._status.value
    assert "Saved for" not in box._status.value
    assert box.text == "first and second" and not box.saved


def test_unsaved_notes_keep_their_name(tmp_path, monkeypatch):
    store = ReflectionStore(tmp_path)
    box = ReflectionBox("01", "q", store=store, trainee="Ana")
    monkeypatch.setattr(store, "save", lambda *a, **k: (_ for _ in ()).throw(OSError(13, "no")))
    box.text = "not on disk yet"
    box.name = "Bea"
    assert box.name == "Ana" and box.text == "not on disk yet"
    assert "NOT saved" in box._status.value


def test_text_over_the_cap_is_kept_in_the_box_with_a_message(tmp_path):
    store = ReflectionStore(tmp_path)
    box = ReflectionBox("01", "q", store=store, trainee="Ana")
    box.text = "x" * (MAX_CHARS + 1)
    assert "NOT saved" in box._status.value and "100,000" in box._status.value
    assert len(box.text) == MAX_CHARS + 1 and store.load("01", "Ana") == ""


def test_unicode_names_save(tmp_path):
    store = ReflectionStore(tmp_path)
    for name in ("Дарья", "王伟", "محمد", "José"):
        box = ReflectionBox("01", "q", store=store, trainee=name)
        box.text = f"notes of {name}"
        assert "Saved for" in box._status.value
        saved = json.loads(store.path("01", name).read_text())
        assert saved["trainee"] == name and saved["text"] == f"notes of {name}"
