"""Tests of teachkit.io: CSV and Parquet round trips, reproducible bytes, bad paths."""

from __future__ import annotations

import pandas as pd
import pytest

from teachkit._validation import TeachkitError
from teachkit.cohort import make_cohort
from teachkit.io import SUFFIXES, load_cohort, save_cohort


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    # the lessons' rate (2 %): 400 patients at the 0.75 % preset leave too few crises to train on
    return make_cohort(400, seed=3, setting="primary_care", crisis_rate=0.02)


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["birth_date"] = out["birth_date"].dt.strftime("%Y-%m-%d")
    return out.astype(str)


def test_csv_round_trip_keeps_every_value(cohort, tmp_path):
    loaded = load_cohort(save_cohort(cohort, tmp_path / "cohort.csv"))
    assert list(loaded.columns) == list(cohort.columns)
    assert len(loaded) == len(cohort)
    pd.testing.assert_frame_equal(_as_text(loaded), _as_text(cohort))
    # numbers and yes/no come back as numbers and booleans, dates as dates
    assert loaded["severity"].equals(cohort["severity"])
    assert loaded["crisis_risk"].equals(cohort["crisis_risk"])
    assert loaded["crisis"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(loaded["birth_date"])
    assert (loaded["birth_date"] == cohort["birth_date"]).all()


def test_csv_round_trip_restores_the_dtypes(cohort, tmp_path):
    loaded = load_cohort(save_cohort(cohort, tmp_path / "cohort.csv"))
    loaded["birth_date"] = loaded["birth_date"].astype("datetime64[s]")  # unit aside
    pd.testing.assert_frame_equal(loaded, cohort)


def test_parquet_round_trip(cohort, tmp_path):
    loaded = load_cohort(save_cohort(cohort, tmp_path / "cohort.parquet"))
    # pyarrow stores datetime64[s] as milliseconds: compare the dates, not the unit
    assert (loaded["birth_date"] == cohort["birth_date"]).all()
    pd.testing.assert_frame_equal(loaded.drop(columns="birth_date"),
                                  cohort.drop(columns="birth_date"))
    assert loaded.attrs.get("teachkit") == cohort.attrs["teachkit"]


def test_csv_bytes_are_reproducible_and_plain(cohort, tmp_path):
    a = save_cohort(cohort, tmp_path / "a.csv").read_bytes()
    b = save_cohort(make_cohort(400, seed=3, setting="primary_care", crisis_rate=0.02),
                    tmp_path / "b.csv").read_bytes()
    assert a == b
    assert b"\r" not in a
    lines = a.decode("utf-8").split("\n")
    assert lines[0] == ",".join(cohort.columns)  # no index column
    assert lines[-1] == "" and len(lines) == len(cohort) + 2
    first = dict(zip(lines[0].split(","), lines[1].split(",")))
    assert first["birth_date"] == cohort["birth_date"].iloc[0].strftime("%Y-%m-%d")
    assert first["zip5"].startswith(first["zip3"])


def test_save_does_not_change_the_cohort(cohort, tmp_path):
    before = cohort.copy()
    save_cohort(cohort, tmp_path / "x.csv")
    pd.testing.assert_frame_equal(cohort, before)


def test_save_creates_folders_and_returns_the_path(cohort, tmp_path):
    target = tmp_path / "deep" / "er" / "cohort.csv"
    path = save_cohort(cohort, str(target))
    assert path == target and target.exists()


def test_suffixes_are_case_insensitive(cohort, tmp_path):
    loaded = load_cohort(save_cohort(cohort, tmp_path / "COHORT.CSV"))
    assert len(loaded) == len(cohort)
    assert SUFFIXES == (".csv", ".parquet")


@pytest.mark.parametrize("name", ["cohort.txt", "cohort", "cohort.xlsx", "cohort.csv.gz"])
def test_bad_suffix_is_refused_on_save(cohort, tmp_path, name):
    path = tmp_path / name
    with pytest.raises(TeachkitError) as info:
        save_cohort(cohort, path)
    assert str(info.value) == (
        "The output file must end in .csv or .parquet, so teachkit knows which format to "
        f"write. Got {str(path)!r} instead.")
    assert not path.exists()


def test_bad_suffix_is_refused_on_load(tmp_path):
    with pytest.raises(TeachkitError, match=r"must end in \.csv or \.parquet"):
        load_cohort(tmp_path / "cohort.json")


def test_missing_file(tmp_path):
    path = tmp_path / "nothing.csv"
    with pytest.raises(TeachkitError) as info:
        load_cohort(path)
    assert str(info.value) == f"No cohort file at {str(path)!r}."


def test_a_loaded_cohort_runs_through_the_pipeline_like_the_original(cohort, tmp_path):
    from teachkit.pipeline import Settings, simulate

    loaded = load_cohort(save_cohort(cohort, tmp_path / "cohort.csv"))
    settings = Settings(model="logistic", policy="capacity", capacity=0.1)
    a = simulate(settings, cohort=cohort).consequences
    b = simulate(settings, cohort=loaded).consequences
    pd.testing.assert_frame_equal(a.overall, b.overall)
    pd.testing.assert_frame_equal(a.by_group.sort_index(), b.by_group.sort_index(),
                                  check_index_type=False)
