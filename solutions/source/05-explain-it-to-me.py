# %% [markdown]
# # Lesson 05 exercises: explain it to me
#
# The same 60,000 synthetic patients and the logistic-regression model that flags
# everyone at a crisis risk of 5 % or more. `run_explain` runs the model and the explain
# stage: who opts out of algorithmic triage and what they get instead; `result.explain`
# gives one patient's explanation from shap's own explainer, in risk points (percentage
# points of risk against a reference patient); `result.importance()` the mean risk points
# of each input by group.
#
# Set each variable, then run the check under it; `q1.hint()` gives a hint.
#
# *All patients here are synthetic: made up by a computer. No real person's data is used.*

# %%
import numpy as np

from teachkit.exercises.lesson05 import q1, q2, q3, q4, q5, q6, r1, r2
from teachkit.explain import ExplainSettings, describe_explanation, run_explain

usual = ExplainSettings(model="logistic")
result = run_explain(usual)
print(describe_explanation(result.explain(177)))

# %% [markdown]
# ## Question 1
# Open patient 177's explanation. How many **risk points** does the input that moves their
# risk most add (or take away)? Set `top_points`.

# %% tags=["solution"]
top_points = result.explain(177).table()["points"].iloc[0]  # SOLUTION

# %% tags=["exercises-only"]
top_points = ...

# %%
q1.check()

# %% [markdown]
# ## Question 2
# An explanation compares a patient with a reference group. Compare patient 177 with the
# patients the model does **not** flag (`explain_background="not_flagged"`). What is the
# reference risk now, in percent? Set `reference_risk`.

# %% tags=["solution"]
# BEGIN SOLUTION
low = run_explain(usual.replace(explain_background="not_flagged"))
reference_risk = low.explain(177).base_risk
# END SOLUTION

# %% tags=["exercises-only"]
reference_risk = ...

# %%
q2.check()

# %% [markdown]
# ## Question 3
# Let every patient who is uncomfortable with AI opt out (`explain_opt_out=1.0`). Those
# who opt out get the usual PHQ-9 rule (`explain_opt_out_route="usual_rule"`) or nothing
# (`"nothing"`). How many crises per 1,000 patients are **lost** if they get nothing
# instead of the usual rule? Set `caught_lost`.

# %% tags=["solution"]
# BEGIN SOLUTION
opt = usual.replace(explain_opt_out=1.0)
with_rule = run_explain(opt).consequences.overall["caught"].iloc[0]
with_nothing = run_explain(opt.replace(explain_opt_out_route="nothing")).consequences.overall[
    "caught"].iloc[0]
caught_lost = with_rule - with_nothing
# END SOLUTION

# %% tags=["exercises-only"]
caught_lost = ...

# %%
q3.check()

# %% [markdown]
# ## Question 4
# Add a second copy of PHQ-9 item 9 (`explain_duplicate="item9_copy"`). How many
# patients per 1,000 change flag? Set `flags_changed_per_1000`. Then compare the two
# explanations' `importance()`: where did item 9's attribution go?

# %% tags=["solution"]
# BEGIN SOLUTION
copy = run_explain(usual.replace(explain_duplicate="item9_copy"))
changed = np.asarray(copy.flagged) != np.asarray(result.flagged)
flags_changed_per_1000 = 1000 * changed.mean()
# END SOLUTION

# %% tags=["exercises-only"]
flags_changed_per_1000 = ...

# %%
q4.check()

# %% [markdown]
# ## Question 5
# With every uncomfortable patient opting out (`explain_opt_out=1.0`), what **share** of
# the patients aged 65 or more opt out? Set `older_opt_out_share` (between 0 and 1).

# %% tags=["solution"]
# BEGIN SOLUTION
opted = run_explain(usual.replace(explain_opt_out=1.0))
older = opted.records["age"].to_numpy() >= 65
older_opt_out_share = opted.opted_out[older].mean()
# END SOLUTION

# %% tags=["exercises-only"]
older_opt_out_share = ...

# %%
q5.check()

# %% [markdown]
# ## Question 6
# Train the model on lesson 02's cost label with a 10 % access gap (`label="cost"`,
# `access_gap=0.1`). What are the mean risk points of **past visits** for Black patients?
# Set `visits_points_black`, then compare with White patients: is the bias visible in
# the explanation?

# %% tags=["solution"]
# BEGIN SOLUTION
cost = run_explain(usual.replace(label="cost", access_gap=0.1))
visits_points_black = cost.importance(top=100).loc["visits_past_year", "Black"]
# END SOLUTION

# %% tags=["exercises-only"]
visits_points_black = ...

# %%
q6.check()

# %% [markdown]
# ## Reflection 1
# A widely used algorithm learned from costs, never read race, and its explanation would
# have listed visits and past costs. What must you check before you trust an explanation?
# Write a few sentences in `reflection_clean_explanation`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_clean_explanation = (
    "An explanation shows which inputs move a score, not whom the score fails, so I would "
    "check the outcomes by group: crises missed, the share of each group in the "
    "programme and the need at equal score. I would ask what the model learned to predict "
    "(a cost label carries the access gap) and whether the inputs it relies on, such as "
    "visits, are themselves shaped by access to care."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_clean_explanation = """
"""

# %%
r1.check()

# %% [markdown]
# ## Reflection 2
# A patient says no to the algorithm. What should they get instead, and who decides? Write
# a few sentences in `reflection_opt_out`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_opt_out = (
    "Respecting a refusal needs a fallback: the patient should still be screened, by a "
    "clinician with the usual questionnaire, or the crises the model would have caught "
    "are lost. The service decides the fallback and pays for the clinician's time; the "
    "patient should be told what each choice means before choosing."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_opt_out = """
"""

# %%
r2.check()
