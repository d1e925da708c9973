"""The warm parent's resting dashboard figure, taken by the first dashboard of each
forked kernel (ConsequenceFigure.keep_spare / made): no axes or bars built again, and
the same picture a new figure draws, whatever run it shows first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from teachkit import plotting
from teachkit.consequences import ConsequenceFrame
from teachkit.plotting import ConsequenceFigure, Recent


@pytest.fixture
def empty_caches(monkeypatch):
    """Fresh process caches and no spare figure (the suite's others are not ours)."""
    monkeypatch.setattr(plotting, "_PNGS", Recent(64))
    monkeypatch.setattr(plotting, "_BACKGROUNDS", Recent(16))
    monkeypatch.setattr(plotting, "_SPARES", {})


def _frame(sizes: dict, crisis_every: int, seed: int = 0) -> ConsequenceFrame:
    """A small run: groups of these sizes by sex, one crisis in ``crisis_every``."""
    rng = np.random.default_rng(seed)
    sexes = [sex for sex, n in sizes.items() for _ in range(n)]
    n = len(sexes)
    y = np.arange(n) % crisis_every == 0
    flagged = rng.random(n) < 0.3
    groups = pd.DataFrame({"sex": pd.Categorical(sexes)})
    return ConsequenceFrame(y, flagged, rng.random(n), groups, baseline="self")


def _alone(frame) -> bytes:
    saved = plotting._PNGS, plotting._BACKGROUNDS
    plotting._PNGS, plotting._BACKGROUNDS = Recent(64), Recent(16)
    try:
        figure = ConsequenceFigure()
        figure.update(frame, "sex")
        return bytes(figure.to_png())
    finally:
        plotting._PNGS, plotting._BACKGROUNDS = saved


@pytest.mark.parametrize("other", [
    {"sizes": {"female": 600, "male": 400}, "crisis_every": 9},  # the same run
    {"sizes": {"female": 600, "male": 400}, "crisis_every": 3},  # another scale
    {"sizes": {"female": 300, "male": 700}, "crisis_every": 9},  # other group sizes
])
def test_a_spare_figure_draws_what_a_new_one_would(empty_caches, other):
    parent = ConsequenceFigure()
    parent.update(_frame({"female": 600, "male": 400}, 9), "sex")
    parent.to_png()
    parent.keep_spare()
    taken = ConsequenceFigure.made()
    assert taken is parent and ConsequenceFigure.made() is not parent  # taken once
    frame = _frame(other["sizes"], other["crisis_every"], seed=1)
    taken.update(frame, "sex")
    assert bytes(taken.to_png()) == _alone(frame)


def test_the_first_lab_of_a_forked_like_kernel_builds_no_figure(empty_caches,
                                                                monkeypatch):
    """After the warm parent's draw_resting_figures, lesson 01's lab takes its figure and
    draws neither axes nor bars (about 30 ms of CPU a kernel); a second lab in the same
    kernel makes its own."""
    from teachkit.ui.apps import Tour, TriageLab, draw_resting_figures

    draw_resting_figures()
    spare = plotting._SPARES[ConsequenceFigure()._size]
    bars = []
    draw = ConsequenceFigure._draw_bars
    monkeypatch.setattr(ConsequenceFigure, "_draw_bars",
                        lambda self, *a, **k: (bars.append(self), draw(self, *a, **k))[1])
    made = []
    init = ConsequenceFigure.__init__
    monkeypatch.setattr(ConsequenceFigure, "__init__",
                        lambda self, **k: (made.append(self), init(self, **k))[1])
    lab = TriageLab()
    assert lab.dashboard.figure is spare and made == [] and bars == []
    assert Tour().dashboard.figure is not spare and len(made) == 1
