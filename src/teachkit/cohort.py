"""Synthetic patient cohorts with a known ground truth.

``make_cohort`` draws a population of adults seen for mental-health screening. Its causal
structure follows DOMAIN.md section a.4, so that every lever in the lessons has a ground
truth to compare with:

1. demographics (age, sex/gender, ethnicity, income, insurance, language, rurality);
2. latent severity (a depression and an anxiety trait), shifted by published gradients;
3. questionnaire items drawn from the traits (PHQ-9 items 1-9, GAD-7 total);
4. an access layer, kept apart from need: screened, diagnosed, treated;
5. recorded labels that depend on access: diagnosis code, visits, cost;
6. the true crisis within 12 months (see :data:`CRISIS_DEFINITION`), drawn from need
   (severity, anxiety, PHQ-9 item 9 and prior self-harm), never from the records;
   ``crisis_risk`` is the true probability, known for every patient;
7. consent preferences, quasi-identifiers, synthetic names and a month of intake.

Every number has a source in :mod:`teachkit.sources`; the data card lists them per column.
All data is synthetic: no row describes a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from ._validation import (
    Interval,
    Options,
    TeachkitError,
    check_param,
    check_probability,
    check_seed,
)

__all__ = ["make_cohort", "COHORT_SETTINGS", "CohortSetting", "CRISIS_DEFINITION",
           "CRISIS_HORIZON", "LESSON_CRISIS_RATES",
           "CALIBRATIONS", "Calibration", "DEFAULT_CALIBRATION", "REFERENCE_YEAR",
           "calibration_of"]

#: Over what time ``crisis`` is counted: the horizon of DOMAIN.md a.2's primary-care
#: rate (0.5-1 % within 12 months) and of Simon 2013's item-9 gradient (one year).
CRISIS_HORIZON = "12 months"

#: What ``crisis`` counts (source ``crisis_definition``).
CRISIS_DEFINITION = (
    "a suicide attempt, an act of self-harm that reaches care, or an emergency visit for a "
    f"mental-health crisis, within {CRISIS_HORIZON} of the screening visit"
)

#: Ages are computed at the start of this year; birth dates fall before it.
REFERENCE_YEAR = 2025

# ---------------------------------------------------------------------------------------
# Settings: how sick is the population that walks in? (DOMAIN.md a.1, a.2)


@dataclass(frozen=True)
class CohortSetting:
    """A care setting: where the cohort is drawn from.

    Attributes
    ----------
    label : str
        Plain-language name shown in the apps.
    severity_shift : float
        Shift of the latent depression trait, in standard deviations, against the
        general population (0 there). An assumption: DOMAIN.md found no source for the
        PHQ-9 distribution in primary care.
    crisis_rate : float
        Share of the cohort with a crisis (:data:`CRISIS_DEFINITION`) within 12 months
        (source key ``crisis_rate``).
    screening_rate : float
        Share screened for depression in routine care in the past year among groups with
        no screening gap; Black, Asian and older patients are screened less
        (``screening``), so the cohort's overall share is lower.
    """

    label: str
    severity_shift: float
    crisis_rate: float
    screening_rate: float


COHORT_SETTINGS: dict[str, CohortSetting] = {
    # 12-month rates (source "crisis_rate"): primary care the middle of DOMAIN.md a.2's
    # 0.5-1 %; specialty Simon 2018's 0.63 % per 90 days as a constant hazard over a
    # year (D); the general population half the primary-care rate (A).
    "general": CohortSetting("General population", 0.0, 0.004, 0.30),
    "primary_care": CohortSetting("Primary care", 0.45, 0.0075, 0.45),
    "specialty": CohortSetting("Specialty mental-health care", 1.1, 0.025, 0.90),
}

#: The crisis rates the lessons' cohorts are drawn at, per setting: the sourced 12-month
#: presets (issue 12). A lesson cohort of 60,000 patients holds about 450 crises in
#: primary care, enough to compare groups at the true rate.
LESSON_CRISIS_RATES = {name: s.crisis_rate for name, s in COHORT_SETTINGS.items()}

# ---------------------------------------------------------------------------------------
# Demographics (source key "demographics": approximate US adult shares, K)

SEXES = ("female", "male", "non-binary")
SEX_P = (0.505, 0.48, 0.015)
ETHNICITIES = ("White", "Hispanic", "Black", "Asian", "Other")
ETHNICITY_P = (0.59, 0.19, 0.12, 0.06, 0.04)
INCOME_BANDS = ("<100% FPL", "100-199% FPL", "200-399% FPL", ">=400% FPL")
# Income band shares per ethnicity (rows follow ETHNICITIES).
INCOME_P = np.array(
    [
        [0.09, 0.15, 0.31, 0.45],
        [0.17, 0.25, 0.32, 0.26],
        [0.20, 0.24, 0.30, 0.26],
        [0.10, 0.13, 0.27, 0.50],
        [0.17, 0.22, 0.31, 0.30],
    ]
)
INSURANCES = ("private", "Medicare", "Medicaid", "uninsured")
# Insurance shares under 65 per income band (rows follow INCOME_BANDS).
INSURANCE_UNDER65_P = np.array(
    [
        [0.25, 0.0, 0.55, 0.20],
        [0.52, 0.0, 0.30, 0.18],
        [0.82, 0.0, 0.08, 0.10],
        [0.94, 0.0, 0.02, 0.04],
    ]
)
LANGUAGES = ("English", "Limited English")
LEP_P = (0.03, 0.28, 0.03, 0.32, 0.03)  # per ethnicity
RURALITIES = ("urban", "rural")
RURAL_P = (0.23, 0.09, 0.10, 0.04, 0.25)  # per ethnicity
AGE_BINS = ((18, 30), (30, 45), (45, 65), (65, 91))
AGE_P = (0.21, 0.25, 0.33, 0.21)

# ---------------------------------------------------------------------------------------
# Latent severity (sources: sex_gradient, income_gradient, ethnicity_prevalence, rural,
# age_gradient); shifts are in standard deviations of the latent trait.

SEX_SHIFT = np.array([0.17, -0.17, 0.45])
INCOME_SHIFT = np.array([0.52, 0.29, 0.10, -0.29])
ETHNICITY_SHIFT = np.array([0.03, 0.03, 0.03, -0.30, 0.03])
RURAL_SHIFT = np.array([-0.012, 0.06])
AGE_GRADIENT_SHIFT = ((18, 26, 0.35), (26, 50, 0.05), (50, 91, -0.2))
#: Mean of the shifts in the general population, removed so the trait has mean 0 there.
SHIFT_CENTER = 0.0567
#: Residual standard deviation, so that the trait has variance 1 in the general population.
RESIDUAL_SD = 0.936
DEP_ANX_RHO = 0.65
ANX_SEX_SHIFT = np.array([0.08, -0.08, 0.3])

# Graded-response model: P(item >= k | theta) = expit(a * (theta - b_k)), k = 1, 2, 3.
# Fitted to the general-population bands (source "grm"). These module constants are the
# earlier lessons' calibration (:data:`CALIBRATIONS` ``"lessons"``), kept for comparison.
GRM_A = 2.2
PHQ_BASE = 0.8113
PHQ_STEPS = (0.0, 1.2739, 1.3603)
# Item offsets: sleep (3) and tiredness (4) are endorsed most; item 9 least (3.5 % > 0).
PHQ_ITEM_OFFSETS = (0.0, 0.0, -0.45, -0.55, 0.05, 0.35, 0.3, 0.6, 1.5365)
GAD_BASE = 1.5702
GAD_STEPS = (0.0, 0.1, 0.2656)

# ---------------------------------------------------------------------------------------
# Access layer (sources: screening, diagnosis_by_insurance, diagnosis_by_ethnicity,
# treatment_by_ethnicity, treatment_by_insurance, lep_access, rural_gradient)

SCREEN_MULT_ETHNICITY = np.array([1.0, 1.0, 0.5, 0.7, 1.0])
SCREEN_MULT_65PLUS = 0.5
DX_CASE_BY_INSURANCE = np.array([0.59, 0.719, 0.664, 0.437])
DX_MULT_ETHNICITY = np.array([1.0, 0.75, 0.75, 0.75, 0.75])
#: Scales the insurance rates up so that, after the ethnicity, language and screening
#: multipliers, the shares diagnosed among PHQ-9 >= 15 come near Meiselbach's (D).
DX_CASE_SCALE = 1.4
DX_MULT_MILD = 0.25
DX_MULT_NONE = 0.03
DX_MULT_UNSCREENED = 0.8
TREAT_BASE = 0.85
# Alegria's treated-share ratios (0.61, 0.69, 0.52) divided by the diagnosis multiplier.
TREAT_MULT_ETHNICITY = np.array([1.0, 0.81, 0.92, 0.69, 1.0])
TREAT_MULT_INSURANCE = np.array([1.0, 1.0, 1.05, 0.6])
RURAL_ACCESS = 0.7
UNIT_COST = np.array([180.0, 140.0, 110.0, 90.0])  # per visit, by insurance (A)
MEDICATION_COST = 400.0  # per treated year (A)

# Crisis within 12 months (sources: crisis_item9, crisis_rate, prior_self_harm)
CRISIS_SEVERITY_SLOPE = 1.0
CRISIS_ANXIETY_SLOPE = 0.5
CRISIS_ITEM9_LOGODDS = np.array([0.0, 0.4, 0.8, 1.2])
CRISIS_SELF_HARM_LOGODDS = 1.8
SELF_HARM_INTERCEPT = -4.4
SELF_HARM_SLOPE = 1.0
SELF_HARM_RECORDED_IF_CONTACT = 0.8
SELF_HARM_RECORDED_NO_CONTACT = 0.4


@dataclass(frozen=True)
class Calibration:
    """The fitted constants of the generator, one set per calibration.

    ``"sourced"``, the default since issue 12, is what the lessons, exercises and
    committed cohort use. ``"lessons"`` is the earlier set (the module constants above),
    kept so the data card can show what the fit changed. ``"sourced"`` is fitted by
    ``scripts/calibrate_cohort.py`` to every target of
    :data:`teachkit.calibration.CALIBRATION_TARGETS` (issue 12): NHANES's answer pattern
    on every item, the PHQ-2/GAD-7 correlation of 0.64, the anxiety sex ratio of
    1.45, treatment by sex (x1.22) and at severe symptoms (36.9 % untreated), 11.4 % of
    White primary-care patients with an F32 code, and crisis risk that concentrates as
    Simon 2013, Simon 2018 and Louzon 2016 found.
    """

    phq_a: float
    phq_base: float
    phq_steps: tuple
    phq_item_offsets: tuple
    gad_a: float
    gad_base: float
    gad_steps: tuple
    dep_anx_rho: float
    anx_sex_shift: tuple
    dx_case_scale: float
    #: Diagnosis multipliers for PHQ-9 20+, 15-19, 10-14, 5-9 and 0-4.
    dx_mult_by_band: tuple
    treat_mult_sex: tuple
    treat_mult_severe: float
    crisis_severity_slope: float
    crisis_anxiety_slope: float
    crisis_item9_logodds: tuple
    crisis_self_harm_logodds: float
    self_harm_intercept: float


CALIBRATIONS = {
    "lessons": Calibration(
        GRM_A, PHQ_BASE, PHQ_STEPS, PHQ_ITEM_OFFSETS, GRM_A, GAD_BASE, GAD_STEPS,
        DEP_ANX_RHO, tuple(ANX_SEX_SHIFT), DX_CASE_SCALE,
        (1.0, 1.0, 1.0, DX_MULT_MILD, DX_MULT_NONE), (1.0, 1.0, 1.0), 1.0,
        CRISIS_SEVERITY_SLOPE, CRISIS_ANXIETY_SLOPE, tuple(CRISIS_ITEM9_LOGODDS),
        CRISIS_SELF_HARM_LOGODDS, SELF_HARM_INTERCEPT),
    # Fitted by scripts/calibrate_cohort.py; the comments give each number's target.
    "sourced": Calibration(
        # "more than half the days" about 1.3 x "nearly every day" on every item (NHANES,
        # Tomitaka 2018) with the MMWR bands and item 9 > 0 in 3.5 %
        phq_a=5.152, phq_base=0.607, phq_steps=(0.0, 1.2466, 1.6076),
        phq_item_offsets=(0.0, 0.0, -0.45, -0.55, 0.05, 0.35, 0.3, 0.6, 1.3135),
        gad_a=4.845, gad_base=0.9344, gad_steps=(0.0, 0.7684, 1.1772),
        # observed PHQ-2/GAD-7 r = 0.64 (Loewe 2008); the anxiety trait inherits the sex
        # gap through the correlation, so only a small correction gives NHSR 213's x1.45
        dep_anx_rho=0.791, anx_sex_shift=(-0.013, 0.013, 0.0),
        # Meiselbach's no-diagnosis shares at PHQ-9 >= 15 and Trinh's 11.4 % White F32
        dx_case_scale=1.3, dx_mult_by_band=(1.2, 1.0, 0.55, 0.1, 0.02),
        # treated women / men 1.22 (NSDUH); 36.9 % untreated at PHQ-9 >= 20 (Shim 2011)
        treat_mult_sex=(1.0, 0.86, 1.0), treat_mult_severe=1.35,
        # at the sourced rates: item-9 gradient 10x (Simon 2013), 71.6 % of crises at
        # item 9 = 0 (Louzon 2016), riskiest 5 % hold 43-48 % (Simon 2018)
        crisis_severity_slope=0.230, crisis_anxiety_slope=0.115,
        crisis_item9_logodds=(0.0, 0.0, 0.0, 0.0), crisis_self_harm_logodds=2.6,
        self_harm_intercept=-3.6),
}

# Consent: opt-out odds multipliers (source "consent")
# Opt-out probability of the reference group (men, 60+, no diagnosis, PHQ-9 < 10), chosen
# so that overall refusal is Jacobsen's 3.2 % for research (D), 5 % for model training
# (A) and 67 % for sharing with a commercial partner (A: about a third agree under
# an opt-in design, DOMAIN.md d.4).
OPT_OUT_BASE = {"research": 0.008, "model_training": 0.0127, "sharing": 0.3877}
OPT_OUT_OR_FEMALE = 1.7
OPT_OUT_OR_UNDER60 = 3.5
OPT_OUT_OR_DIAGNOSED = 1.7
OPT_OUT_OR_PHQ10 = 1.3

#: The calibration :func:`make_cohort` uses unless told otherwise (issue 12: the lessons
#: run on the sourced one).
DEFAULT_CALIBRATION = "sourced"


def calibration_of(cohort: pd.DataFrame) -> Calibration:
    """The constants a cohort was drawn with, read from ``cohort.attrs["teachkit"]``.

    Levers that redraw answers (:func:`teachkit.levers.bias.underreport_phq9`) must use
    the answer model the cohort was drawn with. A cohort with no record of how it was
    made (one read back from a CSV, say) is taken to use :data:`DEFAULT_CALIBRATION`.

    Examples
    --------
    >>> from teachkit.cohort import CALIBRATIONS, calibration_of, make_cohort
    >>> calibration_of(make_cohort(10, calibration="lessons")) is CALIBRATIONS["lessons"]
    True
    >>> calibration_of(make_cohort(10)) is CALIBRATIONS["sourced"]
    True
    """
    meta = cohort.attrs.get("teachkit") or {}
    name = meta.get("calibration", DEFAULT_CALIBRATION)
    if name not in CALIBRATIONS:
        raise TeachkitError(
            f"The cohort's attrs name an unknown calibration {name!r}; allowed: "
            f"{sorted(CALIBRATIONS)}."
        )
    return CALIBRATIONS[name]


# Quasi-identifiers (source "quasi_identifiers"): synthetic 3-digit ZIP prefixes.
URBAN_ZIP3 = tuple(f"{z}" for z in range(800, 840))
RURAL_ZIP3 = tuple(f"{z}" for z in range(840, 860))
URBAN_ZIP5_PER_ZIP3 = 30
RURAL_ZIP5_PER_ZIP3 = 6

# First names follow the sex/gender column (neutral names for non-binary patients) so the
# records read naturally; nothing else depends on them.
FEMALE_FIRST_NAMES = (
    "Amara", "Ana", "Aylin", "Bianca", "Chloe", "Elena", "Eva", "Farah", "Grace", "Hana",
    "Jia", "Kemi", "Laila", "Lucia", "Maya", "Mei", "Nadia", "Priya", "Rosa", "Sara",
    "Sofia", "Tess", "Uma", "Yara", "Zoe",
)
MALE_FIRST_NAMES = (
    "Arjun", "Ben", "Carlos", "Daniel", "Dario", "Emeka", "Felix", "Hiro", "Ivan", "Jamal",
    "Kofi", "Leo", "Luca", "Malik", "Mateo", "Noah", "Omar", "Rafael", "Samir", "Tariq",
    "Theo", "Tomas", "Victor", "Wei", "Yusuf",
)
NEUTRAL_FIRST_NAMES = ("Alex", "Ari", "Dana", "Jordan", "Kai", "Quinn", "Robin", "Sam")
FIRST_NAMES = FEMALE_FIRST_NAMES + MALE_FIRST_NAMES + NEUTRAL_FIRST_NAMES
_FIRST_BY_SEX = (FEMALE_FIRST_NAMES, MALE_FIRST_NAMES, NEUTRAL_FIRST_NAMES)  # SEXES order
LAST_NAMES = (
    "Abara", "Alvarez", "Andersen", "Bauer", "Becker", "Bianchi", "Brooks", "Campbell",
    "Castillo", "Chandra", "Cohen", "Costa", "Cruz", "Dahl", "Diaz", "Dubois", "Duarte",
    "Ekwueme", "Evans", "Fischer", "Flores", "Fontaine", "Garcia", "Gill", "Gomez", "Greene",
    "Gupta", "Haddad", "Hansen", "Hayes", "Hoang", "Ibrahim", "Ito", "Jansen", "Jensen",
    "Kaur", "Keller", "Khan", "Kim", "Kowalski", "Kruger", "Lambert", "Larsen", "Le", "Lee",
    "Lopez", "Mahmoud", "Martin", "Mendes", "Meyer", "Moreau", "Morales", "Murphy", "Nakamura",
    "Nguyen", "Novak", "Nowak", "Obi", "Okafor", "Olsen", "Ortiz", "Park", "Patel", "Perez",
    "Petrov", "Popescu", "Quinn", "Ramos", "Reyes", "Richter", "Rivera", "Rossi", "Russo",
    "Saito", "Santos", "Schmidt", "Sharma", "Silva", "Singh", "Sokolov", "Suzuki", "Tanaka",
    "Torres", "Tran", "Vargas", "Vasquez", "Vogel", "Wagner", "Walsh", "Wang", "Weber",
    "Wilson", "Wong", "Wu", "Yamamoto", "Yilmaz", "Young", "Zhang", "Zhou", "Zimmer",
)

_ZIP3_LEVELS = URBAN_ZIP3 + RURAL_ZIP3
# Every possible ZIP5 (100 per ZIP3; only the first few are used), so codes map directly.
_ZIP5_LEVELS = tuple(f"{z}{s:02d}" for z in _ZIP3_LEVELS for s in range(100))
_NAME_LEVELS = tuple(f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES)

PARAMETER_CONSTRAINTS = {
    # About 550 MB of peak memory per million patients: 10 million fit a 24 GiB machine.
    "n": Interval(1, 10_000_000, kind="int"),
    "crisis_rate": Interval(0.0, 1.0, closed="neither"),
    "setting": Options(COHORT_SETTINGS),
    "age_gradient": Options((False, True)),
    "calibration": Options(CALIBRATIONS),
}

# Ordered columns: the data card documents each of them (teachkit.datacard).
CATEGORICAL_LEVELS = {
    "sex": SEXES,
    "ethnicity": ETHNICITIES,
    "income_band": INCOME_BANDS,
    "insurance": INSURANCES,
    "language": LANGUAGES,
    "rurality": RURALITIES,
    "diagnosis_code": ("none", "F32", "F41"),
}


#: Every level of every categorical column, in order: what a reloaded CSV must get back.
ALL_LEVELS = {**CATEGORICAL_LEVELS, "name": _NAME_LEVELS, "zip3": _ZIP3_LEVELS,
              "zip5": _ZIP5_LEVELS}


def _categorical(codes: np.ndarray, levels) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int8), categories=list(levels))


def _choice(p, u: np.ndarray) -> np.ndarray:
    """One category per row from fixed probabilities ``p`` (inverse CDF on uniforms ``u``)."""
    cum = np.cumsum(p)[:-1]
    return np.searchsorted(cum, u, side="right").astype(np.int8)


def _choice_by(table: np.ndarray, given: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One category per row, with probabilities ``table[given]`` (one row per level)."""
    cum = np.cumsum(table, axis=1)
    out = np.zeros(u.shape[0], dtype=np.int8)
    for k in range(table.shape[1] - 1):
        out += (u >= cum[:, k][given]).view(np.int8)
    return out


