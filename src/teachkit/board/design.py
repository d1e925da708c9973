"""User-centred design on the board: the chatbot arm's reach, and co-design levels.

- **The chatbot arm** (:func:`chatbot_reach`): a chatbot that collects check-ins between
  visits can only help the patients still using it. In 93 real mental-health apps the
  median share still opening an app was 3.9 % on day 15 and 3.3 % on day 30 (Baumel et
  al. 2019, *JMIR* 21:e14567). A model that needs 15 (or 30) days of check-ins therefore
  sees about 39 (or 33) patients in 1,000; the rest depend on everything else the board
  decides. The chatbot changes *who can be helped*; no effect on crises is claimed.
  Engagement by group is not published, so every group keeps the same share (A).
- **Co-design levels** (:data:`CODESIGN_LEVELS`): inform -> consult -> co-decide. The
  level decides which levers the board may change (:func:`open_levers`): only the
  clinic's technical choices when people with lived experience are merely informed; the
  consent question and the chatbot arm when they are consulted; also the consent text
  and the escalation rule when they co-decide. Reviews found lived-experience input was
  mostly consultation and that service users were never the decision makers, and could
  not link it to outcomes (Fisher et al. 2026; Veldmeijer et al. 2023): the level changes
  what may be decided, never an effect size.

Examples
--------
>>> chatbot_reach("day15", patients=1000)
39.0
>>> open_levers("inform")
('oversight', 'review_capacity')
>>> check_codesign("co-decide")
'co_decide'
"""

from __future__ import annotations

from .._validation import TeachkitError

__all__ = ["CHATBOT_ARMS", "CHATBOT_RETENTION", "CHATBOT_LABELS", "CODESIGN_LEVELS",
           "CODESIGN_LABELS", "CODESIGN_LEVERS", "chatbot_reach", "open_levers",
           "check_codesign", "check_chatbot", "BAUMEL_2019", "CODESIGN_SOURCES"]

BAUMEL_2019 = ("Baumel, Muench, Edan, Kane 2019, J Med Internet Res 21(9):e14567: 93 "
               "mental-health apps; median 15-day retention 3.9 %, 30-day 3.3 %; median "
               "daily open rate 4.0 %.")
CODESIGN_SOURCES = ("Fisher et al. 2026, Internet Interventions (29 studies: mostly "
                    "consultation; changed content, no link to outcomes shown); "
                    "Veldmeijer et al. 2023, JMIR Ment Health (33 papers: service users "
                    "never decision makers).")

#: Share of patients still using the app after the days of data the model needs.
CHATBOT_RETENTION = {"off": 0.0, "day15": 0.039, "day30": 0.033}
CHATBOT_ARMS = tuple(CHATBOT_RETENTION)
CHATBOT_LABELS = {
    "off": "No chatbot",
    "day15": "A chatbot; the model reads 15 days of check-ins",
    "day30": "A chatbot; the model reads 30 days of check-ins",
}

CODESIGN_LEVELS = ("inform", "consult", "co_decide")
CODESIGN_LABELS = {
    "inform": "Inform: people with lived experience are told what was decided",
    "consult": "Consult: they are asked, the clinic decides",
    "co_decide": "Co-decide: they decide with the clinic",
}
#: The levers the board may change at each level (each level adds to the one before).
CODESIGN_LEVERS = {
    "inform": ("oversight", "review_capacity"),
    "consult": ("oversight", "review_capacity", "consent", "chatbot"),
    "co_decide": ("oversight", "review_capacity", "consent", "chatbot", "consent_design",
                  "escalation"),
}


def check_codesign(level) -> str:
    """A co-design level as typed ("co-decide", "Co decide") in its canonical form."""
    key = str(level).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in CODESIGN_LEVELS:
        raise TeachkitError(f"The co-design level must be one of inform, consult, "
                            f"co-decide. Got {str(level)[:40]!r} instead.")
    return key


def check_chatbot(arm) -> str:
    if arm not in CHATBOT_RETENTION:
        raise TeachkitError(f"The chatbot arm must be one of {', '.join(CHATBOT_ARMS)}. "
                            f"Got {str(arm)[:40]!r} instead.")
    return arm


def open_levers(level: str) -> tuple[str, ...]:
    """The levers a board may change at co-design ``level``."""
    return CODESIGN_LEVERS[check_codesign(level)]


def chatbot_reach(arm: str, *, patients: float = 1000.0) -> float:
    """Patients (of ``patients``) the chatbot arm can still help: those still using it.

    Raises TeachkitError for an unknown arm.
    """
    return round(CHATBOT_RETENTION[check_chatbot(arm)] * patients, 1)
