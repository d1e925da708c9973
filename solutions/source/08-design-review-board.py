# %% [markdown]
# # Lesson 08 exercises: the design review board
#
# The same 60,000 synthetic patients, the board's usual deployment: a logistic model, a
# clinician reviewing every flag (20 reviews a day), consent ignored. A proposal is a
# small table of levers; `measure(levers)` runs it and gives the consequences each role
# weighs (per 1,000 patients); `satisfaction(outcomes, role)` scores them for one role,
# 0-100, with the role's weights (teaching choices, marked (A) on each role card).
#
# Set each variable, then run the check under it; `q1.hint()` gives a hint.
#
# *All patients here are synthetic: made up by a computer. No real person's data is used.*

# %%
from collections import Counter

from teachkit.board.design import chatbot_reach
from teachkit.board.outcomes import measure
from teachkit.board.roles import ROLES, frontier, satisfaction, satisfaction_table
from teachkit.exercises.lesson08 import BOARD_VOTES, CANDIDATES, q1, q2, q3, q4, r1, r2

usual = measure({})
print(usual)
print({name: role.title for name, role in ROLES.items()})

# %% [markdown]
# ## Question 1
# The board considers a chatbot that collects check-ins between visits, and a model that
# reads 30 days of them. In 93 real mental-health apps, 3.3 % of users still used the app
# on day 30 (Baumel et al. 2019). Of **60,000** patients offered it, how many still use
# it on day 30? Set `still_using_day30`.

# %% tags=["solution"]
still_using_day30 = chatbot_reach("day30", patients=60_000)  # SOLUTION

# %%
q1.check()

# %% [markdown]
# ## Question 2
# How much does the **patient** role's satisfaction rise when consent is honoured
# (`{"consent": "honoured"}`) instead of ignored (the usual deployment)? Set
# `patient_gain` (honoured minus ignored).

# %% tags=["solution"]
# BEGIN SOLUTION
patient_gain = (satisfaction(measure({"consent": "honoured"}), "patient")
                - satisfaction(usual, "patient"))
# END SOLUTION

# %% tags=["exercises-only"]
patient_gain = ...

# %%
q2.check()

# %% [markdown]
# ## Question 3
# `CANDIDATES` holds four proposals, numbered 0 to 3. Which are on the **trade-off
# frontier**: no other proposal is at least as good for every role and better for one?
# Set `on_frontier` to a list of their numbers.

# %% tags=["solution"]
# BEGIN SOLUTION
tables = [satisfaction_table(measure(levers)) for levers in CANDIDATES]
on_frontier = frontier(tables)
# END SOLUTION

# %% tags=["exercises-only"]
on_frontier = ...

# %%
q3.check()

# %% [markdown]
# ## Question 4
# `BOARD_VOTES` lists a board's five members, their roles and the proposal each votes
# for. The board agrees on the proposal with the most votes, the earliest on a tie. Which
# proposal does it agree on? Set `agreed_proposal`.

# %% tags=["solution"]
# BEGIN SOLUTION
votes = Counter(proposal for _, _, proposal in BOARD_VOTES)
most = max(votes.values())
agreed_proposal = min(p for p, n in votes.items() if n == most)
# END SOLUTION

# %% tags=["exercises-only"]
agreed_proposal = ...

# %%
q4.check()

# %% [markdown]
# ## Reflection 1
# NEDA closed its staffed helpline and pointed users to "Tessa", a chatbot that then gave
# weight-loss advice to people with eating disorders (2023). Who should have sat on the
# board before the switch, and what would each of them have asked? Write a few sentences
# in `reflection_tessa`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_tessa = (
    "People with lived experience of an eating disorder would have asked what the bot "
    "says to someone at risk and whether a human is still there; the helpline staff "
    "would have asked who answers a crisis; the designers would have asked whether the "
    "content could change; a clinician and a regulator would have asked who tested it "
    "before launch and who can switch it off."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_tessa = """
"""

# %%
r1.check()

# %% [markdown]
# ## Reflection 2
# Whose wish lost the most in your board's agreed deployment, and was the way the board
# decided fair to them? Write a few sentences in `reflection_board`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_board = (
    "The patient with lived experience lost the most: the board kept consent ignored "
    "because it saved staff time. One vote each looked fair, but the patients were one "
    "voice among six and the level was only consult, so they could not change the "
    "consent text at all; a fairer board would have let them co-decide that lever."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_board = """
"""

# %%
r2.check()
