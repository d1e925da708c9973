"""The dashboard figure's process-wide caches (PNGs and blitting backgrounds, filled by
a warm parent before it forks kernels): a figure gets a kept picture or background only
for exactly what it shows, and the picture is the one a full draw gives."""

from __future__ import annotations

import pytest

from teachkit import plotting
from teachkit.pipeline import Settings, simulate
from teachkit.plotting import ConsequenceFigure


@pytest.fixture
def empty_caches(monkeypatch):
    """Fresh process caches for the test (the suite's other figures are not its own)."""
    monkeypatch.setattr(plotting, "_PNGS", plotting.Recent(64))
    monkeypatch.setattr(plotting, "_BACKGROUNDS", plotting.Recent(16))


@pytest.fixture(scope="module")
def frames():
    """The resting run and one with another threshold (one model trained)."""
    return tuple(simulate(Settings(model="logistic", threshold=t)).consequences
                 for t in (Settings().threshold, 0.02))


def drawn_alone(frame_, attribute="ethnicity", **size) -> bytes:
    """The picture of a figure drawn from nothing: empty caches, a full draw."""
    saved = plotting._PNGS, plotting._BACKGROUNDS
    plotting._PNGS, plotting._BACKGROUNDS = plotting.Recent(64), plotting.Recent(16)
    try:
        fig = ConsequenceFigure(**size)
        fig.update(frame_, attribute)
        return fig.to_png()
    finally:
        plotting._PNGS, plotting._BACKGROUNDS = saved


def full_draws(monkeypatch) -> list:
    calls = []
    draw = plotting.FigureCanvasAgg.draw
    monkeypatch.setattr(plotting.FigureCanvasAgg, "draw",
                        lambda canvas: (calls.append(canvas), draw(canvas))[1])
    return calls


def test_another_figure_with_other_levers_never_gets_the_kept_picture(empty_caches, frames):
    rest, moved = frames
    first = ConsequenceFigure()
    first.update(rest, "ethnicity")
    kept = first.to_png()
    second = ConsequenceFigure()  # as a forked kernel's lab, after the parent drew `rest`
    second.update(moved, "ethnicity")
    picture = second.to_png()
    assert picture != kept
    assert picture == drawn_alone(moved)


def test_the_same_numbers_in_another_figure_are_the_kept_picture(empty_caches, frames,
                                                                 monkeypatch):
    first = ConsequenceFigure()
    first.update(frames[0], "ethnicity")
    kept = first.to_png()
    draws = full_draws(monkeypatch)
    second = ConsequenceFigure()
    second.update(frames[0], "ethnicity")
    assert second.to_png() is kept and draws == []


def test_a_kept_background_gives_the_picture_a_full_draw_gives(empty_caches, frames,
                                                             monkeypatch):
    rest, moved = frames
    first = ConsequenceFigure()
    first.update(rest, "ethnicity")
    first.to_png()
    draws = full_draws(monkeypatch)
    second = ConsequenceFigure()
    second.update(moved, "ethnicity")
    picture = second.to_png()
    assert draws == []  # the background was the first figure's
    second.update(moved, "language")  # other groups: another background, drawn
    by_language = second.to_png()
    assert len(draws) == 1
    assert picture == drawn_alone(moved)
    assert by_language == drawn_alone(moved, "language")


def test_a_figure_of_another_size_draws_its_own(empty_caches, frames, monkeypatch):
    first = ConsequenceFigure()
    first.update(frames[0], "ethnicity")
    kept = first.to_png()
    draws = full_draws(monkeypatch)
    taller = ConsequenceFigure(height=300)
    taller.update(frames[0], "ethnicity")
    assert taller.to_png() != kept and len(draws) == 1