def _grm_items(theta, u, a, base, steps, offsets):
    """Item scores 0-3 from a graded-response model, one uniform per item.

    ``P(item >= k | theta) = expit(a * (theta - b_k))``: the same as counting the
    thresholds ``b_k`` below ``theta + logit(u) / a`` (a logistic latent response),
    which needs one logarithm per item instead of three exponentials. ``u`` has shape
    (n_items, n); the result has shape (n, n_items).
    """
    with np.errstate(divide="ignore"):  # u == 0 gives -inf: the lowest possible answer
        response = np.log(u / (1 - u))  # logit(u), standard logistic; float32 is plenty
    response *= np.float32(1 / a)
    response += theta.astype(np.float32)  # (items, n), computed in place
    b = (base + np.asarray(offsets)[:, None] + np.asarray(steps)[None, :]).astype(np.float32)
    scores = (response > b[:, 0:1]).view(np.int8).copy()
    scores += (response > b[:, 1:2]).view(np.int8)
    scores += (response > b[:, 2:3]).view(np.int8)
    return scores.T


def _odds_to_p(p_base, odds_ratio):
    odds = p_base / (1 - p_base) * odds_ratio
    return odds / (1 + odds)


def _calibrated_intercept(linear: np.ndarray, target: float) -> float:
    """Intercept ``c`` so that ``mean(expit(c + linear)) == target`` (Newton, on a subsample)."""
    x = linear[:50_000]
    c = float(logit(target)) - float(np.median(x))
    for _ in range(30):
        p = expit(c + x)
        f = p.mean() - target
        if abs(f) < 1e-9:
            break
        c -= f / max((p * (1 - p)).mean(), 1e-12)
    return c


