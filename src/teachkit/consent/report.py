"""What consent (and its absence) does: records used without consent, selection bias,
the model trained on consenters, and :func:`run_consent`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .._validation import Interval, Options, TeachkitError, check_param
from ..levers import REGISTRY, call_bound
from ..pipeline import RunResult, lesson_cohort, simulate
from ..stages import Deployment
from .masks import USERS, consent_masks, masks_for
from .stage import ConsentSettings

__all__ = ["ConsentReport", "ConsentResult", "run_consent", "records_used_without_consent",
           "selection_bias", "calibration_by_chance", "check_consent_deployment",
           "consent_groups", "by_consent_group"]



def consent_groups(cohort: pd.DataFrame) -> pd.DataFrame:
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
    return consent_groups(lesson_cohort(n, seed, setting))


_GROUP_ORDER = {"sex": ("female", "male", "non-binary"), "age": ("under 60", "60 and over"),
                "diagnosis": ("mental-health diagnosis", "no diagnosis"),
                "ethnicity": ("White", "Hispanic", "Black", "Asian", "Other")}


def by_consent_group(groups: pd.DataFrame, how) -> pd.DataFrame:
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
    >>> cohort = lesson_cohort()  # 60,000 primary-care patients, seed 2024
    >>> used = records_used_without_consent(cohort)
    >>> 2_800 < int(used.loc[("all", "all patients"), "training"]) < 3_400  # about 5 %
    True
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

    return by_consent_group(consent_groups(cohort), how)


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
        PHQ-9 >= 10), ``crisis_rate`` (share with a crisis within 12 months) and
        ``mean_risk`` (mean true crisis risk).

    Examples
    --------
    >>> from teachkit.pipeline import lesson_cohort
    >>> cohort = lesson_cohort()  # 60,000 primary-care patients, seed 2024
    >>> table = selection_bias(cohort, consent_masks(cohort, design="opt_in")["training"])
    >>> bool(table.loc["consented", "depression"] < table.loc["full cohort", "depression"])
    True
    """
    agreed = np.asarray(agreed, dtype=bool)
    if len(agreed) != len(cohort):
        raise TeachkitError(
            "The 'agreed' parameter of selection_bias must have one answer per patient "
            f"({len(cohort)}). Got {len(agreed)} instead.")
    depressed = cohort["phq9_total"].to_numpy() >= 10
    crisis = cohort["crisis"].to_numpy(dtype=bool)
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
    y = result.records["crisis"].to_numpy(dtype=bool)
    flagged, scores = np.asarray(result.flagged), np.asarray(result.scores, dtype=float)

    def how(mask):
        crises = int(y[mask].sum())
        return {"crises": 1000 * crises / max(int(mask.sum()), 1),
                "sensitivity": float((y & flagged)[mask].sum() / crises) if crises else np.nan,
                "calibration": float(y[mask].mean() / scores[mask].mean())
                if scores[mask].mean() > 0 else np.nan,
                "mean_score": float(scores[mask].mean())}

    return by_consent_group(groups, how)


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


class _SameSizeSample(Deployment):
    """As many training records as the consenters have, drawn at random from everyone:
    the reference that tells selection bias from merely having fewer records."""

    __slots__ = ()

    def training_rows(self, records: pd.DataFrame) -> np.ndarray:
        keep = self.settings.training_rows(records)
        n_keep = int(masks_for(records, self.consent_design, self.seed)["training"].sum())
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
    sample = _model_by_group(simulate(_SameSizeSample(
        settings.stages, settings=settings.settings, **dict(settings.levers)),
        with_baseline=False), groups)
    agreed = masks_for(cohort, settings.consent_design, settings.seed)["training"].to_numpy()
    opted = by_consent_group(groups, lambda m: {"opted_out": float((~agreed[m]).mean())})
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
    from ..models import cross_fitted_scores

    caller = "calibration_by_chance"
    check_consent_deployment(settings, caller)
    if not settings.shapes_the_model:
        raise TeachkitError(
            f"The 'settings' parameter of {caller} must describe a model that learns "
            f"(model 'logistic' or 'boosting'). Got model {settings.model!r} instead.")
    repeats = check_param("repeats", repeats, Interval(2, 100, kind="int"), caller=caller)
    cohort = lesson_cohort(settings.n, settings.seed, settings.setting)
    groups = _lesson_groups(settings.n, settings.seed, settings.setting)
    n_keep = int(masks_for(cohort, settings.consent_design, settings.seed)["training"].sum())
    y = cohort["crisis"].to_numpy(dtype=bool)
    ratios = []
    for repeat in range(repeats):
        order = np.random.default_rng([settings.seed, 61, repeat]).permutation(len(cohort))
        sample = np.zeros(len(cohort), dtype=bool)
        sample[order[:n_keep]] = True
        scores = cross_fitted_scores(cohort, settings.model, seed=settings.seed,
                                     train_mask=sample)  # not cached: a one-off
        ratios.append(by_consent_group(groups, lambda m, s=scores: {
            "ratio": float(y[m].mean() / s[m].mean())})["ratio"])
    table = pd.concat(ratios, axis=1)
    return pd.DataFrame({"low": table.min(axis=1), "high": table.max(axis=1),
                         "mean": table.mean(axis=1)})


def check_consent_deployment(settings, caller: str) -> None:
    """Raise the standard message unless ``settings`` is a deployment with the consent
    stage (a :class:`ConsentSettings`, or any :class:`~teachkit.stages.Deployment` that
    runs ``"consent"``)."""
    if not (isinstance(settings, Deployment) and "consent" in settings.stages):
        raise TeachkitError(f"The 'settings' parameter of {caller} must be a "
                            f"ConsentSettings. Got {settings!r} instead.")


def run_consent(settings: ConsentSettings | None = None, *,
                with_baseline: bool = True) -> ConsentResult:
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
    >>> bool(table.loc["consented", "depression"] < table.loc["full cohort", "depression"])
    True
    >>> run_consent(settings="opt_in")
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'settings' parameter of run_consent must be a \
ConsentSettings. Got 'opt_in' instead.
    """
    settings = ConsentSettings() if settings is None else settings
    check_consent_deployment(settings, "run_consent")
    result = simulate(settings, with_baseline=with_baseline)
    cohort = lesson_cohort(settings.n, settings.seed, settings.setting)
    masks = masks_for(cohort, settings.consent_design, settings.seed)
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
        leaves = call_bound([REGISTRY["secondary_use"]], settings, cohort,  # share_outside
                            consent=settings.consent, design=settings.consent_design,
                            seed=settings.seed)
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


