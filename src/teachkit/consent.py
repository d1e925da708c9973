"""Consent: who agreed to what, whose records are used anyway, and what honouring it costs.

The cohort holds two consent preferences per patient (DOMAIN.md d.4, data card):
``consent_model_training`` (False for the about 5 % who say no when records are used
unless they opt out) and ``consent_sharing`` (True for the about one in three who agree
to sharing with a third party when they are asked to opt in). How many agree depends on
how they are asked, so this module derives, deterministically from the cohort's seed,
who agrees under each *design*:

- **opt-out** (records used unless the patient says no, long terms): the cohort's own
  column for training; for sharing, 10 % say no (A);
- **layered** (asked use by use, in short steps): 12 % say no to training and 50 % to
  sharing (A);
- **opt-in** (used only if the patient says yes): 33.1 % do not agree to training (Kho
  et al. 2009: 66.9 % consented); for sharing, the cohort's own column.

Refusal follows the cohort's odds multipliers: women x1.7, under-60s x3.5, a recorded
mental-health diagnosis x1.7, PHQ-9 >= 10 x1.3 (Jacobsen et al. 1999 for the directions).
The designs are nested: a patient who says no under opt-out also says no under layered
and opt-in. Because the patients who say no are more often young, female and unwell,
the records left for training are healthier than the clinic: the selection bias of
d.4, which :func:`run_consent` measures.

:class:`ConsentSettings` adds the consent levers (:mod:`teachkit.levers.consent`) to the
triage pipeline: when consent is honoured, :meth:`ConsentSettings.training_rows` drops
the patients who did not agree from what the model learns (every patient is still
scored and cared for).

All patients are synthetic.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ._validation import (
    Interval,
    Options,
    TeachkitError,
    check_cohort,
    check_param,
    check_seed,
)
from .cohort import (
    OPT_OUT_BASE,
    OPT_OUT_OR_DIAGNOSED,
    OPT_OUT_OR_FEMALE,
    OPT_OUT_OR_PHQ10,
    OPT_OUT_OR_UNDER60,
    REFERENCE_YEAR,
)
from .levers import REGISTRY
from .levers.consent import DESIGNS
from .pipeline import RunResult, Settings, lesson_cohort, simulate

__all__ = [
    "ConsentSettings", "ConsentResult", "ConsentReport", "run_consent", "consent_masks",
    "consent_filter", "records_used_without_consent", "selection_bias", "consent_ledger",
    "calibration_by_chance",
    "ledger_patient", "TRAINING_REFUSAL", "SHARING_REFUSAL", "MEANINGFUL_SHARE",
    "CONSENT_GROUPS", "DESIGN_NAMES", "USERS",
]

#: Share of patients who do not agree to model training, under each design (opt-out: the
#: cohort's own column, drawn for 5 % overall).
TRAINING_REFUSAL = {"opt_out": 0.05, "layered": 0.12, "opt_in": 0.331}
#: Share of patients who do not agree to sharing with a third party, under each design.
SHARING_REFUSAL = {"opt_out": 0.10, "layered": 0.50, "opt_in": None}
#: Of the patients whose records are used, the share who knew and agreed (A).
MEANINGFUL_SHARE = {"opt_out": 0.10, "layered": 0.75, "opt_in": 0.90}
#: How sentences name each design.
DESIGN_NAMES = {"opt_out": "opt-out", "layered": "layered consent", "opt_in": "opt-in"}
#: Who receives the records for each use.
USERS = {"training": "the triage-model vendor", "partner": "a commercial partner",
         "advertiser": "advertisers (Facebook, Snapchat, ...)"}
#: The groups the consent view compares: those d.4 finds opt out more, and the rest.
CONSENT_GROUPS = ("sex", "age", "diagnosis", "ethnicity")

_REQUIRED = ("patient_id", "sex", "age", "diagnosed", "phq9_total", "crisis_90d",
             "consent_model_training", "consent_sharing", "intake_month")


def _odds_ratio(cohort: pd.DataFrame) -> np.ndarray:
    """Each patient's odds multiplier for saying no (the cohort's, DOMAIN.md d.4)."""
    return (np.where((cohort["sex"] == "female").to_numpy(), OPT_OUT_OR_FEMALE, 1.0)
            * np.where(cohort["age"].to_numpy() < 60, OPT_OUT_OR_UNDER60, 1.0)
            * np.where(cohort["diagnosed"].to_numpy(dtype=bool), OPT_OUT_OR_DIAGNOSED, 1.0)
            * np.where(cohort["phq9_total"].to_numpy() >= 10, OPT_OUT_OR_PHQ10, 1.0))


def _p(base, odds_ratio):
    odds = base / (1 - base) * odds_ratio
    return odds / (1 + odds)


def _base_for(target: float, odds_ratio: np.ndarray) -> float:
    """The reference group's refusal so that the cohort's mean refusal is ``target``."""
    lo, hi = 1e-6, 1 - 1e-6
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _p(mid, odds_ratio).mean() < target else (lo, mid)
    return (lo + hi) / 2


def consent_masks(cohort: pd.DataFrame, *, design: str = "opt_out",
                  seed: int | None = None) -> pd.DataFrame:
    """Who agrees to what under a consent design, one row per patient.

    Parameters
    ----------
    cohort : DataFrame
        From :func:`teachkit.cohort.make_cohort` (never changed).
    design : {"opt_out", "layered", "opt_in"}, default="opt_out"
    seed : int, default=None
        Seeds the draws that extend the cohort's own answers to the other designs;
        None takes the cohort's seed (``cohort.attrs``), else 0.

    Returns
    -------
    masks : DataFrame
        Boolean columns ``training`` (agrees to model training), ``sharing`` (agrees to
        sharing with a third party), ``explicit_no`` (said no to training even under
        opt-out), ``knew`` (of those whose records are used, knew of the use and agreed:
        an assumption, :data:`MEANINGFUL_SHARE`).

    Notes
    -----
    Sources ``consent`` and ``consent_design``. The designs are nested: whoever says no
    under opt-out says no under layered and opt-in; whoever agrees to sharing under
    opt-in agrees under layered and opt-out. Each patient's chance follows the cohort's
    odds multipliers, so the overall refusal matches :data:`TRAINING_REFUSAL` and
    :data:`SHARING_REFUSAL` on average.

    Examples
    --------
    >>> from teachkit.pipeline import lesson_cohort
    >>> cohort = lesson_cohort()  # 20,000 primary-care patients, seed 2024
    >>> out, opt_in = (consent_masks(cohort, design=d) for d in ("opt_out", "opt_in"))
    >>> bool((out["training"] == cohort["consent_model_training"]).all())
    True
    >>> round(1 - float(opt_in["training"].mean()), 3)
    0.335
    >>> bool((opt_in["training"] <= out["training"]).all())  # nested
    True
    >>> consent_masks(cohort, design="implied")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'design' parameter of consent_masks must be \
