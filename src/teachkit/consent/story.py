"""The numbers lesson 03's story quotes, computed for one seed.

Like the other lessons, lesson 03 quotes the median over the 20 seeds
:data:`teachkit.story_numbers.SEEDS`: :func:`teachkit.story_numbers.story_numbers`
``("03", seed)`` calls :func:`lesson03_numbers`, and ``scripts/typical_values.py`` commits
the medians to ``data/synthetic/typical_values.json``. All data is synthetic.
"""

from __future__ import annotations

from ..pipeline import lesson_cohort
from .masks import consent_masks
from .report import run_consent
from .stage import ConsentSettings

__all__ = ["lesson03_numbers", "OPT_IN"]

#: The set-up whose figures the story quotes: the logistic model, opt-in, consent honoured.
OPT_IN = ConsentSettings(model="logistic", consent="honoured", consent_design="opt_in")

_GROUPS = {"young": ("age", "under 60"), "old": ("age", "60 and over"),
           "diagnosed": ("diagnosis", "mental-health diagnosis")}


def lesson03_numbers(seed: int) -> dict[str, float]:
    """Every number lesson 03 quotes, on the lesson's cohort drawn with ``seed``.

    Parameters
    ----------
    seed : int
        The cohort's seed (and the consent draws').

    Returns
    -------
    dict of str to float
        Refusals under opt-out and opt-in (count and share); the clinic against the
        opt-in consenters (PHQ-9 >= 10, crises per 1,000); who opts out; observed /
        expected trained on everyone, on consenters and on a random sample of everyone
        as large as the consenters (what chance alone does: its spread over the seeds is
        the chance range the story quotes); sensitivity.

    Examples
    --------
    >>> OPT_IN.consent_design, OPT_IN.model  # the set-up it measures (about 30 s a seed)
    ('opt_in', 'logistic')

    ``tests/notebooks/test_lesson03_sources.py`` re-derives seed 2024.
    """
    settings = OPT_IN.replace(seed=seed)
    cohort = lesson_cohort(settings.n, seed, settings.setting)
    n = len(cohort)
    out = {}
    for design in ("opt_out", "opt_in"):
        refusals = float((~consent_masks(cohort, design=design, seed=seed)["training"]).sum())
        out[f"{design}_refusals"] = refusals
        out[f"{design}_refusal_share"] = refusals / n
    report = run_consent(settings, with_baseline=False).report
    opt_out = run_consent(settings.replace(consent_design="opt_out"),
                          with_baseline=False).report
    t, model = report.training_set, report.model
    out["depression_clinic"] = float(t.loc["full cohort", "depression"])
    out["depression_opt_in"] = float(t.loc["consented", "depression"])
    out["depression_opt_out"] = float(opt_out.training_set.loc["consented", "depression"])
    out["crises_clinic"] = 1000 * float(t.loc["full cohort", "crisis_rate"])
    out["crises_opt_in"] = 1000 * float(t.loc["consented", "crisis_rate"])
    for name, key in _GROUPS.items():
        out[f"{name}_opted_out"] = float(model.loc[key, "opted_out"])
        out[f"{name}_oe_everyone"] = float(model.loc[key, "calibration_everyone"])
        out[f"{name}_oe_consenters"] = float(model.loc[key, "calibration_consenters"])
        out[f"{name}_oe_sample"] = float(model.loc[key, "calibration_random_sample"])
    overall = model.loc[("all", "all patients")]
    out["sensitivity_everyone"] = float(overall["sensitivity_everyone"])
    out["sensitivity_consenters"] = float(overall["sensitivity_consenters"])
    return out
