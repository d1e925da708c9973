"""The warm parent's state on disk (teachkit.forking.snapshot): a parent that puts it
back computes nothing and holds the same numbers and pictures as one that computed them;
a snapshot made for another set-up, damaged, someone else's or in a folder others may
write is never trusted (the state is computed again and said once); snapshots can be
turned off."""

from __future__ import annotations

import importlib
import os
import pickle

import numpy as np
import pytest

from teachkit import _cache, models, pipeline, plotting
from teachkit._cache import IdentityCache, Recent, _Memo
from teachkit.forking import parent, snapshot
from teachkit.forking.parent import PREPARE_ENV
from teachkit.forking.snapshot import SNAPSHOT_ENV
from teachkit.levers.triage import MODEL
from teachkit.pipeline import Settings, simulate
from teachkit.plotting import ConsequenceFigure
from teachkit.ui import apps

STEPS = [0.05, 0.06, 0.07]  # lesson 01's prepared thresholds, three instead of 200
#: The caches a warm-up fills (each emptied for a test whether or not it is registered).
FILLED = ("teachkit.pipeline.lesson_cohort", "teachkit.pipeline._FEATURE_DIGESTS",
          "teachkit.pipeline._RECORDS", "teachkit.pipeline._baseline_run",
          "teachkit.models._SCORE_CACHE", "teachkit.models._FIT_CACHE",
          "teachkit.stages._RUNS", "teachkit.plotting._PNGS", "teachkit.plotting._BACKGROUNDS")


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """Empty registered caches for this test (the process's own come back after it),
    snapshots in ``tmp_path``, a room's preparation of three thresholds. Returns a
    function that empties the caches again (a new parent's start)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(SNAPSHOT_ENV, raising=False)
    monkeypatch.setenv(PREPARE_ENV, "1")
    monkeypatch.setattr(apps, "threshold_steps", lambda: list(STEPS))
    monkeypatch.setattr(parent, "KERNEL_START_MODULES", ())  # no debugger in pytest

    def empty():
        for name in {*_cache.registered(), *FILLED}:
            module, attribute = name.rsplit(".", 1)
            module = importlib.import_module(module)
            cache = getattr(module, attribute)
            if isinstance(cache, _Memo):
                monkeypatch.setattr(cache, "cache", Recent(cache.cache.size))
            elif isinstance(cache, dict):
                monkeypatch.setattr(module, attribute, type(cache)())
            elif isinstance(cache, IdentityCache):
                monkeypatch.setattr(module, attribute, IdentityCache(cache.size))
            else:
                monkeypatch.setattr(module, attribute, Recent(cache.size))

    empty()
    return empty


def observed(redraw=None) -> dict:
    """What a lesson shows from the warm state: each model's scores and counts, every
    kept picture's bytes, and a picture of a state nobody prepared, on the kept
    background (``redraw``: what a full draw of the figure calls instead)."""
    seen = {}
    for kind in MODEL.constraint.values:
        result = simulate(Settings(model=kind))
        seen[kind] = (result.scores.copy(), result.scores.flags.writeable,
                      result.flagged.copy(), result.consequences.overall.copy())
    seen["pictures"] = dict(plotting._PNGS.state()[1])
    seen["resting"] = dict(plotting._PNGS.state()[0])
    seen["backgrounds"] = len(plotting._BACKGROUNDS)
    figure = ConsequenceFigure()
    figure.update(simulate(Settings(model="logistic", threshold=0.123)).consequences)
    with pytest.MonkeyPatch.context() as m:
        if redraw is not None:
            m.setattr(plotting.FigureCanvasAgg, "draw", redraw)
        seen["unprepared"] = figure.to_png()
    return seen


def forbidden(*args, **kwargs):
    raise AssertionError("a restored warm parent computed this again")


def test_a_restored_warm_up_computes_nothing_and_shows_the_same(fresh, monkeypatch,
                                                                 tmp_path):
    cold_notes = parent.warm_up()
    assert any(n.startswith("snapshot written") for n in cold_notes), cold_notes
    cold = observed()
    fresh()  # a new parent: nothing in memory, the snapshot on disk
    with monkeypatch.context() as m:
        m.setattr(pipeline, "make_cohort", forbidden)
        m.setattr(models, "make_model", forbidden)
        m.setattr(plotting, "blitted_png", forbidden)
        notes = parent.warm_up()
    assert not any("failed" in n for n in notes), notes
    assert any(n.startswith("state from disk") for n in notes), notes
    assert parent.TIMES["lever states"] < 2 and parent.TIMES["models"] < 2
    # One cohort object, found by identity by the caches keyed on it.
    cohort = pipeline.lesson_cohort()
    assert cohort is pipeline.lesson_cohort(60_000, 2024, "primary_care")
    assert pipeline._RECORDS.get(cohort, (0.0, 0.0, 0.0, 2024)) is not None
    warm = observed(redraw=forbidden)
    for kind in MODEL.constraint.values:
        scores, writeable, flagged, overall = warm[kind]
        assert np.array_equal(scores, cold[kind][0]) and writeable == cold[kind][1]
        assert np.array_equal(flagged, cold[kind][2])
        assert overall.equals(cold[kind][3])
    assert len(warm["pictures"]) == len(STEPS) and warm["pictures"] == cold["pictures"]
    assert warm["resting"] == cold["resting"] and len(warm["resting"]) >= 3
    assert warm["backgrounds"] == cold["backgrounds"] >= 1
    assert warm["unprepared"] == cold["unprepared"]  # PNG bytes, on the kept background


def test_a_snapshot_for_another_set_up_is_ignored_and_rebuilt(fresh, tmp_path):
    parts = {"teachkit": "a", "numpy": "1"}
    where = tmp_path / "snapshots"
    assert snapshot.save({"x": 1}, parts, where).startswith("snapshot written")
    assert snapshot.load(snapshot.fingerprint(parts), where) == ({"x": 1}, "")
    changed = dict(parts, numpy="2")
    states, note = snapshot.load(snapshot.fingerprint(changed), where)
    assert states is None and note.startswith("no snapshot for this set-up yet")
    # A file renamed to another set-up's name says what it was made for.
    old = snapshot._file(where, snapshot.fingerprint(parts))
    old.rename(snapshot._file(where, snapshot.fingerprint(changed)))
    states, note = snapshot.load(snapshot.fingerprint(changed), where)
    assert states is None and "made for other sources or libraries" in note
    # The fingerprint follows teachkit's files, the environment and the preparation.
    package = tmp_path / "package"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    before = snapshot.sources_digest(package)
    (package / "a.py").write_text("x = 2\n")
    assert snapshot.sources_digest(package) != before
    room = snapshot.fingerprint_parts()
    os.environ.pop(PREPARE_ENV)
    assert snapshot.fingerprint_parts() != room


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "not a dict"])
def test_a_damaged_snapshot_is_ignored_said_and_rebuilt(fresh, tmp_path, damage):
    parts = snapshot.fingerprint_parts()
    where = snapshot.folder()
    snapshot.save({"teachkit.pipeline._RECORDS": [], "data": bytes(10_000)}, parts, where)
    path = snapshot._file(where, snapshot.fingerprint(parts))
    data = bytearray(path.read_bytes())
    if damage == "flip":  # inside the data: it would still unpickle, wrong
        data[-5_000] ^= 0xFF
    elif damage == "truncate":
        del data[len(data) // 2:]
    elif damage == "garbage":
        data = bytearray(b"\x80\x05garbage" * 10)
    if damage == "not a dict":  # a good digest over a payload that is no snapshot
        snapshot.save([1, 2], parts, where)
    else:
        path.write_bytes(bytes(data))
    got_parts, restored, note = snapshot.restore_saved()
    assert got_parts == parts and not restored and "ignored" in note, note
    if damage != "flip":
        return
    notes = parent.warm_up()  # computes everything, says why once, writes a good one
    assert sum("ignored" in n for n in notes) == 1
    assert any("snapshot written" in n for n in notes), notes
    assert snapshot.load(snapshot.fingerprint(parts))[0] is not None


def test_someone_elses_snapshot_or_an_open_folder_is_never_read(fresh, tmp_path):
    parts = {"teachkit": "a"}
    where = tmp_path / "snapshots"
    snapshot.save({"x": 1}, parts, where)
    path = snapshot._file(where, snapshot.fingerprint(parts))
    print_ = snapshot.fingerprint(parts)
    path.chmod(0o666)  # others may write it
    assert snapshot.load(print_, where)[0] is None
    path.chmod(0o600)
    link = snapshot._file(where, snapshot.fingerprint({"teachkit": "b"}))
    link.symlink_to(path)  # never through a link
    assert snapshot.load(snapshot.fingerprint({"teachkit": "b"}), where)[0] is None
    where.chmod(0o777)  # a folder others may write: nothing read, nothing written
    states, note = snapshot.load(print_, where)
    assert states is None and "open to other users" in note
    assert snapshot.save({"x": 2}, parts, where).startswith("snapshot not written")
    where.chmod(0o700)
    assert snapshot.load(print_, where)[0] == {"x": 1}
    if os.geteuid() == 0:  # a file of another user's (only root can make one)
        os.chown(path, 65534, 65534)
        states, note = snapshot.load(print_, where)
        assert states is None and "belongs to another user" in note
        os.chown(path, 0, 0)
    with pytest.MonkeyPatch.context() as m:  # the folder of another user's
        m.setattr(snapshot, "_owner", lambda: os.geteuid() + 1)
        states, note = snapshot.load(print_, where)
        assert states is None and "belongs to another user" in note


def test_snapshots_can_be_turned_off_and_only_the_newest_are_kept(fresh, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setenv(SNAPSHOT_ENV, "0")
    parts, restored, note = snapshot.restore_saved()
    assert parts is None and not restored and SNAPSHOT_ENV in note
    monkeypatch.delenv(SNAPSHOT_ENV)
    where = tmp_path / "kept"
    for i in range(snapshot.KEEP + 2):
        snapshot.save({"i": i}, {"teachkit": str(i)}, where)
        path = snapshot._file(where, snapshot.fingerprint({"teachkit": str(i)}))
        os.utime(path, (1000 + i, 1000 + i))
    kept = sorted(where.glob("warm-*.pickle"))
    assert len(kept) == snapshot.KEEP
    assert snapshot.load(snapshot.fingerprint({"teachkit": "0"}), where)[0] is None
    assert snapshot.load(snapshot.fingerprint({"teachkit": str(snapshot.KEEP + 1)}),
                         where)[0] == {"i": snapshot.KEEP + 1}
    assert not list(where.glob(".warm-*"))  # no temporary file left


def test_read_only_arrays_stay_read_only_and_shared_objects_stay_one():
    scores = np.arange(10.0)
    scores.setflags(write=False)
    strided = np.arange(20.0)[::2]
    strided.setflags(write=False)
    cache = IdentityCache(2)
    cache.put(scores, "k", 1.0)
    back = pickle.loads(snapshot.dumps({"a": cache.state(), "b": (scores, strided)}))
    held, restored = back["a"][0][0], back["b"][0]
    assert held is restored and not restored.flags.writeable
    assert not back["b"][1].flags.writeable and np.array_equal(back["b"][1], strided)
