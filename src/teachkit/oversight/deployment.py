"""The deployment stage: what happens to the triage model's flags, and who decides.

The triage model (:func:`teachkit.pipeline.simulate`) only raises flags. Here each flag
becomes a *case* that someone, or nothing, decides:

1. **Days.** The practice screens its patients over :data:`SCREENING_DAYS` working days,
   the same number each day (an assumption, so that "reviews a day" means something).
2. **The queue.** With ``oversight="review"`` every flag joins that day's review queue;
   with the escalation rule on, every patient with thoughts of self-harm (PHQ-9 item
   9 > 0) joins it too, first in line. The queue is worked from the top (escalations,
   then the highest risk) until the day's ``review_capacity`` is used up; the cases left
   over are decided by nobody (a flag not reviewed on its day is not followed up).
3. **The reviewer** (:mod:`.reviewer`). For each reviewed case the model's advice is
   "follow up" if it flagged the patient, "no need" if not. When the advice is right the
   reviewer decides right with their own accuracy plus a small boost (Jabbour et al.
   2023); when it is wrong they follow it blindly with the ``automation_bias``
   probability (lowered by an explanation and by training) and otherwise decide on their
   own judgement (Lyell et al. 2017; DOMAIN.md d.1). Their own accuracy depends on the
   patient: higher when what the patient reports (PHQ-9 item 9) points the same way as
   what will happen, lower when it does not (an assumption). Each other alert in the
   encounter lowers the chance that a decision to act is carried out by 30 % (Ancker et
   al. 2017; DOMAIN.md d.2).
4. **No reviewer.** With ``oversight="model_alone"`` every flag gets an automatic
   follow-up that no clinician sees; with ``"dropped"`` the flags go nowhere. The
   escalation rule still sends its patients to a clinician, who then decides their case
   (a flagged patient the clinician does not reach keeps the model's follow-up).

The consequences are counted on what is actually done (an urgent follow-up) against the
true crisis outcome, in the same :class:`~teachkit.consequences.ConsequenceFrame` every
lesson shows, plus who decided each case and what the review cost in clinician hours.

Every random draw is made once per patient from the settings' seed, so the same settings
give the same decisions, and moving one lever changes only what that lever touches.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import stages as _stages
from .._cache import Recent
from .._validation import TeachkitError
from ..consequences import GROUP_ATTRIBUTES, ConsequenceFrame
from ..levers import REGISTRY, bound_to, call_bound
from ..levers.oversight import (
    MINUTES_PER_REVIEW,
    REVIEW_LEVERS,
    SCREENING_DAYS,
    escalated_patients,
    reviewed_in_queue,
    tier_flags,
    who_acts,
)
from ..levers.triage import tiebreak_order
from ..pipeline import RunResult, Settings, simulate
from ..stages import Deployment, Stage, register_stage
from .reviewer import reviewer_judgement
from .sentences import BASELINE_NAMES, describe_oversight

__all__ = [
    "OversightSettings", "OversightResult", "CaseDecisions", "deploy", "run_oversight",
    "anyone_reviews", "triage_part", "model_flags", "reviewer_judgement", "OVERSIGHT_STAGE",
    "screening_days", "DECIDERS", "NOT_FLAGGED", "HUMAN", "MODEL", "NOBODY",
]

#: Who decided a patient's case, as stored in ``CaseDecisions.decided_by``.
NOT_FLAGGED, HUMAN, MODEL, NOBODY = 0, 1, 2, 3
DECIDERS = ("not flagged", "a clinician", "the model alone", "nobody")
_DECIDER_COLUMNS = ("human", "model", "nobody")


def _baseline(settings):
    """The settings this run is compared with, one step back, and their name.

    - nobody reviews (the model acts alone, or the flags are dropped): the same flags
      with a clinician reviewing them;
    - else a review lever moved (capacity, accuracy, bias, explanation, training,
      escalation, alerts): the usual review set-up;
    - else: the model acting alone on the same flags (what the review adds).
    """
    if settings.oversight != "review":
        return {"oversight": "review"}, BASELINE_NAMES["review"]
    moved = [name for name in REVIEW_LEVERS if name in settings.changed_levers()]
    if moved:
        return {name: REGISTRY[name].rest for name in moved}, BASELINE_NAMES["usual"]
    return {"oversight": "model_alone"}, BASELINE_NAMES["model"]


def anyone_reviews(settings) -> bool:
    """Whether a clinician sees any case: review is on, or the escalation rule."""
    return settings.oversight == "review" or settings.escalation != "none"


def triage_part(settings) -> Settings:
    """What the oversight stage receives: the deployment before it (the triage levers,
    and any stage that acts earlier, such as consent)."""
    return settings.before("oversight")


def _received(settings) -> RunResult:
    """The run before this stage (:func:`teachkit.stages.received`): the triage model's,
    or an earlier stage's own flags and scores (lesson 05's explain stage: opt-outs, its
    inputs); the reviewer sees the explanation when that stage shows it."""
    return _stages.received(settings, "oversight")


def _run_stage(settings, *, with_baseline: bool = True):
    return run_oversight(settings, with_baseline=with_baseline)


OVERSIGHT_STAGE = register_stage(Stage(
    name="oversight", title="Who acts on a flag", order=40, baseline=_baseline,
    run=_run_stage, uses_threshold=lambda s: s.flag_tier == "threshold"))


class OversightSettings(Deployment):
    """A deployment with the oversight stage: lesson 04's name for it.

    Parameters
    ----------
    oversight : {"review", "model_alone", "dropped"}, default="review"
        Who acts on a flag: a reviewing clinician, the model alone, or nobody.
    review_capacity : int in [0, 120], default=10
        Cases the reviewers can look at per working day (one care manager gives the new
        flags half a day: about 10, an assumption).
    flag_tier : {"threshold", "top_0.1", "top_1", "top_5"}, default="threshold"
        Flag as the triage levers say (the threshold), or a fixed top tier of risk.
    reviewer_accuracy : float in [0.5, 1], default=0.73
        The reviewer's accuracy without advice (Jabbour et al. 2023: 73.0 %).
    automation_bias : float in [0, 1], default=0.6
        Chance of following wrong advice blindly (Lyell et al. 2017: 51.7-65.8 %).
    explanation : {"none", "shown"}, default="none"
    training : {"none", "trained"}, default="none"
    escalation : {"none", "item9"}, default="none"
        ``"item9"``: every PHQ-9 item 9 > 0 goes to a clinician, first in the queue.
    other_alerts : int in [0, 5], default=0
        Other alerts in the same encounter (alert fatigue).

    The triage fields (``n``, ``seed``, ``model``, ``threshold``, ...) are those of
    :class:`teachkit.pipeline.Settings`.

    Examples
    --------
    >>> s = OversightSettings(model="logistic")
    >>> s.replace(oversight="model_alone").baseline()[1]
    'the same flags with a clinician reviewing'
    >>> OversightSettings(training="trained").baseline()[1]
    'the usual review set-up'
    >>> OversightSettings().baseline()[1]
    'the model acting alone'
    >>> OversightSettings(review_capacity=-1)
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'review_capacity' parameter of \
OversightSettings must be an int in the range [0, 120]. Got -1 instead.
    """

    __slots__ = ()
    STAGES = ("oversight",)

    @property
    def anyone_reviews(self) -> bool:
        """Whether a clinician sees any case: review is on, or the escalation rule."""
        return anyone_reviews(self)

    def triage_settings(self) -> Settings:
        """The triage pipeline's own settings (the oversight levers left out)."""
        return triage_part(self)


