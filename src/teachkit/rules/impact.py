"""An impact level in the style of Canada's Algorithmic Impact Assessment (AIA).

The AIA answers risk questions (a raw impact score) and mitigation questions; when the
mitigation score reaches 80 % of its maximum, the raw score is cut by 15 %. The level is
I when the score is at most 25 % of the raw maximum, II up to 50 %, III up to 75 %,
else IV (S: canada.ca; canada-ca/aia-eia-js ``src/store.ts``, ``percentage=0.8``,
``deduction=0.15``). The real AIA has 65 risk and 41 mitigation questions; the twelve
and ten here, their points, and how each is answered from the run are teaching choices
(A), answered from the deployment's own run, never by the trainee.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ._rule import decided_alone
from .eu_ai_act import AUC_DROP_AMBER, HUMAN_GREEN, RATIO_AMBER, skill_lost
from .facts import Facts
from .gdpr import KNEW_GREEN, LARGE_SCALE
from .us import K_GREEN, REID_AMBER

__all__ = ["ImpactAssessment", "impact_level", "LEVEL_BOUNDS", "MITIGATION_SHARE",
           "DEDUCTION", "LEVELS"]

#: Level I-IV upper bounds, as shares of the raw maximum (S).
LEVEL_BOUNDS = (0.25, 0.50, 0.75)
LEVELS = ("I", "II", "III", "IV")
#: The mitigation share that earns the deduction, and the deduction (S).
MITIGATION_SHARE, DEDUCTION = 0.8, 0.15


@dataclass(frozen=True)
class ImpactAssessment:
    """The impact level of one deployment.

    Attributes
    ----------
    answers : DataFrame
        One row per question: ``kind`` (risk or mitigation), ``question``, ``answer``,
        ``points``, ``max``.
    raw, raw_max, mitigation, mitigation_max : int
    deducted : bool
        Whether mitigation reached 80 % of its maximum, so the raw score lost 15 %.
    score : float
        The raw score after any deduction.
    level : str
        ``"I"`` to ``"IV"``.
    """

    answers: pd.DataFrame
    raw: int
    raw_max: int
    mitigation: int
    mitigation_max: int
    deducted: bool
    score: float
    level: str

    def sentence(self) -> str:
        cut = (f"mitigation {self.mitigation} of {self.mitigation_max} reaches 80 %, so "
               "the raw score is cut by 15 %" if self.deducted else
               f"mitigation {self.mitigation} of {self.mitigation_max} is below 80 %, so "
               "nothing is deducted")
        return (f"Impact level {self.level}: raw score {self.raw} of {self.raw_max}; "
                f"{cut}; score {self.score:g} ({self.score / self.raw_max:.0%} of the "
                "maximum).")


def _risk(f: Facts) -> list[tuple[str, bool | float, int]]:
    """(question, answer, max points): points are max when the answer is yes."""
    alone = decided_alone(f)
    human = (f.decided["human"] / max(sum(f.decided.values()), 1)) if f.decided else 0.0
    sens = f.sensitivity_by_group
    ratio = min(sens.values()) / max(sens.values()) if len(sens) > 1 and max(
        sens.values()) > 0 else 1.0
    m, c, r = f.monitor or {}, f.consent or {}, f.release or {}
    lost = skill_lost(m["card_auc"], min(m["auc_by_year"])) if m else 0.0
    return [
        ("It informs decisions about people's health", True, 4),
        ("The people affected are in mental-health care (vulnerable)", True, 3),
        ("A wrong decision can be irreversible (a missed crisis)", True, 3),
        (f"It processes health data at scale ({LARGE_SCALE:,} patients or more)",
         f.patients >= LARGE_SCALE, 3),
        ("The model decides some cases with no clinician", alone > 0, 4),
        (f"Fewer than {HUMAN_GREEN:.0%} of flags are decided by a clinician",
         human < HUMAN_GREEN, 2),
        ("Records are used for training without the patient's agreement",
         c.get("without_consent", 0) > 0, 3),
        ("Records leave the clinic (partner or advertiser)", c.get("shared", 0) > 0, 3),
        (f"Released data re-identifies more than {REID_AMBER:.0%} of patients",
         r.get("rate", 0.0) > REID_AMBER, 3),
        (f"One group's crises are caught at under {RATIO_AMBER} of another's",
         ratio < RATIO_AMBER, 3),
        (f"Accuracy loses more than {AUC_DROP_AMBER:.0%} of its skill after go-live",
         lost > AUC_DROP_AMBER, 2),
        ("The model reads ethnicity", f.has("explain") and
         f.lever("explain_inputs") == "with_ethnicity", 1),
    ]


def _mitigation(f: Facts) -> list[tuple[str, bool, int]]:
    c, m, r, w = f.consent or {}, f.monitor or {}, f.release or {}, f.workload or {}
    knew = c.get("knew", 0) / c["used"] if c.get("used") else 0.0
    return [
        ("Only records of patients who agreed train the model",
         bool(c) and c["without_consent"] == 0, 3),
        (f"At least {KNEW_GREEN:.0%} of them knew what they agreed to", knew >= KNEW_GREEN, 1),
        ("A clinician reviews every flag before anything happens",
         bool(f.decided) and decided_alone(f) == 0 and f.lever("oversight") == "review", 3),
        ("Reviewers keep up with the flags every day",
         bool(w) and w.get("days_over_capacity", 1) == 0, 2),
        ("Reviewers see the reasons for a flag",
         f.has("oversight") and f.lever("explanation") == "shown", 2),
        ("Reviewers are trained against automation bias",
         f.has("oversight") and f.lever("training") == "trained", 1),
        ("Performance is monitored after go-live", m.get("mode") in ("labels", "both"), 3),
        ("The model is updated when it drifts",
         f.has("monitor") and f.lever("update_policy") != "never", 1),
        (f"Released data has k of at least {K_GREEN}", r.get("k", 0) >= K_GREEN, 2),
        ("Patients are told an AI was used",
         f.has("explain") and f.lever("explain_disclosure") == "told", 1),
    ]


def impact_level(checklist_or_facts) -> ImpactAssessment:
    """The AIA-style impact level of a deployment, answered from its run.

    Parameters
    ----------
    checklist_or_facts : Checklist or Facts
        What :func:`teachkit.rules.evaluate` returned (or its ``.facts``).

    Returns
    -------
    ImpactAssessment

    Examples
    --------
    >>> from teachkit.rules import ALL_STAGES, evaluate
    >>> from teachkit.stages import Deployment
    >>> impact = impact_level(evaluate(Deployment(ALL_STAGES, model="logistic")))
    >>> impact.level in LEVELS, impact.raw <= impact.raw_max
    (True, True)
    """
    facts = getattr(checklist_or_facts, "facts", checklist_or_facts)
    if not isinstance(facts, Facts):
        from .._validation import TeachkitError

        raise TeachkitError("The 'checklist_or_facts' parameter of impact_level must be a "
                            "Checklist or Facts from teachkit.rules. Got "
                            f"{type(checklist_or_facts).__name__} instead.")
    rows = [{"kind": "risk", "question": q, "answer": "yes" if a else "no",
             "points": p if a else 0, "max": p} for q, a, p in _risk(facts)]
    rows += [{"kind": "mitigation", "question": q, "answer": "yes" if a else "no",
              "points": p if a else 0, "max": p} for q, a, p in _mitigation(facts)]
    answers = pd.DataFrame(rows)
    risk, mit = answers[answers.kind == "risk"], answers[answers.kind == "mitigation"]
    raw, raw_max = int(risk.points.sum()), int(risk["max"].sum())
    mitigation, mitigation_max = int(mit.points.sum()), int(mit["max"].sum())
    deducted = mitigation >= MITIGATION_SHARE * mitigation_max
    score = round(raw * (1 - DEDUCTION), 2) if deducted else float(raw)
    share = score / raw_max
    level = next((lv for lv, bound in zip(LEVELS, LEVEL_BOUNDS) if share <= bound),
                 LEVELS[-1])
    return ImpactAssessment(answers=answers, raw=raw, raw_max=raw_max,
                            mitigation=mitigation, mitigation_max=mitigation_max,
                            deducted=deducted, score=score, level=level)
