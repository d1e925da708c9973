# %% [markdown]
# # Lesson 01 exercises: meet the cohort and the triage model
#
# The cohort: 60,000 synthetic primary-care patients, each with PHQ-9 answers
# (`phq1` ... `phq9`, total `phq9_total`), a GAD-7 total, and the truth we never have in
# real life: `crisis` (a crisis within 12 months) and `crisis_risk` (its probability).
# The usual rule flags a patient when `phq9_total >= 10` or item 9 (thoughts of
# self-harm) is above zero.
#
# Set each variable, then run the check under it; `q1.hint()` gives a hint.
#
# *All patients here are synthetic: made up by a computer. No real person's data is used.*

# %%
import numpy as np

from teachkit.exercises.lesson01 import q1, q2, q3, q4, q5, q6, r1
from teachkit.pipeline import Settings, lesson_cohort, simulate

cohort = lesson_cohort()
cohort[["phq9_total", "phq9", "gad7_total", "ethnicity", "crisis"]].head()

# %% [markdown]
# ## Question 1
# By hand, from the cohort: how many patients out of every 1,000 does the usual rule
# flag? Set `rule_flagged_per_1000`.

# %% tags=["solution"]
# BEGIN SOLUTION
rule_flags = (cohort["phq9_total"] >= 10) | (cohort["phq9"] > 0)
rule_flagged_per_1000 = 1000 * rule_flags.mean()
# END SOLUTION

# %% tags=["exercises-only"]
rule_flagged_per_1000 = ...

# %%
q1.check()

# %% [markdown]
# ## Question 2
# Still by hand: what is the rule's **sensitivity**, the share of the patients who have a
# crisis that it flags? A number between 0 and 1, in `rule_sensitivity`.

# %% tags=["solution"]
# BEGIN SOLUTION
crisis = cohort["crisis"].astype(bool)
rule_sensitivity = (rule_flags & crisis).sum() / crisis.sum()
# END SOLUTION

# %% tags=["exercises-only"]
rule_sensitivity = ...

# %%
q2.check()

# %% [markdown]
# ## Question 3
# A team can follow up only so many patients. Write `flag_top(scores, capacity)`: given a
# numpy array of risk scores and a share `capacity` (0 to 1), return a True/False array
# that flags exactly `round(capacity * len(scores))` patients, those with the highest
# scores. Do not change `scores`.

# %% tags=["solution"]
def flag_top(scores, capacity):
    # BEGIN SOLUTION
    k = int(round(capacity * len(scores)))
    flags = np.zeros(len(scores), dtype=bool)
    if k > 0:
        flags[np.argsort(scores, kind="stable")[-k:]] = True
    return flags
    # END SOLUTION

# %%
q3.check()

# %% [markdown]
# ## Question 4
# The logistic model flags patients whose estimated risk is at or above a threshold.
# Among the thresholds 0.001, 0.002, ..., 0.05, what is the **largest** at which it still
# catches at least as many crises as the usual rule? Set `largest_threshold`.

# %% tags=["solution"]
# BEGIN SOLUTION
baseline_caught = simulate().consequences.overall["caught"].iloc[0]
steps = [round(0.001 * k, 3) for k in range(1, 51)]
largest_threshold = max(
    t for t in steps
    if simulate(Settings(model="logistic", threshold=t), with_baseline=False)
    .consequences.overall["caught"].iloc[0] >= baseline_caught - 1e-9
)
# END SOLUTION

# %% tags=["exercises-only"]
largest_threshold = ...

# %%
q4.check()

# %% [markdown]
# ## Question 5
# With the logistic model at its usual threshold (`Settings(model="logistic")`), which
# ethnicity has the most **missed crises per 1,000 patients**? Set `worst_group_missed`
# to its name, spelled as in the cohort.

# %% tags=["solution"]
# BEGIN SOLUTION
logistic = simulate(Settings(model="logistic"))
worst_group_missed = logistic.consequences.by_group.loc["ethnicity", "missed"].idxmax()
# END SOLUTION

# %% tags=["exercises-only"]
worst_group_missed = ...

# %%
q5.check()

# %% [markdown]
# ## Question 6
# Under the usual rule, how many needless escalations are there for each crisis caught?
# Set `needless_per_caught`.

# %% tags=["solution"]
# BEGIN SOLUTION
overall = simulate().consequences.overall.iloc[0]
needless_per_caught = overall["needless"] / overall["caught"]
# END SOLUTION

# %% tags=["exercises-only"]
needless_per_caught = ...

# %%
q6.check()

# %% [markdown]
# ## Reflection
# The logistic model flags far fewer patients than the rule. Who gains from that, and
# who pays? Write a few sentences in `reflection_model_choice`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_model_choice = (
    "Clinicians gain hours and fewer patients are worried for nothing. But the model "
    "catches fewer crises at its usual threshold, and the missed ones are not spread "
    "evenly: some groups carry more of them. The clinic should choose the threshold "
    "knowing who pays."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_model_choice = """
"""

# %%
r1.check()
