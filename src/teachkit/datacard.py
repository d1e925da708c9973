"""The data dictionary of the synthetic cohort, written as data, and its data card.

:data:`COLUMNS` describes every column :func:`teachkit.cohort.make_cohort` returns: its
type, the values it may take, what it means in plain words, the step of the causal
structure that makes it (DOMAIN.md a.4) and the keys of :data:`teachkit.sources.SOURCES`
behind its numbers. The tests check every generated cohort against it, so the dictionary
cannot drift away from the generator.

:func:`render_datacard` turns the dictionary into ``data/synthetic/DATACARD.md``: a
datasheet in the sections of Gebru et al.'s "Datasheets for datasets", the dictionary
table, the sources, the care-setting presets, and the calibration table of
:mod:`teachkit.calibration` (every target, its source, band and achieved value). Every
figure in the card is computed, never typed, so the card and the data cannot disagree.
``scripts/make_data.py`` writes both files.

All data described here is synthetic: no row describes a real person.

Examples
--------
>>> from teachkit.datacard import COLUMNS, get_column
>>> get_column("phq9_total").low, get_column("phq9_total").high
(0, 27)
>>> get_column("crisis").sources
('crisis_definition', 'crisis_concentration', 'crisis_rate', 'prior_self_harm')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ._validation import Interval, check_param
from .calibration import (
    CALIBRATION_TARGETS,
    CHECK_COHORTS,
    SIMON_2018_RATE,
    check_calibration,
)
from .cohort import (
    CATEGORICAL_LEVELS,
    COHORT_SETTINGS,
    CRISIS_DEFINITION,
    FIRST_NAMES,
    LAST_NAMES,
    LESSON_CRISIS_RATES,
    REFERENCE_YEAR,
    RURAL_ZIP3,
    URBAN_ZIP3,
)
from .sources import SOURCES

__all__ = ["Column", "COLUMNS", "GENERATION_STEPS", "get_column", "render_datacard",
           "render_datasheet", "sample_patients", "SAMPLE_SIZE", "SAMPLE_SEED"]

#: The committed sample of the lessons' cohort (``data/synthetic/cohort_sample.csv``):
#: this many patients (about 1 MB of CSV), drawn at random with this seed. The full
#: cohort (about 12 MB) is generated on each machine (``scripts/make_data.py``).
SAMPLE_SIZE = 5_000
SAMPLE_SEED = 2024


@dataclass(frozen=True)
class Column:
    """One column of the synthetic cohort, as the data dictionary describes it.

    Parameters
    ----------
    name : str
        The column's name in the DataFrame and the CSV file.
    dtype : str
        The pandas dtype :func:`~teachkit.cohort.make_cohort` gives it (``str(dtype)``).
    allowed : str
        The values it may take, in words (the dictionary's "range" column).
    meaning : str
        What it means, in plain words.
    sources : tuple of str
        Keys of :data:`teachkit.sources.SOURCES` behind its numbers (empty only for the
        row number).
    step : int
        The step of the causal structure that makes it (0 for the row number; 1-7 as in
        :data:`GENERATION_STEPS`).
    low, high : int or float, optional
        Bounds (both included) for numbers and dates (years for dates); ``None`` when
        unbounded on that side.
    levels : tuple, optional
        The allowed values of a categorical or yes/no column.
    """

    name: str
    dtype: str
    allowed: str
    meaning: str
    sources: tuple[str, ...]
    step: int
    low: float | None = None
    high: float | None = None
    levels: tuple | None = None


#: The causal structure of the generator, step by step (DOMAIN.md a.4); the data card's
#: "collection process" lists the columns each step makes.
GENERATION_STEPS = {
    1: "Demographics are drawn from approximate US adult shares: age, sex or gender, "
       "ethnicity, income (depending on ethnicity), insurance (depending on income and "
       "age), language and rurality (depending on ethnicity).",
    2: "Two latent traits, depression and anxiety (correlation 0.65; 0.79 in the sourced "
       "calibration, so that the observed PHQ-2 and GAD-7 correlate at 0.64), are drawn "
       "from a "
       "normal distribution whose mean is shifted by published gradients: sex, income, "
       "ethnicity, rurality and, if switched on, age. The care setting shifts both.",
    3: "Questionnaire answers are drawn from the traits through a graded-response model "
       "(nine PHQ-9 items, seven GAD-7 items) whose thresholds are fitted so that the "
       "general population matches the published PHQ-9 bands and GAD-7 tails (and, in "
       "the sourced calibration, the answer pattern of each item).",
    4: "Access to care is drawn apart from need: screening (rarer for Black, Asian and "
       "older patients), diagnosis (depending on symptoms, insurance, ethnicity, "
       "language, screening and symptoms) and treatment of the diagnosed (depending on "
       "ethnicity, insurance and rurality; in the sourced calibration also on sex and "
       "severe symptoms). Only diagnosed patients can be treated.",
    5: "What the records show follows from access: the diagnosis code, visits and cost "
       "in the past year. This is why cost is a tempting but biased proxy for need.",
    6: "The true outcome, a crisis within 12 months (a suicide attempt, self-harm that "
       "reaches care or an emergency mental-health visit), is drawn from need only "
       "(depression and anxiety traits, PHQ-9 item 9 and a history of self-harm), never "
       "from the records, with an intercept fitted so the crisis rate equals the "
       "setting's.",
    7: "Consent preferences, quasi-identifiers (synthetic ZIP codes, birth date), "
       "synthetic names and a month of intake (for drift lessons).",
}

_GROUP_SOURCES = {
    "sex": ("demographics", "sex_gradient"),
    "ethnicity": ("demographics", "ethnicity_prevalence"),
    "income_band": ("demographics", "income_gradient"),
    "insurance": ("demographics", "diagnosis_by_insurance", "treatment_by_insurance"),
    "language": ("demographics", "lep_access"),
    "rurality": ("demographics", "rural_gradient"),
}

_PHQ_ITEMS = (
    "little interest or pleasure in doing things",
    "feeling down, depressed or hopeless",
    "trouble sleeping, or sleeping too much",
    "feeling tired or having little energy",
    "poor appetite or overeating",
    "feeling bad about yourself, or that you are a failure",
    "trouble concentrating",
    "moving or speaking slowly, or being fidgety or restless",
    "thoughts that you would be better off dead, or of hurting yourself",
)
_ITEM_ANSWERS = "0 not at all, 1 several days, 2 more than half the days, 3 nearly every day"
_YES_NO = (False, True)


def _levels_text(levels) -> str:
    return ", ".join(str(v) for v in levels)


def _build_columns() -> tuple[Column, ...]:
    cols = [
        Column("patient_id", "int64", "1 to n",
               "Row number of the synthetic patient; carries no information.", (), 0,
               low=1),
        Column("name", "category",
               f"'First Last' from fixed lists ({len(FIRST_NAMES)} first names x "
               f"{len(LAST_NAMES)} last names)",
               "A made-up name, drawn independently of everything else, so privacy "
               "lessons have a direct identifier to remove.",
               ("synthetic_names",), 7),
        Column("age", "int16", "18 to 90",
               "Age in whole years at the start of the reference year "
               f"{REFERENCE_YEAR}.",
               ("demographics", "age_gradient"), 1, low=18, high=90),
        Column("birth_year", "int16",
               f"{REFERENCE_YEAR - 1 - 90} to {REFERENCE_YEAR - 1 - 18}",
               f"Year of birth: {REFERENCE_YEAR} - 1 - age. A quasi-identifier.",
               ("quasi_identifiers",), 7,
               low=REFERENCE_YEAR - 1 - 90, high=REFERENCE_YEAR - 1 - 18),
        Column("birth_date", "datetime64[s]", "a date within birth_year",
               "Date of birth (YYYY-MM-DD in the CSV). A quasi-identifier: with sex and "
               "ZIP code it singles out most people.",
               ("quasi_identifiers",), 7,
               low=REFERENCE_YEAR - 1 - 90, high=REFERENCE_YEAR - 1 - 18),
    ]
    group_meaning = {
        "sex": "Sex or gender; a small non-binary group is included (its calibration is "
               "an assumption).",
        "ethnicity": "Ethnicity as a record would hold it.",
        "income_band": "Family income as a share of the US federal poverty level (FPL).",
        "insurance": "Health insurance; 65 and older are mostly on Medicare.",
        "language": "Whether the patient has limited English proficiency, which lowers "
                    "access to care (not need).",
        "rurality": "Whether the patient lives in a rural area, which lowers access to "
                    "care and slightly raises need.",
    }
    for name in ("sex", "ethnicity", "income_band", "insurance", "language", "rurality"):
        levels = CATEGORICAL_LEVELS[name]
        cols.append(Column(name, "category", _levels_text(levels), group_meaning[name],
                           _GROUP_SOURCES[name], 1, levels=tuple(levels)))
    zip3 = URBAN_ZIP3 + RURAL_ZIP3
    cols += [
        Column("zip3", "category",
               f"'{zip3[0]}' to '{zip3[-1]}' (urban {URBAN_ZIP3[0]}-{URBAN_ZIP3[-1]}, "
               f"rural {RURAL_ZIP3[0]}-{RURAL_ZIP3[-1]})",
               "First three digits of a synthetic ZIP code, assigned at random within "
               "urban or rural areas. A quasi-identifier.",
               ("quasi_identifiers",), 7, levels=tuple(zip3)),
        Column("zip5", "category", "five digits starting with zip3",
               "A synthetic five-digit ZIP code (fewer codes per rural prefix, so rural "
               "patients are easier to single out). A quasi-identifier.",
               ("quasi_identifiers",), 7),
        Column("severity", "float64", "any real number (standard-deviation units)",
               "The true depression trait, never observable in a real clinic. Mean 0 and "
               "SD 1 in the general population; higher in sicker settings. Rounded to 4 "
               "decimals.",
               ("phq9_bands", "grm", "sex_gradient", "income_gradient",
                "ethnicity_prevalence", "rural_gradient", "age_gradient"), 2),
        Column("anxiety_severity", "float64", "any real number (standard-deviation units)",
               "The true anxiety trait, correlated with the depression trait. Rounded to "
               "4 decimals.",
               ("dep_anx_corr", "gad7"), 2),
    ]
    for i, item in enumerate(_PHQ_ITEMS, start=1):
        sources = ("grm", "item9") if i == 9 else ("grm", "phq9_bands")
        cols.append(Column(f"phq{i}", "int8", f"0 to 3 ({_ITEM_ANSWERS})",
                           f"PHQ-9 item {i}: {item}.", sources, 3, low=0, high=3))
    cols += [
        Column("phq9_total", "int16", "0 to 27",
               "PHQ-9 total, the sum of the nine items. Bands: 0-4 none or minimal, 5-9 "
               "mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe; 10 or more "
               "is the usual screen for probable depression.",
               ("phq9_bands", "phq9_shape"), 3, low=0, high=27),
        Column("gad7_total", "int16", "0 to 21",
               "GAD-7 anxiety total (seven items, 0-3 each). 10 or more is the usual "
               "screen for an anxiety disorder.",
               ("gad7",), 3, low=0, high=21),
        Column("screened", "bool", "True, False",
               "Screened for depression in routine care in the past year.",
               ("screening",), 4, levels=_YES_NO),
        Column("diagnosed", "bool", "True, False",
               "Has a recorded depression or anxiety diagnosis. Depends on symptoms and, "
               "apart from need, on insurance, ethnicity, language and screening.",
               ("diagnosis_by_insurance", "diagnosis_by_ethnicity", "lep_access"), 4,
               levels=_YES_NO),
        Column("treated", "bool", "True, False",
               "Received treatment in the past year; only diagnosed patients are treated.",
               ("treatment_by_ethnicity", "treatment_by_insurance", "lep_access",
                "rural_gradient"), 4, levels=_YES_NO),
        Column("diagnosis_code", "category", _levels_text(CATEGORICAL_LEVELS["diagnosis_code"]),
               "The recorded ICD-10 code: F32 depressive episode, F41 anxiety (when "
               "anxiety, not depression, led to the diagnosis), none if undiagnosed.",
               ("diagnosis_by_insurance",), 5,
               levels=tuple(CATEGORICAL_LEVELS["diagnosis_code"])),
        Column("visits_past_year", "int16", "0 or more",
               "Mental-health visits in the past year: more with diagnosis, treatment and "
               "need, fewer with language or rural barriers.",
               ("cost_proxy", "lep_access", "rural_gradient"), 5, low=0),
        Column("cost_past_year", "float64", "0 or more (whole US dollars)",
               "What the health system spent on the patient's mental-health care in the "
               "past year. Follows access, not only need: a biased proxy for need.",
               ("cost_proxy",), 5, low=0),
        Column("prior_self_harm", "bool", "True, False",
               "The patient has harmed themselves before (the truth, recorded or not).",
               ("prior_self_harm",), 6, levels=_YES_NO),
        Column("self_harm_recorded", "bool", "True, False",
               "Prior self-harm is in the records; more likely for patients in contact "
               "with care. Never True without prior_self_harm.",
               ("prior_self_harm",), 6, levels=_YES_NO),
        Column("crisis_risk", "float64", "between 0 and 1 (exclusive)",
               "The true probability of a crisis within 12 months, known for every "
               "synthetic patient (never for a real one). Rounded to 6 decimals.",
               ("crisis_definition", "crisis_concentration", "crisis_rate",
                "prior_self_harm"), 6, low=0.0, high=1.0),
        Column("crisis", "bool", "True, False",
               f"The ground truth: {CRISIS_DEFINITION}. Drawn from crisis_risk.",
               ("crisis_definition", "crisis_concentration", "crisis_rate",
                "prior_self_harm"), 6, levels=_YES_NO),
        Column("consent_research", "bool", "True, False",
               "The patient lets their records be used for research.",
               ("consent",), 7, levels=_YES_NO),
        Column("consent_model_training", "bool", "True, False",
               "The patient lets their records be used to train models.",
               ("consent",), 7, levels=_YES_NO),
        Column("consent_sharing", "bool", "True, False",
               "The patient lets their records be shared with third parties.",
               ("consent",), 7, levels=_YES_NO),
        Column("intake_month", "int8", "0 to 23",
               "Month of intake over two years, so later lessons can make the population "
               "drift.",
               ("intake_month",), 7, low=0, high=23),
    ]
    return tuple(cols)


#: Every column of :func:`teachkit.cohort.make_cohort`, in the cohort's order.
COLUMNS: tuple[Column, ...] = _build_columns()

def get_column(name: str) -> Column:
    """Return the dictionary entry of the column called ``name``.

    Raises
    ------
    KeyError
        If the cohort has no such column; the message lists the columns.
    """
    for col in COLUMNS:
        if col.name == name:
            return col
    raise KeyError(f"The cohort has no column {name!r}. Columns: "
                   f"{', '.join(c.name for c in COLUMNS)}.")


# ---------------------------------------------------------------------------------------
# Rendering: one small function per section of the card, each returning its lines.


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header, rows) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _cited_keys() -> list[str]:
    keys = []
    for col in COLUMNS:
        for key in col.sources:
            if key not in keys:
                keys.append(key)
    for key in ("crisis_rate", "screening", *(t.source for t in CALIBRATION_TARGETS)):
        if key not in keys:  # the presets and the calibration tables
            keys.append(key)
    return keys


def _call(meta: dict) -> str:
    return (f"make_cohort(n={meta['n']}, seed={meta['seed']}, setting={meta['setting']!r}, "
            f"crisis_rate={meta['crisis_rate']}, screening_rate={meta['screening_rate']}, "
            f"lep_access={meta['lep_access']}, age_gradient={meta['age_gradient']}, "
            f"calibration={meta['calibration']!r})")


def _header(cohort: pd.DataFrame, meta: dict) -> list[str]:
    setting = COHORT_SETTINGS[meta["setting"]]
    return [
        "# SYNTHETIC DATA: the teachkit teaching cohort",
        "",
        "> **SYNTHETIC. NOT REAL PATIENTS.** Every row of `cohort.csv` and "
        "`cohort_sample.csv` was made up by a "
        "computer program (`teachkit.cohort.make_cohort`). No row describes a real person, "
        "no real patient data was used to make it, and its names and ZIP codes belong to "
        "nobody. Do not use it for any clinical decision or any claim about real people.",
        "",
        f"- File: `data/synthetic/cohort.csv` ({len(cohort):,} synthetic patients, "
        f"{len(cohort.columns)} columns), generated on each machine by `scripts/setup.sh` "
        "(`make serve`, `make test`) or `make data`; too large to commit. Every figure in "
        "this card describes it.",
        f"- Committed sample: `data/synthetic/cohort_sample.csv` "
        f"({min(SAMPLE_SIZE, len(cohort)):,} of these patients drawn at random, seed "
        f"{SAMPLE_SEED}, with their `patient_id`, in id order: "
        "`teachkit.datacard.sample_patients`)",
        f"- Made by: `{_call(meta)}`",
        f"- Care setting: {setting.label} (`{meta['setting']}`)",
        "- Regenerate: `make data` (runs `scripts/make_data.py`); this card is generated "
        "too, never edited by hand.",
        "",
    ]


def _motivation() -> list[str]:
    return [
        "### 1.1 Motivation",
        "",
        "- **Why it exists.** To teach the ethics of AI in mental-health care. Trainees "
        "move levers (a triage model, a threshold, biased labels, consent, oversight) and "
        "see what happens to patients. That needs a ground truth, who really had a crisis "
        "and how sick each patient really was, which no real data set can give.",
        "- **Who made it.** The teachkit developers, with the generator in "
        "`src/teachkit/cohort.py`. No funding body and no data provider is involved.",
        "- **What gap it fills.** Real mental-health records cannot be shared with a "
        "classroom, and they never show the need that went unrecorded. Here both need and "
        "records are known, so every bias can be measured against the truth.",
        "",
    ]


def _composition(cohort: pd.DataFrame, setting_label: str) -> list[str]:
    out = [
        "### 1.2 Composition",
        "",
        f"- **Instances.** {len(cohort):,} rows; each row is one synthetic adult aged 18 to "
        f"90 seen for mental-health screening in a {setting_label.lower()} setting. There "
        "are no relationships between rows and no missing values.",
        "- **What each row holds.** Demographics; two latent traits (true depression and "
        "anxiety severity) that a real clinic never observes; questionnaire answers "
        "(PHQ-9 items, GAD-7 total); access to care (screened, diagnosed, treated); what "
        "the records show (diagnosis code, visits, cost); the ground truth (true crisis "
        "risk and whether a crisis happened within 12 months); consent preferences; "
        "quasi-identifiers; a synthetic name; a month of intake. Section 2 lists every "
        "column.",
        f"- **Labels.** `crisis` is the true outcome: {CRISIS_DEFINITION}. `diagnosed`, "
        "`visits_past_year` and `cost_past_year` are records shaped by access to care: "
        "they are the tempting, biased proxies some lessons train on, on purpose.",
        "- **Sensitive attributes.** Sex or gender, ethnicity, income, insurance, language, "
        "rurality, mental-health symptoms, self-harm and crises are all present, all "
        "synthetic, so that lessons can measure what a model does to each group.",
        "- **Identifiers.** `name` is a direct identifier; `zip3`, `zip5`, `birth_year`, "
        "`birth_date` and `sex` are quasi-identifiers, there so privacy lessons have "
        "something to attack. The names come from fixed lists and the ZIP codes are "
        "assigned at random; a ZIP prefix that exists in the real world says nothing about "
        "anyone living there.",
        "- **Not a sample of anything.** The rows are not drawn from a real population; "
        "the generator is calibrated so that published figures come out within stated "
        "bands (section 5), and many of its numbers are assumptions (basis A in section 3).",
        "",
        "Who is in the committed cohort (shares of all rows):",
        "",
    ]
    return out + _table(["attribute", "groups"], _composition_rows(cohort)) + [""]


def _composition_rows(df: pd.DataFrame) -> list[list[str]]:
    rows = []
    for name in ("sex", "ethnicity", "income_band", "insurance", "language", "rurality"):
        counts = df[name].value_counts().reindex(list(CATEGORICAL_LEVELS[name]), fill_value=0)
        parts = [f"{level} {_pct(count / len(df))} %" for level, count in counts.items()]
        rows.append([name, "; ".join(parts)])
    age = df["age"]
    rows.append(["age", f"median {int(age.median())}; 18-29 {_pct(np.mean(age < 30))} %; "
                        f"65+ {_pct(np.mean(age >= 65))} %"])
    return rows


def _collection() -> list[str]:
    out = [
        "### 1.3 Collection process: how it was generated",
        "",
        "Nothing was collected: every value was drawn by a seeded random generator "
        "(numpy's PCG64), so the same arguments give the same bytes on every machine. No "
        "person was involved, so no consent was needed and no ethics review applies; the "
        "consent columns simulate preferences for the consent lessons. The generator "
        "follows a causal structure (DOMAIN.md a.4):",
        "",
    ]
    for step, text in GENERATION_STEPS.items():
        names = ", ".join(f"`{c.name}`" for c in COLUMNS if c.step == step)
        out.append(f"{step}. {text} Columns: {names}.")
    return out + ["", "`patient_id` is the row number.", ""]


def _preprocessing() -> list[str]:
    return [
        "### 1.4 Preprocessing, cleaning, labelling",
        "",
        "- None after generation. Values are rounded when drawn: `severity` and "
        "`anxiety_severity` to 4 decimals, `crisis_risk` to 6, `cost_past_year` to whole "
        "dollars.",
        "- In the CSV file, dates are written as `YYYY-MM-DD` and categories as plain "
        "text: the order of the categories and the fact that ZIP codes are text, not "
        "numbers, are not stored in it. `teachkit.io.load_cohort` restores both from the "
        "data dictionary; the Parquet format keeps them in the file.",
        "",
    ]


def _uses() -> list[str]:
    return [
        "### 1.5 Uses",
        "",
        "- **Intended uses.** The teachkit lessons and exercises; teaching and discussing "
        "bias, consent, privacy, oversight, explanations and patient autonomy (lesson 05) "
        "and drift; testing teachkit itself.",
        "- **It MUST NOT be used for:**",
        "  - **any clinical decision** about any real person, or any screening, triage or "
        "risk threshold meant for real patients;",
        "  - **any claim about real populations**: prevalence, risk, or gaps between groups "
        "in this file are products of the generator's assumptions, not findings;",
        "  - **training or validating models for deployment**, or benchmarking real "
        "triage tools: a model that does well here has shown nothing about real patients;",
        "  - re-identification research on real people: the identifiers here are made up.",
        "- **Risks of misuse.** The gaps between groups (diagnosis, treatment, cost) are "
        "built in deliberately, from published figures and assumptions. A model trained "
        "here that \"learns\" a group difference has learned the generator, not the world. "
        "Crises are about ten times as common as in real care (section 4), so absolute "
        "risks and the share of flags that are real crises run high.",
        "",
    ]


def _distribution_and_maintenance() -> list[str]:
    return [
        "### 1.6 Distribution",
        "",
        "- Shipped with the teachkit source code (BSD-3-Clause licence), in "
        "`data/synthetic/`, with this card beside it.",
        "- Any other size, seed or setting: `teachkit cohort --n N --seed S --setting "
        "SETTING --out FILE.csv` (or `.parquet`). Every copy is synthetic and should keep "
        "this card with it.",
        "",
        "### 1.7 Maintenance",
        "",
        "- Maintained by the teachkit developers, with the generator.",
        "- `scripts/make_data.py` regenerates the files and this card whenever the "
        "generator changes; `tests/unit/test_datacard.py` fails if the committed sample or "
        "card differs from what the code makes, so they cannot go stale.",
        "- Errors and doubts about a calibration number: open an issue citing the column "
        "and its source key (section 3).",
        "",
    ]


def _datasheet(cohort: pd.DataFrame, setting_label: str) -> list[str]:
    return [
        "## 1. Datasheet",
        "",
        "Sections as in Gebru et al., *Datasheets for datasets* (Communications of the ACM "
        "64(12), 2021; arXiv 1803.09010).",
        "",
        *_motivation(),
        *_composition(cohort, setting_label),
        *_collection(),
        *_preprocessing(),
        *_uses(),
        *_distribution_and_maintenance(),
    ]


def _dictionary() -> list[str]:
    rows = []
    for col in COLUMNS:
        src = ", ".join(f"`{k}`" for k in col.sources) or "none (row number)"
        rows.append([f"`{col.name}`", f"`{col.dtype}`", col.allowed, col.meaning, src])
    return [
        "## 2. Data dictionary",
        "",
        "Every column, in file order. Types are pandas dtypes as `make_cohort` returns "
        "them. Source keys refer to section 3.",
        "",
        *_table(["column", "type", "range", "meaning", "source"], rows),
        "",
    ]


def _sources() -> list[str]:
    rows = [[f"`{key}`", SOURCES[key][0], SOURCES[key][1]] for key in _cited_keys()]
    return [
        "## 3. Sources",
        "",
        "Basis codes: **S** primary source; **S2** secondary reporting of a primary source; "
        "**D** derived by arithmetic from sourced numbers; **A** an assumption or design "
        "choice (a tunable default); **K** background knowledge not checked against a "
        "source.",
        "",
        *_table(["key", "basis", "citation"], rows),
        "",
    ]


def _presets() -> list[str]:
    from .pipeline import DEFAULT_COHORT

    rows = [[f"`{key}`", s.label, f"{s.severity_shift:.2f}", f"{100 * s.crisis_rate:.2f} %",
             f"{_pct(s.screening_rate)} %"] for key, s in COHORT_SETTINGS.items()]
    return [
        "## 4. Care-setting presets",
        "",
        "`make_cohort(setting=...)`. The severity shift moves both latent traits, in "
        "standard deviations against the general population; it is an assumption (no "
        "source was found for the PHQ-9 distribution outside the general population). "
        "Screening rate: source `screening` (the base rate before the group multipliers, "
        "so the share actually screened is lower).",
        "",
        f"A crisis is {CRISIS_DEFINITION} (`attrs['teachkit']['crisis_horizon']`). "
        "The crisis rates are the sourced 12-month rates (source `crisis_rate`): "
        "primary care 0.75 %, the middle of DOMAIN.md a.2's 0.5-1 % for self-harm or an "
        "emergency crisis within 12 months in a primary-care depression cohort; specialty "
        f"care 2.5 %, Simon et al. 2018's {_pct(SIMON_2018_RATE)} % over 90 days held as "
        "a constant hazard over a year (D); the general population 0.4 %, half the "
        "primary-care rate, an assumption (A: DOMAIN.md gives no general-population "
        "rate). `make_cohort(crisis_rate=...)` draws a cohort at any rate; Simon 2018's "
        "90-day figures are checked on a 90-day specialty cohort at 0.63 % (section 5).",
        "",
        "**The lessons' cohort is drawn at these sourced rates** "
        "(`teachkit.cohort.LESSON_CRISIS_RATES` are the presets): "
        f"{DEFAULT_COHORT['n']:,} primary-care patients hold about "
        f"{round(DEFAULT_COHORT['n'] * LESSON_CRISIS_RATES['primary_care'], -1):,.0f} "
        "crises within 12 months (about 60 among Black patients), enough to compare "
        "groups, so absolute risks and the share of flags that are real crises (PPV) are "
        "shown at their true sizes.",
        "",
        *_table(["setting", "label", "severity shift (SD)", "crisis rate (12 months)",
                 "screening rate"], rows),
        "",
    ]


def _format(value: float, unit: str) -> str:
    if unit == "%":
        return f"{100 * value:.2f} %" if value < 0.1 else f"{100 * value:.1f} %"
    return f"{value:.2f}"


@lru_cache(maxsize=1)
def _calibration() -> tuple[str, ...]:
    """Section 5. It reads only the code's constants (the check cohorts are its own), so
    it is measured once per process: each card rendered after the first takes no time."""
    table = check_calibration(calibration="sourced")
    lessons = check_calibration(calibration="lessons")
    rows = []
    for key, row in table.iterrows():
        today = lessons.loc[key]
        if row["within"]:
            within = "yes"
        else:
            within = f"no, kept: {row['kept']}" if row["kept"] else "**NO**"
        rows.append([row["label"], f"`{row['source']}`", row["cohort"],
                     _format(row["target"], row["unit"]),
                     f"{_format(row['low'], row['unit'])} to "
                     f"{_format(row['high'], row['unit'])}",
                     _format(row["achieved"], row["unit"]),
                     within,
                     _format(today["achieved"], row["unit"]),
                     "yes" if today["within"] else "no"])
    calls = {name: ", ".join(f"{k}={v!r}" for k, v in args.items())
             for name, args in CHECK_COHORTS.items()}
    cohorts = "; ".join(f"{name}: `make_cohort({call})`" for name, call in calls.items())
    return (
        "## 5. Calibration",
        "",
        "Every published figure the generator is calibrated to, the band it must stay "
        "within and the value it reaches, measured when this card was rendered on check "
        "cohorts of 200,000 patients, large enough that the seed moves a figure less than "
        "its band. `scripts/calibrate_cohort.py` fits the constants of "
        "`make_cohort(calibration='sourced')`, the default the lessons and this card's "
        "cohort use, to these targets, and `tests/unit/test_datacard.py` fails when one "
        "of its figures leaves its band. A row marked *kept* is a deliberate departure "
        "(an assumption, A) with its reason; the test fails if such a row comes back "
        "within its band, so the reason cannot go stale. The last two columns show the "
        "earlier constants (`calibration='lessons'`), kept for comparison: they miss many "
        "targets. The item-9 gradient and Louzon's share are checked at the primary-care "
        "rate over 12 months (Simon 2013's horizon); Simon 2018's top-5 % figures on a "
        "specialty cohort over 90 days at 0.63 %, his horizon and rate.",
        "",
        f"Check cohorts: {cohorts}.",
        "",
        *_table(["figure", "source", "cohort", "target", "band", "sourced calibration",
                 "within", "lessons' calibration", "within"], rows),
        "",
    )


def _lesson_cohort_figures(cohort: pd.DataFrame, meta: dict) -> list[str]:
    total = cohort["phq9_total"].to_numpy()
    crises = cohort["crisis"].to_numpy()
    rows = [
        ["PHQ-9 >= 10", f"{_pct(np.mean(total >= 10))} %"],
        ["PHQ-9 item 9 above 'not at all'", f"{_pct(np.mean(cohort['phq9'] > 0))} %"],
        ["GAD-7 >= 10", f"{_pct(np.mean(cohort['gad7_total'] >= 10))} %"],
        ["crisis within 12 months (rate drawn at "
         f"{_pct(meta['crisis_rate'])} %)", f"{_pct(np.mean(crises))} %"],
        ["crises with item 9 = 'not at all'",
         f"{_pct(np.mean(cohort['phq9'].to_numpy()[crises] == 0))} %"],
        [f"screened (preset base rate {_pct(meta['screening_rate'])} %)",
         f"{_pct(cohort['screened'].mean())} %"],
        ["diagnosed", f"{_pct(cohort['diagnosed'].mean())} %"],
        ["treated", f"{_pct(cohort['treated'].mean())} %"],
    ]
    label = COHORT_SETTINGS[meta["setting"]].label.lower()
    return [
        f"### 5.1 The committed cohort: {label}",
        "",
        "There is no published PHQ-9 distribution for primary care or specialty care "
        "(DOMAIN.md, gaps, item 8), so these figures have no targets of their own. They "
        "are higher than the general population's by design: the setting shifts severity.",
        "",
        *_table(["figure", "cohort"], rows),
        "",
    ]


def render_datacard(cohort: pd.DataFrame | None = None) -> str:
    """The data card of the committed synthetic cohort, as Markdown.

    The card is a datasheet (Gebru et al.), the data dictionary (:data:`COLUMNS`), the
    sources, the care-setting presets and the calibration table
    (:func:`teachkit.calibration.check_calibration`: every target, its source, band and
    achieved value), then the committed cohort's own figures. Every figure is computed, so
    the same code gives the same bytes.

    Parameters
    ----------
    cohort : DataFrame, default=None
        The cohort the card describes; by default the lessons' cohort,
        ``teachkit.pipeline.lesson_cohort(**DEFAULT_COHORT)``, which is what
        ``data/synthetic/cohort.csv`` holds (``scripts/make_data.py`` writes it; a test
        checks the committed sample's bytes). Its
        ``attrs["teachkit"]`` must record how it was made.

    Returns
    -------
    str
        Markdown text, ending with a newline.

    Raises
    ------
    ValueError
        If the cohort has no ``attrs["teachkit"]`` record of how it was made.

    See Also
    --------
    teachkit.cohort.make_cohort : the generator the card describes.

    Notes
    -----
    The sections follow Gebru et al., "Datasheets for datasets" (CACM 2021): motivation,
    composition, collection process, preprocessing, uses, distribution, maintenance.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> card = render_datacard(make_cohort(2_000, seed=1, setting="specialty"))
    >>> card.splitlines()[0]
    '# SYNTHETIC DATA: the teachkit teaching cohort'
    >>> "MUST NOT" in card
    True
    """
    if cohort is None:
        from .pipeline import DEFAULT_COHORT, lesson_cohort

        cohort = lesson_cohort(**DEFAULT_COHORT)
    meta = cohort.attrs.get("teachkit")
    if not meta or not meta.get("synthetic"):
        raise ValueError("render_datacard describes cohorts made by make_cohort; this one "
                         "has no attrs['teachkit'] record of how it was made.")
    setting_label = COHORT_SETTINGS[meta["setting"]].label
    out = [
        *_header(cohort, meta),
        *_datasheet(cohort, setting_label),
        *_dictionary(),
        *_sources(),
        *_presets(),
        *_calibration(),
        *_lesson_cohort_figures(cohort, meta),
    ]
    return "\n".join(out)


def sample_patients(cohort: pd.DataFrame, *, size: int = SAMPLE_SIZE,
                    seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """A random sample of a cohort's patients, whole rows with their ids, in id order.

    The committed ``data/synthetic/cohort_sample.csv`` is this sample of the lessons'
    cohort: each of its rows is the lessons' patient with the same ``patient_id``, so
    what a trainee reads in the sample agrees with the lessons. The cohort is not changed.

    Parameters
    ----------
    cohort : DataFrame
        From :func:`teachkit.cohort.make_cohort`.
    size : int, default=SAMPLE_SIZE
        How many patients; the whole cohort if it has fewer.
    seed : int, default=SAMPLE_SEED
        Fixes which patients are drawn.

    Returns
    -------
    DataFrame
        ``size`` rows of ``cohort``, sorted by position, with its columns and ``attrs``.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> cohort = make_cohort(1_000, seed=1)
    >>> sample = sample_patients(cohort, size=3, seed=7)
    >>> len(sample), sample["patient_id"].is_monotonic_increasing
    (3, True)
    >>> sample.equals(cohort.loc[sample.index])
    True
    >>> sample_patients(cohort, size=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'size' parameter of sample_patients must be ...
    """
    size = check_param("size", size, Interval(1, 10_000_000, kind="int"),
                        caller="sample_patients")
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(cohort), size=min(size, len(cohort)), replace=False))
    return cohort.iloc[rows]


def render_datasheet(cohort: pd.DataFrame) -> str:
    """Only the header and the datasheet (section 1) of :func:`render_datacard`: quick
    enough for a lesson-07 dossier (the full card also re-checks the calibration).

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> sheet = render_datasheet(make_cohort(2_000, seed=1))
    >>> "## 1. Datasheet" in sheet and "## 2." not in sheet
    True
    """
    meta = cohort.attrs.get("teachkit")
    if not meta or not meta.get("synthetic"):
        raise ValueError("render_datasheet describes cohorts made by make_cohort; this one "
                         "has no attrs['teachkit'] record of how it was made.")
    label = COHORT_SETTINGS[meta["setting"]].label
    return "\n".join([*_header(cohort, meta), *_datasheet(cohort, label)])