one of 'opt_out', 'layered', 'opt_in'. Got 'implied' instead.
    """
    caller = "consent_masks"
    check_param("design", design, Options(DESIGNS), caller=caller)
    check_cohort(cohort, _REQUIRED, caller=caller)
    if seed is None:
        seed = int(cohort.attrs.get("teachkit", {}).get("seed", 0))
    seed = check_seed(seed, caller=caller)
    return _masks(cohort, design, seed)


def _masks(cohort: pd.DataFrame, design: str, seed: int) -> pd.DataFrame:
    odds_ratio = _odds_ratio(cohort)
    u = np.random.default_rng([seed, 53]).random((3, len(cohort)))
    explicit_no = ~cohort["consent_model_training"].to_numpy(dtype=bool)
    training = ~explicit_no
    if design != "opt_out":
        p_out = _p(OPT_OUT_BASE["model_training"], odds_ratio)
        p_design = _p(_base_for(TRAINING_REFUSAL[design], odds_ratio), odds_ratio)
        extra_no = u[0] < np.clip((p_design - p_out) / (1 - p_out), 0, 1)
        training = training & ~extra_no
    sharing = cohort["consent_sharing"].to_numpy(dtype=bool).copy()
    if design != "opt_in":
        p_in = _p(OPT_OUT_BASE["sharing"], odds_ratio)
        p_design = _p(_base_for(SHARING_REFUSAL[design], odds_ratio), odds_ratio)
        still_no = u[1] < np.clip(p_design / p_in, 0, 1)
        sharing = sharing | ~still_no
    knew = u[2] < MEANINGFUL_SHARE[design]
    return pd.DataFrame({"training": training, "sharing": sharing,
                         "explicit_no": explicit_no, "knew": knew}, index=cohort.index)


def consent_filter(records: pd.DataFrame, agreed) -> pd.DataFrame:
    """The records of the patients who agreed, and only those: what a model may learn from.

    Parameters
    ----------
    records : DataFrame
        One row per patient (never changed).
    agreed : array-like of bool, shape (n_patients,)
        Whether each patient agreed. Anything that is not exactly True (False, a missing
        answer) counts as no: consent is never assumed.

    Returns
    -------
    DataFrame
        A new DataFrame with the rows of the patients who agreed, in the same order.

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({"patient_id": [1, 2, 3, 4]})
    >>> consent_filter(records, [True, False, None, True])["patient_id"].tolist()
    [1, 4]
    >>> consent_filter(records, [True, False])
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'agreed' parameter of consent_filter must \
have one answer per record (4). Got 2 instead.
    """
    if not isinstance(records, pd.DataFrame):
        raise TeachkitError("The 'records' parameter of consent_filter must be a pandas "
                            f"DataFrame. Got {type(records).__name__} instead.")
    values = list(agreed.tolist() if hasattr(agreed, "tolist") else agreed)
    if len(values) != len(records):
        raise TeachkitError(
            "The 'agreed' parameter of consent_filter must have one answer per record "
            f"({len(records)}). Got {len(values)} instead.")
    keep = np.array([v is True or (isinstance(v, np.bool_) and bool(v)) for v in values],
                    dtype=bool)
    return records.loc[keep].copy()


# ---------------------------------------------------------------------------------------
# Settings


@dataclass(frozen=True)
class ConsentSettings(Settings):
    """The triage pipeline with a consent stage: who the model may learn from.

    Parameters
    ----------
    consent : {"ignored", "honoured"}, default="ignored"
        At rest every record trains the model (as in lessons 01 and 02); honoured, only
        the records of the patients who agreed under ``consent_design`` do.
    consent_design : {"opt_out", "layered", "opt_in"}, default="opt_out"
        How patients are asked (:func:`consent_masks`).
    secondary_use : {"off", "partner", "advertiser"}, default="off"
        Whether records are also shared outside the clinic; it changes who is exposed,
        not the model.
    **kwargs
        Every field of :class:`teachkit.pipeline.Settings`.

    Examples
    --------
    >>> s = ConsentSettings(model="logistic", consent="honoured", consent_design="opt_in")
    >>> s.baseline()[1]
    'the same model trained on every record'
    >>> ConsentSettings().changed_levers()
    {}
    >>> ConsentSettings(consent="maybe")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'consent' parameter of ConsentSettings must \
