# %% [markdown]
# # Lesson 00 exercises: reading the dashboards
#
# Every lesson shows the same dashboard: out of every **1,000 patients**, how many are
# **flagged** for urgent follow-up, how many have a **crisis** within 12 months, how many of
# those crises are **caught** (flagged) or **missed** (not flagged), and how many
# **needless escalations** there are (flagged, but no crisis).
#
# Answer each question by setting the variable it names, then run the check under it.
# `q1.hint()` gives a hint. The check tells you what is wrong without giving the answer.
# Reflections are read by your instructor, not marked.
#
# *All patients here are synthetic: made up by a computer. No real person's data is used.*

# %%
from teachkit.exercises.lesson00 import q1, q2, q3, q4, r1
from teachkit.pipeline import Settings, simulate

result = simulate()  # the usual rule: the baseline
result.consequences.overall

# %% [markdown]
# ## Question 1
# Out of every 1,000 patients in the lesson's cohort, how many have a crisis within 90
# days? Read it from the dashboard table above; set `crises_per_1000`.

# %% tags=["solution"]
crises_per_1000 = float(result.consequences.overall["crises"].iloc[0])  # SOLUTION

# %%
q1.check()

# %% [markdown]
# ## Question 2
# A made-up clinic has 2,500 patients. 50 of them will have a crisis. The screening flags
# 400 patients, and 35 of the 50 crises are among them. How many **needless
# escalations** are there **per 1,000 patients**? Set `needless_toy`.

# %% tags=["solution"]
needless_toy = (400 - 35) / 2500 * 1000  # SOLUTION

# %%
q2.check()

# %% [markdown]
# ## Question 3
# Twenty patients in a grid: `GRID_FLAGGED` says who is flagged (1) and `GRID_CRISIS`
# who has a crisis (1). Count the crises caught, the crises missed and the needless
# escalations, and set `grid_counts = {"caught": ..., "missed": ..., "needless": ...}`.

# %%
from teachkit.exercises.lesson00 import GRID_CRISIS, GRID_FLAGGED

for number, (flag, crisis) in enumerate(zip(GRID_FLAGGED, GRID_CRISIS), start=1):
    print(f"patient {number:2d}: {'flagged' if flag else '-------'}  "
          f"{'crisis' if crisis else ''}")

# %% tags=["solution"]
# BEGIN SOLUTION
pairs = list(zip(GRID_FLAGGED, GRID_CRISIS))
grid_counts = {
    "caught": sum(1 for f, c in pairs if f and c),
    "missed": sum(1 for f, c in pairs if c and not f),
    "needless": sum(1 for f, c in pairs if f and not c),
}
# END SOLUTION

# %% tags=["exercises-only"]
grid_counts = {"caught": ..., "missed": ..., "needless": ...}

# %%
q3.check()

# %% [markdown]
# ## Question 4
# Now the change: replace the usual rule by the logistic model. Per 1,000 patients, how
# did the number of crises **caught** change against the baseline (new minus baseline:
# negative means fewer)? Set `change_in_caught`.

# %%
change = simulate(Settings(model="logistic"))
print(change.sentence())

# %% tags=["solution"]
change_in_caught = float(change.versus_baseline().loc[("all", "all patients"), "caught"])  # SOLUTION

# %%
q4.check()

# %% [markdown]
# ## Reflection
# Which error hurts whom: a missed crisis or a needless escalation? Write a few sentences
# in `reflection_harm`. There is no right answer; your instructor reads it.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_harm = (
    "A missed crisis falls on the patient and their family: no one calls, and the crisis "
    "may end in harm. A needless escalation falls on the patient too (worry, stigma, "
    "time), then on clinicians whose hours go to people who did not need them, which "
    "delays everyone else."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_harm = """
"""

# %%
r1.check()
