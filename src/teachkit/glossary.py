"""The words of the lessons in plain language: one glossary for every lesson.

Every lever panel shows it as a closed ``<details>`` element ("Words used in these
lessons"), so a clinician can open it with a click, a tap or the keyboard from any lesson.
Each entry is one or two short sentences (25 words or fewer; a test checks it).

Examples
--------
>>> GLOSSARY["AUC"][:40]
'How well a model ranks patients: 1 means'
>>> "<dt " in glossary_html()
True
"""

from __future__ import annotations

import html

__all__ = ["GLOSSARY", "glossary_html"]

#: Term -> what it means, in the order a trainee meets them.
GLOSSARY: dict[str, str] = {
    "synthetic": "Made up by a computer. No patient in these lessons is real.",
    "cohort": "The group of patients a lesson follows: here 60,000 made-up primary-care "
              "patients.",
    "per 1,000 patients": "Every number is out of 1,000 patients like ours, so groups of "
                          "different sizes can be compared.",
    "crisis": "A suicide attempt, self-harm that reaches care, or an emergency visit for "
              "mental health, in the next year.",
    "flagged": "The tool asks for urgent follow-up for this patient.",
    "caught / missed": "A crisis is caught when the patient was flagged, and missed when "
                       "they were not.",
    "needless escalation": "A flagged patient who will not have a crisis: clinician time "
                           "spent, and a patient who may be worried for nothing.",
    "usual rule": "What many clinics do without AI: follow up when the PHQ-9 is 10 or "
                  "more, or the patient reports any thoughts of self-harm.",
    "PHQ-9": "A nine-question form about depression. A score of 10 or more suggests "
             "depression. Question 9 asks about thoughts of self-harm.",
    "GAD-7": "A seven-question form about anxiety.",
    "model": "A computer rule learned from past patients that gives each patient a risk.",
    "risk threshold": "The risk at which a patient is flagged. A lower threshold flags more "
                      "patients.",
    "label": "What the model learns to predict. A proxy label (such as past cost) is easier "
             "to get but is not the real need.",
    "proxy": "Something easy to measure used in place of what matters, such as cost of "
             "care in place of need for care.",
    "logits": "A scale for how much a patient's answers shift. 0.5 logits is a small, "
              "steady shift at the same true illness.",
    "sensitivity": "The share of crises the tool catches.",
    "PPV": "Of the patients flagged, the share who really have a crisis.",
    "prevalence": "How common something is: here, the share of patients who will have a "
                  "crisis.",
    "calibration": "Whether a risk means what it says: of patients given a 10 % risk, about "
                   "10 in 100 should have a crisis.",
    "AUC": "How well a model ranks patients: 1 means every crisis is ranked above every "
           "other patient, 0.5 is a coin toss.",
    "observed / expected": "Crises that happened, divided by crises the model predicted. "
                           "Above 1, the model says risks are lower than they are.",
    "mitigation": "A change meant to make errors more equal between groups. It narrows a "
                  "gap; it does not remove bias.",
    "fairlearn": "A free software library for measuring and reducing unequal errors "
                 "between groups.",
    "reduction": "A fairlearn method: the model is trained again under a rule that its "
                 "errors be more equal between groups.",
    "consent": "A patient's yes or no to a use of their records, such as training a model.",
    "opt-out / opt-in": "Opt-out: records are used unless the patient says no. Opt-in: "
                        "only if the patient says yes.",
    "quasi-identifier": "A detail that is not a name but can point to a person when "
                        "combined with others: ZIP code, birth year, sex.",
    "ZIP3": "The first three digits of a US ZIP code: a wide area, not a street.",
    "k-anonymity": "Each released patient looks the same as at least k - 1 others in the "
                   "details released.",
    "differential privacy": "Adding random noise to published counts so no single patient "
                            "can be picked out.",
    "epsilon (ε)": "The privacy setting of differential privacy: smaller means more noise "
                   "and stronger protection.",
    "re-identified": "Matched back to a real name by someone holding another list, such as "
                     "a voter list.",
    "FTC": "The US Federal Trade Commission, which acts against unfair or false claims by "
           "companies.",
    "CTL": "Crisis Text Line, a US text helpline for people in crisis.",
    "human oversight": "A person checks what the model suggests before anything happens "
                       "to a patient.",
    "automation bias": "Following a computer's advice without one's own judgement, even "
                       "when it is wrong.",
    "explanation (SHAP)": "Risk points that show how much each answer moved one patient's "
                          "score up or down.",
    "drift": "A change over time in patients, care or records that makes a model less "
             "right than it was.",
    "monitoring": "Checking a model's results month by month after it goes live.",
}


def glossary_html(terms=None) -> str:
    """The glossary as a closed ``<details>`` element with a definition list.

    Parameters
    ----------
    terms : iterable of str, default=None
        The terms to show, in order; None shows them all.
    """
    chosen = list(GLOSSARY) if terms is None else list(terms)
    items = "".join(
        f"<dt style='font-weight:600;margin-top:4px'>{html.escape(term)}</dt>"
        f"<dd style='margin:0 0 0 1.2em'>{html.escape(GLOSSARY[term])}</dd>"
        for term in chosen)
    return ('<details class="tk-glossary" style="font-size:13px;margin:2px 0 6px">'
            '<summary style="cursor:pointer;color:#0060A0">Words used in these lessons'
            f"</summary><dl style='margin:4px 0;max-width:60em'>{items}</dl></details>")