be one of 'ignored', 'honoured'. Got 'maybe' instead.
    """

    consent: str = REGISTRY["consent"].rest
    consent_design: str = REGISTRY["consent_design"].rest
    secondary_use: str = REGISTRY["secondary_use"].rest

    def training_rows(self, records: pd.DataFrame) -> np.ndarray:
        """The rows the model may learn from: as :class:`Settings`, and, when consent is
        honoured, only the patients who agreed to model training under the design."""
        keep = super().training_rows(records)
        if self.consent == "honoured":
            keep = keep & _masks(records, self.consent_design, self.seed)["training"] \
                .to_numpy()
        return keep

    def baseline(self) -> tuple[Settings, str]:
        """One step back: honouring consent is compared with the same model trained on
        every record; otherwise as :meth:`Settings.baseline`.

        Examples
        --------
        >>> ConsentSettings(model="logistic", consent="honoured").baseline()[0].consent
        'ignored'
        """
        if self.consent == "honoured" and self.shapes_the_model:
            return self.replace(consent="ignored"), CONSENT_BASELINE_NAME
        return super().baseline()


CONSENT_BASELINE_NAME = "the same model trained on every record"


# ---------------------------------------------------------------------------------------
# Consequences


def _groups(cohort: pd.DataFrame) -> pd.DataFrame:
    """The consent view's groups: sex, age band, recorded diagnosis, ethnicity."""
    return pd.DataFrame({
        "sex": cohort["sex"].astype(str).to_numpy(),
        "age": np.where(cohort["age"].to_numpy() < 60, "under 60", "60 and over"),
        "diagnosis": np.where(cohort["diagnosed"].to_numpy(dtype=bool),
                              "mental-health diagnosis", "no diagnosis"),
        "ethnicity": cohort["ethnicity"].astype(str).to_numpy(),
    }, index=cohort.index)


