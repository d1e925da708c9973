# %% [markdown]
# # Lesson 06 exercises: it worked last year
#
# The practice's model was trained on a year of synthetic patients and goes live. Then
# 36 months pass: **1,000 patients a month**, drawn from the same synthetic clinic and
# seed. A crisis counts if it happens within a year of screening, so it is known only
# **12 months** after screening. `run_monitor` runs the 36 months with the drift
# events, monitors and update policy of a `MonitorSettings`; `result.months` has one row
# per month, `result.period(first, last)` sums a range of months, `result.totals()` the
# whole 36.
#
# Set each variable, then run the check under it; `q1.hint()` gives a hint.
#
# *All patients here are synthetic: made up by a computer. No real person's data is used.*

# %%
import numpy as np

from teachkit.exercises.lesson06 import q1, q2, q3, q4, q5, r1, r2
from teachkit.monitor import MonitorSettings, run_monitor

result = run_monitor(MonitorSettings(drift_base_rate=1))
print(result.sentence())
result.months[["patients", "alerts", "crises", "auc", "oe", "psi"]].head()

# %% [markdown]
# ## Question 1
# From month 1, crises become rarer at the same answers (10 % fewer a year), and the
# model is never updated (`result` above). What is the ratio of **observed to expected**
# crises in **year 3** (months 25-36)? Set `oe_year3`.

# %% tags=["solution"]
oe_year3 = result.period(25, 36)["O:E"]  # SOLUTION

# %%
q1.check()

# %% [markdown]
# ## Question 2
# In month 12 the coding of crises changes (`drift_coding=12`). With performance
# monitoring on (`monitoring="labels"`), how many months after month 12 does the first
# alarm about the crises of month 12 or later come? (A month's crises are known 12 months
# later; an alarm before that is about the months before the change.) Set
# `months_to_notice`.

# %% tags=["solution"]
# BEGIN SOLUTION
coding = run_monitor(MonitorSettings(drift_coding=12, monitoring="labels"))
# the crises of month 12 are known in month 24: the alarms about them come from then on
months_to_notice = int(coding.alarms.query("month >= 24")["month"].iloc[0]) - 12
# END SOLUTION

# %% tags=["exercises-only"]
months_to_notice = ...

# %%
q2.check()

# %% [markdown]
# ## Question 3
# Write `psi(expected, actual)`: two lists of bin shares (each sums to 1, no zeros), the
# training window's and this month's. Return the population stability index, the sum
# over the bins of (actual - expected) * ln(actual / expected).

# %% tags=["solution"]
def psi(expected, actual):
    # BEGIN SOLUTION
    e, a = np.asarray(expected, dtype=float), np.asarray(actual, dtype=float)
    return float(np.sum((a - e) * np.log(a / e)))
    # END SOLUTION

# %%
q3.check()

# %% [markdown]
# ## Question 4
# A small clinic screens **100 patients a month** and nothing drifts at all. With the
# input monitor on (`monthly_volume=100, monitoring="inputs"`), what share of the 36
# months has a PSI of the model's scores of **0.10 or more** (the amber light)? Set
# `amber_share`.

# %% tags=["solution"]
# BEGIN SOLUTION
small = run_monitor(MonitorSettings(monthly_volume=100, monitoring="inputs"))
amber_share = float(np.mean(small.months["psi"] >= 0.1))
# END SOLUTION

# %% tags=["exercises-only"]
amber_share = ...

# %%
q4.check()

# %% [markdown]
# ## Question 5
# The practice buys the vendor's model (`model_source="vendor"`) and watches both the
# inputs and the labels (`monitoring="both"`). Compare recalibrating on each alarm
# (`update_policy="recalibrate"`) with never updating. What is the change in **crises
# missed** over the 36 months (recalibrated minus never; positive if more are missed)?
# Set `missed_change`, then look at the needless escalations too.

# %% tags=["solution"]
# BEGIN SOLUTION
vendor = MonitorSettings(model_source="vendor", monitoring="both")
never = run_monitor(vendor).totals()
recalibrated = run_monitor(vendor.replace(update_policy="recalibrate")).totals()
missed_change = recalibrated["missed"] - never["missed"]
# END SOLUTION

# %% tags=["exercises-only"]
missed_change = ...

# %%
q5.check()

# %% [markdown]
# ## Reflection 1
# The Epic sepsis model's card said AUC 0.76-0.83; Michigan's own validation found 0.63,
# and in 2020 its AI committee paused the alert. Who should have validated the model
# locally before go-live, and who had the authority to pause it? Write a few sentences
# in `reflection_epic`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_epic = (
    "The hospital deploying the model should validate it on its own patients before "
    "go-live, because a vendor's card describes other clinics; the vendor should publish "
    "enough to make that possible. Someone named, such as an AI committee with clinicians "
    "and patients on it, must hold the authority to pause a model when the monitoring "
    "shows it no longer works, and must be told when alarms fire."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_epic = """
"""

# %%
r1.check()

# %% [markdown]
# ## Reflection 2
# What would your monitoring plan watch, who reads the log, and who decides that an
# alarm means the model must stop? Write a few sentences in `reflection_watching`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_watching = (
    "Inputs every month, with a data-quality check for features that stop arriving, and "
    "calibration by group once the crisis labels arrive three months later; a small "
    "clinic needs pooled months or a permutation threshold so that chance does not drown "
    "the real alarms. A named monitoring lead reads the log weekly; the clinical lead "
    "decides to pause, and a missed crisis after an ignored alarm is reported."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_watching = """
"""

# %%
r2.check()
