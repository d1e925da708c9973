# %% [markdown]
# # Lesson 03 exercises: consent and privacy
#
# The same 60,000 synthetic patients as in lessons 01 and 02. Dr. Obi's practice must now
# ask its patients before their records train the triage model, and a partner wants a
# "de-identified" release. `teachkit.consent` says who agreed to what under each way of
# asking (`design`: `"opt_out"`, `"layered"` or `"opt_in"`), and what honouring or
# ignoring their answers does; a release is judged by its **k**, the size of the smallest
# group of patients who share every released detail.
#
# Set each variable, then run the check under it; `q1.hint()` gives a hint.
#
# *All patients here are synthetic: made up by a computer. No real person's data is used.*

# %%
from teachkit.consent import (
    ConsentSettings,
    consent_masks,
    records_used_without_consent,
    run_consent,
    selection_bias,
)
from teachkit.exercises.lesson03 import q1, q2, q3, q4, q5, q6, r1, r2
from teachkit.pipeline import lesson_cohort

cohort = lesson_cohort()
cohort[["patient_id", "sex", "age", "consent_model_training", "zip3", "birth_year"]].head()

# %% [markdown]
# ## Question 1
# In lessons 01 and 02 the model learned from every record: consent was **ignored**. Under
# opt-out (records are used unless the patient says no), how many patients' records
# trained the model although they had said no? Set `used_without_consent` (a number of
# records).

# %% tags=["solution"]
# BEGIN SOLUTION
used = records_used_without_consent(cohort, consent="ignored", design="opt_out")
used_without_consent = used.loc[("all", "all patients"), "training"]
# END SOLUTION

# %% tags=["exercises-only"]
used_without_consent = ...

# %%
q1.check()

# %% [markdown]
# ## Question 2
# Write `consent_filter(records, design)`. `records` is a DataFrame with a `patient_id`
# column and an `answer` column holding `"yes"`, `"no"` or `None` (never answered).
# Return the rows a model may learn from, in their order: under `"opt_out"` every record
# except an explicit `"no"`; under `"opt_in"` only an explicit `"yes"`. Any other answer
# (a typo, `None`) is not a yes. Do not change `records`.

# %% tags=["solution"]
def consent_filter(records, design):
    # BEGIN SOLUTION
    if design == "opt_in":
        keep = records["answer"].apply(lambda a: a == "yes")
    else:
        keep = records["answer"].apply(lambda a: a != "no")
    return records[keep.astype(bool)]
    # END SOLUTION

# %%
q2.check()

# %% [markdown]
# ## Question 3
# Now consent is honoured under **opt-in**: only the patients who say yes are in the
# training data. How many crises per 1,000 patients does the training data have, **minus**
# the crises per 1,000 in the whole clinic? Set `crisis_gap_opt_in` (negative if the
# training data has fewer). `consent_masks(cohort, design=...)` and `selection_bias(cohort,
# agreed)` help.

# %% tags=["solution"]
# BEGIN SOLUTION
agreed = consent_masks(cohort, design="opt_in")["training"]
bias = selection_bias(cohort, agreed)
crisis_gap_opt_in = 1000 * (bias.loc["consented", "crisis_rate"]
                            - bias.loc["full cohort", "crisis_rate"])
# END SOLUTION

# %% tags=["exercises-only"]
crisis_gap_opt_in = ...

# %%
q3.check()

# %% [markdown]
# ## Question 4
# A release keeps each patient's 3-digit ZIP code (`zip3`) and the **decade** of their
# birth (1970 for 1970-1979, ...). What is its **k**, the size of the smallest group of
# patients who share both? Set `k_decade`.

# %% tags=["solution"]
# BEGIN SOLUTION
release = cohort[["zip3"]].assign(birth_decade=cohort["birth_year"] // 10 * 10)
k_decade = release.groupby(["zip3", "birth_decade"], observed=True).size().min()
# END SOLUTION

# %% tags=["exercises-only"]
k_decade = ...

# %%
q4.check()

# %% [markdown]
# ## Question 5
# Small cells (fewer than 11 patients) must not be released. Keep the ZIP3 but release
# birth years in bands of `width` years: `band = (birth_year - 1930) // width`. What is
# the **narrowest** width, in whole years from 1 to 60, that gives k ≥ 11? Set
# `smallest_band`.

# %% tags=["solution"]
# BEGIN SOLUTION
def k_with_band(width):
    bands = cohort[["zip3"]].assign(band=(cohort["birth_year"].astype(int) - 1930) // width)
    return bands.groupby(["zip3", "band"], observed=True).size().min()


smallest_band = min(w for w in range(1, 61) if k_with_band(w) >= 11)
# END SOLUTION

# %% tags=["exercises-only"]
smallest_band = ...

# %%
q5.check()

# %% [markdown]
# ## Question 6
# Train the logistic model on opt-in consenters only
# (`ConsentSettings(model="logistic", consent="honoured", consent_design="opt_in")`).
# For patients **under 60**, the group that said no most often, what is the model's
# observed / expected ratio (their crisis rate divided by their mean predicted risk)? Set
# `calibration_under60`.

# %% tags=["solution"]
# BEGIN SOLUTION
report = run_consent(ConsentSettings(model="logistic", consent="honoured",
                                     consent_design="opt_in")).report
calibration_under60 = report.model.loc[("age", "under 60"), "calibration_consenters"]
# END SOLUTION

# %% tags=["exercises-only"]
calibration_under60 = ...

# %%
q6.check()

# %% [markdown]
# ## Reflection 1
# Which consent design would you choose for training the triage model, and why? Weigh the
# patients whose records are used without their knowledge against those the model
# misjudges because people like them said no. Write a few sentences in
# `reflection_design`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_design = (
    "I would ask use by use in short steps (layered), because behind long opt-out terms "
    "most people never know their record trains a model, and ignoring a no wrongs them. "
    "Fewer agree, and those who say no are younger, more often women and more unwell, so "
    "I would measure the model's calibration for those groups, publish it, and ask the "
    "patients who refuse what would earn their trust."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_design = """
"""

# %%
r1.check()

# %% [markdown]
# ## Reflection 2
# A commercial partner asks for "de-identified" records. What would you check before any
# record leaves the practice? Write a few sentences in `reflection_release`.

# %% tags=["solution"]
# BEGIN SOLUTION
reflection_release = (
    "Whether the patients agreed to this use at all; which quasi-identifiers remain (ZIP, "
    "birth date, sex) and the release's k against a public register; who gets suppressed "
    "to reach it, since small groups lose most; and whether the partner may link or "
    "resell the data. Health data for advertising is out even with consent."
)
# END SOLUTION

# %% tags=["exercises-only"]
reflection_release = """
"""

# %%
r2.check()
