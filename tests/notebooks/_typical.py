"""The typical values the lessons quote (data/synthetic/typical_values.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teachkit.story_numbers import SEEDS, story_numbers

PATH = Path(__file__).resolve().parents[2] / "data" / "synthetic" / "typical_values.json"
TYPICAL = json.loads(PATH.read_text(encoding="utf-8"))
STALE = "run scripts/typical_values.py and commit data/synthetic/typical_values.json"


def median(lesson: str, name: str) -> float:
    """The median over the 20 seeds of one number a lesson quotes."""
    return TYPICAL["lessons"][lesson][name]["median"]


def per_1000(value: float) -> str:
    """A typical value per 1,000 as a lesson's story quotes it: one decimal below 10.

    The story quotes medians over many practices ("about 4.9 per 1,000"); the numbers on
    a screen are whole people (:func:`teachkit.text.per_1000`).
    """
    return f"{value:.1f}" if abs(round(value, 1)) < 10 else f"{value:.0f}"


def spread(lesson: str, name: str) -> tuple[float, float]:
    """Its 10th and 90th percentiles over the 20 seeds."""
    entry = TYPICAL["lessons"][lesson][name]
    return entry["p10"], entry["p90"]


def check_rederived(lesson: str, seeds) -> None:
    """The committed values of ``seeds`` are what the code computes now."""
    assert TYPICAL["seeds"] == list(SEEDS), STALE
    assert len(SEEDS) >= 20
    committed = TYPICAL["lessons"][lesson]
    for seed in seeds:
        fresh = story_numbers(lesson, seed)
        assert set(fresh) == set(committed), STALE
        i = SEEDS.index(seed)
        for name, value in fresh.items():
            assert value == pytest.approx(committed[name]["values"][i], abs=2e-6), \
                (lesson, seed, name, STALE)
