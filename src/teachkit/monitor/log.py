"""The monitoring log: an audit trail of what was seen, by whom, and what was decided.

Under the EU AI Act a provider of a high-risk system keeps a post-market monitoring plan
(Art. 72) and reports a serious incident within 15 days of becoming aware of it (10 for
a death, 2 for a widespread infringement; Art. 73, the days as reported by secondary
sources). Here the log is the plan's record: every alarm, who saw it, what was decided,
every model update. A crisis the model missed in a month after an alarm that was seen
and not acted on is traced to that alarm, and starts an Art. 73 clock on the day it
becomes known (12 months after screening: a crisis counts if it happens within the
year).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .monitors import LABEL_DELAY

__all__ = ["REPORT_DAYS", "REPORT_DAYS_DEATH", "WATCHER", "Incident", "monitoring_log",
           "trace_incidents"]

#: Art. 73 deadlines (days after becoming aware; S2: they vary between sources).
REPORT_DAYS, REPORT_DAYS_DEATH = 15, 10
#: Who sees an alarm in this clinic (A: one named person, as an AI-QI unit would name).
WATCHER = "the monitoring lead"


@dataclass(frozen=True)
class Incident:
    """A missed crisis traced to an alarm nobody acted on.

    Attributes
    ----------
    alarm_month : int
        When the ignored alarm was raised.
    alarm : str
        Which monitor raised it.
    screened_month : int
        When the first patient whose crisis was then missed was screened.
    known_month : int
        When that crisis became known (12 months later): the clock starts.
    patient_id : int
        The synthetic patient.
    missed_after : int
        Crises missed from the alarm until the model was next updated (or month 36).
    """

    alarm_month: int
    alarm: str
    screened_month: int
    known_month: int
    patient_id: int
    missed_after: int

    def sentence(self) -> str:
        return (f"Synthetic patient {self.patient_id}, screened in month "
                f"{self.screened_month}, had a crisis the model missed, after the "
                f"{self.alarm} alarm of month {self.alarm_month} was seen and not acted "
                f"on. Known in month {self.known_month}: the Art. 73 clock starts, a "
                f"serious-incident report is due within {REPORT_DAYS} days "
                f"({REPORT_DAYS_DEATH} if the patient died). {self.missed_after} crises "
                "were missed in that time.")


def monitoring_log(alarms: list, versions: list, monitoring: str) -> pd.DataFrame:
    """The audit trail: month, entry, what it concerned, who saw it, what was decided."""
    rows = [{"month": versions[0][0], "entry": "go-live", "about": versions[0][1],
             "seen by": "the clinic", "decision": f"monitoring: {monitoring}"}]
    for alarm in alarms:
        rows.append({"month": alarm["month"], "entry": f"alarm: {alarm['monitor']}",
                     "about": alarm["about"], "seen by": WATCHER,
                     "decision": alarm["decision"]})
    for month, version in versions[1:]:
        rows.append({"month": month, "entry": "model update", "about": version,
                     "seen by": WATCHER, "decision": "live from this month"})
    log = pd.DataFrame(rows, columns=["month", "entry", "about", "seen by", "decision"])
    return log.sort_values("month", kind="stable").reset_index(drop=True)


def trace_incidents(alarms: list, versions: list, *, month, flagged, truth,
                    patient_id) -> list[Incident]:
    """Missed crises traced to each ignored alarm (the first patient of each)."""
    updates = sorted(m for m, _ in versions[1:])
    incidents = []
    for alarm in alarms:
        if not alarm["decision"].startswith("ignored"):
            continue
        start = alarm["month"] + 1
        end = next((m for m in updates if m >= start), 37)
        missed = truth & ~flagged & (month >= start) & (month < end)
        if not missed.any():
            continue
        first = int(np.flatnonzero(missed)[0])
        incidents.append(Incident(
            alarm_month=alarm["month"], alarm=alarm["monitor"],
            screened_month=int(month[first]), known_month=int(month[first]) + LABEL_DELAY,
            patient_id=int(patient_id[first]), missed_after=int(missed.sum())))
    return incidents