@lru_cache(maxsize=4)
def _lesson_groups(n: int, seed: int, setting: str) -> pd.DataFrame:
    return _groups(lesson_cohort(n, seed, setting))


_GROUP_ORDER = {"sex": ("female", "male", "non-binary"), "age": ("under 60", "60 and over"),
                "diagnosis": ("mental-health diagnosis", "no diagnosis"),
                "ethnicity": ("White", "Hispanic", "Black", "Asian", "Other")}


def _by_group(groups: pd.DataFrame, how) -> pd.DataFrame:
    """A table indexed by (attribute, group), first row ("all", "all patients")."""
    rows, index = [how(np.ones(len(groups), dtype=bool))], [("all", "all patients")]
    for attribute in groups.columns:
        col = groups[attribute].to_numpy()
        for level in _GROUP_ORDER[attribute]:
            mask = col == level
            if mask.any():
                rows.append(how(mask))
                index.append((attribute, level))
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(
        index, names=["attribute", "group"]))


def records_used_without_consent(cohort: pd.DataFrame, *, consent: str = "ignored",
                                 design: str = "opt_out", secondary_use: str = "off",
                                 seed: int | None = None) -> pd.DataFrame:
    """Whose records are used without their consent, by use and by group.

    Parameters
    ----------
    cohort : DataFrame
    consent : {"ignored", "honoured"}, default="ignored"
    design : {"opt_out", "layered", "opt_in"}, default="opt_out"
    secondary_use : {"off", "partner", "advertiser"}, default="off"
    seed : int, default=None (the cohort's)

    Returns
    -------
    DataFrame
        Indexed by (attribute, group), ``("all", "all patients")`` first; columns
        ``patients``, ``training`` and ``sharing`` (records used for that use without
        the patient's consent), ``any`` (either), and ``share`` (``any`` / ``patients``).

    Examples
    --------
    >>> from teachkit.pipeline import lesson_cohort
    >>> cohort = lesson_cohort()  # 20,000 primary-care patients, seed 2024
    >>> used = records_used_without_consent(cohort)
    >>> int(used.loc[("all", "all patients"), "training"])
    1115
    >>> int(records_used_without_consent(cohort, consent="honoured")["any"].sum())
    0
    """
    caller = "records_used_without_consent"
    check_param("consent", consent, Options(REGISTRY["consent"].constraint.values),
                caller=caller)
    check_param("secondary_use", secondary_use,
                Options(REGISTRY["secondary_use"].constraint.values), caller=caller)
    masks = consent_masks(cohort, design=design, seed=seed)
    ignored = consent == "ignored"
    training = (~masks["training"].to_numpy()) & ignored
    sharing = (~masks["sharing"].to_numpy()) & ignored & (secondary_use != "off")
    either = training | sharing

    def how(mask):
        n = int(mask.sum())
        return {"patients": n, "training": int(training[mask].sum()),
                "sharing": int(sharing[mask].sum()), "any": int(either[mask].sum()),
                "share": float(either[mask].sum() / n) if n else np.nan}

    return _by_group(_groups(cohort), how)


