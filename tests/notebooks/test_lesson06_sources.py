"""Lesson 06's story quotes typical numbers: medians over 20 synthetic practices
(data/synthetic/typical_values_06.json), and the sourced figures as the sources give them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teachkit.cohort import COHORT_SETTINGS
from teachkit.monitor import MonitorSettings
from teachkit.monitor.calibration import WONG_ALERTS_RISE
from teachkit.monitor.events import SHOCK_CENSUS
from teachkit.monitor.monitors import LABEL_DELAY

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "06_it_worked_last_year.ipynb"
TYPICAL = json.loads((ROOT / "data" / "synthetic" / "typical_values_06.json")
                     .read_text(encoding="utf-8"))["lessons"]["06"]


def m(name):
    return TYPICAL[name]["median"]


def spread(name):
    return TYPICAL[name]["p10"], TYPICAL[name]["p90"]


@pytest.fixture(scope="module")
def text():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return " ".join(" ".join("".join(c["source"]) for c in cells
                             if c["cell_type"] == "markdown").split())


def test_the_set_up(text):
    assert "**1,000 patients a month**" in text and MonitorSettings().monthly_volume == 1000
    assert f"about **{m('rest_alerts_per_month'):.0f} patients a month**" in text
    assert "known only **12 months** later" in text and LABEL_DELAY == 12
    assert "census fell 35 %" in text and SHOCK_CENSUS == 0.65
    crises = MonitorSettings().monthly_volume * COHORT_SETTINGS["primary_care"].crisis_rate
    assert "**7 or 8 crises a month**" in text and 7 <= crises <= 8


def test_calibration_and_policies(text):
    assert (f"the AUC in year 3 is **{m('base_rate_auc_y3'):.2f} with the fall and "
            f"{m('rest_auc_y3'):.2f} without**" in text)
    assert abs(m("base_rate_auc_y3") - m("rest_auc_y3")) <= 0.02  # the AUC holds
    low, high = spread("base_rate_oe_y3")
    assert (f"from **{m('base_rate_oe_y1'):.2f} in year 1 to {m('base_rate_oe_y3'):.2f} "
            f"in year 3** ({low:.2f} to {high:.2f} across the practices)") in text
    assert high < 1 < m("base_rate_oe_y1")
    assert (f"never **{m('base_rate_oe_y3'):.2f}**, a yearly refit "
            f"**{m('base_rate_yearly_oe_y3'):.2f}**, recalibration on alarm "
            f"**{m('base_rate_recalibrate_oe_y3'):.2f}**") in text
    assert "**0.75**" in text and "**0.94**" in text and "**1.01**" in text  # Davis 2022
    # with labels a year late, neither policy brings O:E typically near 1 by year 3
    assert "Neither helps, because a crisis is known a year late" in text
    assert max(m("base_rate_yearly_oe_y3"), m("base_rate_recalibrate_oe_y3")) < 0.9


def test_coding_shock_pipeline(text):
    assert (f"falls from **{m('rest_auc_y3'):.2f} to {m('coding_auc_y3'):.2f}**" in text
            and f"rises to **{m('coding_oe_y3'):.2f}**" in text)
    assert f"typically comes **{m('coding_lag'):.0f} months** after it" in text
    assert spread("coding_lag")[0] >= LABEL_DELAY
    assert (f"from **{100 * m('rest_alert_share'):.1f} % to "
            f"{100 * m('shock_alert_share'):.1f} %**") in text
    low, high = spread("shock_alerts_change")
    assert (f"total alerts by **{100 * m('shock_alerts_change'):.0f} %** ({100 * low:.0f} % "
            f"to {100 * high:.0f} % across the practices; Wong: "
            f"{100 * WONG_ALERTS_RISE:.0f} %)") in text
    assert "total alerts rose 43 % (Wong et al. 2021)" in text and WONG_ALERTS_RISE == 0.43
    # the severity weight is fitted to Wong's rise (monitor.calibration), and says so
    assert abs(m("shock_alerts_change") - WONG_ALERTS_RISE) <= 0.03
    assert "how much sicker is an assumption (A)" in text
    assert (f"(**{m('shock_auc'):.2f}** against **{m('rest_auc_shock_months'):.2f}**)"
            in text)
    assert ("passes 0.10 (a shift) in the first shock month, so the input monitor raises "
            "an alarm at the end of that same month" in text
            and spread("shock_input_lag") == (0, 0))  # in every practice
    assert (f"the PSI peaks at **{m('shock_psi'):.2f}**, the edge of a large shift" in text
            and 0.2 <= m("shock_psi") < 0.3)
    assert (f"from **{m('rest_alerts_per_month'):.0f} to "
            f"{m('pipeline_alerts_per_month'):.0f} a month**") in text
    assert (f"from **{m('rest_missed'):.0f} to {m('pipeline_missed'):.0f}**" in text
            and f"(**{m('pipeline_psi'):.2f}**)" in text)
    assert "The cost is small" in text and m("pipeline_missed") < 1.05 * m("rest_missed")
    assert f"(**{m('pipeline_auc_y3'):.2f}**)" in text


def test_vendor_and_small_clinic(text):
    assert (f"its card says AUC **{m('vendor_card_auc'):.2f}** and our first year gives "
            f"**{m('vendor_local_auc'):.2f}**, close") in text
    assert abs(m("vendor_local_auc") - m("vendor_card_auc")) <= 0.03
    assert f"(observed / expected **{m('vendor_oe_y1'):.2f}**)" in text
    assert f"about **{m('vendor_alerts_per_month'):.0f} patients a month**" in text
    assert (f"to **{m('vendor_recalibrate_oe_y3'):.2f}** and the alerts to "
            f"**{m('vendor_recalibrate_alerts_per_month'):.0f} a month**") in text
    assert (f"(**{m('vendor_recalibrate_missed'):.0f} against "
            f"{m('vendor_missed'):.0f}**)") in text
    assert f"in about **{100 * m('amber_months_100'):.0f} %** of months" in text
    assert f"about **{100 * m('amber_months_200'):.0f} %**" in text
