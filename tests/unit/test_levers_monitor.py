"""The monitor levers' own behaviour (lesson 06): what the recalibration window changes."""

from __future__ import annotations

import pytest

from teachkit.monitor import MonitorSettings, run_monitor


def _run(window, **drift):
    return run_monitor(MonitorSettings(**drift, monitoring="both", update_policy="recalibrate",
                                       recalibration_window=window))


@pytest.mark.parametrize("drift", [{"drift_case_mix": 6}, {"drift_coding": 12}])
def test_a_short_window_recalibrates_on_fewer_crises(drift):
    short, long = _run(3, **drift), _run(12, **drift)
    assert short.totals()["updates"] >= 1  # an alarm fired and the model was recalibrated
    assert short.totals()["needless"] > long.totals()["needless"]
    oe_short, oe_long = (abs(r.period(25, 36)["O:E"] - 1) for r in (short, long))
    assert oe_long < oe_short  # more months of crises: closer to as many as expected


def test_the_window_changes_nothing_without_recalibration():
    never = [run_monitor(MonitorSettings(drift_case_mix=6, recalibration_window=w))
             for w in (3, 12)]
    assert never[0].totals() == never[1].totals()


def test_a_window_move_is_compared_with_the_model_never_updated():
    result = _run(3)
    assert result.baseline_name == "the same model never updated"
    assert result.baseline_result.settings.update_policy == "never"
