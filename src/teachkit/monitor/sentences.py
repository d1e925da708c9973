"""Plain sentences: what changed, when, and when (or whether) anyone noticed."""

from __future__ import annotations

__all__ = ["describe", "ACTIONS"]

ACTIONS = {
    "never": "Nobody updates the model",
    "yearly_refit": "The model is refitted at the end of months 12 and 24",
    "recalibrate": "The model is recalibrated whenever an alarm fires",
}


def _months(n: int) -> str:
    return f"{n} month{'s' if n != 1 else ''}"


def describe(result) -> list[str]:
    """Sentences for :meth:`MonitorResult.sentences`."""
    d = result.settings
    out = []
    events = result.events()
    if not events:
        out.append("Nothing changed in the clinic over the 36 months (no drift event is "
                   "switched on).")
    for event in events:
        text = f"From month {event['start']}, {event['story']}."
        if d.monitoring == "none":
            text += " Nobody was watching, so nobody noticed."
        elif event["noticed"] is None:
            text += " No monitor raised an alarm about it."
        else:
            lag = event["noticed"] - event["start"]
            text += (f" The first alarm after it came in month {event['noticed']} "
                     f"({_months(lag)} later): {event['noticed_by']}.")
        out.append(text)
    totals = result.totals()
    if d.monitoring != "none":
        out.append(f"{totals['alarms']} alarm{'s' if totals['alarms'] != 1 else ''} "
                   f"raised, {totals['ignored']} of them ignored; "
                   f"{ACTIONS[d.update_policy].lower()}.")
    out.append(f"Over 36 months the model caught {totals['caught']:,} of "
               f"{totals['crises']:,} crises and missed {totals['missed']:,}; "
               f"{totals['needless']:,} patients were escalated needlessly.")
    first = result.period(1, 12)
    last = result.period(25, 36)
    out.append(f"Observed against expected crises (O:E) went from {first['O:E']:.2f} in "
               f"year 1 to {last['O:E']:.2f} in year 3; AUC from {first['AUC']:.2f} to "
               f"{last['AUC']:.2f}. Each month's crises are known only a year later.")
    if d.model_source == "vendor":
        out.append(f"The vendor's card says AUC {result.card_auc:.2f}; in our clinic "
                   f"the first year gives {result.local_auc:.2f}.")
    for incident in result.incidents[:1]:
        out.append(incident.sentence())
    return out
