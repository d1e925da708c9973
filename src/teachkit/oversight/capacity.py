"""The capacity trade-off: how many to flag when every flag costs clinician time.

REACH VET (McCarthy et al. 2021) flags the top 0.1 % of suicide risk and has a clinician
review every flagged veteran. Flagging more catches more of the people who will have a
crisis but dilutes the flags (a lower PPV) and needs more reviewer hours; with capacity
fixed, the flags beyond it go unreviewed. :func:`capacity_tradeoff` puts the tiers side
by side on the lesson's synthetic cohort (Simon et al. 2018; Kessler et al. 2017 report
the same shape on real data: the top 5 % held 28-48 % of events).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import Options, TeachkitError, check_param
from ..levers.oversight import FLAG_TIERS, MINUTES_PER_REVIEW, SCREENING_DAYS, TIER_SHARES
from ..pipeline import simulate
from .deployment import OversightSettings, deploy, model_flags, triage_part

__all__ = ["capacity_tradeoff", "TRADEOFF_COLUMNS"]

#: The columns of :func:`capacity_tradeoff`'s table.
TRADEOFF_COLUMNS = ("flags_per_day", "flagged", "reviewed", "caught", "missed",
                    "needless", "crises_in_tier", "flag_ppv", "followup_ppv",
                    "reviewer_hours_per_day", "caught_per_hour")


def capacity_tradeoff(settings: OversightSettings | None = None, *,
                      tiers=("top_0.1", "top_1", "top_5"),
                      attribute: str | None = None) -> pd.DataFrame:
    """Flags, reviews, crises caught and clinician time for each top tier of risk.

    Parameters
    ----------
    settings : OversightSettings, default=OversightSettings(model="logistic")
        The review set-up (capacity, reviewer, escalation...); its ``flag_tier`` is
        replaced by each tier in turn.
    tiers : sequence of {"threshold", "top_0.1", "top_1", "top_5"}
    attribute : str, default=None
        A group attribute (``"ethnicity"``...): then crises caught per 1,000 patients of
        each group, one column per group, instead of the overall figures.

    Returns
    -------
    DataFrame
        One row per tier. Per 1,000 patients: ``flagged``, ``reviewed``, ``caught``,
        ``missed``, ``needless``; ``flags_per_day``; ``crises_in_tier`` (share of all
        crises the tier flags); ``flag_ppv`` (share of flags that are crises) and
        ``followup_ppv`` (of the follow-ups); ``reviewer_hours_per_day``; and
        ``caught_per_hour`` (crises caught by a clinician per reviewer-hour: the
        "events captured per reviewer-hour" of REACH VET).

    Examples
    --------
    >>> table = capacity_tradeoff()
    >>> table.index.tolist()
    ['top_0.1', 'top_1', 'top_5']
    >>> bool(table.loc["top_5", "flag_ppv"] < table.loc["top_0.1", "flag_ppv"])
    True
    >>> capacity_tradeoff(tiers=("top_50",))
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'tiers' parameter of capacity_tradeoff must \
be one of 'threshold', 'top_0.1', 'top_1', 'top_5'. Got 'top_50' instead.
    """
    settings = OversightSettings(model="logistic") if settings is None else settings
    if not isinstance(settings, OversightSettings):
        raise TeachkitError("The 'settings' parameter of capacity_tradeoff must be an "
                            f"OversightSettings. Got {type(settings).__name__} instead.")
    for tier in tiers:
        check_param("tiers", tier, Options(FLAG_TIERS), caller="capacity_tradeoff")
    model_result = simulate(triage_part(settings), with_baseline=False)
    records = model_result.records
    y = records["crisis"].to_numpy(dtype=bool)
    item9 = records["phq9"].to_numpy()
    n = len(y)
    rows = {}
    for tier in tiers:
        tiered = settings.replace(flag_tier=tier)
        d = deploy(model_flags(tiered, model_result), model_result.scores, y, item9, tiered)
        caught = y & d.acted
        if attribute is not None:
            col = records[attribute]
            cat = col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype("category")
            codes = cat.cat.codes.to_numpy()
            size = len(cat.cat.categories)
            per = 1000 * np.bincount(codes, weights=caught, minlength=size) / np.maximum(
                np.bincount(codes, minlength=size), 1)
            rows[tier] = pd.Series(per, index=list(cat.cat.categories))
            continue
        flags, acted, reviews = int(d.flagged.sum()), int(d.acted.sum()), int(d.reviewed.sum())
        hours = reviews * MINUTES_PER_REVIEW / 60
        by_human = int((caught & d.reviewed).sum())
        rows[tier] = {
            "share": TIER_SHARES.get(tier, np.nan),
            "flags_per_day": flags / SCREENING_DAYS,
            "flagged": 1000 * flags / n,
            "reviewed": 1000 * reviews / n,
            "caught": 1000 * caught.sum() / n,
            "missed": 1000 * (y & ~d.acted).sum() / n,
            "needless": 1000 * (d.acted & ~y).sum() / n,
            "crises_in_tier": (y & d.flagged).sum() / max(int(y.sum()), 1),
            "flag_ppv": (y & d.flagged).sum() / flags if flags else np.nan,
            "followup_ppv": caught.sum() / acted if acted else np.nan,
            "reviewer_hours_per_day": hours / SCREENING_DAYS,
            "caught_per_hour": by_human / hours if hours else np.nan,
        }
    table = pd.DataFrame(rows).T
    table.index.name = "tier"
    return table.astype(float)