def selection_bias(cohort: pd.DataFrame, agreed) -> pd.DataFrame:
    """The consented training set against the full cohort: size, depression, crises.

    Parameters
    ----------
    cohort : DataFrame
    agreed : array-like of bool
        Who agreed (their records may train the model).

    Returns
    -------
    DataFrame
        Rows ``"full cohort"``, ``"consented"`` (the training set when consent is
        honoured) and ``"left out"``; columns ``patients``, ``depression`` (share with
        PHQ-9 >= 10), ``crisis_rate`` (share with a crisis within 90 days) and
        ``mean_risk`` (mean true crisis risk).

    Examples
    --------
    >>> from teachkit.pipeline import lesson_cohort
    >>> cohort = lesson_cohort()  # 20,000 primary-care patients, seed 2024
    >>> table = selection_bias(cohort, consent_masks(cohort, design="opt_in")["training"])
    >>> bool(table.loc["consented", "crisis_rate"] < table.loc["full cohort", "crisis_rate"])
    True
    """
    agreed = np.asarray(agreed, dtype=bool)
    if len(agreed) != len(cohort):
        raise TeachkitError(
            "The 'agreed' parameter of selection_bias must have one answer per patient "
            f"({len(cohort)}). Got {len(agreed)} instead.")
    depressed = cohort["phq9_total"].to_numpy() >= 10
    crisis = cohort["crisis_90d"].to_numpy(dtype=bool)
    risk = cohort["crisis_risk"].to_numpy(dtype=float) if "crisis_risk" in cohort else \
        crisis.astype(float)
    rows = {}
    for name, mask in (("full cohort", np.ones(len(cohort), dtype=bool)),
                       ("consented", agreed), ("left out", ~agreed)):
        n = int(mask.sum())
        rows[name] = {"patients": n,
                      "depression": float(depressed[mask].mean()) if n else np.nan,
                      "crisis_rate": float(crisis[mask].mean()) if n else np.nan,
                      "mean_risk": float(risk[mask].mean()) if n else np.nan}
    return pd.DataFrame.from_dict(rows, orient="index")


