# %% [markdown]
# # Lesson 04 exercises: who is watching
#
# The same 60,000 synthetic patients. The vendor's model flags everyone at a crisis risk of
# 5 % or more; one care manager gives the new flags half the day, **10 reviews a day** of
# 20 minutes each (an assumption), and the practice screens its patients over 60 working
# days (1,000 a day). A flag nobody reviews on its day is not followed up. `run_oversight` runs the model and this
# deployment stage; every run is counted against the true `crisis`.
#
# Set each variable, then run the check under it; `q1.hint()` gives a hint.
#
# *All patients here are synthetic: made up by a computer. No real person's data is used.*

# %%
import numpy as np

from teachkit.exercises.lesson04 import q1, q2, q3, q4, q5, q6, r1, r2
from teachkit.oversight import OversightSettings, capacity_tradeoff, run_oversight
from teachkit.pipeline import lesson_cohort

review = OversightSettings(model="logistic")
result = run_oversight(review)
print(result.sentence())
result.workload

# %% [markdown]
# ## Question 1
# With one reviewer doing 10 reviews a day (`review` above), how many flags per 1,000
# patients does **nobody** review because the day's queue is full? Set
# `unreviewed_per_1000`.

# %% tags=["solution"]
unreviewed_per_1000 = result.decisions.loc[("all", "all patients"), "overflow"]  # SOLUTION

# %%
q1.check()

# %% [markdown]
# ## Question 2
# Once every flag is reviewed, more reviews a day no longer help: the crises the model did
# not flag stay missed. What is the **smallest** number of reviews a day
# (`review_capacity`, a whole number) at which the crises missed per 1,000 patients are
# **at most 1 more** than with unlimited review (120 a day)? Set `smallest_capacity`.

# %% tags=["solution"]
# BEGIN SOLUTION
missed = {capacity: run_oversight(review.replace(review_capacity=capacity),
                                  with_baseline=False).consequences.overall["missed"].iloc[0]
          for capacity in range(0, 121)}
smallest_capacity = min(c for c, m in missed.items() if m <= missed[120] + 1)
# END SOLUTION

# %% tags=["exercises-only"]
smallest_capacity = ...

# %%
q2.check()

# %% [markdown]
# ## Question 3
# REACH VET flags only the top 0.1 % of risk. Let the model flag the **top 1 %**
# (`flag_tier="top_1"`), same reviewer. How many crises does a clinician catch **per
# reviewer-hour**? Set `captured_per_hour`.

# %% tags=["solution"]
# BEGIN SOLUTION
top1 = run_oversight(review.replace(flag_tier="top_1")).workload
captured_per_hour = top1["caught_by_human"] / top1["reviewer_hours"]
# END SOLUTION

# %% tags=["exercises-only"]
captured_per_hour = ...

# %%
q3.check()

# %% [markdown]
# The whole trade-off, for the three tiers (flags a day, crises caught per 1,000, PPV,
# reviewer-hours and crises caught per reviewer-hour):

# %%
capacity_tradeoff(review).round(3)

# %% [markdown]
# ## Question 4
# Write `unreviewed(days, capacity)`: `days` is a numpy array with the working day (0, 1,
# 2, ...) of each flag, `capacity` the reviews a day. Each day's queue is worked until the
# capacity is used up. Return the number of flags left over (never reviewed). Do not
# change the inputs.

# %% tags=["solution"]
def unreviewed(days, capacity):
    # BEGIN SOLUTION
    if len(days) == 0:
        return 0
    return int(np.maximum(np.bincount(days) - capacity, 0).sum())
    # END SOLUTION

# %%
q4.check()

# %% [markdown]
# ## Question 5
# Design an escalation rule and measure it. The rule: every patient who reports thoughts
# of self-harm (PHQ-9 item 9 above 0) goes first in the clinician's queue. Pass it to
# `run_oversight(..., escalate=rule)` with **40 reviews a day**; the result compares itself
# with the same 40 reviews without the rule. By how much does the rule change the crises
# caught per 1,000 patients (negative if fewer)? Set `escalation_change_in_caught`. Then
# try your own rule (for example item 9 of 2 or more, or a PHQ-9 total of 20 or more).

# %% tags=["solution"]
# BEGIN SOLUTION
rule = lesson_cohort()["phq9"].to_numpy() > 0
escalated = run_oversight(review.replace(review_capacity=40), escalate=rule)
escalation_change_in_caught = escalated.versus_baseline().loc[("all", "all patients"),
                                                              "caught"]
# END SOLUTION

# %% tags=["exercises-only"]
escalation_change_in_caught = ...

# %%
q5.check()

# %% [markdown]
# ## Question 6
# Train the reviewers to check the model (`training="trained"`). Of the cases where the
# model's advice was wrong, what share do they still go along with? Set
# `followed_wrong_share` (between 0 and 1).

# %% tags=["solution"]
# BEGIN SOLUTION
trained = run_oversight(review.replace(training="trained")).workload
followed_wrong_share = trained["wrong_advice_followed"] / trained["wrong_advice_seen"]
# END SOLUTION

# %% tags=["exercises-only"]
followed_wrong_share = ...

# %%
q6.check()

# %% [markdown]
# ## Reflection 1
# NEDA closed its staffed helpline and pointed users to the Tessa chatbot, which then gave
# weight-loss advice to people with eating disorders. Once the helpline was gone, who
# could catch a harmful answer, and who answers for it: NEDA, the vendor or the
# researchers? Write a few sentences in `reflection_tessa`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_tessa = (
    "Once the helpline closed there was no human between the chatbot and the people who "
    "used it, so nobody could catch a harmful answer before it reached them; users found "
    "it first. NEDA chose to deploy it without a human fallback or an escalation route, "
    "so NEDA answers for the deployment; the vendor answers for what its system said and "
    "for testing it against adversarial use; the researchers for the scope they designed."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_tessa = """
"""

# %%
r1.check()

# %% [markdown]
# ## Reflection 2
# A reviewer who follows the model's wrong advice nearly every time spends hours and
# changes nothing. What turns a human in the loop into oversight rather than a rubber
# stamp? Write a few sentences in `reflection_rubber_stamp`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_rubber_stamp = (
    "Time to look at each case, so the queue is not longer than the day; training to "
    "check the advice against the record; the duty and the right to disagree without "
    "blame; seeing why the model flagged a patient; and an audit that looks at how often "
    "reviewers overrode wrong advice and at the cases nobody reviewed."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_rubber_stamp = """
"""

# %%
r2.check()
