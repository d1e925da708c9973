"""The release (lesson 03): quasi-identifiers, k-anonymity, generalisation and suppression.

The suppression tests assert a direction measured on the lessons' cohort (60,000
primary-care patients, seed 2024): the patients withheld to reach k are the rare ones,
so small groups lose most (El Emam et al. 2011).
"""

import numpy as np
import pandas as pd
import pytest

from teachkit import TeachkitError
from teachkit._validation import PARAM_MESSAGE
from teachkit.cohort import make_cohort
from teachkit.levers import REGISTRY
from teachkit.levers.privacy import PRIVACY_LEVERS
from teachkit.pipeline import lesson_cohort
from teachkit.privacy import (
    HospitalKey,
    Release,
    equivalence_classes,
    k_anonymity,
    make_release,
    run_release,
)
from teachkit.privacy.quasi import HIERARCHY, generalise, labels
from teachkit.privacy.release import PAYLOAD, anonymise

SMALL = make_cohort(3_000, seed=21, setting="primary_care")


def _snapshot(df):
    return pd.util.hash_pandas_object(df, index=True).sum()


# --- k-anonymity on hand-made tables ----------------------------------------------------
TABLE = pd.DataFrame({
    "zip": ["803**", "803**", "803**", "812**", "812**", "840**"],
    "year": [1980, 1980, 1981, 1990, 1990, 1975],
    "sex": ["f", "f", "f", "m", "m", "f"],
})


@pytest.mark.parametrize(("columns", "expected"), [
    (["zip"], 1),            # 840** is alone
    (["sex"], 2),            # two men
    (["zip", "year"], 1),
    ([], 6),                 # no quasi-identifier: one class of everyone
])
def test_k_anonymity_is_the_smallest_class(columns, expected):
    assert k_anonymity(TABLE, columns) == expected


def test_k_anonymity_accepts_one_column_name_and_any_sequence():
    assert k_anonymity(TABLE, "sex") == 2
    assert k_anonymity(TABLE, ("sex",)) == 2
    assert k_anonymity(TABLE.iloc[:5], pd.Index(["zip"])) == 2


def test_equivalence_classes_lists_every_class_smallest_first():
    classes = equivalence_classes(TABLE, ["zip", "sex"])
    assert classes["size"].tolist() == [1, 2, 3]
    assert classes["size"].sum() == len(TABLE)
    assert classes.iloc[0][["zip", "sex"]].tolist() == ["840**", "f"]
    assert equivalence_classes(TABLE, [])["size"].tolist() == [6]


def test_an_empty_release_has_no_k():
    with pytest.raises(TeachkitError) as info:
        k_anonymity(TABLE.iloc[:0], ["zip"])
    assert str(info.value) == (
        "The 'df' parameter of k_anonymity must have at least one row: an empty release "
        "has no equivalence classes (every patient was withheld).")
    with pytest.raises(TeachkitError, match="equivalence_classes"):
        equivalence_classes(TABLE.iloc[:0], ["zip"])


def test_bad_tables_and_columns_get_clear_messages():
    with pytest.raises(TeachkitError) as info:
        k_anonymity([1, 2, 3], ["zip"])
    assert str(info.value) == ("The 'df' parameter of k_anonymity must be a pandas DataFrame. "
                               "Got list instead.")
    with pytest.raises(TeachkitError, match=r"\['age'\] are not among"):
        k_anonymity(TABLE, ["zip", "age"])


# --- generalisation hierarchies ---------------------------------------------------------
def test_each_level_is_coarser_than_the_one_before():
    """Two patients equal at one level are equal at every coarser level."""
    for detail, levels in HIERARCHY.items():
        previous = None
        for level in levels:
            codes = generalise(SMALL, detail, level)
            if previous is not None:
                # one code at the finer level maps to exactly one at the coarser level
                pairs = pd.DataFrame({"fine": previous, "coarse": codes}).drop_duplicates()
                assert pairs["fine"].is_unique, (detail, level)
                assert len(np.unique(codes)) <= len(np.unique(previous))
            previous = codes
        assert len(np.unique(previous)) == 1  # the last level withholds the detail