def _model_by_group(result: RunResult, groups: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity and calibration (observed / expected) of a run, by consent group."""
    y = result.records["crisis_90d"].to_numpy(dtype=bool)
    flagged, scores = np.asarray(result.flagged), np.asarray(result.scores, dtype=float)

    def how(mask):
        crises = int(y[mask].sum())
        return {"crises": 1000 * crises / max(int(mask.sum()), 1),
                "sensitivity": float((y & flagged)[mask].sum() / crises) if crises else np.nan,
                "calibration": float(y[mask].mean() / scores[mask].mean())
                if scores[mask].mean() > 0 else np.nan,
                "mean_score": float(scores[mask].mean())}

    return _by_group(groups, how)


@dataclass(frozen=True)
class ConsentReport:
    """What consent (and its absence) does, for one :class:`ConsentSettings`.

    Attributes
    ----------
    settings : ConsentSettings
    used_without_consent : DataFrame
        From :func:`records_used_without_consent`.
    training_set : DataFrame
        From :func:`selection_bias`: the consented training set against the full cohort.
    model : DataFrame
        By (attribute, group): ``crises`` per 1,000, ``opted_out`` (share who did not
        agree to training), then ``sensitivity`` and ``calibration`` (observed / expected)
        of the model trained on every record (``_everyone``), on consenters only
        (``_consenters``) and on a random sample of everyone as large as the consenters
        (``_random_sample``: what merely having fewer records does).
    shared : dict
        ``patients`` whose records leave the clinic, ``without_consent`` among them,
        ``knew`` (knew and agreed, an assumption), ``banned`` (advertising: banned even
        with consent under the BetterHelp order) and ``to`` (who receives them).
    meaningful : dict
        ``used`` (records that train the model) and ``knew`` (of those, patients who knew
        and agreed; an assumption).
    """

    settings: ConsentSettings
    used_without_consent: pd.DataFrame
    training_set: pd.DataFrame
    model: pd.DataFrame
    shared: dict
    meaningful: dict

    @property
    def total_without_consent(self) -> int:
        """Patients with a record used without their consent (any use)."""
        return int(self.used_without_consent.loc[("all", "all patients"), "any"])


@dataclass(frozen=True, eq=False)
class ConsentResult(RunResult):
    """A :class:`~teachkit.pipeline.RunResult` with its :class:`ConsentReport`."""

    report: ConsentReport | None = dataclasses.field(default=None, repr=False)


@dataclass(frozen=True)
class _SameSizeSample(ConsentSettings):
    """As many training records as the consenters have, drawn at random from everyone:
    the reference that tells selection bias from merely having fewer records."""

    def training_rows(self, records: pd.DataFrame) -> np.ndarray:
        keep = Settings.training_rows(self, records)
        n_keep = int(_masks(records, self.consent_design, self.seed)["training"].sum())
        order = np.random.default_rng([self.seed, 59]).permutation(len(records))
        sample = np.zeros(len(records), dtype=bool)
        sample[order[:n_keep]] = True
        return keep & sample


@lru_cache(maxsize=16)
def _model_table(settings: ConsentSettings) -> pd.DataFrame:
    cohort = lesson_cohort(settings.n, settings.seed, settings.setting)
    groups = _lesson_groups(settings.n, settings.seed, settings.setting)
    everyone = _model_by_group(simulate(settings.replace(consent="ignored"),
                                        with_baseline=False), groups)
    consenters = _model_by_group(simulate(settings.replace(consent="honoured"),
                                          with_baseline=False), groups)
    fields = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)}
    sample = _model_by_group(simulate(_SameSizeSample(**fields), with_baseline=False),
                             groups)
    agreed = _masks(cohort, settings.consent_design, settings.seed)["training"].to_numpy()
    opted = _by_group(groups, lambda m: {"opted_out": float((~agreed[m]).mean())})
    table = pd.DataFrame({"crises": everyone["crises"], "opted_out": opted["opted_out"]})
    for name, run in (("everyone", everyone), ("consenters", consenters),
                      ("random_sample", sample)):
        table[f"sensitivity_{name}"] = run["sensitivity"]
        table[f"calibration_{name}"] = run["calibration"]
    return table


def calibration_by_chance(settings: ConsentSettings, *, repeats: int = 12) -> pd.DataFrame:
    """How far calibration moves by chance when the model learns from fewer records.

    The model is trained ``repeats`` times on a random sample of everyone as large as the
    consenters under ``settings.consent_design`` (seeded draws), and each group's
    observed / expected ratio is computed. A consenters-only ratio outside this range is
    selection bias, not the noise of having fewer records.

    Parameters
    ----------
    settings : ConsentSettings
        A model that learns (not the usual rule).
    repeats : int in [2, 100], default=12

    Returns
    -------
    DataFrame
        Indexed by (attribute, group) as :attr:`ConsentReport.model`; columns ``low``,
        ``high`` and ``mean`` of the observed / expected ratio.

    Examples
    --------
    >>> s = ConsentSettings(model="logistic", consent="honoured", consent_design="opt_in")
    >>> chance = calibration_by_chance(s, repeats=3)
    >>> bool((chance["low"] <= chance["high"]).all())
    True
    >>> calibration_by_chance(ConsentSettings(), repeats=3)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'settings' parameter of calibration_by_chance \
must describe a model that learns (model 'logistic' or 'boosting'). Got model 'rule' instead.
    """
    from .models import cross_fitted_scores

    caller = "calibration_by_chance"
    if not isinstance(settings, ConsentSettings):
        raise TeachkitError(f"The 'settings' parameter of {caller} must be a "
                            f"ConsentSettings. Got {settings!r} instead.")
    if not settings.shapes_the_model:
        raise TeachkitError(
            f"The 'settings' parameter of {caller} must describe a model that learns "
            f"(model 'logistic' or 'boosting'). Got model {settings.model!r} instead.")
    repeats = check_param("repeats", repeats, Interval(2, 100, kind="int"), caller=caller)
    cohort = lesson_cohort(settings.n, settings.seed, settings.setting)
    groups = _lesson_groups(settings.n, settings.seed, settings.setting)
    n_keep = int(_masks(cohort, settings.consent_design, settings.seed)["training"].sum())
    y = cohort["crisis_90d"].to_numpy(dtype=bool)
    ratios = []
    for repeat in range(repeats):
        order = np.random.default_rng([settings.seed, 61, repeat]).permutation(len(cohort))
        sample = np.zeros(len(cohort), dtype=bool)
        sample[order[:n_keep]] = True
        scores = cross_fitted_scores(cohort, settings.model, seed=settings.seed,
                                     train_mask=sample)  # not cached: a one-off
        ratios.append(_by_group(groups, lambda m, s=scores: {
            "ratio": float(y[m].mean() / s[m].mean())})["ratio"])
    table = pd.concat(ratios, axis=1)
    return pd.DataFrame({"low": table.min(axis=1), "high": table.max(axis=1),
                         "mean": table.mean(axis=1)})


def run_consent(settings: ConsentSettings | None = None) -> ConsentResult:
    """Run the triage pipeline with a consent stage, and count what consent changes.

    The model is trained on the records :meth:`ConsentSettings.training_rows` keeps
    (cross-fitted: no patient is scored by a model that saw them); every patient is
    scored, flagged and counted against the true outcome. The report adds the records
    used without consent, the consented training set against the full cohort, the
    model's sensitivity and calibration by group when trained on everyone and on
    consenters only, and who is exposed by a secondary use.

    Parameters
    ----------
    settings : ConsentSettings, default=ConsentSettings()

    Returns
    -------
    ConsentResult
        A RunResult (the dashboard shows it as any other) with ``.report``.

    Examples
    --------
    >>> result = run_consent(ConsentSettings(model="logistic", consent="honoured",
    ...                                      consent_design="opt_in"))
    >>> result.sentence().startswith("Compared with the same model trained on every record")
    True
    >>> result.report.total_without_consent
    0
    >>> table = result.report.training_set
    >>> bool(table.loc["consented", "crisis_rate"] < table.loc["full cohort", "crisis_rate"])
    True
    >>> run_consent(settings="opt_in")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'settings' parameter of run_consent must be a \
ConsentSettings. Got 'opt_in' instead.
    """
    settings = ConsentSettings() if settings is None else settings
    if not isinstance(settings, ConsentSettings):
        raise TeachkitError("The 'settings' parameter of run_consent must be a "
                            f"ConsentSettings. Got {settings!r} instead.")
    result = simulate(settings)
    cohort = lesson_cohort(settings.n, settings.seed, settings.setting)
    masks = _masks(cohort, settings.consent_design, settings.seed)
    agreed = masks["training"].to_numpy()
    used = records_used_without_consent(
        cohort, consent=settings.consent, design=settings.consent_design,
        secondary_use=settings.secondary_use, seed=settings.seed)
    if settings.shapes_the_model:  # secondary use changes who is exposed, not the model
        model = _model_table(settings.replace(consent="ignored",
                                              secondary_use=REGISTRY["secondary_use"].rest))
    else:
        model = pd.DataFrame()
    honoured = settings.consent == "honoured"
    shared = {"to": USERS.get(settings.secondary_use, ""), "patients": 0,
              "without_consent": 0, "knew": 0,
              "banned": settings.secondary_use == "advertiser"}
    if settings.secondary_use != "off":
        sharing = masks["sharing"].to_numpy()
        leaves = sharing if honoured else np.ones(len(cohort), dtype=bool)
        shared.update(patients=int(leaves.sum()),
                      without_consent=int((leaves & ~sharing).sum()),
                      knew=int((leaves & sharing & masks["knew"].to_numpy()).sum()))
    trains = agreed if honoured else np.ones(len(cohort), dtype=bool)
    meaningful = {"used": int(trains.sum()),
                  "knew": int((trains & agreed & masks["knew"].to_numpy()).sum())}
    report = ConsentReport(settings, used, selection_bias(cohort, agreed), model, shared,
                           meaningful)
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(RunResult)}
    return ConsentResult(**fields, report=report)


# ---------------------------------------------------------------------------------------
# The ledger of one patient


def ledger_patient(cohort: pd.DataFrame | None = None) -> int:
    """A patient whose ledger tells the story: the first who said no to model training
    even under opt-out (so their record is used against their wishes when consent is
    ignored, under every design).

    Examples
    --------
    >>> ledger_patient()
    3
    """
    cohort = lesson_cohort() if cohort is None else cohort
    refused = ~cohort["consent_model_training"].to_numpy(dtype=bool)
    return int(cohort["patient_id"].to_numpy()[np.argmax(refused)])


def _month(index: int) -> str:
    year = REFERENCE_YEAR - 2 + index // 12
    return f"{year}-{index % 12 + 1:02d}"


def consent_ledger(settings: ConsentSettings | None = None, patient_id: int | None = None,
                   *, cohort: pd.DataFrame | None = None) -> pd.DataFrame:
    """One synthetic patient's consent ledger: each use of their record, what they were
    asked, what they answered, whether it was used, by whom and when.

    Parameters
    ----------
    settings : ConsentSettings, default=ConsentSettings()
    patient_id : int, default=None
        From 1 to the number of patients; None takes :func:`ledger_patient`.
    cohort : DataFrame, default=None
        The settings' lesson cohort if None.

    Returns
    -------
    DataFrame
        One row per use (``use``), with ``asked``, ``answer``, ``used`` ("yes", "no" or
        "yes, without consent"), ``by`` and ``when`` (the month of intake).

    Examples
    --------
    >>> ledger = consent_ledger(ConsentSettings(), 3)
    >>> ledger.set_index("use").loc["Training the triage model", "used"]
    'yes, without consent'
    >>> honoured = consent_ledger(ConsentSettings(consent="honoured"), 3)
    >>> honoured.set_index("use").loc["Training the triage model", "used"]
    'no'
    >>> consent_ledger(ConsentSettings(), 0)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'patient_id' parameter of consent_ledger must \
be an int in the range [1, 20000]. Got 0 instead.
    """
    settings = ConsentSettings() if settings is None else settings
    if not isinstance(settings, ConsentSettings):
        raise TeachkitError("The 'settings' parameter of consent_ledger must be a "
                            f"ConsentSettings. Got {settings!r} instead.")
    cohort = lesson_cohort(settings.n, settings.seed, settings.setting) if cohort is None \
        else cohort
    patient_id = ledger_patient(cohort) if patient_id is None else patient_id
    patient_id = check_param("patient_id", patient_id, Interval(1, len(cohort), kind="int"),
                             caller="consent_ledger")
    row = int(np.flatnonzero(cohort["patient_id"].to_numpy() == patient_id)[0])
    masks = _masks(cohort, settings.consent_design, settings.seed).iloc[row]
    when = _month(int(cohort["intake_month"].iloc[row]))
    design = settings.consent_design
    asked = REGISTRY["consent_design"].option_labels[design]
    honoured = settings.consent == "honoured"

    def answer(agreed: bool, explicit_no: bool) -> str:
        if agreed:
            return "did not opt out" if design == "opt_out" else "said yes"
        if design == "opt_in" and not explicit_no:
            return "never answered (counts as no)"
        return "said no"

    def used(agreed: bool) -> str:
        if agreed:
            return "yes"
        return "no" if honoured else "yes, without consent"

    rows = [
        {"use": "Their own care", "asked": "not needed for direct care", "answer": "–",
         "used": "yes", "by": "their clinicians", "when": when},
        {"use": "Training the triage model", "asked": asked,
         "answer": answer(bool(masks["training"]), bool(masks["explicit_no"])),
         "used": used(bool(masks["training"])), "by": USERS["training"], "when": when},
    ]
    if settings.secondary_use != "off":
        label = REGISTRY["secondary_use"].option_labels[settings.secondary_use]
        rows.append({"use": label, "asked": asked,
                     "answer": answer(bool(masks["sharing"]), False),
                     "used": used(bool(masks["sharing"])),
                     "by": USERS[settings.secondary_use], "when": when})
    ledger = pd.DataFrame(rows)
    ledger.attrs["patient"] = {"patient_id": patient_id,
                               "name": str(cohort["name"].iloc[row]) if "name" in cohort
                               else "", "synthetic": True}
    return ledger

