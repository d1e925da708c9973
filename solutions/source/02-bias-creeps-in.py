# %% [markdown]
# # Lesson 02 exercises: bias creeps in
#
# The same 60,000 synthetic patients as in lesson 01. Dr. Obi's practice has room in a
# care-management programme for the **top 3 %** of a model's scores. The vendor's model
# never reads ethnicity, but bias can still get in through what it learns (the `label`),
# who it learns from (`undersample`) and what the records say (`underreport`,
# `self_harm_unrecorded`). Every run is counted against the true `crisis`.
#
# Set each variable, then run the check under it; `q1.hint()` gives a hint.
#
# *All patients here are synthetic: made up by a computer. No real person's data is used.*

# %%
import numpy as np

from teachkit.exercises.lesson02 import q1, q2, q3, q4, q5, q6, r1, r2
from teachkit.pipeline import Settings, simulate

programme = Settings(model="logistic", policy="capacity", capacity=0.03)
result = simulate(programme)
result.programme_shares()

# %% [markdown]
# ## Question 1
# **Equal opportunity** asks that every group's crises are caught at the same rate (equal
# sensitivity). For the logistic model choosing the top 3 % (`programme` above, trained on
# the true outcome), use fairlearn's `MetricFrame` (`result.consequences.metric_frames`,
# one per attribute) to find the Black patients' sensitivity **minus** the White patients'.
# Set `sensitivity_gap` (a difference of two shares, between -1 and 1).

# %% tags=["solution"]
# BEGIN SOLUTION
by_ethnicity = result.consequences.metric_frames["ethnicity"].by_group
sensitivity_gap = (by_ethnicity.loc["Black", "sensitivity"]
                   - by_ethnicity.loc["White", "sensitivity"])
# END SOLUTION

# %% tags=["exercises-only"]
sensitivity_gap = ...

# %%
q1.check()

# %% [markdown]
# ## Question 2
# Now the model learns a proxy: a high cost of care last year (`label="cost"`), and Black
# patients get 10 % less care at the same need (`access_gap=0.1`). What share of the
# programme's places go to Black patients? A share between 0 and 1, in `black_share_cost`.

# %% tags=["solution"]
# BEGIN SOLUTION
cost_run = simulate(programme.replace(label="cost", access_gap=0.1))
black_share_cost = cost_run.programme_shares().loc["Black", "in_programme"]
# END SOLUTION

# %% tags=["exercises-only"]
black_share_cost = ...

# %%
q2.check()

# %% [markdown]
# ## Question 3
# Of the three labels `"crisis"`, `"cost"` and `"diagnosis"`, which gives Black patients
# the **largest** share of the top 3 %, with the same 10 % less care? Set `fairest_label`
# to its name.

# %% tags=["solution"]
# BEGIN SOLUTION
black_share = {label: simulate(programme.replace(label=label, access_gap=0.1))
               .programme_shares().loc["Black", "in_programme"]
               for label in ("crisis", "cost", "diagnosis")}
fairest_label = max(black_share, key=black_share.get)
# END SOLUTION

# %% tags=["exercises-only"]
fairest_label = ...

# %%
q3.check()

# %% [markdown]
# ## Question 4
# Write `top_shares(scores, groups, capacity)`: given a numpy array of scores, a numpy
# array with each patient's group, and the programme's size `capacity` (a share, 0 to 1),
# enrol the `round(capacity * len(scores))` patients with the highest scores and return a
# dict `{group: share of the places}` with one entry per group in `groups` (0 for a group
# with nobody enrolled). Do not change the inputs.

# %% tags=["solution"]
def top_shares(scores, groups, capacity):
    # BEGIN SOLUTION
    k = int(round(capacity * len(scores)))
    enrolled = groups[np.argsort(-scores, kind="stable")[:k]]
    return {group: float((enrolled == group).sum() / k) for group in np.unique(groups)}
    # END SOLUTION

# %%
q4.check()

# %% [markdown]
# ## Question 5
# Back to screening: the logistic model flags everyone at or above a 5 % risk
# (`Settings(model="logistic", threshold=0.05)`). Now suppose **none** of the Black
# patients' past self-harm is recorded (`self_harm_unrecorded=1.0`). How many crises are
# missed per 1,000 Black patients? Set `missed_black_unrecorded`.

# %% tags=["solution"]
# BEGIN SOLUTION
unrecorded = simulate(Settings(model="logistic", threshold=0.05, self_harm_unrecorded=1.0))
missed_black_unrecorded = unrecorded.consequences.by_group.loc[("ethnicity", "Black"),
                                                               "missed"]
# END SOLUTION

# %% tags=["exercises-only"]
missed_black_unrecorded = ...

# %%
q5.check()

# %% [markdown]
# ## Question 6
# Every fix has a price. Take the top 3 % programme with the model trained on the true
# outcome, and re-label on clinical need (`mitigation="relabel"`). By how much does the
# number of crises caught per 1,000 patients (all patients) change? Negative if fewer are
# caught; set `relabel_change_in_caught`.

# %% tags=["solution"]
# BEGIN SOLUTION
relabelled = simulate(programme.replace(mitigation="relabel"))
relabel_change_in_caught = relabelled.versus_baseline().loc[("all", "all patients"),
                                                            "caught"]
# END SOLUTION

# %% tags=["exercises-only"]
relabel_change_in_caught = ...

# %%
q6.check()

# %% [markdown]
# ## Reflection 1
# You could ask for equal sensitivity between groups (the same share of each group's
# crises caught), or for equal flag rates (the same share of each group flagged). Which
# clinical error hurts whom when you pick equal sensitivity? Write a few sentences in
# `reflection_which_error`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_which_error = (
    "Equal sensitivity means each group's crises are caught at the same rate, so a group "
    "with more crises gets more flags; when crises are more common there, its flags are "
    "not equally precise, and patients in the other group get more needless calls per "
    "crisis found, or fewer places. Equal flag rates would instead leave more of the "
    "high-need group's crises missed. Missed crises hurt the patients who fall ill; "
    "needless calls cost clinicians' time and worry patients."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_which_error = """
"""

# %%
r1.check()

# %% [markdown]
# ## Reflection 2
# A vendor says their model is fair because it never sees ethnicity. What would you ask
# them? Write a few sentences in `reflection_vendor`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_vendor = (
    "What exactly does the model learn to predict: a crisis, or cost or a diagnosis that "
    "depend on access to care? Who was in the training data, and how complete are their "
    "records, for example recorded self-harm? Show me sensitivity, PPV and calibration "
    "per group on patients like ours, and who fills the programme."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_vendor = """
"""

# %%
r2.check()
