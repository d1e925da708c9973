"""Lesson 05's core: shap explanations for every model kind, the misleading-explanation
levers, autonomy, counterfactuals and the letter. All data is synthetic."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from teachkit._validation import TeachkitError
from teachkit.explain import (
    ExplainSettings,
    counterfactual,
    describe_explanation,
    explanation_letter,
    run_explain,
)
from teachkit.explain.counterfactual import MAX_STEPS
from teachkit.pipeline import Settings, simulate

SMALL = {"n": 3_000, "seed": 7}
KINDS = ("rule", "logistic", "boosting", "records")


@pytest.fixture(scope="module", params=KINDS)
def kind_result(request):
    return request.param, run_explain(ExplainSettings(model=request.param, **SMALL))


def _some_patients(result, k=5):
    ids = result.records["patient_id"].to_numpy()
    flagged = ids[np.asarray(result.flagged)][:2]
    return [*flagged, *ids[:k - len(flagged)]]


def test_additivity_for_every_model_kind(kind_result):
    kind, result = kind_result
    for patient in _some_patients(result):
        e = result.explain(int(patient))
        assert e.base + e.attributions.sum() == pytest.approx(e.output, abs=1e-6)
        i = result.explained.index_of(patient)
        k = result.explained.fold[i]
        direct = result.explained.models[k].decision_function(result.explained.X[[i]])[0] \
            if kind != "rule" else e.output
        assert e.output == pytest.approx(direct, abs=1e-9)
        assert e.points.sum() == pytest.approx(e.risk - e.base_risk, abs=1e-6)


def test_developers_get_shaps_own_explanation_object(kind_result):
    import shap

    kind, result = kind_result
    patients = _some_patients(result, 3)
    sv = result.shap_explanation(patients)
    assert isinstance(sv, shap.Explanation) and sv.values.shape[0] == 3
    e = result.explain(int(patients[0]))
    np.testing.assert_allclose(sv.values[0], e.attributions, atol=1e-12)
    assert sv.feature_names == list(result.explained.features)


def test_the_explained_models_are_the_pipelines_models(kind_result):
    kind, result = kind_result
    parent = simulate(Settings(model=kind, **SMALL), with_baseline=False)
    np.testing.assert_allclose(result.explained.scores(), parent.scores, atol=1e-12)
    np.testing.assert_array_equal(result.flagged, parent.flagged)


def test_the_rule_is_explained_in_rule_points():
    result = run_explain(ExplainSettings(**SMALL))
    records = result.records
    patient = int(records["patient_id"][records["phq9"] > 0].iloc[0])
    e = result.explain(patient)
    assert e.unit == "rule points"
    i = result.explained.index_of(patient)
    assert e.risk == pytest.approx(records["phq9_total"].iloc[i] + 10)
    assert "thoughts of self-harm" in describe_explanation(e)


def test_running_the_stage_never_imports_shap():
    code = ("import sys; from teachkit.explain import ExplainSettings, run_explain; "
            "from teachkit.ui.oversight import OversightLab; OversightLab(); "
            "from teachkit.ui import TriageLab, BiasLab; "
            "run_explain(ExplainSettings(n=1000, seed=1, model='logistic', "
            "explain_opt_out=0.5)); assert 'shap' not in sys.modules, 'shap imported'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]


def test_dropping_ethnicity_leaves_the_disparity_to_the_proxies():
    base = ExplainSettings(model="logistic", label="cost", access_gap=0.1, **SMALL)
    with_eth = run_explain(base.replace(explain_inputs="with_ethnicity"))
    without = run_explain(base.replace(explain_inputs="without_ethnicity"))
    imp_with = with_eth.importance(top=100)["all patients"]
    imp_without = without.importance(top=100)["all patients"]
    assert "black" in imp_with.index and "black" not in imp_without.index
    proxies = ["visits_past_year", "medicaid_or_uninsured", "treated", "diagnosed"]
    ethnicity = ["black", "hispanic", "asian", "other_ethnicity"]
    assert imp_with[proxies].sum() > 10 * imp_with[ethnicity].sum()
    black = (with_eth.records["ethnicity"] == "Black").to_numpy()
    share = [np.asarray(r.flagged)[black].mean() for r in (with_eth, without)]
    assert abs(share[0] - share[1]) < 0.01  # the disparity stays


def test_a_duplicate_leaves_predictions_and_splits_the_attribution():
    base = ExplainSettings(model="logistic", **SMALL)
    one, two = run_explain(base), run_explain(base.replace(explain_duplicate="item9_copy"))
    # 3,000 patients at the sourced rate hold about 22 crises: the penalty, split between
    # the two copies, moves the riskiest few by up to a few points; most barely move
    assert np.abs(one.scores - two.scores).max() < 0.05
    assert np.median(np.abs(one.scores - two.scores)) < 0.001
    assert (one.flagged != two.flagged).mean() < 0.01
    imp_one = one.importance(top=100)["all patients"]
    imp_two = two.importance(top=100)["all patients"]
    assert imp_two["phq9_copy"] > 0
    assert imp_two["phq9"] < imp_one["phq9"]
    # two half weights cost the L2 penalty less than one whole: with few crises the two
    # copies together carry somewhat more than the one did (24 % here)
    assert imp_two["phq9"] + imp_two["phq9_copy"] == pytest.approx(imp_one["phq9"], rel=0.3)


def test_the_background_changes_the_story_not_the_prediction():
    base = ExplainSettings(model="logistic", **SMALL)
    a, b = run_explain(base), run_explain(base.replace(explain_background="not_flagged"))
    patient = int(a.records["patient_id"][np.asarray(a.flagged)].iloc[0])
    ea, eb = a.explain(patient), b.explain(patient)
    assert ea.output == pytest.approx(eb.output)
    assert eb.base < ea.base
    assert not np.allclose(ea.attributions, eb.attributions)


@pytest.mark.parametrize("route", ["usual_rule", "nothing"])
def test_opt_out_and_what_happens_to_those_who_opt_out(route):
    s = ExplainSettings(model="logistic", explain_opt_out=1.0, explain_opt_out_route=route,
                        **SMALL)
    result = run_explain(s)
    opted = result.opted_out
    assert 0.4 < opted.mean() < 0.8
    older = result.records["age"].to_numpy() >= 65
    assert opted[older].mean() > opted[result.records["age"].to_numpy() < 30].mean()
    if route == "nothing":
        assert not np.asarray(result.flagged)[opted].any()
    else:
        phq = result.records["phq9_total"].to_numpy()
        assert np.asarray(result.flagged)[opted & (phq >= 10)].all()
    assert result.baseline_name == "every patient triaged by the model"
    assert result.autonomy["opted_out"] == pytest.approx(1000 * opted.mean())


def test_nobody_opts_out_at_rest_and_the_flags_are_the_models():
    result = run_explain(ExplainSettings(model="logistic", **SMALL))
    assert not result.opted_out.any()
    np.testing.assert_array_equal(result.flagged, result.model_flags)


def test_decision_and_disclosure():
    s = ExplainSettings(model="logistic", explain_decision="automatic",
                        explain_disclosure="told", **SMALL)
    result = run_explain(s)
    assert result.autonomy["automatic"] == 1000 and result.autonomy["told"] == 1000
    assert result.autonomy["satisfaction_change"] == pytest.approx(-0.09)
    assert "GDPR Art. 22" in result.sentence()


@pytest.mark.parametrize("kind", ["logistic", "rule"])
def test_the_counterfactual_flips_the_flag_and_is_the_smallest(kind):
    result = run_explain(ExplainSettings(model=kind, **SMALL))
    ids = result.records["patient_id"].to_numpy()
    for patient in ids[np.asarray(result.model_flags)][:5]:
        cf = counterfactual(result, int(patient))
        assert cf.flagged
        if cf.steps is None:
            continue
        assert cf.new_score < cf.cutoff <= cf.score
        moved = sum(abs(after - now) for now, after in cf.changes.values()
                    if True)
        assert moved >= cf.steps - 1  # item 9 moves its copies with it
        assert cf.steps <= MAX_STEPS
        for name in cf.changes:
            assert name not in cf.fixed and name not in ("age", "female")


def test_the_letter_names_the_role_the_reasons_and_the_rights():
    result = run_explain(ExplainSettings(model="logistic", **SMALL))
    patient = int(result.records["patient_id"][np.asarray(result.flagged)].iloc[0])
    letter = explanation_letter(result, patient)
    assert letter.startswith(f"Dear patient {patient},")
    for part in ("recommended to a clinician", "were offered", "percentage points of risk",
                 "GDPR Art. 22", "Art. 86", "synthetic"):
        assert part in letter


def test_a_bad_patient_number_is_one_clear_message():
    result = run_explain(ExplainSettings(model="logistic", **SMALL))
    with pytest.raises(TeachkitError, match="choose one from 1 to 3,000"):
        result.explain(0)


@pytest.mark.parametrize("lever, value", [("explain_opt_out", 1.5),
                                          ("explain_inputs", "ethnicity"),
                                          ("explain_decision", "maybe")])
def test_levers_refuse_bad_values(lever, value):
    with pytest.raises(TeachkitError, match=lever):
        ExplainSettings(**{lever: value})


# -- composed with lesson 04's oversight stage ------------------------------------------
def _composed(**levers):
    from teachkit.stages import Deployment, run_all

    d = Deployment(("explain", "oversight"), model="logistic", **SMALL, **levers)
    return run_all(d, with_baseline=False)


def test_the_explanation_shown_to_the_reviewer_reaches_the_oversight_queue():
    from teachkit.levers.oversight import automation_bias_after
    from teachkit.oversight import OversightSettings, run_oversight

    hidden = _composed()["oversight"]
    shown = _composed(explain_reviewer="shown")["oversight"]
    rest = OversightSettings().automation_bias
    assert hidden.workload["bias"] == pytest.approx(rest)
    assert shown.workload["bias"] == pytest.approx(automation_bias_after(
        automation_bias=rest, explanation="shown"))
    cols = ["caught", "missed", "needless"]
    before = hidden.consequences.overall[cols].iloc[0].to_numpy()
    after = shown.consequences.overall[cols].iloc[0].to_numpy()
    assert (before != after).any(), "the explanation no longer reaches the reviewer"
    # The same reviewer as lesson 04's own lever (Jabbour 2023's rates), on the same flags.
    lesson04 = run_oversight(OversightSettings(model="logistic", explanation="shown",
                                               **SMALL), with_baseline=False)
    np.testing.assert_array_equal(shown.acted, lesson04.acted)


def test_the_explain_stages_flags_are_what_joins_the_queue():
    runs = _composed(explain_opt_out=1.0, explain_opt_out_route="nothing")
    explain, oversight = runs["explain"], runs["oversight"]
    np.testing.assert_array_equal(oversight.flagged, explain.flagged)
    assert explain.opted_out.any()
    nobody_triaged = explain.opted_out & ~oversight.deployment.escalated
    assert not np.asarray(oversight.acted)[nobody_triaged].any()
    assert oversight.flagged.sum() < _composed()["oversight"].flagged.sum()
