"""The linkage attack (lesson 03): a synthetic voter roll names patients of a release.

Bands are reasoned, then measured on the lessons' cohort (60,000 synthetic patients, seed
2024) with the default register (80 % of a town of 7.6 million adults, the patients among
them, :mod:`teachkit.privacy.town`):

- only people on the register can be named, so the share named is at most its coverage
  (80 %, plus the draw's noise: 60,000 Bernoulli(0.8) draws have a standard deviation of
  0.2 points);
- on ZIP5 + date of birth + sex the town is as unique as Sweeney's US population (87 %,
  band 82-92 %), so the share named is that share of the 80 % on the register: 66-74 %
  (measured: 71.6 %);
- k-anonymity with k >= 2 on the linked details leaves no release row alone, so the
  attack names nobody.
"""

import numpy as np
import pandas as pd
import pytest

from teachkit import TeachkitError
from teachkit.cohort import make_cohort
from teachkit.pipeline import lesson_cohort
from teachkit.privacy import (
    AttackResult,
    Release,
    linkage_attack,
    make_release,
    public_register,
    run_release,
)
from teachkit.privacy.attack import REGISTER_COLUMNS, REGISTER_COVERAGE
from teachkit.privacy.town import TOWN_ADULTS

SMALL = make_cohort(3_000, seed=31, setting="primary_care")
NAIVE = Release()
ZIP3_YEAR = Release(release_zip="zip3", release_birth="year")
ZIP3_YEAR_ETHNICITY = Release(release_zip="zip3", release_birth="year",
                              release_ethnicity="kept")
ZIP3 = Release(release_zip="zip3")
ZIP3_ETHNICITY = Release(release_zip="zip3", release_ethnicity="kept")


@pytest.fixture(scope="module")
def cohort():
    return lesson_cohort()


# --- the register -----------------------------------------------------------------------
def test_the_register_covers_a_share_of_the_town_patients_included():
    register = public_register(SMALL, seed=5)
    on_roll = register["patient_id"].notna()
    assert list(register.columns) == [*REGISTER_COLUMNS, "patient_id"]
    assert on_roll.all()  # its rows are the patients on it; the town is counted
    assert abs(len(register) / len(SMALL) - REGISTER_COVERAGE) < 0.03
    town = register.attrs["teachkit"]["town"]
    assert town["adults"] == TOWN_ADULTS
    assert town["others"] == REGISTER_COVERAGE * (TOWN_ADULTS - len(SMALL))
    assert register.attrs["teachkit"]["size"] == round(len(register) + town["others"])
    # a patient on the roll is listed with their own details
    ids = register.loc[on_roll, "patient_id"].astype(int).to_numpy()
    source = SMALL.set_index("patient_id").loc[ids]
    for column in ("name", "zip5", "birth_date", "sex", "ethnicity"):
        assert (register.loc[on_roll, column].astype(str).to_numpy()
                == source[column].astype(str).to_numpy()).all(), column
    assert register.attrs["teachkit"]["synthetic"] is True


def test_the_register_is_deterministic_and_its_order_says_nothing():
    a = public_register(SMALL, seed=5)
    pd.testing.assert_frame_equal(a, public_register(SMALL, seed=5))
    assert not a.equals(public_register(SMALL, seed=6))
    ids = a["patient_id"].dropna().astype(int).to_numpy()
    assert not (np.diff(ids) > 0).all()  # shuffled


def test_a_subset_of_patients_meets_the_same_town():
    """Releasing only the consenters must not change who is on the voter roll."""
    full = public_register(SMALL, seed=5)
    subset = SMALL[SMALL["consent_model_training"]]
    assert len(subset) < len(SMALL)
    part = public_register(subset, seed=5)
    full_ids = set(full["patient_id"].dropna().astype(int))
    part_ids = set(part["patient_id"].dropna().astype(int))
    assert part_ids == full_ids & set(subset["patient_id"])
    full_town, part_town = full.attrs["teachkit"]["town"], part.attrs["teachkit"]["town"]
    assert part_town["others"] == full_town["others"]
    np.testing.assert_array_equal(part_town["lookalike_u"], full_town["lookalike_u"])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"coverage": 1.5}, "The 'coverage' parameter of public_register must be a float in the "
                        "range [0.0, 1.0]. Got 1.5 instead."),
    ({"town": 10}, "The 'town' parameter of public_register must be an int in the range "
                   "[3000, 10000000000]. Got 10 instead."),
    ({"seed": -3}, "The 'seed' parameter of public_register must be an int in the range "
                   "[0, 4294967295]. Got -3 instead."),
])
def test_register_arguments_are_validated(kwargs, message):
    with pytest.raises(TeachkitError) as info:
        public_register(SMALL, **kwargs)
    assert str(info.value) == message


