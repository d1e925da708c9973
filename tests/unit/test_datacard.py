"""Tests of teachkit.datacard and of the committed data/synthetic files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from teachkit import datacard
from teachkit.calibration import CALIBRATION_TARGETS, check_calibration
from teachkit.cohort import CRISIS_DEFINITION, LESSON_CRISIS_RATES, make_cohort
from teachkit.datacard import (
    COLUMNS,
    GENERATION_STEPS,
    SAMPLE_SIZE,
    get_column,
    render_datacard,
    sample_patients,
)
from teachkit.io import load_cohort, save_cohort
from teachkit.pipeline import DEFAULT_COHORT, lesson_cohort
from teachkit.sources import SOURCES

DATA = Path(__file__).resolve().parents[2] / "data" / "synthetic"
REGENERATE = "run `make data` (scripts/make_data.py) and commit the result"


@pytest.fixture(scope="module")
def default_cohort():
    return lesson_cohort(**DEFAULT_COHORT)


@pytest.fixture(scope="module")
def card(default_cohort):
    return render_datacard(default_cohort)


def _make_data():
    from importlib import util

    spec = util.spec_from_file_location("make_data", DATA.parents[1] / "scripts" /
                                        "make_data.py")
    make_data = util.module_from_spec(spec)
    spec.loader.exec_module(make_data)
    return make_data


def test_committed_sample_is_exactly_what_the_generator_makes(default_cohort, tmp_path):
    committed = DATA / "cohort_sample.csv"
    assert committed.exists(), REGENERATE
    fresh = save_cohort(sample_patients(default_cohort),
                        tmp_path / "cohort_sample.csv").read_bytes()
    assert fresh == committed.read_bytes(), REGENERATE


def test_the_sample_is_the_lessons_patients_with_their_ids(default_cohort):
    sample = load_cohort(DATA / "cohort_sample.csv")
    assert len(sample) == SAMPLE_SIZE < len(default_cohort)
    assert sample["patient_id"].is_monotonic_increasing and sample["patient_id"].is_unique
    same = default_cohort.set_index("patient_id").loc[sample["patient_id"]]
    for column in ("age", "sex", "ethnicity", "phq9_total", "crisis", "name"):
        assert (same[column].to_numpy() == sample[column].to_numpy()).all(), column


def test_committed_sample_is_small_and_the_full_cohort_is_not_committed():
    make_data = _make_data()
    assert (DATA / make_data.SAMPLE_NAME).stat().st_size < make_data.MAX_CSV_BYTES \
        <= 5_000_000  # the repository refuses files over 5 MB
    ignored = subprocess.run(["git", "check-ignore", "-q", str(DATA / make_data.FULL_NAME)],
                             cwd=DATA, capture_output=True)
    assert ignored.returncode == 0, f"{make_data.FULL_NAME} must be in .gitignore"


def test_make_data_writes_the_full_cohort_alone_when_asked(default_cohort, tmp_path, capsys):
    assert _make_data().main(["--out-dir", str(tmp_path), "--cohort-only"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.csv"]
    assert "60,000 synthetic patients" in capsys.readouterr().out
    full = (tmp_path / "cohort.csv").read_text(encoding="utf-8").splitlines()
    sample = (DATA / "cohort_sample.csv").read_text(encoding="utf-8").splitlines()
    assert len(full) == 1 + len(default_cohort) and full[0] == sample[0]
    assert set(sample[1:]) <= set(full[1:])  # the committed sample's rows, byte for byte


def test_committed_datacard_is_exactly_what_render_datacard_makes(card):
    committed = DATA / "DATACARD.md"
    assert committed.exists(), REGENERATE
    assert committed.read_text(encoding="utf-8") == card, REGENERATE


def test_render_datacard_defaults_to_the_lessons_cohort(card):
    assert render_datacard() == card


def test_rendering_is_deterministic(card, default_cohort):
    assert render_datacard(default_cohort) == card


def test_every_column_is_documented_once(default_cohort):
    names = [c.name for c in COLUMNS]
    assert len(names) == len(set(names))
    assert names == list(default_cohort.columns)
    for col in COLUMNS:
        assert col.meaning.endswith("."), col.name
        assert col.allowed and col.dtype, col.name
        assert col.step in (0, *GENERATION_STEPS), col.name


def test_every_column_has_a_row_in_the_card(card):
    for col in COLUMNS:
        assert f"| `{col.name}` | `{col.dtype}` |" in card, col.name


def test_every_source_key_exists_and_is_listed(card):
    used = {key for col in COLUMNS for key in col.sources}
    assert used <= set(SOURCES), used - set(SOURCES)
    for key in used:
        basis, citation = SOURCES[key]
        assert basis in {"S", "S2", "D", "A", "K"}
        assert f"| `{key}` | {basis} | {citation.replace('|', chr(92) + '|')} |" in card


def test_only_the_row_number_has_no_source():
    assert [c.name for c in COLUMNS if not c.sources] == ["patient_id"]


def test_the_card_names_both_files_and_describes_the_full_cohort(card, default_cohort):
    assert f"`data/synthetic/cohort.csv` ({len(default_cohort):,} synthetic patients" in card
    assert f"`data/synthetic/cohort_sample.csv` ({SAMPLE_SIZE:,} of these patients" in card


def test_the_card_says_synthetic_loudly_and_what_not_to_do(card):
    first = card.splitlines()[0]
    assert first.startswith("# ") and "SYNTHETIC" in first
    assert "NOT REAL PATIENTS" in card
    for forbidden in ("any clinical decision", "any claim about real populations",
                      "training or validating models for deployment"):
        assert forbidden in card


def test_the_card_follows_the_datasheet_sections(card):
    headings = [line for line in card.splitlines() if line.startswith("### 1.")]
    sections = ["Motivation", "Composition", "Collection process", "Preprocessing", "Uses",
                "Distribution", "Maintenance"]
    assert len(headings) == len(sections)
    for heading, section in zip(headings, sections):
        assert section in heading
    for step in GENERATION_STEPS.values():
        assert step in card


@pytest.fixture(scope="module")
def calibration():
    return check_calibration(calibration="sourced")


def test_every_calibration_target_is_within_its_band_or_kept_for_a_stated_reason(
        calibration):
    missed = calibration[~calibration["within"] & (calibration["kept"] == "")]
    assert missed.empty, missed[["label", "target", "low", "high", "achieved"]]
    # A kept reason that no longer applies is stale: the row must really be outside.
    stale = calibration[calibration["within"] & (calibration["kept"] != "")]
    assert stale.empty, stale[["label", "achieved", "kept"]]
    assert (calibration["low"] <= calibration["target"]).all()
    assert (calibration["target"] <= calibration["high"]).all()


def test_uniqueness_is_measured_in_the_town_and_is_sweeneys(calibration):
    row = calibration.loc["unique_zip5_dob_sex"]
    assert row["within"] and row["kept"] == "" and 0.82 <= row["achieved"] <= 0.92
    assert "in the town" in row["label"]


def test_the_departures_are_the_ones_decided_in_issue_12(calibration):
    kept = set(calibration.index[calibration["kept"] != ""])
    assert kept == {"truth_auc"}  # uniqueness is now measured in the town, within band


def test_the_presets_hold_the_sourced_12_month_rates(calibration):
    # DOMAIN.md a.2: 0.5-1 % in primary care; Simon 2018's 0.63 % per 90 days over a year
    assert calibration.loc["crisis_primary", "achieved"] == pytest.approx(0.0075, rel=0.02)
    assert 0.005 <= calibration.loc["crisis_primary", "low"] < \
        calibration.loc["crisis_primary", "high"] <= 0.01
    assert calibration.loc["crisis_specialty", "target"] == \
        pytest.approx(1 - (1 - 0.0063) ** 4, abs=1e-4)
    assert calibration.loc["crisis_general", "achieved"] < \
        calibration.loc["crisis_primary", "achieved"]
    # Simon 2018's 90-day figures are measured on a 90-day cohort at his rate
    assert "90 days" in calibration.loc["top5_ppv_simon", "cohort"]


def test_the_card_lists_every_target_with_source_band_and_achieved_value(card, calibration):
    assert "## 5. Calibration" in card and "### 5.1 The committed cohort: primary care" in card
    for key, row in calibration.iterrows():
        line = next((ln for ln in card.splitlines() if ln.startswith(f"| {row['label']} |")
                     and f"| {row['cohort']} |" in ln), None)
        assert line is not None, key
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        assert cells[1] == f"`{row['source']}`", line
        unit = row["unit"]
        assert cells[3] == datacard._format(row["target"], unit), line
        assert cells[4] == (f"{datacard._format(row['low'], unit)} to "
                            f"{datacard._format(row['high'], unit)}"), line
        assert cells[5] == datacard._format(row["achieved"], unit), line
        expected = "yes" if row["within"] else f"no, kept: {row['kept']}"
        assert cells[6] == expected, line
        assert row["source"] in SOURCES, key


def test_the_card_also_shows_what_the_lessons_calibration_reaches(card):
    lessons = check_calibration(CALIBRATION_TARGETS[:8], calibration="lessons")
    assert not lessons.loc["item9_gradient", "within"]  # 24-57x: issue 12's finding
    assert "lessons' calibration" in card


def test_the_calibration_covers_what_issue_12_asks_for():
    keys = {t.key for t in CALIBRATION_TARGETS}
    assert {"crisis_general", "crisis_primary", "crisis_specialty", "unique_zip5_dob_sex",
            "truth_auc", "item9_gradient", "item9_zero_share", "top5_capture_simon",
            "top5_ppv_simon", "phq2_gad7_r",
            "untreated_severe", "treated_sex", "white_f32", "anxiety_sex"} <= keys
    assert {f"phq{i}_ratio" for i in range(1, 10)} <= keys


def test_a_target_outside_its_band_is_reported():
    from dataclasses import replace

    tight = replace(CALIBRATION_TARGETS[0], low=0.5, high=0.6)
    assert not check_calibration((tight,)).iloc[0]["within"]


def test_the_card_defines_a_crisis_and_its_horizon_and_the_lessons_rate(card,
                                                                         default_cohort):
    assert CRISIS_DEFINITION in card and "within 12 months" in CRISIS_DEFINITION
    assert default_cohort.attrs["teachkit"]["crisis_horizon"] == "12 months"
    assert "crisis rate (12 months)" in card and "90 days" not in CRISIS_DEFINITION
    assert "**The lessons' cohort is drawn at these sourced rates**" in card
    assert "teaching rate" not in card
    assert "60,000 primary-care patients hold about 450 crises" in card
    assert default_cohort.attrs["teachkit"]["crisis_rate"] == \
        LESSON_CRISIS_RATES["primary_care"] == 0.0075


def test_the_card_describes_the_cohort_it_is_given():
    card = render_datacard(make_cohort(1_000, seed=1, setting="specialty"))
    assert "(1,000 synthetic patients, 40 columns)" in card
    assert "setting='specialty'" in card


def test_a_frame_not_made_by_make_cohort_is_refused():
    df = make_cohort(100, seed=1)
    df.attrs = {}
    with pytest.raises(ValueError, match="attrs"):
        render_datacard(df)


def test_get_column():
    assert get_column("phq9").sources == ("grm", "item9")
    with pytest.raises(KeyError, match="no column 'phq10'"):
        get_column("phq10")