def test_labels_read_like_the_released_values():
    row = SMALL.iloc[[0]]
    zip5, born = str(row["zip5"].iloc[0]), pd.Timestamp(row["birth_date"].iloc[0])
    assert list(labels(row, "zip", "zip5")) == [zip5]
    assert list(labels(row, "zip", "zip3")) == [zip5[:3] + "**"]
    assert list(labels(row, "zip", "zip2")) == [zip5[:2] + "***"]
    assert list(labels(row, "birth", "date")) == [born.strftime("%Y-%m-%d")]
    assert list(labels(row, "birth", "year")) == [str(born.year)]
    decade = born.year // 10 * 10
    assert list(labels(row, "birth", "10y")) == [f"{decade}-{decade + 9}"]
    assert list(labels(row, "sex", "kept")) == [str(row["sex"].iloc[0])]


# --- the Release settings ---------------------------------------------------------------
def test_release_holds_every_privacy_lever():
    assert [spec.name for spec in Release.lever_specs()] == list(PRIVACY_LEVERS)
    assert set(PRIVACY_LEVERS) <= set(REGISTRY)


def test_the_levers_at_rest_are_the_naive_release():
    """Sweeney's case: names removed, full ZIP code, full date of birth and sex kept."""
    release = Release()
    assert release.start_levels == {"zip": "zip5", "birth": "date", "sex": "kept",
                                    "ethnicity": "removed", "language": "removed"}
    assert release.k_target == 1 and release.epsilon == "off" and not release.uses_noise
    table = make_release(SMALL)
    assert list(table.columns) == ["zip", "birth", "sex", *PAYLOAD]
    meta = table.attrs["teachkit"]
    assert meta["suppressed"] == 0 and len(table) == len(SMALL)
    assert meta["levels"] == {"zip": "zip5", "birth": "date", "sex": "kept"}
    # each row is its patient's exact ZIP code, date of birth and sex
    source = SMALL.set_index("patient_id").loc[meta["key"].patient_id]
    assert (table["zip"].astype(str).to_numpy() == source["zip5"].astype(str).to_numpy()).all()
    births = pd.to_datetime(source["birth_date"]).dt.strftime("%Y-%m-%d").to_numpy()
    assert (table["birth"].astype(str).to_numpy() == births).all()
    assert (table["sex"].astype(str).to_numpy() == source["sex"].astype(str).to_numpy()).all()


def test_an_int_epsilon_is_read_as_its_option_and_others_are_refused():
    assert Release(epsilon=1).epsilon == 1.0 and isinstance(Release(epsilon=1).epsilon, float)
    assert Release(epsilon=8).epsilon == 8.0
    with pytest.raises(TeachkitError) as info:
        Release(epsilon=2)
    assert str(info.value) == PARAM_MESSAGE.format(
        name="epsilon", caller="Release", allowed=REGISTRY["epsilon"].constraint.describe(),
        value=2)


def test_release_validates_like_every_lever_holder():
    with pytest.raises(TeachkitError) as info:
        Release(release_zip="zip4")
    assert str(info.value) == ("The 'release_zip' parameter of Release must be one of 'none', "
                               "'zip3', 'zip5'. Got 'zip4' instead.")
    with pytest.raises(TeachkitError, match="'k_target' parameter of Release must be an int"):
        Release().replace(k_target=2.5)


# --- the released table -----------------------------------------------------------------
@pytest.mark.parametrize("release", [
    Release(),
    Release(release_ethnicity="kept", release_language="kept", k_target=5),
    Release(release_zip="none", release_birth="none", release_sex="removed"),
])
def test_a_release_never_holds_names_or_patient_ids(release):
    table = make_release(SMALL, release)
    assert not {"name", "patient_id", "first_name", "last_name"} & set(table.columns)
    names = set(SMALL["name"].astype(str))
    for column in table.columns:
        values = set(table[column].astype(str))
        assert not values & names, column
    # record numbers are new: 1..n in a shuffled order, not the patients' own numbers
    assert table.index.name == "record"
    assert table.index.tolist() == list(range(1, len(table) + 1))
    key = table.attrs["teachkit"]["key"]
    assert isinstance(key, HospitalKey)
    assert not (key.patient_id == np.arange(1, len(table) + 1)).all()


def test_the_payload_is_each_patients_own():
    table = make_release(SMALL, Release(k_target=3))
    source = SMALL.set_index("patient_id").loc[table.attrs["teachkit"]["key"].patient_id]
    for name, column in PAYLOAD.items():
        assert (table[name].to_numpy() == source[column].to_numpy()).all(), name