def test_coverage_zero_gives_an_empty_register_and_no_names():
    register = public_register(SMALL, coverage=0.0)
    assert len(register) == 0
    attack = linkage_attack(make_release(SMALL), register)
    assert attack.claimed == attack.reidentified == 0 and attack.rate == 0.0


# --- the attack on hand-made data -------------------------------------------------------
def test_a_patient_alone_in_the_release_and_on_the_register_is_named():
    """Three patients, a register of two: only the one unique on both sides is named."""
    cohort = SMALL.iloc[:3].copy()
    cohort["zip5"] = pd.Categorical(["80101", "80101", "80202"],
                                    categories=SMALL["zip5"].cat.categories)
    cohort["birth_date"] = pd.to_datetime(["1980-01-02"] * 3).astype(
        SMALL["birth_date"].dtype)
    cohort["sex"] = pd.Categorical(["female"] * 3, categories=SMALL["sex"].cat.categories)
    release = make_release(cohort)
    register = public_register(cohort, coverage=1.0, town=len(SMALL))  # nobody else
    attack = linkage_attack(release, register)
    # patients 1 and 2 look the same (80101, 1980-01-02, female): nobody can tell them apart
    assert (attack.claimed, attack.reidentified, attack.wrong) == (1, 1, 0)
    named = attack.linked.iloc[0]
    assert named["zip5"] == "80202" and named["correct"]
    assert named["name"] == str(cohort["name"].iloc[2])
    assert attack.rate == pytest.approx(1 / 3)
    # with patient 2 off the register, patient 1 is alone on the register but not in the
    # release: two rows fit, so the attacker cannot say which one is theirs
    without_2 = register[register["patient_id"] != cohort["patient_id"].iloc[1]]
    assert len(without_2) == 2
    assert linkage_attack(release, without_2).claimed == 1


def test_a_look_alike_on_the_register_is_a_wrong_name():
    """The patient is not on the register, but a non-patient with the same details is."""
    cohort = SMALL.iloc[:1]
    stranger = cohort[list(REGISTER_COLUMNS)].copy()
    stranger["name"] = "Some Body"
    stranger["patient_id"] = pd.array([pd.NA], dtype="Int64")
    attack = linkage_attack(make_release(cohort), stranger)
    assert (attack.claimed, attack.reidentified, attack.wrong) == (1, 0, 1)
    assert attack.examples().empty


def test_a_townsperson_with_the_same_details_is_a_wrong_name():
    """Patients off the register whose released details a townsperson shares are named
    wrongly; in a town of 7.6 million more of them share coarse details than fine ones,
    and a coarser release never names a patient the finer one did not."""
    patients = SMALL.iloc[:400]
    off_roll = public_register(patients, coverage=0.0)  # no patient on it: look-alikes only
    off_roll.attrs["teachkit"]["town"]["others"] = REGISTER_COVERAGE * TOWN_ADULTS
    fine = linkage_attack(make_release(patients), off_roll)
    coarse = linkage_attack(make_release(patients, Release(release_zip="zip3")), off_roll)
    assert fine.reidentified == coarse.reidentified == 0
    assert fine.wrong == fine.claimed > 0 and not fine.linked["correct"].any()
    # about 11 % of them have exactly one look-alike on ZIP5 + date + sex (lambda about 0.14)
    assert 0.04 < fine.wrong / len(patients) < 0.25
    assert fine.linked["name"].str.len().gt(0).all()
    register = public_register(patients, coverage=1.0)
    named = set(linkage_attack(make_release(patients), register).linked.query("correct")[
        "record"])
    fewer = set(linkage_attack(make_release(patients, Release(release_zip="zip3")),
                               register).linked.query("correct")["record"])
    assert len(fewer) < len(named)


