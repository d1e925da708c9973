"""Lesson 06's app: every lever reaches the dashboard; the figure, the sentences, the log
and the hidden state follow the result."""

from __future__ import annotations

import re

import pytest

from teachkit.levers import REGISTRY
from teachkit.levers.monitor import MONITOR_LEVERS
from teachkit.monitor import MonitorSettings
from teachkit.ui.monitor import MonitorLab, epic_case, log_html


def _other(name):
    spec = REGISTRY[name]
    values = getattr(spec.constraint, "values", None)
    if values is not None:
        return next(v for v in values if v != spec.rest)
    return spec.constraint.low


@pytest.fixture(scope="module")
def lab():
    return MonitorLab()


def _state(lab):
    state = lab.views["monitor_text"]._mstate.value
    return dict(re.findall(r'data-([a-z0-9-]+)="([^"]*)"', state))


def test_the_lab_starts_at_rest_with_nobody_watching(lab):
    assert lab.panel.settings == MonitorSettings()
    state = _state(lab)
    assert state["alarms"] == "0" and state["incidents"] == "0"
    assert "Nobody is watching" in lab.views["monitor_text"]._log.value
    assert bytes(lab.views["monitor_series"].png).startswith(b"\x89PNG")


@pytest.mark.parametrize("name", MONITOR_LEVERS)
def test_every_lever_reaches_the_dashboard(lab, name):
    before = lab.dashboard.updates
    lab.panel.rows[name].value = _other(name)
    try:
        assert lab.dashboard.updates == before + 1
        assert getattr(lab.dashboard.result.settings, name) == _other(name)
        assert lab.dashboard.result.baseline_name
        assert f"{name}={_other(name)}" in lab.dashboard._state.value
    finally:
        lab.panel.rows[name]._reset.click()
    assert getattr(lab.panel.settings, name) == REGISTRY[name].rest


def test_an_event_with_monitoring_fills_the_log_and_the_figure(lab):
    rest_png = lab.views["monitor_series"].png
    lab.panel.rows["monitoring"].value = "both"
    lab.panel.rows["drift_pipeline"].value = 12
    try:
        state = _state(lab)
        assert int(state["alarms"]) >= 1 and int(state["incidents"]) >= 1
        assert "data quality" in lab.views["monitor_text"]._log.value
        assert "Art. 73" in lab.views["monitor_text"]._log.value
        assert "From month 12" in lab.views["monitor_text"]._changed.value
        assert bytes(lab.views["monitor_series"].png) != bytes(rest_png)
        assert "Limited English" in lab.views["monitor_text"]._years.value
    finally:
        lab.panel.rows["drift_pipeline"]._reset.click()
        lab.panel.rows["monitoring"]._reset.click()


def test_recalibration_is_logged_as_an_update(lab):
    lab.panel.rows["model_source"].value = "vendor"
    lab.panel.rows["monitoring"].value = "labels"
    lab.panel.rows["update_policy"].value = "recalibrate"
    try:
        state = _state(lab)
        assert int(state["updates"]) >= 1
        assert "model update" in log_html(lab.dashboard.result)
        assert "vendor" in lab.views["monitor_text"]._card.value
    finally:
        for name in ("update_policy", "monitoring", "model_source"):
            lab.panel.rows[name]._reset.click()


def test_the_case_box_cites_its_sources():
    text = epic_case().value
    assert "0.63" in text and "43 %" in text and "Finlayson" in text


def test_both_figures_have_words_that_follow_the_result(lab):
    # words in hidden elements the page turns into alt text: never a tooltip on an Image
    assert not lab.views["monitor_series"]._series.tooltip and not lab.dashboard._image.tooltip
    rest_words = lab.views["monitor_series"]._series_alt.value
    consequence_words = lab.dashboard._alt.value
    assert "36 months" in rest_words and "no drift event" in rest_words
    assert "caught" in consequence_words
    lab.panel.rows["drift_shock"].value = 6
    try:
        assert "shock from month 6" in lab.views["monitor_series"]._series_alt.value
        assert lab.dashboard._alt.value != consequence_words
    finally:
        lab.panel.rows["drift_shock"]._reset.click()
    # a setting seen before: the remembered figure gives its own words back
    assert lab.dashboard._alt.value == consequence_words
    assert lab.views["monitor_series"]._series_alt.value == rest_words