def test_make_release_is_pure_and_deterministic():
    before = _snapshot(SMALL)
    a = make_release(SMALL, Release(k_target=5), seed=3)
    b = make_release(SMALL, Release(k_target=5), seed=3)
    assert _snapshot(SMALL) == before
    pd.testing.assert_frame_equal(a, b)
    c = make_release(SMALL, Release(k_target=5), seed=4)
    assert not a.equals(c) and sorted(a["phq9_total"]) == sorted(c["phq9_total"])


@pytest.mark.parametrize("k", [2, 5, 11, 25])
@pytest.mark.parametrize("ethnicity", ["kept", "removed"])
def test_the_release_reaches_k(k, ethnicity):
    release = Release(k_target=k, release_ethnicity=ethnicity, release_language=ethnicity)
    table = make_release(SMALL, release)
    meta = table.attrs["teachkit"]
    assert k_anonymity(table, meta["quasi_identifiers"]) == meta["k"] >= k
    # no more than the limit withheld, unless every detail is already as coarse as it goes
    assert meta["suppressed"] <= 0.05 * len(SMALL) or all(
        lv in ("zip2", "10y", "kept") for lv in meta["levels"].values())


def test_withheld_patients_are_exactly_those_in_too_small_classes():
    from teachkit.privacy.release import prepare_cohort

    release = Release(k_target=11, release_ethnicity="kept")
    prepared = prepare_cohort(SMALL, "test")
    levels, keep, sizes = anonymise(prepared, release, 0.05)
    assert (keep == (sizes >= 11)).all()
    # the sizes are the class sizes of the released details
    frame = pd.DataFrame({d: prepared.dense(d, lv)[0] for d, lv in levels.items()})
    expected = frame.groupby(list(frame.columns))[frame.columns[0]].transform("size")
    assert (sizes == expected.to_numpy()).all()


def test_k_makes_details_coarser_before_withholding_many():
    """Datafly: the detail with the most distinct values (the date of birth) goes first."""
    result = run_release(Release(k_target=5), lesson_cohort())
    assert result.levels["birth"] not in ("date", "month")
    assert result.suppressed <= 0.05 * result.patients
    assert result.coarsened  # something was made coarser than asked


def test_suppression_falls_on_small_groups_first():
    """El Emam 2011: de-identification withholds rare combinations, so small groups lose
    most. Measured at k = 11 with ethnicity released: the smallest ethnic group and
    non-binary patients lose at least twice the share of the largest group, rural patients
    more than urban ones."""
    result = run_release(Release(release_zip="zip3", release_birth="year",
                                 release_ethnicity="kept", k_target=11), lesson_cohort())
    rates = result.suppressed_by_group
    assert result.suppressed > 0
    for attribute in ("ethnicity", "sex"):
        sub = rates.loc[attribute]
        smallest, largest = sub["patients"].idxmin(), sub["patients"].idxmax()
        assert sub.loc[smallest, "rate"] > 2 * sub.loc[largest, "rate"], attribute
    assert rates.loc[("rurality", "rural"), "rate"] > rates.loc[("rurality", "urban"), "rate"]
    assert rates.loc[("sex", "non-binary"), "rate"] > 0.2


def test_make_release_refuses_bad_input_clearly():
    with pytest.raises(TeachkitError) as info:
        make_release(SMALL, "zip3")
    assert str(info.value) == ("The 'release' parameter of make_release must be a Release. "
                               "Got str instead.")
    with pytest.raises(TeachkitError) as info:
        make_release(SMALL.drop(columns="zip5"))
    assert str(info.value) == ("The 'cohort' parameter of make_release must have the columns "
                               "['zip5']; they are missing.")
    with pytest.raises(TeachkitError) as info:
        make_release(SMALL, max_suppressed=1.5)
    assert str(info.value) == ("The 'max_suppressed' parameter of make_release must be a float "
                               "in the range [0.0, 1.0]. Got 1.5 instead.")
    with pytest.raises(TeachkitError, match="at least one patient"):
        make_release(SMALL.iloc[:0])


def test_a_tiny_cohort_can_be_withheld_entirely():
    tiny = SMALL.iloc[:5]
    table = make_release(tiny, Release(k_target=11))
    assert len(table) == 0 and table.attrs["teachkit"]["suppressed"] == 5
    result = run_release(Release(k_target=11), tiny)
    assert result.k == 0 and result.attack.reidentified == 0
    assert "release is empty" in result.sentence()