def test_linkage_attack_needs_a_release_from_make_release():
    register = public_register(SMALL)
    with pytest.raises(TeachkitError) as info:
        linkage_attack(SMALL, register)
    assert str(info.value) == (
        "The 'release' parameter of linkage_attack must be a table from make_release (it "
        "carries its data dictionary and the hospital's key). Got a DataFrame without them "
        "instead.")
    trimmed = make_release(SMALL).iloc[:10]  # rows dropped: the key no longer fits
    trimmed.attrs["teachkit"] = make_release(SMALL).attrs["teachkit"]
    with pytest.raises(TeachkitError, match="must be a table from make_release"):
        linkage_attack(trimmed, register)
    with pytest.raises(TeachkitError, match="'register' parameter of linkage_attack"):
        linkage_attack(make_release(SMALL), register.drop(columns="patient_id"))


# --- the attack on the lessons' cohort --------------------------------------------------
def test_zip5_date_and_sex_name_most_patients(cohort):
    result = run_release(NAIVE, cohort)
    attack = result.attack
    assert attack.linked_on == ("zip", "birth", "sex")
    # Sweeney's uniqueness (82-92 %) of the 80 % on the register: 66-74 %
    assert 0.82 * REGISTER_COVERAGE <= attack.rate <= 0.92 * REGISTER_COVERAGE
    assert attack.wrong < 0.05 * attack.claimed  # nearly every claim is right
    assert attack.claimed == attack.reidentified + attack.wrong
    assert round(result.register_size, -4) == REGISTER_COVERAGE * TOWN_ADULTS


def test_coarser_details_name_fewer_and_ethnicity_names_more(cohort):
    """ZIP3 (about 30 ZIP5 codes of the town) + date + sex leave most patients in a crowd
    (measured 12 %), but adding ethnicity, which the voter roll also holds, singles many
    out again (measured 37 %); ZIP3 + birth year names almost nobody (measured 0)."""
    naive = run_release(NAIVE, cohort).attack
    coarse = run_release(ZIP3, cohort).attack
    with_ethnicity = run_release(ZIP3_ETHNICITY, cohort).attack
    assert coarse.rate < 0.2
    assert coarse.rate < with_ethnicity.rate < naive.rate
    assert with_ethnicity.rate > 2 * coarse.rate
    assert run_release(ZIP3_YEAR, cohort).attack.rate < 0.005
    # coarse details also make more look-alikes: a larger share of the claims is wrong
    assert coarse.wrong / coarse.claimed > naive.wrong / naive.claimed


def test_language_is_not_on_the_register_so_it_is_not_linked(cohort):
    attack = run_release(Release(release_language="kept"), cohort).attack
    assert attack.linked_on == ("zip", "birth", "sex")


@pytest.mark.parametrize("release", [
    Release(k_target=11),
    Release(k_target=11, release_ethnicity="kept", release_language="kept"),
    Release(k_target=25, release_zip="zip3", release_birth="year"),
    Release(k_target=2),
])
def test_k_anonymity_leaves_nobody_to_name(cohort, release):
    result = run_release(release, cohort)
    assert result.k >= release.k_target
    assert (result.attack.claimed, result.attack.reidentified) == (0, 0)
    assert result.attack.by_group["reidentified"].sum() == 0


def test_by_group_adds_up_and_examples_are_right(cohort):
    attack = run_release(NAIVE, cohort).attack
    assert isinstance(attack, AttackResult)
    for attribute in ("ethnicity", "sex", "language", "rurality", "age_group"):
        sub = attack.by_group.loc[attribute]
        assert sub["released"].sum() == attack.released
        assert sub["reidentified"].sum() == attack.reidentified
    examples = attack.examples(3)
    assert len(examples) == 3 and "correct" not in examples.columns
    # each example really is that patient: same name, ZIP code and date of birth
    patients = cohort.set_index(cohort["name"].astype(str) + "|" + cohort["zip5"].astype(str))
    for row in examples.itertuples():
        match = patients.loc[[f"{row.name}|{row.zip5}"]]
        assert (pd.to_datetime(match["birth_date"]) == pd.Timestamp(row.birth_date)).any()


def test_the_fast_path_of_run_release_equals_linkage_attack(cohort):
    for release in (NAIVE, ZIP3_ETHNICITY, Release(release_birth="year")):
        result = run_release(release, cohort)
        slow = linkage_attack(result.table, public_register(cohort, seed=0))
        fast = result.attack
        assert (slow.claimed, slow.reidentified, slow.wrong) == \
            (fast.claimed, fast.reidentified, fast.wrong)
        pd.testing.assert_frame_equal(slow.linked, fast.linked)
        pd.testing.assert_frame_equal(slow.by_group, fast.by_group)
