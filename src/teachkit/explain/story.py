"""The numbers lesson 05's story quotes, for one seed (see :mod:`teachkit.story_numbers`).

All data is synthetic.
"""

from __future__ import annotations

import numpy as np

__all__ = ["lesson05_numbers"]


def lesson05_numbers(seed: int) -> dict[str, float]:
    """Opt-out, its fallbacks, the duplicate feature and the dropped ethnicity, for
    the logistic model on the lesson's cohort with ``seed``.

    Examples
    --------
    >>> numbers = lesson05_numbers(2024)
    >>> 0.4 < numbers["opted_out_share"] < 0.8
    True
    """
    from .stage import ExplainSettings, run_explain

    usual = ExplainSettings(model="logistic", seed=seed)
    base = run_explain(usual)

    def caught(result):
        return float(result.consequences.overall["caught"].iloc[0])

    opt = usual.replace(explain_opt_out=1.0)
    rule, nothing = run_explain(opt), run_explain(opt.replace(explain_opt_out_route="nothing"))
    copy = run_explain(usual.replace(explain_duplicate="item9_copy"))
    imp_copy = copy.importance(top=100)["all patients"]
    imp_one = base.importance(top=100)["all patients"]
    cost = usual.replace(label="cost", access_gap=0.1)
    with_eth = run_explain(cost.replace(explain_inputs="with_ethnicity"))
    without = run_explain(cost.replace(explain_inputs="without_ethnicity"))
    imp_eth = with_eth.importance(top=100)["all patients"]
    ethnicity = ["black", "hispanic", "asian", "other_ethnicity"]
    black = (base.records["ethnicity"] == "Black").to_numpy()
    return {
        "opted_out_share": float(rule.opted_out.mean()),
        "caught_model": caught(base),
        "caught_rule_fallback": caught(rule),
        "caught_nothing": caught(nothing),
        "flagged_model": float(base.consequences.overall["flagged"].iloc[0]),
        "flagged_rule_fallback": float(rule.consequences.overall["flagged"].iloc[0]),
        "duplicate_flags_changed": 1000 * float(np.mean(np.asarray(copy.flagged)
                                                        != np.asarray(base.flagged))),
        "duplicate_copy_share": float(imp_copy["phq9_copy"]
                                      / (imp_copy["phq9"] + imp_copy["phq9_copy"])),
        "duplicate_item9_before": float(imp_one["phq9"]),
        "ethnicity_share": float(imp_eth[ethnicity].sum() / imp_eth.sum()),
        "black_flagged_with": float(np.asarray(with_eth.flagged)[black].mean()),
        "black_flagged_without": float(np.asarray(without.flagged)[black].mean()),
        "black_flagged_crisis_label": float(np.asarray(base.flagged)[black].mean()),
    }