@lru_cache(maxsize=4)
def screening_days(n: int, seed: int) -> np.ndarray:
    """The working day (0 to ``SCREENING_DAYS - 1``) on which each patient is screened.

    A seeded shuffle spread evenly: every day has ``n // SCREENING_DAYS`` or one more.

    Examples
    --------
    >>> days = screening_days(600, seed=1)
    >>> np.bincount(days).tolist() == [10] * 60
    True
    """
    order = np.random.default_rng([seed, 41]).permutation(n)
    days = (order * SCREENING_DAYS // n).astype(np.int16)
    days.setflags(write=False)  # cached and shared
    return days


@lru_cache(maxsize=4)
def _draws(n: int, seed: int) -> np.ndarray:
    """Three uniform draws per patient: follow wrong advice, own judgement, fatigue."""
    draws = np.random.default_rng([seed, 43]).random((3, n))
    draws.setflags(write=False)
    return draws


@dataclass(frozen=True, eq=False)
class CaseDecisions:
    """What happened to every patient's case after the triage model (arrays, one value
    per patient).

    Attributes
    ----------
    day : ndarray of int
        Working day of screening.
    flagged : ndarray of bool
        The model's flags (its advice: follow up).
    escalated : ndarray of bool
        Sent to a clinician by the escalation rule.
    queue_rank : ndarray of int
        Place in that day's review queue (0 = first), -1 when not in the queue.
    queue_size : ndarray of int
        Cases in the review queue on the patient's day.
    reviewed : ndarray of bool
        A clinician decided the case.
    ai_right : ndarray of bool
        The model's advice matched the truth (flagged and a crisis, or neither).
    blind_follow : ndarray of bool
        The reviewer followed wrong advice without their own judgement.
    wanted_act : ndarray of bool
        The reviewer decided to follow up (before alert fatigue).
    fatigued : ndarray of bool
        A decision to follow up that was not carried out (alert fatigue).
    acted : ndarray of bool
        The patient gets an urgent follow-up.
    decided_by : ndarray of int
        :data:`NOT_FLAGGED`, :data:`HUMAN`, :data:`MODEL` or :data:`NOBODY`.
    capacity : int
    bias : float
        The automation bias after explanation and training.
    """

    day: np.ndarray
    flagged: np.ndarray
    escalated: np.ndarray
    queue_rank: np.ndarray
    queue_size: np.ndarray
    reviewed: np.ndarray
    ai_right: np.ndarray
    blind_follow: np.ndarray
    wanted_act: np.ndarray
    fatigued: np.ndarray
    acted: np.ndarray
    decided_by: np.ndarray
    capacity: int
    bias: float

    @property
    def cases(self) -> np.ndarray:
        """Patients with a case to decide: flagged by the model or escalated."""
        return self.decided_by != NOT_FLAGGED

    @property
    def overflow(self) -> np.ndarray:
        """Cases in the review queue that nobody reviewed (the queue was full)."""
        return (self.queue_rank >= 0) & ~self.reviewed


@lru_cache(maxsize=4)
def _tiebreak(n: int, seed: int) -> np.ndarray:
    order = tiebreak_order(n, seed)  # the pipeline's tie order
    order.setflags(write=False)
    return order


def deploy(flagged, scores, crisis, item9, settings: OversightSettings, *,
           escalate=None) -> CaseDecisions:
    """Run the deployment stage on the model's flags: queue, review, action.

    Parameters
    ----------
    flagged : array-like of bool
        The triage model's flags.
    scores : array-like of float
        The model's scores (the queue is worked from the highest).
    crisis : array-like of bool
        The true crisis within 12 months (decides whether the advice was right).
    item9 : array-like of int
        PHQ-9 item 9 as recorded (0-3), for the escalation rule.
    settings : OversightSettings
    escalate : array-like of bool, default=None
        Your own escalation rule: who goes first to a clinician. None uses the
        ``escalation`` lever (every item 9 > 0, or nobody).

    Returns
    -------
    CaseDecisions

    Examples
    --------
    >>> import numpy as np
    >>> flags = np.array([True, True, True, False])
    >>> crisis = np.array([True, False, False, False])
    >>> d = deploy(flags, np.array([0.9, 0.5, 0.4, 0.1]), crisis, np.zeros(4, int),
    ...            OversightSettings(n=100, oversight="model_alone"))
    >>> d.acted.tolist(), [DECIDERS[k] for k in d.decided_by]
    ([True, True, True, False], ['the model alone', 'the model alone', 'the model alone', \
'not flagged'])
    """
    flagged = np.asarray(flagged, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    crisis = np.asarray(crisis, dtype=bool)
    n = len(flagged)
    if escalate is None:
        escalated = call_bound(bound_to(escalated_patients), settings, item9)
    else:
        escalated = _check_escalate(escalate, n)
    day = screening_days(n, settings.seed)
    follow_u, judge_u, fatigue_u = _draws(n, settings.seed)

    # The review queue: worked day by day, escalations first, then the highest risk.
    in_queue, alone = call_bound(bound_to(who_acts), settings, flagged, escalated)
    idx = np.flatnonzero(in_queue)
    order = idx[np.lexsort((_tiebreak(n, settings.seed)[idx], -scores[idx],
                            ~escalated[idx], day[idx]))]
    queue_days = day[order]
    first = np.searchsorted(queue_days, queue_days, side="left")
    queue_rank = np.full(n, -1, dtype=np.int32)
    queue_rank[order] = np.arange(len(order)) - first
    per_day = np.bincount(queue_days, minlength=SCREENING_DAYS)
    queue_size = np.where(in_queue, per_day[day], 0)
    reviewed = call_bound(bound_to(reviewed_in_queue), settings, queue_rank,
                          in_queue)

    ai_right = flagged == crisis
    blind, wanted, fatigued, bias = reviewer_judgement(
        reviewed, ai_right, crisis, settings, follow_u=follow_u, judge_u=judge_u,
        fatigue_u=fatigue_u, item9=np.asarray(item9))
    human_acts = wanted & ~fatigued

    model_acts = alone & ~reviewed
    acted = human_acts | model_acts
    decided_by = np.full(n, NOT_FLAGGED, dtype=np.int8)
    decided_by[flagged | escalated] = NOBODY
    decided_by[model_acts] = MODEL
    decided_by[reviewed] = HUMAN
    for array in (day, escalated, queue_rank, queue_size, reviewed, ai_right, blind, wanted,
                  fatigued, acted, decided_by):
        array.setflags(write=False)
    return CaseDecisions(day, flagged, escalated, queue_rank, queue_size, reviewed, ai_right,
                      blind, wanted, fatigued, acted, decided_by,
                      settings.review_capacity, bias)


def _check_escalate(escalate, n: int) -> np.ndarray:
    values = np.asarray(escalate)
    if values.shape != (n,) or values.dtype != bool:
        got = f"an array of shape {values.shape} and type {values.dtype}" \
            if values.ndim else repr(escalate)
        raise TeachkitError(
            f"The 'escalate' parameter of run_oversight must be a boolean array with one "
            f"value per patient ({n:,}). Got {got} instead.")
    return values.copy()


# -- tallies ------------------------------------------------------------------------------
def _decision_tables(y, d: CaseDecisions, records: pd.DataFrame) -> pd.DataFrame:
    """Who decided, and where the missed crises were lost, per 1,000 patients of each
    group; reviewer hours and crises captured per reviewer-hour."""
    columns = {
        "human": d.decided_by == HUMAN,
        "model": d.decided_by == MODEL,
        "nobody": d.decided_by == NOBODY,
        "reviewed": d.reviewed,
        "overflow": d.overflow,
        "escalated": d.escalated,
        "missed_unflagged": y & (d.decided_by == NOT_FLAGGED),
        "missed_dismissed": y & d.reviewed & ~d.acted,
        "missed_nobody": y & (d.decided_by == NOBODY),
        "caught_by_human": y & d.reviewed & d.acted,
        "wrong_advice_seen": d.reviewed & ~d.ai_right,
        "wrong_advice_followed": d.reviewed & ~d.ai_right & (d.wanted_act == d.flagged),
    }
    names = list(columns)
    sums, patients, index = _group_sums(np.column_stack([columns[c] for c in names]),
                                        records)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = 1000 * sums / np.maximum(patients, 1)[:, None]
        hours = sums[:, names.index("reviewed")] * MINUTES_PER_REVIEW / 60
        caught_per_hour = np.where(hours > 0, sums[:, names.index("caught_by_human")]
                                   / np.maximum(hours, 1e-12), np.nan)
    out = pd.DataFrame(per, columns=names, index=index)
    out.insert(0, "patients", patients.astype(int))
    out["reviewer_hours"] = hours
    out["caught_per_hour"] = caught_per_hour
    return out


#: The last few records' group codes, by identity (see :func:`_group_codes`).
_GROUP_CODES = Recent(4)


def _group_codes(records: pd.DataFrame):
    """Every patient's group under each attribute, as one matrix (patients x
    attributes) of row numbers of the (attribute, group) index, which starts with a row
    for all patients (a patient with no group under an attribute gets one row past the
    end); and that index. Kept for the last few records (by identity: records are
    cached and never changed in place)."""
    hit = _GROUP_CODES.get(id(records))
    if hit is not None and hit[0] is records:
        return hit[1], hit[2]
    attributes = [a for a in GROUP_ATTRIBUTES if a in records.columns]
    keys = [("all", "all patients")]
    rows = np.empty((len(records), len(attributes)), dtype=np.int64)
    for j, attribute in enumerate(attributes):
        col = records[attribute]
        cat = col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype("category")
        codes = cat.cat.codes.to_numpy()
        rows[:, j] = np.where(codes < 0, -1, codes + len(keys))
        keys += [(attribute, g) for g in cat.cat.categories]
    rows[rows < 0] = len(keys)
    rows.setflags(write=False)
    index = pd.MultiIndex.from_tuples(keys, names=["attribute", "group"])
    _GROUP_CODES.put(id(records), (records, rows, index))
    return rows, index


def _group_sums(columns: np.ndarray, records: pd.DataFrame):
    """Column sums of ``columns`` (patients x measures, bool) over all patients and
    over each group of each attribute (the rows of :func:`_group_codes`' index), as
    floats, and the patients in each: one ``bincount`` per measure instead of a
    patients x groups matrix product (the same integer counts; a lever's first visit
    rebuilt that matrix, about 0.2 s, for every new set of records)."""
    columns = np.asarray(columns, dtype=bool)
    rows, index = _group_codes(records)
    size = len(index) + 1  # the last bin: patients without a group
    patients = np.bincount(rows.ravel(), minlength=size)[:-1].astype(float)
    patients[0] = len(columns)
    sums = np.empty((len(index), columns.shape[1]))
    for j in range(columns.shape[1]):
        picked = columns[:, j]
        sums[:, j] = np.bincount(rows[picked].ravel(), minlength=size)[:-1]
        sums[0, j] = np.count_nonzero(picked)
    return sums, patients, index


def _workload(y, d: CaseDecisions, scores) -> dict:
    reviews = int(d.reviewed.sum())
    hours = reviews * MINUTES_PER_REVIEW / 60
    caught_by_human = int((y & d.reviewed & d.acted).sum())
    flags = int(d.flagged.sum())
    seen_wrong = int((d.reviewed & ~d.ai_right).sum())
    followed_wrong = int((d.reviewed & ~d.ai_right & (d.wanted_act == d.flagged)).sum())
    queue_days = np.bincount(d.day[d.queue_rank >= 0], minlength=SCREENING_DAYS)
    return {
        "days": SCREENING_DAYS,
        "minutes_per_review": MINUTES_PER_REVIEW,
        "flags": flags,
        "flags_per_day": flags / SCREENING_DAYS,
        "queued": int((d.queue_rank >= 0).sum()),
        "queue_per_day": float(queue_days.mean()),
        "busiest_day": int(queue_days.max()) if len(queue_days) else 0,
        "days_over_capacity": int((queue_days > d.capacity).sum()),
        "reviews": reviews,
        "reviews_per_day": reviews / SCREENING_DAYS,
        "reviewer_hours": hours,
        "overflow": int(d.overflow.sum()),
        "caught_by_human": caught_by_human,
        "caught_per_hour": caught_by_human / hours if hours else float("nan"),
        "crises_flagged": int((y & d.flagged).sum()),
        "flag_ppv": float((y & d.flagged).sum() / flags) if flags else float("nan"),
        "acted": int(d.acted.sum()),
        "acted_ppv": float((y & d.acted).sum() / d.acted.sum()) if d.acted.any()
        else float("nan"),
        "wrong_advice_seen": seen_wrong,
        "wrong_advice_followed": followed_wrong,
        "wrong_advice_followed_share": followed_wrong / seen_wrong if seen_wrong
        else float("nan"),
        "blind_follows": int(d.blind_follow.sum()),
        "fatigued": int(d.fatigued.sum()),
        "bias": d.bias,
    }


@dataclass(frozen=True, eq=False)
class OversightResult(RunResult):
    """One run of the triage model and the deployment stage after it.

    A :class:`~teachkit.pipeline.RunResult` (so every dashboard can show it) whose
    ``consequences`` count what is actually done (``flagged`` per 1,000 there means
    "gets an urgent follow-up") and whose ``flagged`` are the model's own flags.

    Attributes
    ----------
    deployment : CaseDecisions
        Per patient: the queue, the review, the decision and who made it.
    decisions : DataFrame
        Per 1,000 patients, overall (``("all", "all patients")``) and by group: cases
        decided by a clinician (``human``), the model alone (``model``) or nobody
        (``nobody``); reviews, overflow, escalations; crises missed because the model
        did not flag them (``missed_unflagged``), a clinician dismissed them
        (``missed_dismissed``) or nobody decided (``missed_nobody``); crises caught by a
        clinician's decision; wrong advice seen and followed; and ``reviewer_hours``
        (hours, not per 1,000) and ``caught_per_hour`` (crises caught by a clinician per
        reviewer-hour).
    workload : dict
        The review's totals: flags, reviews, reviewer hours, overflow, crises captured
        per reviewer-hour, PPV of the flags and of the follow-ups, wrong advice followed.
    model_result : RunResult
        The triage model's own run (its flags acted on as they are).
    """

    deployment: CaseDecisions | None = dataclasses.field(default=None, repr=False)
    decisions: pd.DataFrame | None = dataclasses.field(default=None, repr=False)
    workload: dict = dataclasses.field(default_factory=dict, repr=False)
    model_result: RunResult | None = dataclasses.field(default=None, repr=False)

    @property
    def acted(self) -> np.ndarray:
        """Who gets an urgent follow-up (bool per patient)."""
        return self.deployment.acted

    def sentence(self) -> str:
        """The change against the baseline and who decided, in plain language."""
        before = self.baseline.overall.iloc[0] if self.baseline is not None else None
        return describe_oversight(self.consequences.overall.iloc[0], before,
                                  self.decisions.iloc[0], baseline_name=self.baseline_name)


@lru_cache(maxsize=8)
def _risk_order(triage: Settings) -> np.ndarray:
    """Patients from the highest score down, ties in the pipeline's fixed random order."""
    scores = simulate(triage, with_baseline=False).scores
    order = np.lexsort((_tiebreak(len(scores), triage.seed), -scores))
    order.setflags(write=False)
    return order


def model_flags(settings: OversightSettings, model_result: RunResult) -> np.ndarray:
    """The model's flags: as the triage levers say, or the top tier of risk (the same
    patients as the pipeline's capacity policy would choose)."""
    if settings.flag_tier == "threshold":  # the triage levers decide: nothing to order
        return np.asarray(model_result.flagged)
    flags = call_bound(bound_to(tier_flags), settings, _risk_order(triage_part(settings)))
    flags.setflags(write=False)  # results are cached and shared
    return flags


def _run(settings: OversightSettings, escalate=None, baseline: ConsequenceFrame | None = None,
         baseline_name: str = "", baseline_result=None) -> OversightResult:
    model_result = _received(settings)
    records = model_result.records
    flagged = model_flags(settings, model_result)
    y = records["crisis"].to_numpy(dtype=bool)
    reviewer = settings.replace(explanation="shown") \
        if getattr(model_result, "reviewer_sees_explanation", False) else settings
    d = deploy(flagged, model_result.scores, y, records["phq9"].to_numpy(), reviewer,
               escalate=escalate)
    groups = records[[a for a in GROUP_ATTRIBUTES if a in records.columns]]
    frame = ConsequenceFrame(y, d.acted, model_result.scores, groups,
                             is_probability=settings.model != "rule", baseline=baseline)
    return OversightResult(settings, model_result.scores, flagged, frame, records=records,
                           baseline_name=baseline_name or BASELINE_NAMES["self"],
                           baseline_result=baseline_result, deployment=d,
                           decisions=_decision_tables(y, d, records),
                           workload=_workload(y, d, model_result.scores),
                           model_result=model_result)


@lru_cache(maxsize=16)
def _cached(settings: OversightSettings) -> OversightResult:
    """A run without a baseline, cached by its frozen settings."""
    return _run(settings)


def run_oversight(settings: OversightSettings | None = None, *, with_baseline: bool = True,
                  escalate=None) -> OversightResult:
    """Run the triage model and the deployment stage; compare with one step back.

    Parameters
    ----------
    settings : OversightSettings, default=OversightSettings()
    with_baseline : bool, default=True
        Also run :meth:`OversightSettings.baseline` and attach it, so
        ``versus_baseline()`` and ``sentence()`` compare against it.
    escalate : array-like of bool, default=None
        Your own escalation rule (one value per patient of the lesson cohort): these
        patients go first to a clinician. It is then compared with the same set-up
        without escalation.

    Returns
    -------
    OversightResult

    Raises
    ------
    TypeError
        If ``settings`` is not an :class:`OversightSettings`.
    TeachkitError
        If ``escalate`` is not one boolean per patient.

    Examples
    --------
    >>> s = OversightSettings(model="logistic")
    >>> result = run_oversight(s)
    >>> result.sentence().startswith("Compared with the model acting alone")
    True
    >>> alone = run_oversight(s.replace(oversight="model_alone"))
    >>> int(alone.workload["reviews"]), alone.baseline_name
    (0, 'the same flags with a clinician reviewing')
    >>> run_oversight(s, escalate=[True, False])
    Traceback (most recent call last):
    ...
    teachkit._validation.TeachkitError: The 'escalate' parameter of run_oversight must \
be a boolean array with one value per patient (60,000). Got an array of shape (2,) and \
type bool instead.
    """
    settings = OversightSettings() if settings is None else settings
    if not (isinstance(settings, Deployment) and "oversight" in settings.stages):
        raise TypeError("settings must be a teachkit OversightSettings object (or a "
                        f"Deployment with the oversight stage); got {type(settings)!r}.")
    if escalate is not None:
        _check_escalate(escalate, settings.n)
        rest = settings.replace(escalation="none")
        base = _cached(rest) if with_baseline else None
        return _run(settings, escalate=escalate,
                    baseline=base.consequences if base else None,
                    baseline_name=BASELINE_NAMES["own_rule"] if base else "",
                    baseline_result=base)
    if not with_baseline:
        return _cached(settings)
    rest, name = settings.baseline()
    base = _cached(rest)
    now = _cached(settings)
    frame = now.consequences.with_baseline(base.consequences)  # the cached run keeps none
    return dataclasses.replace(now, consequences=frame, baseline_name=name,
                               baseline_result=base)