def make_cohort(
    n: int = 20_000,
    *,
    seed: int = 0,
    setting: str = "general",
    crisis_rate: float | None = None,
    screening_rate: float | None = None,
    lep_access: float = 0.65,
    age_gradient: bool = False,
    calibration: str = "sourced",
) -> pd.DataFrame:
    """Draw a synthetic cohort of adults seen for mental-health screening.

    Each row is one synthetic patient. Need (the latent severity, the questionnaires and
    the true crisis outcome) is drawn separately from access to care (screening,
    diagnosis, treatment) and from what the records show (diagnosis code, visits, cost),
    so a model trained on the records can be compared with the truth.

    Parameters
    ----------
    n : int, default=20_000
        Number of patients, from 1 to 10,000,000.
    seed : int, default=0
        Seed of the random generator; the same arguments give the same DataFrame and the
        same CSV bytes on every machine.
    setting : {"general", "primary_care", "specialty"}, default="general"
        Where the cohort is drawn from (:data:`COHORT_SETTINGS`): the sicker the setting,
        the higher the severity, the screening rate and the crisis rate.
    crisis_rate : float in (0, 1), default=None
        Share of patients with a crisis within 12 months (:data:`CRISIS_HORIZON`);
        ``None`` takes the setting's.
    screening_rate : float in [0, 1], default=None
        Share screened in routine care among groups with no screening gap; ``None`` takes
        the setting's.
    lep_access : float in [0, 1], default=0.65
        Multiplier on diagnosis, and on visits and cost once treated, for patients with
        limited English (DOMAIN.md a.3 proposes 0.6-0.7 on access to care). It does not
        multiply the chance of treatment itself: only the diagnosed are treated, so that
        would count the barrier twice.
    age_gradient : bool, default=False
        Whether younger adults are more depressed (NSDUH) or not (NHANES PHQ-9).
    calibration : {"sourced", "lessons"}, default="sourced"
        Which fitted constants to use (:data:`CALIBRATIONS`): the set fitted to every
        sourced target of :mod:`teachkit.calibration` (what the lessons use), or the
        lessons' earlier constants, kept for comparison.

    Returns
    -------
    cohort : pandas.DataFrame
        One row per patient; the columns are documented in ``data/synthetic/DATACARD.md``
        and in :data:`teachkit.datacard.COLUMNS`. ``cohort.attrs["teachkit"]`` records the
        arguments and ``synthetic=True``.

    Raises
    ------
    TeachkitError
        A subclass of ValueError, naming the bad argument, its value and what is allowed.

    See Also
    --------
    teachkit.pipeline.simulate : runs a triage model on a cohort.

    Notes
    -----
    Defaults and their sources: :mod:`teachkit.sources`. The PHQ-9 thresholds are fitted
    so that the general-population bands are 76.3 / 15.6 / 5.1 / 2.9 % (MMWR 2018).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(1_000, seed=7)
    >>> cohort.shape[0], bool(cohort["phq9_total"].between(0, 27).all())
    (1000, True)
    >>> make_cohort(0)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'n' parameter of make_cohort must be an int in \
the range [1, 10000000]. Got 0 instead.
    """
    caller = "make_cohort"
    n = check_param("n", n, PARAMETER_CONSTRAINTS["n"], caller=caller)
    seed = check_seed(seed, caller=caller)
    check_param("setting", setting, PARAMETER_CONSTRAINTS["setting"], caller=caller)
    check_param("age_gradient", age_gradient, PARAMETER_CONSTRAINTS["age_gradient"],
                caller=caller)
    check_param("calibration", calibration, PARAMETER_CONSTRAINTS["calibration"],
                caller=caller)
    cal = CALIBRATIONS[calibration]
    preset = COHORT_SETTINGS[setting]
    crisis_rate = preset.crisis_rate if crisis_rate is None else crisis_rate
    screening_rate = preset.screening_rate if screening_rate is None else screening_rate
    # Open range: a cohort where nobody or everybody has a crisis has nothing to teach.
    crisis_rate = float(check_param("crisis_rate", crisis_rate,
                                    PARAMETER_CONSTRAINTS["crisis_rate"], caller=caller))
    screening_rate = check_probability("screening_rate", screening_rate, caller=caller)
    lep_access = check_probability("lep_access", lep_access, caller=caller)

    rng = np.random.default_rng(seed)
    # One block of uniforms for every categorical and Bernoulli draw: fast and ordered.
    U = rng.random((16, n), dtype=np.float32)

    # 1. Demographics -------------------------------------------------------------------
    sex = _choice(SEX_P, U[0])
    eth = _choice(ETHNICITY_P, U[1])
    age_bin = _choice(AGE_P, U[2])
    lo = np.array([b[0] for b in AGE_BINS])[age_bin]
    hi = np.array([b[1] for b in AGE_BINS])[age_bin]
    age = (lo + U[3] * (hi - lo)).astype(np.int16)
    income = _choice_by(INCOME_P, eth, U[4])
    ins = _choice_by(INSURANCE_UNDER65_P, income, U[5])
    old = age >= 65
    # 65+: Medicare, with a few still privately insured (K).
    ins = np.where(old, np.where(U[5] < 0.93, 1, 0), ins)
    lep = (U[6] < np.asarray(LEP_P)[eth]).astype(np.int8)
    rural = (U[7] < np.asarray(RURAL_P)[eth]).astype(np.int8)

    # 2. Latent severity ----------------------------------------------------------------
    z = rng.standard_normal((3, n))
    shift = (
        SEX_SHIFT[sex] + INCOME_SHIFT[income] + ETHNICITY_SHIFT[eth] + RURAL_SHIFT[rural]
    )
    if age_gradient:
        for a_lo, a_hi, s in AGE_GRADIENT_SHIFT:
            shift = shift + np.where((age >= a_lo) & (age < a_hi), s, 0.0)
    severity = preset.severity_shift + (shift - SHIFT_CENTER) + RESIDUAL_SD * z[0]
    anxiety = (
        preset.severity_shift
        + np.asarray(cal.anx_sex_shift)[sex]
        + cal.dep_anx_rho * (severity - preset.severity_shift)
        + np.sqrt(1 - cal.dep_anx_rho**2) * z[1]
    )

    # 3. Questionnaires -----------------------------------------------------------------
    u_items = rng.random((16, n), dtype=np.float32)
    phq = _grm_items(severity, u_items[:9], cal.phq_a, cal.phq_base, cal.phq_steps,
                     cal.phq_item_offsets)
    gad = _grm_items(anxiety, u_items[9:], cal.gad_a, cal.gad_base, cal.gad_steps,
                     np.zeros(7))
    phq_total = phq.sum(axis=1, dtype=np.int16)
    gad_total = gad.sum(axis=1, dtype=np.int16)

    # 4. Access layer (kept apart from need) --------------------------------------------
    p_screen = screening_rate * SCREEN_MULT_ETHNICITY[eth] * np.where(old, SCREEN_MULT_65PLUS, 1)
    screened = U[8] < p_screen
    lep_mult = np.where(lep == 1, lep_access, 1.0)
    rural_mult = np.where(rural == 1, RURAL_ACCESS, 1.0)
    band_mult = cal.dx_mult_by_band
    need_mult = np.select(
        [phq_total >= 20, phq_total >= 15, phq_total >= 10, phq_total >= 5],
        list(band_mult[:4]), band_mult[4])
    anx_need = np.where(gad_total >= 10, 0.6, 0.0)
    p_dx = (
        np.maximum(need_mult, anx_need * (phq_total < 10))
        * DX_CASE_BY_INSURANCE[ins] * cal.dx_case_scale
        * DX_MULT_ETHNICITY[eth]
        * lep_mult
        * np.where(screened, 1.0, DX_MULT_UNSCREENED)
    )
    diagnosed = U[9] < np.minimum(p_dx, 0.95)
    # Limited English already lowers diagnosis (and visits below); applying it to
    # treatment too would count it twice (DOMAIN.md: x0.6-0.7 on access to care).
    p_tx = (TREAT_BASE * TREAT_MULT_ETHNICITY[eth] * TREAT_MULT_INSURANCE[ins]
            * np.asarray(cal.treat_mult_sex)[sex]
            * np.where(phq_total >= 20, cal.treat_mult_severe, 1.0))
    treated = diagnosed & (U[10] < np.minimum(p_tx * rural_mult ** 0.5, 0.95))

    # 5. Recorded labels ----------------------------------------------------------------
    # F32 depressive episode; F41 anxiety when anxiety, not depression, led to the diagnosis.
    anxiety_led = (phq_total < 10) & (gad_total >= 10)
    dx_code = np.where(diagnosed, np.where(anxiety_led, 2, 1), 0)
    access = lep_mult * rural_mult
    need_visits = np.clip(severity - preset.severity_shift + 1.0, 0, None)
    visit_mean = 0.5 + diagnosed * 1.0 + treated * (3.0 + 3.0 * need_visits) * access
    cost_noise = np.exp(0.35 * z[2])

    # 6. Ground truth: crisis within 12 months, from need only ---------------------------
    p_self_harm = expit(cal.self_harm_intercept
                        + SELF_HARM_SLOPE * (severity - preset.severity_shift)
                        + 0.3 * preset.severity_shift)
    prior_self_harm = U[11] < p_self_harm
    contact = diagnosed | treated
    p_record = np.where(contact, SELF_HARM_RECORDED_IF_CONTACT, SELF_HARM_RECORDED_NO_CONTACT)
    self_harm_recorded = prior_self_harm & (U[12] < p_record)
    linear = (
        cal.crisis_severity_slope * severity
        + cal.crisis_anxiety_slope * anxiety
        + np.asarray(cal.crisis_item9_logodds)[phq[:, 8]]
        + cal.crisis_self_harm_logodds * prior_self_harm
    )
    # Kept within [1e-6, 1 - 1e-6] so the 6-decimal column never reads 0 or 1.
    crisis_risk = np.clip(expit(_calibrated_intercept(linear, crisis_rate) + linear),
                          1e-6, 1 - 1e-6)
    crisis = U[13] < crisis_risk

    # 7. Consent, quasi-identifiers, names, time ----------------------------------------
    u_consent = rng.random((3, n), dtype=np.float32)
    odds_ratio = (
        np.where(sex == 0, OPT_OUT_OR_FEMALE, 1.0)
        * np.where(age < 60, OPT_OUT_OR_UNDER60, 1.0)
        * np.where(diagnosed, OPT_OUT_OR_DIAGNOSED, 1.0)
        * np.where(phq_total >= 10, OPT_OUT_OR_PHQ10, 1.0)
    )
    consent = {
        f"consent_{use}": u_consent[i] >= _odds_to_p(base, odds_ratio)
        for i, (use, base) in enumerate(OPT_OUT_BASE.items())
    }
    zip_u = rng.random((2, n), dtype=np.float32)
    zip3_idx = np.where(
        rural == 1,
        len(URBAN_ZIP3) + (zip_u[0] ** 1.6 * len(RURAL_ZIP3)).astype(np.int16),
        (zip_u[0] ** 1.3 * len(URBAN_ZIP3)).astype(np.int16),
    )
    zip5_suffix = np.where(
        rural == 1,
        (zip_u[1] * RURAL_ZIP5_PER_ZIP3).astype(np.int16),
        (zip_u[1] * URBAN_ZIP5_PER_ZIP3).astype(np.int16),
    )
    zip5_code = zip3_idx.astype(np.int32) * 100 + zip5_suffix
    birth_year = (REFERENCE_YEAR - 1 - age).astype(np.int16)
    # Days 1-364: nobody is born on 1 January, the day ages are computed for.
    day_of_year = (1 + U[14] * 364).astype(np.int16)
    birth_date = (birth_year.astype("int64") - 1970).astype("datetime64[Y]").astype(
        "datetime64[D]"
    ) + day_of_year.astype("timedelta64[D]")
    name_u = rng.random((2, n), dtype=np.float32)
    first_offset = np.cumsum([0] + [len(names) for names in _FIRST_BY_SEX])[:-1]
    first_count = np.array([len(names) for names in _FIRST_BY_SEX])
    first = (first_offset[sex] + name_u[0] * first_count[sex]).astype(np.int32)
    last = (name_u[1] * len(LAST_NAMES)).astype(np.int32)
    intake_month = (U[15] * 24).astype(np.int8)
    # Last, because a Poisson draw uses a number of random values that depends on the
    # data: anything drawn after it would change whenever an access argument changes.
    visits = rng.poisson(visit_mean).astype(np.int16)
    cost = np.round(visits * UNIT_COST[ins] * cost_noise + treated * MEDICATION_COST * access, 0)

    df = pd.DataFrame(
        {
            "patient_id": np.arange(1, n + 1, dtype=np.int64),
            "name": pd.Categorical.from_codes(first * len(LAST_NAMES) + last, _NAME_LEVELS),
            "age": age,
            "birth_year": birth_year,
            "birth_date": birth_date,
            "sex": _categorical(sex, SEXES),
            "ethnicity": _categorical(eth, ETHNICITIES),
            "income_band": _categorical(income, INCOME_BANDS),
            "insurance": _categorical(ins, INSURANCES),
            "language": _categorical(lep, LANGUAGES),
            "rurality": _categorical(rural, RURALITIES),
            "zip3": pd.Categorical.from_codes(zip3_idx, _ZIP3_LEVELS),
            "zip5": pd.Categorical.from_codes(zip5_code, _ZIP5_LEVELS),
            "severity": np.round(severity, 4),
            "anxiety_severity": np.round(anxiety, 4),
            **{f"phq{i + 1}": phq[:, i] for i in range(9)},
            "phq9_total": phq_total,
            "gad7_total": gad_total,
            "screened": screened,
            "diagnosed": diagnosed,
            "treated": treated,
            "diagnosis_code": _categorical(dx_code, CATEGORICAL_LEVELS["diagnosis_code"]),
            "visits_past_year": visits,
            "cost_past_year": cost,
            "prior_self_harm": prior_self_harm,
            "self_harm_recorded": self_harm_recorded,
            "crisis_risk": np.round(crisis_risk, 6),
            "crisis": crisis,
            **consent,
            "intake_month": intake_month,
        }
    )
    df.attrs["teachkit"] = {
        "synthetic": True,
        "n": n,
        "seed": seed,
        "setting": setting,
        "crisis_rate": crisis_rate,
        "crisis_horizon": CRISIS_HORIZON,
        "screening_rate": screening_rate,
        "lep_access": lep_access,
        "age_gradient": age_gradient,
        "calibration": calibration,
    }
    return df
