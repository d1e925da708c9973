# %% [markdown]
# # Lesson 07 exercises: rules of the road
#
# A deployment holds every lever of every stage: the model and its label (lesson 02),
# consent and the data release (03), who acts on a flag (04), explanations (05) and
# monitoring (06). `evaluate(deployment)` runs it once and holds it to the rules: a
# checklist of items, each `green`, `amber` or `red` with a reason from the run.
# `checklist.reds` holds the red items, `checklist.facts` the numbers the rules read.
#
# Set each variable, then run the check under it; `q1.hint()` gives a hint.
#
# *Educational, not legal advice. All patients here are synthetic: made up by a
# computer. No real person's data is used.*

# %%
from teachkit.exercises.lesson07 import q1, q2, q3, q4, q5, r1, r2
from teachkit.rules import ALL_STAGES, evaluate
from teachkit.stages import Deployment

deployment = Deployment(ALL_STAGES, model="logistic")
checklist = evaluate(deployment)
checklist.to_frame()[["status", "reason"]]

# %% [markdown]
# ## Question 1
# How many checklist rules are **red** for `deployment` at rest? Set `reds_at_rest`.

# %% tags=["solution"]
reds_at_rest = len(checklist.reds)  # SOLUTION

# %%
q1.check()

# %% [markdown]
# ## Question 2
# Now nobody acts on a flag: `oversight="dropped"`. How many **more** rules are red than
# at rest? Set `more_reds_when_dropped`.

# %% tags=["solution"]
# BEGIN SOLUTION
dropped = evaluate(deployment.replace(oversight="dropped"))
more_reds_when_dropped = len(dropped.reds) - len(checklist.reds)
# END SOLUTION

# %% tags=["exercises-only"]
more_reds_when_dropped = ...

# %%
q2.check()

# %% [markdown]
# ## Question 3
# At rest, the reviewers cannot keep up with every flag. `checklist.facts.decided`
# counts the flags decided by a clinician (`"human"`), by the model alone (`"model"`)
# and by nobody (`"nobody"`). What **share of the flags** did a clinician decide? Set
# `clinician_share` (between 0 and 1).

# %% tags=["solution"]
# BEGIN SOLUTION
decided = checklist.facts.decided
clinician_share = decided["human"] / sum(decided.values())
# END SOLUTION

# %% tags=["exercises-only"]
clinician_share = ...

# %%
q3.check()

# %% [markdown]
# ## Question 4
# Train on past cost (`label="cost"`) with less care for Black patients
# (`access_gap=0.3`). `checklist.facts.sensitivity_by_group` holds each ethnic group's
# share of crises caught (groups with at least 20 crises). Divide the **lowest** share
# by the **highest**: the ratio the data-governance rule reads. Set `caught_ratio`.

# %% tags=["solution"]
# BEGIN SOLUTION
biased = evaluate(deployment.replace(label="cost", access_gap=0.3))
shares = biased.facts.sensitivity_by_group
caught_ratio = min(shares.values()) / max(shares.values())
# END SOLUTION

# %% tags=["exercises-only"]
caught_ratio = ...

# %%
q4.check()

# %% [markdown]
# ## Question 5
# Canada's Algorithmic Impact Assessment turns answers into a level. Write
# `impact_level_of(raw, raw_max, mitigation, mitigation_max)`: if the mitigation score
# is at least 80 % of its maximum, the score is the raw score cut by 15 %, otherwise the
# raw score. The level is `"I"` if the score is at most 25 % of `raw_max`, `"II"` up to
# 50 %, `"III"` up to 75 %, else `"IV"`.

# %% tags=["solution"]
def impact_level_of(raw, raw_max, mitigation, mitigation_max):
    # BEGIN SOLUTION
    score = raw * 0.85 if mitigation >= 0.8 * mitigation_max else raw
    share = score / raw_max
    for level, bound in (("I", 0.25), ("II", 0.50), ("III", 0.75)):
        if share <= bound:
            return level
    return "IV"
    # END SOLUTION

# %%
q5.check()

# %% [markdown]
# ## Reflection 1
# Cerebral let tracking pixels send data about 3.2 million users to advertisers; the
# FTC, not a HIPAA regulator, ordered refunds, a penalty and a ban. Why the FTC, and
# which item of your checklist would have warned the company? Write a few sentences in
# `reflection_cerebral`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_cerebral = (
    "HIPAA covers health-care providers, plans and their business associates; an online "
    "service selling directly to consumers can fall outside it, so the FTC acted on its "
    "broken privacy promises instead. The item on health data shared with advertisers "
    "would have been red, and the lawful-basis item too, since users never agreed to it."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_cerebral = """
"""

# %%
r1.check()

# %% [markdown]
# ## Reflection 2
# You are asked to sign the dossier. Which red item must be fixed before go-live, who
# in your service fixes it, and which rule do you think this checklist is missing?
# Write a few sentences in `reflection_sign_off`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_sign_off = (
    "Post-market monitoring must come first: nobody watching means no incident could ever "
    "be found or reported. The clinical lead names a monitoring lead and gives them the "
    "authority to pause the model. The checklist misses a rule on children and on "
    "patients who refuse the AI still being triaged by a person."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_sign_off = """
"""

# %%
r2.check()
