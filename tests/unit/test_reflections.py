"""Reflections on disk: one file per distinct name, merges instead of losses, a size cap."""

from __future__ import annotations

import json
import os
import time

import pytest

from teachkit import TeachkitError
from teachkit.reflections import (
    MAX_CHARS,
    ReflectionStore,
    merge_texts,
    trainee_identity,
    trainee_slug,
)


@pytest.mark.parametrize("a, b", [
    ("José", "Jos"), ("José", "Jose"), ("Zoë", "Zoe"),
    ("x" * 64 + "a", "x" * 64 + "b"),  # past the old 64-character cut
    ("Дарья", "Мария"), ("王伟", "李娜"), ("محمد", "أحمد"),
])
def test_distinct_names_get_distinct_files(tmp_path, a, b):
    store = ReflectionStore(tmp_path)
    store.save("01", a, f"notes of {a}")
    store.save("01", b, f"notes of {b}")
    assert trainee_slug(a) != trainee_slug(b)
    assert store.load("01", a) == f"notes of {a}"
    assert store.load("01", b) == f"notes of {b}"
    assert sorted(store.collect()["trainee"]) == sorted([a, b])


@pytest.mark.parametrize("a, b", [
    ("Dr Ana", "dr ana"), ("Dr. Ana", "dr  ana"), ("Seat-12", "seat 12"),
    ("Jose\u0301", "Jos\u00e9"),  # the same letter, composed two ways
])
def test_one_person_typed_two_ways_is_one_file(a, b):
    assert trainee_slug(a) == trainee_slug(b)


def test_plain_names_keep_their_readable_file_name():
    assert trainee_slug("Browser Test 00") == "browser-test-00"
    assert trainee_slug("Дарья").endswith(tuple("0123456789abcdef"))


@pytest.mark.parametrize("name, words", [("!!!", "letter or digit"),
                                         ("a" * 500, "at most 120 characters")])
def test_bad_names_get_one_clear_message(name, words):
    with pytest.raises(TeachkitError, match=words):
        trainee_identity(name)


def test_a_stale_revision_merges_and_drops_no_paragraph(tmp_path):
    store = ReflectionStore(tmp_path)
    first = store.save("01", "Ana", "Shared start.")
    store.save("01", "Ana", "Shared start.\n\nWritten in tab B.", base_revision=first.revision)
    late = store.save("01", "Ana", "Shared start.\n\nWritten in tab A.",
                      base_revision=first.revision)
    assert late.merged
    assert "Written in tab A." in late.text and "Written in tab B." in late.text
    assert store.load("01", "Ana") == late.text


def test_an_up_to_date_revision_just_saves(tmp_path):
    store = ReflectionStore(tmp_path)
    first = store.save("01", "Ana", "one")
    second = store.save("01", "Ana", "one two", base_revision=first.revision)
    assert not second.merged and second.text == "one two"
    assert store.load_record("01", "Ana") == ("one two", first.revision + 1)


def test_merge_keeps_the_longer_of_a_half_typed_paragraph():
    assert merge_texts("I thin", "I think so.") == "I think so."
    assert merge_texts("A.\n\nB.", "A.\n\nC.") == "A.\n\nC.\n\nB."


def test_size_cap_refuses_with_a_message_and_keeps_the_old_text(tmp_path):
    store = ReflectionStore(tmp_path)
    store.save("01", "Ana", "short")
    with pytest.raises(TeachkitError, match="limit is 100,000"):
        store.save("01", "Ana", "x" * (MAX_CHARS + 1))
    assert store.load("01", "Ana") == "short"


def test_temporary_files_are_not_notes_and_stale_ones_are_removed(tmp_path):
    store = ReflectionStore(tmp_path)
    path = store.save("01", "Ana", "kept").path
    fresh = path.with_name(".tmp-fresh.json")
    stale = path.with_name(".tmp-killed.json")
    for tmp in (fresh, stale):
        tmp.write_text(json.dumps({"lesson": "01", "trainee": "ghost", "text": "x"}))
    old = time.time() - 3600
    os.utime(stale, (old, old))
    table = store.collect()
    assert list(table["trainee"]) == ["Ana"]
    assert fresh.exists() and not stale.exists()


def test_notes_saved_under_the_first_version_file_name_are_found(tmp_path):
    store = ReflectionStore(tmp_path)
    legacy = tmp_path / "reflections" / "01" / "dr-ana-l-pez.json"
    legacy.parent.mkdir(parents=True)
    legacy.write_text(json.dumps({"lesson": "01", "trainee": "Dr. Ana López",
                                  "text": "old note", "saved_at": "2026-01-01"}))
    assert store.load("01", "Dr Ana López") == "old note"
    assert store.load("01", "Dr Ana Lapez") == ""  # the same old file name, another person
    store.save("01", "Dr Ana López", "old note, more", base_revision=1)
    assert not legacy.exists()
    assert list(store.collect()["text"]) == ["old note, more"]
