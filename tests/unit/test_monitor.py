"""Lesson 06's time axis, drift events, monitors, update policies and log.

Each drift event is checked on one seed for what it may touch (the couplings: a crisis
removed, a label added, a feature blanked, never anything else) and on the typical
values over 20 seeds (data/synthetic/typical_values_06.json) for what it moves and what
it leaves alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from teachkit._validation import TeachkitError
from teachkit.cohort import CRISIS_HORIZON
from teachkit.monitor import Cusum, MonitorSettings, ks_pvalue, psi, psi_false_alarm_rate
from teachkit.monitor import run_monitor as _run
from teachkit.monitor.calibration import (
    WONG_ALERTS_RISE,
    calibrate_shock_weight,
    shock_alerts_change,
)
from teachkit.monitor.events import (
    CASE_MIX_WEIGHT,
    SHOCK_CENSUS,
    SHOCK_MONTHS,
    SHOCK_SEVERITY_WEIGHT,
)
from teachkit.monitor.monitors import LABEL_DELAY
from teachkit.monitor.story import story_numbers_06
from teachkit.monitor.timeline import MISSING_COLUMN, TRAINING_MONTHS, pool
from teachkit.story_numbers import SEEDS

PATH = Path(__file__).resolve().parents[2] / "data" / "synthetic" / "typical_values_06.json"
TYPICAL = json.loads(PATH.read_text(encoding="utf-8"))["lessons"]["06"]
SEED = 2024


def m(name):
    return TYPICAL[name]["median"]


def run(**levers):
    return _run(MonitorSettings(seed=SEED, monitoring="both", **levers),
                with_baseline=False)


@pytest.fixture(scope="module")
def rest():
    return run()


# -- the time axis ---------------------------------------------------------------------
def test_thirty_six_months_of_the_same_clinic(rest):
    t = rest.timeline
    assert len(rest.months) == 36 and set(np.unique(t.month)) == set(range(1, 37))
    assert (rest.months["patients"] == 1000).all()
    # every screened patient is a different synthetic patient, none from the training year
    assert len(np.unique(t.rows)) == len(t.rows)
    assert t.rows.min() >= TRAINING_MONTHS * 1000
    again = run()
    np.testing.assert_array_equal(again.timeline.scores, t.scores)


def test_a_crisis_is_known_a_year_late(rest):
    # a crisis counts within 12 months of screening (cohort.CRISIS_HORIZON), any time in
    # the year: a month's crises are all known 12 months later
    assert LABEL_DELAY == 12 and CRISIS_HORIZON == "12 months"
    assert (rest.months["labels_known"] == rest.months.index + 12).all()
    # the CUSUM only ever holds months whose labels have arrived by month 36
    assert rest.months.loc[25:, "cusum"].isna().all()
    assert rest.months.loc[:24, "cusum"].notna().all()


def test_settings_are_checked():
    with pytest.raises(TeachkitError, match="'drift_shock' parameter of MonitorSettings"):
        MonitorSettings(drift_shock=7)
    with pytest.raises(TeachkitError, match="'monthly_volume'"):
        MonitorSettings(monthly_volume=50)
    with pytest.raises(TypeError, match="MonitorSettings"):
        _run("monitor")


# -- each event touches only what it should (one seed, exact) --------------------------
def test_base_rate_fall_removes_crises_and_nothing_else(rest):
    fall = run(drift_base_rate=1).timeline
    t = rest.timeline
    np.testing.assert_array_equal(fall.scores, t.scores)
    assert not (fall.truth & ~t.truth).any()  # the remaining crises are a subset
    assert fall.truth.sum() < 0.9 * t.truth.sum()


def test_coding_change_moves_the_label_not_the_truth(rest):
    coded = run(drift_coding=12).timeline
    t = rest.timeline
    np.testing.assert_array_equal(coded.truth, t.truth)
    np.testing.assert_array_equal(coded.scores, t.scores)
    before = coded.month < 12
    np.testing.assert_array_equal(coded.recorded[before], t.recorded[before])
    assert coded.recorded[~before].sum() > t.recorded[~before].sum()


def test_pipeline_bug_blanks_one_feature_from_its_month(rest):
    bug = run(drift_pipeline=12)
    t = bug.timeline
    np.testing.assert_array_equal(t.truth, rest.timeline.truth)
    before = t.month < 12
    np.testing.assert_array_equal(t.scores[before], rest.timeline.scores[before])
    p = pool(1000, SEED, "primary_care")
    anxious = p.X[t.rows, MISSING_COLUMN] > 0
    changed = t.scores[~before & anxious] != rest.timeline.scores[~before & anxious]
    assert changed.all()
    np.testing.assert_array_equal(t.scores[~anxious], rest.timeline.scores[~anxious])
    assert bug.months.loc[12, "constant"] == "gad7_total"


def test_shock_brings_fewer_patients_for_three_months(rest):
    shock = run(drift_shock=12).months
    inside = shock.loc[12:12 + SHOCK_MONTHS - 1, "patients"]
    assert (inside == round(1000 * SHOCK_CENSUS)).all()
    assert (shock.drop(inside.index)["patients"] == 1000).all()


def test_case_mix_brings_more_limited_english_patients(rest):
    mixed = run(drift_case_mix=12)
    lep = mixed.groups["language"].to_numpy() == "Limited English"
    lep0 = rest.groups["language"].to_numpy() == "Limited English"
    late = mixed.timeline.month >= 12
    assert CASE_MIX_WEIGHT > 1 and lep[late].mean() > 1.4 * lep0[late].mean()
    early = ~late
    np.testing.assert_array_equal(mixed.timeline.rows[early], rest.timeline.rows[early])


# -- what each event moves, on typical values over 20 seeds ----------------------------
def test_base_rate_fall_drifts_calibration_while_auc_holds():
    assert abs(m("base_rate_auc_y3") - m("rest_auc_y3")) <= 0.02
    assert 0.9 <= m("rest_oe_y3") <= 1.1
    assert not 0.9 <= m("base_rate_oe_y3") <= 1.1
    assert m("base_rate_alerts_per_month") == m("rest_alerts_per_month")


def test_coding_change_moves_auc_and_oe_but_not_the_true_auc():
    assert m("coding_true_auc_y3") == m("rest_true_auc_y3")
    assert m("coding_auc_y3") < m("rest_auc_y3") - 0.03
    assert m("coding_oe_y3") > 1.3
    assert m("coding_alerts_per_month") == m("rest_alerts_per_month")
    # noticed only once labels arrive: never before the year has passed
    assert m("coding_lag") >= LABEL_DELAY and TYPICAL["coding_lag"]["p10"] >= LABEL_DELAY


def test_shock_jumps_alerts_while_auc_barely_moves():
    assert m("shock_alert_share") > 2 * m("rest_alert_share")
    # Wong 2021: +43 % with 35 % fewer patients; the severity weight is fitted to it
    assert abs(m("shock_alerts_change") - WONG_ALERTS_RISE) <= 0.03
    assert abs(m("shock_auc") - m("rest_auc_shock_months")) <= 0.05
    assert m("shock_psi") >= 0.1 and m("shock_input_lag") == 0  # seen the same month
    assert abs(m("shock_oe_y3") - m("rest_oe_y3")) <= 0.02


def test_pipeline_bug_is_missed_by_psi_and_caught_by_a_data_quality_check():
    assert m("pipeline_psi") < 0.1
    assert m("pipeline_lag") == 0
    # on the calibrated cohort GAD-7 adds little once the model reads the PHQ-9 (they
    # correlate about 0.63), so losing it costs little: fewer alerts, a few more misses
    assert m("pipeline_alerts_per_month") < 0.95 * m("rest_alerts_per_month")
    assert m("pipeline_missed") > m("rest_missed")
    # it under-predicts a little more (within the seeds' spread: the page does not quote it)
    assert m("pipeline_oe_y3") > m("rest_oe_y3")


def test_case_mix_changes_who_comes_not_how_the_model_works():
    assert m("case_mix_lep_share_y3") > 1.5 * m("rest_lep_share_y3")
    assert abs(m("case_mix_auc_y3") - m("rest_auc_y3")) <= 0.02
    assert abs(m("case_mix_oe_y3") - m("rest_oe_y3")) <= 0.05


def test_the_vendor_card_hides_its_calibration():
    assert abs(m("vendor_card_auc") - m("vendor_local_auc")) <= 0.03
    assert m("vendor_oe_y1") < 0.9 and abs(m("rest_oe_y1") - 1) < 0.1
    assert m("vendor_alerts_per_month") > 1.2 * m("rest_alerts_per_month")
    assert m("vendor_missed") < m("rest_missed")


def test_update_policies_wait_for_labels_a_year_late():
    # a slow fall: the first yearly refit (month 24) learns from months 1-12, and the
    # CUSUM seldom fires on 7 or 8 crises a month, so neither brings year 3 back near 1
    assert m("base_rate_oe_y3") < 0.9
    assert m("base_rate_yearly_oe_y3") < 0.9 and m("base_rate_recalibrate_oe_y3") < 0.9
    assert m("base_rate_alarms") <= 1
    # a large, lasting miscalibration (the vendor's) fires alarms and is recalibrated
    assert abs(m("vendor_recalibrate_oe_y3") - 1) < abs(m("vendor_oe_y3") - 1)


def test_a_small_clinic_lights_amber_by_chance():
    predicted = psi_false_alarm_rate(100, TRAINING_MONTHS * 100)
    assert abs(m("amber_months_100") - predicted) < 0.15
    assert m("amber_months_100") > 0.2 and m("amber_months_200") < 0.1
    assert m("input_alarms_100") > m("input_alarms_200")


def test_the_committed_typical_values_are_what_the_code_computes():
    assert TYPICAL["rest_auc_y3"]["values"] and \
        json.loads(PATH.read_text())["seeds"] == list(SEEDS)
    fresh = story_numbers_06(SEEDS[3])
    assert set(fresh) == set(TYPICAL)
    for name, value in fresh.items():
        committed = TYPICAL[name]["values"][3]
        if committed is None:
            assert np.isnan(value), name
        else:
            assert value == pytest.approx(committed, abs=2e-6), name


# -- the shock's calibration on Wong et al. 2021 (monitor.calibration) -----------------
def test_the_shortcut_gives_the_36_month_runs_alert_rise():
    # the same number the story computes from two full runs (committed for SEEDS[3])
    assert shock_alerts_change(SEEDS[3]) == pytest.approx(
        TYPICAL["shock_alerts_change"]["values"][3], abs=2e-6)


def test_sicker_shock_patients_raise_more_alerts():
    seed = SEEDS[3]
    fewer_only = shock_alerts_change(seed, weight=0.0)
    # no sicker: the shock's intake is a sample of the usual one (the same keys)
    assert fewer_only <= 0
    assert fewer_only < shock_alerts_change(seed) < shock_alerts_change(seed, weight=2.0)


def test_the_rule_finds_the_weight_that_gives_a_rise():
    seed = SEEDS[3]
    target = shock_alerts_change(seed)  # what the committed weight gives on this seed
    weight, rise = calibrate_shock_weight(seeds=(seed,), target=target)
    assert rise == pytest.approx(target, abs=1e-6) and weight <= SHOCK_SEVERITY_WEIGHT
    # on all 20 seeds the committed weight gives Wong's 43 % (scripts/typical_values_06.py
    # --calibrate-shock re-runs the rule)
    assert abs(m("shock_alerts_change") - WONG_ALERTS_RISE) <= 0.03


# -- monitors ----------------------------------------------------------------------------
def test_psi_false_alarm_rates_match_the_chi_squared_figures():
    assert round(psi_false_alarm_rate(100, 100), 2) == 0.83
    assert round(psi_false_alarm_rate(200, 200), 2) == 0.35
    rng = np.random.default_rng(5)
    fired = np.mean([psi(rng.normal(size=100), rng.normal(size=100)) >= 0.1
                     for _ in range(300)])
    assert abs(fired - 0.83) < 0.1


def test_ks_pvalue_agrees_with_scipy():
    rng = np.random.default_rng(2)
    for shift in (0.0, 0.2, 0.5):
        a, b = rng.normal(size=2000), rng.normal(shift, 1, 300)
        assert ks_pvalue(a, b) == pytest.approx(stats.ks_2samp(a, b, method="asymp").pvalue,
                                                abs=0.02)


def test_cusum_fires_on_a_sustained_excess_and_not_on_expected_months():
    calm = Cusum()
    assert not any(calm.add(20, 20.0) for _ in range(36))
    high = Cusum()
    fired = [high.add(28, 20.0) for _ in range(6)]
    assert any(fired) and high.direction == "more"
    low = Cusum()
    assert any(low.add(12, 20.0) for _ in range(6)) and low.direction == "fewer"


# -- policies and the log ----------------------------------------------------------------
def test_nobody_watching_raises_no_alarm_and_logs_only_the_go_live():
    result = _run(MonitorSettings(seed=SEED, drift_coding=12), with_baseline=False)
    assert result.timeline.alarms == [] and len(result.log) == 1
    assert result.incidents == ()
    assert "Nobody was watching" in " ".join(result.sentences())


def test_ignored_alarms_start_an_incident_clock_and_acted_ones_do_not():
    ignored = run(drift_coding=12)
    assert ignored.incidents and all(a["decision"].startswith("ignored")
                                     for a in ignored.timeline.alarms)
    incident = ignored.incidents[0]
    assert incident.known_month == incident.screened_month + LABEL_DELAY
    assert incident.screened_month > incident.alarm_month
    assert "15 days" in incident.sentence()
    acted = run(drift_coding=12, update_policy="recalibrate")
    decisions = [a["decision"] for a in acted.timeline.alarms]
    assert "recalibrated" in decisions and acted.totals()["updates"] >= 1
    assert (acted.log["entry"] == "model update").sum() == acted.totals()["updates"]


def test_yearly_refit_waits_for_a_year_of_labels_and_ignores_alarms_between():
    # at the end of month 12 no crisis of the live year is known yet: the first refit is
    # at the end of month 24, on months 1-12
    result = run(drift_coding=12, update_policy="yearly_refit")
    assert [m for m, _ in result.timeline.versions] == [1, 25]
    assert all(a["decision"] == "ignored: waiting for the yearly refit"
               for a in result.timeline.alarms)


def test_the_baseline_is_one_step_back():
    assert MonitorSettings(drift_shock=6, update_policy="recalibrate").baseline()[0] == \
        MonitorSettings(update_policy="recalibrate")
    assert MonitorSettings(model_source="vendor").baseline()[1] == "our own model"
    assert MonitorSettings(monitoring="both").baseline()[1] == "nobody watching"
    result = _run(MonitorSettings(seed=SEED, drift_pipeline=12))
    change = result.versus_baseline().loc[("all", "all patients"), "missed"]
    # one seed: the bug's few extra misses are within chance (typically more: above)
    assert change != 0 and result.baseline_name.startswith("the same three years")
