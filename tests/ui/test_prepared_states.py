"""Lesson 01's lever states prepared before kernels fork (ui.apps.prepare_lever_states):
a move to one is a lookup (no run, no draw), and a state with any other input (another
lever, another group, a threshold between two steps) never gets a prepared run or
picture: it gets what a fresh run and a full draw give."""

from __future__ import annotations

import pytest

from teachkit import plotting, stages
from teachkit._cache import Recent
from teachkit.pipeline import Settings, simulate
from teachkit.plotting import ConsequenceFigure
from teachkit.ui import TriageLab
from teachkit.ui.apps import prepare_lever_states, threshold_steps

PREPARED = (0.05, 0.051, 0.052)


@pytest.fixture
def prepared(monkeypatch):
    """Fresh process caches holding only three prepared logistic thresholds."""
    monkeypatch.setattr(stages, "_RUNS", Recent(32))
    monkeypatch.setattr(plotting, "_PNGS", Recent(64))
    monkeypatch.setattr(plotting, "_BACKGROUNDS", Recent(16))
    assert prepare_lever_states(thresholds=PREPARED) == len(PREPARED)
    return {t: stages._RUNS.get((Settings(model="logistic", threshold=t), True))
            for t in PREPARED}


def fresh_picture(settings: Settings, attribute: str = "ethnicity") -> bytes:
    """The picture of ``settings`` drawn from nothing: a fresh run, empty caches."""
    saved = plotting._PNGS, plotting._BACKGROUNDS
    plotting._PNGS, plotting._BACKGROUNDS = Recent(64), Recent(16)
    try:
        figure = ConsequenceFigure()
        figure.update(simulate(settings).consequences, attribute)
        return figure.to_png()
    finally:
        plotting._PNGS, plotting._BACKGROUNDS = saved


def logistic_lab() -> TriageLab:
    lab = TriageLab()
    lab.panel.rows["model"].value = "logistic"
    return lab


def test_a_page_move_to_a_prepared_state_runs_and_draws_nothing(prepared, monkeypatch):
    lab = logistic_lab()

    def forbidden(*args, **kwargs):
        raise AssertionError("a prepared state was computed again")

    monkeypatch.setattr(stages, "simulate", forbidden)
    monkeypatch.setattr(plotting, "blitted_png", forbidden)
    slider = lab.panel.rows["threshold"].control
    slider.set_state({"value": 0.05 + 0.001})  # 0.051000000000000004, as a page sends it
    assert lab.panel.settings.threshold == 0.051
    assert lab.panel.result is prepared[0.051]
    key = (lab.dashboard.figure._size, lab.dashboard.figure._shows)
    assert lab.dashboard.png == plotting._PNGS.get(key)
    assert slider.value == 0.05 + 0.001  # the kernel sent no other value back


@pytest.mark.parametrize("change", [
    {"model": "boosting"},                          # another lever
    {"policy": "capacity"},
    {"threshold": 0.0515},                          # between two prepared steps
])
def test_any_other_input_gets_its_own_run_and_picture(prepared, change):
    lab = logistic_lab()
    lab.panel.rows["threshold"].value = 0.051
    kept = lab.dashboard.png
    for name, value in change.items():
        lab.panel.rows[name].value = value
    settings = lab.panel.settings
    assert settings != Settings(model="logistic", threshold=0.051)
    assert all(lab.panel.result is not run for run in prepared.values())
    assert lab.dashboard.png != kept
    assert lab.dashboard.png == fresh_picture(settings)
    fresh = simulate(settings).consequences
    assert lab.panel.result.consequences.overall.equals(fresh.overall)
    assert lab.panel.result.consequences.by_group.equals(fresh.by_group)


def test_another_group_choice_is_drawn_not_taken_from_the_prepared_picture(prepared):
    lab = logistic_lab()
    lab.panel.rows["threshold"].value = 0.051
    kept = lab.dashboard.png
    lab.dashboard._group.value = "language"
    assert lab.panel.result is prepared[0.051]  # the same run, another picture
    assert lab.dashboard.png != kept
    assert lab.dashboard.png == fresh_picture(lab.panel.settings, "language")


def test_a_prepared_run_gives_the_numbers_of_a_fresh_one(prepared):
    for threshold, run in prepared.items():
        fresh = simulate(Settings(model="logistic", threshold=threshold))
        assert run.consequences.overall.equals(fresh.consequences.overall)
        assert run.consequences.by_group.equals(fresh.consequences.by_group)
        assert run.sentence() == fresh.sentence()


def test_the_steps_prepared_are_every_value_the_slider_shows():
    row = TriageLab().panel.rows["threshold"]
    control, steps = row.control, threshold_steps()
    assert steps[0] == control.min and steps[-1] == control.max
    assert len(steps) == round((control.max - control.min) / control.step) + 1
    for k in (0, 1, 49, 50, 123, len(steps) - 1):
        control.value = control.min + k * control.step  # with a page's float noise
        assert row.value == steps[k]


def test_without_a_room_the_resting_figures_are_drawn_and_no_state_is_prepared(monkeypatch):
    """``teachkit serve`` without ``--trainees``: the warm parent draws the three resting
    pictures only (preparing is ~7 CPU-s a room's lever moves repay, a small class not)."""
    from teachkit.ui.apps import draw_resting_figures

    monkeypatch.setattr(stages, "_RUNS", Recent(32))
    monkeypatch.setattr(plotting, "_PNGS", Recent(64))
    monkeypatch.setattr(plotting, "_BACKGROUNDS", Recent(16))
    assert draw_resting_figures() == 3
    assert plotting._PNGS.kept == 0 and stages._RUNS.kept == 0
