"""Privacy levers: what a hospital releases about its patients, and how it is protected.

Lesson 03's data release is a pipeline of its own (:class:`teachkit.privacy.Release`):

- **which quasi-identifiers leave the hospital** (``release_zip``, ``release_birth``,
  ``release_sex``, ``release_ethnicity``, ``release_language``): details that are not
  names but that other public lists also hold, so they can be linked back to a name;
- **k-anonymity** (``k_target``): every released patient must look like at least k - 1
  others; rarer combinations are first made coarser, then withheld;
- **differential privacy** (``epsilon``): random noise of a known size on the counts
  the hospital publishes, so no single patient changes them much.

At rest the levers describe the naive "de-identified" research extract of Sweeney's
classic case: names and record numbers removed, but the full 5-digit ZIP code, the full
date of birth and sex kept, no k-anonymity and exact counts. Every spec is bound to
:func:`release_cohort`, whose keywords are the levers themselves (each receives the
trainee's value unchanged); the mechanisms live in :mod:`teachkit.privacy`.
"""

from __future__ import annotations

from .._validation import Interval, Options
from . import LeverSpec, register

__all__ = ["PRIVACY_LEVERS", "EPSILONS", "KEPT_REMOVED", "release_cohort"]

KEPT_REMOVED = ("kept", "removed")
_KEPT_LABELS = {"kept": "Kept, exactly", "removed": "Removed"}
#: Privacy-loss budgets offered (DOMAIN.md d.3 proposes 8, 3, 1, 0.5); "off" = no noise.
EPSILONS = ("off", 8.0, 3.0, 1.0, 0.5, 0.1)


def release_cohort(cohort, *, release_zip="zip5", release_birth="date", release_sex="kept",
                   release_ethnicity="removed", release_language="removed", k_target=1,
                   epsilon="off", seed=0):
    """Release ``cohort`` with these levers, attack it and count the cost.

    The release levers' function: each lever is a keyword, its default the resting
    value. It is :func:`teachkit.privacy.run_release` with the levers spelled out (and
    validated by :class:`~teachkit.privacy.Release`, whose message names them).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> result = release_cohort(make_cohort(2_000, seed=2), k_target=11)
    >>> result.k >= 11, result.release.k_target
    (True, 11)
    """
    from ..privacy import Release, run_release  # the mechanism; it imports this module

    release = Release(release_zip=release_zip, release_birth=release_birth,
                      release_sex=release_sex, release_ethnicity=release_ethnicity,
                      release_language=release_language, k_target=k_target,
                      epsilon=epsilon)
    return run_release(release, cohort, seed=seed)


RELEASE_ZIP = LeverSpec(
    name="release_zip",
    label="ZIP code released",
    tooltip=(
        "How much of each patient's ZIP code the hospital releases: the full 5 digits "
        "pin a patient to a few streets, the first 3 digits to a wide area (what HIPAA "
        "Safe Harbor allows)."
    ),
    constraint=Options(("none", "zip3", "zip5")),
    rest="zip5",
    option_labels={
        "none": "Removed",
        "zip3": "First 3 digits (a wide area)",
        "zip5": "Full 5-digit ZIP code",
    },
    source="quasi_identifiers",
    function=release_cohort,
)

RELEASE_BIRTH = LeverSpec(
    name="release_birth",
    label="Date of birth released",
    tooltip=(
        "How much of each patient's date of birth the hospital releases: the full date, "
        "the year only (what HIPAA Safe Harbor allows), or nothing."
    ),
    constraint=Options(("none", "year", "date")),
    rest="date",
    option_labels={
        "none": "Removed",
        "year": "Year of birth only",
        "date": "Full date of birth",
    },
    source="quasi_identifiers",
    function=release_cohort,
)

RELEASE_SEX = LeverSpec(
    name="release_sex",
    label="Sex / gender released",
    tooltip="Whether each patient's recorded sex or gender is in the release.",
    constraint=Options(KEPT_REMOVED),
    rest="kept",
    option_labels=_KEPT_LABELS,
    source="quasi_identifiers",
    function=release_cohort,
)

RELEASE_ETHNICITY = LeverSpec(
    name="release_ethnicity",
    label="Ethnicity released",
    tooltip=(
        "Whether each patient's recorded ethnicity is in the release; some public voter "
        "lists record it too, so it can help link records back to names."
    ),
    constraint=Options(KEPT_REMOVED),
    rest="removed",
    option_labels=_KEPT_LABELS,
    source="sweeney_release",
    function=release_cohort,
)

RELEASE_LANGUAGE = LeverSpec(
    name="release_language",
    label="Language released",
    tooltip=(
        "Whether the release says which patients have limited English; the voter list in "
        "this lesson does not record language, but other lists (an interpreter service's) "
        "could."
    ),
    constraint=Options(KEPT_REMOVED),
    rest="removed",
    option_labels=_KEPT_LABELS,
    source="sweeney_release",
    function=release_cohort,
)

K_TARGET = LeverSpec(
    name="k_target",
    label="Smallest group allowed (k)",
    tooltip=(
        "Every released patient must share all their released details with at least "
        "k - 1 other patients: rarer details are first made coarser (ZIP code to area, "
        "date of birth to year and then to 5- or 10-year bands) and patients who still "
        "stand out are left out of the release; 1 means no protection."
    ),
    constraint=Interval(1, 50, kind="int"),
    rest=1,
    step=1,
    source="k_anonymity",
    function=release_cohort,
)

EPSILON = LeverSpec(
    name="epsilon",
    label="Noise on published counts (ε)",
    tooltip=(
        "The hospital also publishes how many patients with probable depression live in "
        "each area, by ethnicity; differential privacy adds random noise to each count, "
        "and a smaller ε means more noise and a stronger guarantee."
    ),
    constraint=Options(EPSILONS),
    rest="off",
    option_labels={
        "off": "No noise: exact counts",
        8.0: "ε = 8 (a little noise)",
        3.0: "ε = 3",
        1.0: "ε = 1",
        0.5: "ε = 0.5",
        0.1: "ε = 0.1 (a lot of noise)",
    },
    source="dp_epsilon",
    function=release_cohort,
)



PRIVACY_LEVER_SPECS = (RELEASE_ZIP, RELEASE_BIRTH, RELEASE_SEX, RELEASE_ETHNICITY,
                       RELEASE_LANGUAGE, K_TARGET, EPSILON)
#: Names of the levers of this module, in the order the lesson shows them.
PRIVACY_LEVERS = tuple(spec.name for spec in PRIVACY_LEVER_SPECS)
#: The stage these levers belong to, and the module that registers it.
STAGE, STAGE_MODULE = "release", "teachkit.privacy"
register(*PRIVACY_LEVER_SPECS, owner=STAGE)
