"""teachkit.consent: who agreed under each design, the consent filter, the consent stage of
the pipeline, and the report. The first rule: no record of a patient who did not agree
ever reaches what the model learns from when consent is honoured."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from teachkit._validation import TeachkitError
from teachkit.consent import (
    CONSENT_BASELINE_NAME,
    MEANINGFUL_SHARE,
    TRAINING_REFUSAL,
    ConsentResult,
    ConsentSettings,
    consent_filter,
    consent_ledger,
    consent_masks,
    ledger_patient,
    records_used_without_consent,
    run_consent,
    selection_bias,
)
from teachkit.levers.consent import DESIGNS
from teachkit.pipeline import Settings, lesson_cohort, simulate

HONOURED = ConsentSettings(model="logistic", consent="honoured")


@pytest.fixture(scope="module")
def cohort():
    return lesson_cohort()


# -- who agrees -------------------------------------------------------------------------
def test_opt_out_is_the_cohorts_own_answer(cohort):
    masks = consent_masks(cohort, design="opt_out")
    assert (masks["training"] == cohort["consent_model_training"]).all()
    assert (masks["explicit_no"] == ~cohort["consent_model_training"]).all()


@pytest.mark.parametrize("design", DESIGNS)
def test_refusal_rates_follow_the_sources(cohort, design):
    masks = consent_masks(cohort, design=design)
    refused = 1 - masks["training"].mean()
    assert refused == pytest.approx(TRAINING_REFUSAL[design], abs=0.01)
    assert masks["knew"].mean() == pytest.approx(MEANINGFUL_SHARE[design], abs=0.02)


def test_designs_are_nested(cohort):
    out, layered, opt_in = (consent_masks(cohort, design=d) for d in DESIGNS)
    assert (layered["training"] <= out["training"]).all()
    assert (opt_in["training"] <= layered["training"]).all()
    assert (opt_in["sharing"] <= layered["sharing"]).all()
    assert (layered["sharing"] <= out["sharing"]).all()
    assert (opt_in["sharing"] == cohort["consent_sharing"]).all()


def test_saying_no_follows_the_d4_directions(cohort):
    agreed = consent_masks(cohort, design="opt_in")["training"].to_numpy()
    no = ~agreed
    female = (cohort["sex"] == "female").to_numpy()
    male = (cohort["sex"] == "male").to_numpy()
    young = (cohort["age"] < 60).to_numpy()
    diagnosed = cohort["diagnosed"].to_numpy(dtype=bool)
    assert no[female].mean() > no[male].mean()
    assert no[young].mean() > no[~young].mean()
    assert no[diagnosed].mean() > no[~diagnosed].mean()


def test_masks_are_deterministic_and_leave_the_cohort_alone(cohort):
    before = cohort.copy()
    first = consent_masks(cohort, design="layered")
    again = consent_masks(cohort, design="layered")
    pd.testing.assert_frame_equal(first, again)
    # Every label, dtype and value. (assert_frame_equal boxes each value of the 60,000 x 20
    # categorical cells one by one: about 100 s of this file on a loaded machine.)
    assert cohort.equals(before) and (cohort.dtypes == before.dtypes).all()
    other = consent_masks(cohort, design="layered", seed=7)
    assert not other["training"].equals(first["training"])


def test_masks_validate_their_inputs(cohort):
    with pytest.raises(TeachkitError) as info:
        consent_masks(cohort, design="implied")
    assert str(info.value) == ("The 'design' parameter of consent_masks must be one of "
                               "'opt_out', 'layered', 'opt_in'. Got 'implied' instead.")
    with pytest.raises(TeachkitError, match="must have the columns"):
        consent_masks(cohort.drop(columns=["consent_sharing"]))
    with pytest.raises(TeachkitError, match="pandas DataFrame"):
        consent_masks([1, 2, 3])


# -- the consent filter -------------------------------------------------------------------
@pytest.mark.parametrize("kind", [list, np.array, pd.Series])
def test_consent_filter_never_lets_a_non_consenting_record_through(kind):
    rng = np.random.default_rng(0)
    for n in (1, 7, 200):
        records = pd.DataFrame({"patient_id": np.arange(n), "x": rng.random(n)})
        answers = rng.choice(np.array([True, False, None, 1, 0, "yes"], dtype=object), n)
        values = answers.tolist() if kind is list else kind(answers)
        kept = consent_filter(records, values)
        agreed = {i for i, a in enumerate(answers) if a is True}
        assert set(kept["patient_id"]) == agreed  # only an explicit True is a yes
        assert list(kept["patient_id"]) == sorted(agreed)  # order kept


def test_consent_filter_with_booleans_and_purity():
    records = pd.DataFrame({"patient_id": [1, 2, 3]})
    before = records.copy()
    kept = consent_filter(records, np.array([True, False, True]))
    assert kept["patient_id"].tolist() == [1, 3]
    kept.loc[kept.index[0], "patient_id"] = 99
    pd.testing.assert_frame_equal(records, before)
    with pytest.raises(TeachkitError, match="one answer per record"):
        consent_filter(records, [True])
    with pytest.raises(TeachkitError, match="pandas DataFrame"):
        consent_filter([1, 2], [True, True])


@pytest.mark.parametrize("design", DESIGNS)
def test_honoured_consent_keeps_every_refuser_out_of_training(cohort, design):
    settings = HONOURED.replace(consent_design=design)
    keep = settings.training_rows(cohort)
    agreed = consent_masks(cohort, design=design)["training"].to_numpy()
    assert not keep[~agreed].any()
    assert keep[agreed].all()
    with_undersampling = settings.replace(undersample=0.5).training_rows(cohort)
    assert not with_undersampling[~agreed].any()


def test_ignored_consent_is_the_pipeline_of_lessons_01_and_02(cohort):
    ignored = ConsentSettings(model="logistic")
    assert ignored.training_rows(cohort).all()
    np.testing.assert_array_equal(simulate(ignored).scores,
                                  simulate(Settings(model="logistic")).scores)


def test_honoured_consent_trains_a_different_model_and_names_its_baseline():
    result = simulate(HONOURED.replace(consent_design="opt_in"))
    assert result.baseline_name == CONSENT_BASELINE_NAME
    assert result.baseline_result.settings.consent == "ignored"
    assert not np.array_equal(result.scores, result.baseline_result.scores)


def test_baselines():
    assert ConsentSettings(consent="honoured").baseline()[1] == "the usual rule"  # rule
    assert ConsentSettings(model="logistic", secondary_use="partner").baseline()[0] == \
        ConsentSettings()
    with pytest.raises(TeachkitError) as info:
        ConsentSettings(secondary_use="broker")
    assert str(info.value) == ("The 'secondary_use' parameter of ConsentSettings must be "
                               "one of 'off', 'partner', 'advertiser'. Got 'broker' instead.")


# -- consequences --------------------------------------------------------------------------
@pytest.mark.parametrize("design", ["opt_out", "layered", "opt_in"])
def test_records_used_without_consent(cohort, design):
    expected = int((~consent_masks(cohort, design=design)["training"]).sum())  # > 0: above
    used = records_used_without_consent(cohort, design=design)
    everyone = used.loc[("all", "all patients")]
    assert everyone["training"] == expected == everyone["any"]
    assert everyone["sharing"] == 0
    by_sex = used.loc["sex"]
    assert by_sex["training"].sum() == expected and by_sex["patients"].sum() == len(cohort)
    honoured = records_used_without_consent(cohort, consent="honoured", design=design,
                                            secondary_use="advertiser")
    assert honoured[["training", "sharing", "any"]].to_numpy().sum() == 0


def test_sharing_without_consent_is_counted(cohort):
    used = records_used_without_consent(cohort, secondary_use="partner")
    everyone = used.loc[("all", "all patients")]
    no_sharing = (~consent_masks(cohort)["sharing"]).sum()
    assert everyone["sharing"] == no_sharing
    assert everyone["any"] <= everyone["training"] + everyone["sharing"]
    with pytest.raises(TeachkitError, match="'consent' parameter"):
        records_used_without_consent(cohort, consent="maybe")


def test_selection_bias_of_opt_in(cohort):
    agreed = consent_masks(cohort, design="opt_in")["training"]
    table = selection_bias(cohort, agreed)
    assert table.loc["full cohort", "patients"] == len(cohort)
    assert table.loc["consented", "patients"] + table.loc["left out", "patients"] == len(cohort)
    assert table.loc["consented", "depression"] < table.loc["full cohort", "depression"] < \
        table.loc["left out", "depression"]
    # the consenters' true risk is lower; their crises (about 300 on one seed) are lower
    # typically (lesson 03's medians over 20 seeds), not on every seed (not on 2024)
    assert table.loc["consented", "mean_risk"] < table.loc["full cohort", "mean_risk"] < \
        table.loc["left out", "mean_risk"]
    with pytest.raises(TeachkitError, match="one answer per patient"):
        selection_bias(cohort, agreed[:10])


def test_run_consent_reports_everything():
    result = run_consent(HONOURED.replace(consent_design="opt_in", secondary_use="partner"))
    assert isinstance(result, ConsentResult)
    report = result.report
    assert report.total_without_consent == 0
    assert report.shared["without_consent"] == 0 and report.shared["patients"] > 0
    assert 0 < report.shared["knew"] <= report.shared["patients"]
    assert report.meaningful["used"] == report.training_set.loc["consented", "patients"]
    model = report.model
    assert {"sensitivity_everyone", "calibration_consenters",
            "calibration_random_sample"} <= set(model.columns)
    young = model.loc[("age", "under 60")]
    old = model.loc[("age", "60 and over")]
    assert young["opted_out"] > old["opted_out"]
    # each model's observed / expected is a ratio near 1 (lesson 03 quotes its typical
    # values over 20 seeds: tests/notebooks/test_lesson03_sources.py)
    for column in ("calibration_everyone", "calibration_consenters",
                   "calibration_random_sample"):
        assert 0.5 < young[column] < 2 and 0.5 < old[column] < 2


def test_run_consent_with_consent_ignored_and_advertisers():
    result = run_consent(ConsentSettings(model="logistic", secondary_use="advertiser"))
    report = result.report
    assert report.shared["banned"] and report.shared["patients"] == 60_000
    refused = int((~consent_masks(lesson_cohort())["training"]).sum())
    assert report.total_without_consent > refused
    assert result.sentence().startswith("Compared with the usual rule")


def test_run_consent_with_the_rule_has_no_model_table():
    report = run_consent(ConsentSettings(consent="honoured")).report
    assert report.model.empty
    with pytest.raises(TeachkitError, match="must be a ConsentSettings"):
        run_consent(Settings())


# -- the ledger ----------------------------------------------------------------------------
def test_ledger_of_a_patient_who_said_no(cohort):
    patient = ledger_patient(cohort)
    assert not cohort.loc[cohort["patient_id"] == patient, "consent_model_training"].iloc[0]
    ignored = consent_ledger(ConsentSettings(secondary_use="partner"), patient)
    assert list(ignored.columns) == ["use", "asked", "answer", "used", "by", "when"]
    assert len(ignored) == 3
    training = ignored.set_index("use").loc["Training the triage model"]
    assert training["answer"] == "said no" and training["used"] == "yes, without consent"
    assert ignored.attrs["patient"]["synthetic"] is True
    honoured = consent_ledger(ConsentSettings(consent="honoured"), patient)
    assert len(honoured) == 2
    assert honoured.set_index("use").loc["Training the triage model", "used"] == "no"


def test_ledger_under_opt_in_tells_silence_from_no(cohort):
    masks = consent_masks(cohort, design="opt_in")
    silent = cohort["patient_id"][~masks["training"] & ~masks["explicit_no"]].iloc[0]
    ledger = consent_ledger(ConsentSettings(consent_design="opt_in"), int(silent))
    assert ledger.set_index("use").loc["Training the triage model", "answer"] == \
        "never answered (counts as no)"


def test_ledger_validates_the_patient():
    with pytest.raises(TeachkitError) as info:
        consent_ledger(ConsentSettings(), 60_001)
    assert str(info.value) == ("The 'patient_id' parameter of consent_ledger must be an int "
                               "in the range [1, 60000]. Got 60001 instead.")
    with pytest.raises(TeachkitError, match="must be a ConsentSettings"):
        consent_ledger(Settings(), 3)


def test_the_consent_core_imports_without_the_presentation_layer():
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        import sys

        class Blocker:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("ipywidgets", "IPython", "matplotlib"):
                    raise ImportError(name + " is blocked")
                return None

        sys.meta_path.insert(0, Blocker())
        import teachkit.consent, teachkit.levers.consent, teachkit.exercises.lesson03
        print("ok")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr


@pytest.mark.parametrize("design", DESIGNS)
def test_what_refusers_did_never_reaches_the_model(design):
    """Flip the outcomes of every patient who did not agree: with consent honoured no
    score changes (their records never reach what any fold learns from); with consent
    ignored the scores do change."""
    from teachkit.cohort import make_cohort

    cohort = make_cohort(3_000, seed=5, setting="primary_care")
    agreed = consent_masks(cohort, design=design, seed=5)["training"].to_numpy()
    altered = cohort.copy()
    altered.loc[~agreed, "crisis"] = ~cohort.loc[~agreed, "crisis"]
    settings = ConsentSettings(n=3_000, seed=5, model="logistic", consent="honoured",
                               consent_design=design)
    honoured = [simulate(settings, cohort=c, with_baseline=False).scores
                for c in (cohort, altered)]
    np.testing.assert_array_equal(*honoured)
    ignored = [simulate(settings.replace(consent="ignored"), cohort=c,
                        with_baseline=False).scores for c in (cohort, altered)]
    assert not np.array_equal(*ignored)
