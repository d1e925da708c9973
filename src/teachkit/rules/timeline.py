"""When the EU AI Act's duties apply: Art. 113 as adopted, and as the Digital Omnibus
would amend it (agreed, not yet confirmed in the Official Journal)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Milestone", "AI_ACT_TIMELINE"]


@dataclass(frozen=True)
class Milestone:
    """One date of the AI Act timeline.

    Attributes
    ----------
    what : str
        Which duties.
    original : str
        The date in Art. 113.
    amended : str
        The date under the Digital Omnibus ("unchanged" when it keeps the original).
    basis : str
        ``"S"`` for Art. 113's dates; the amended date is S2 and unconfirmed.
    confirmed : bool
        Whether the amended date is confirmed (False until the Official Journal has it).
    """

    what: str
    original: str
    amended: str
    basis: str
    confirmed: bool


#: Sources: Art. 113 text (DE mirror; regulation-ai.eu), S; Digital Omnibus (aiactblog.nl,
#: futureprep.eu), S2: proposed 19 Nov 2025, provisionally agreed 7 May 2026.
AI_ACT_TIMELINE = (
    Milestone("Entry into force", "1 Aug 2024", "unchanged", "S", True),
    Milestone("Chapters I-II (AI literacy, prohibited practices)", "2 Feb 2025",
              "unchanged", "S", True),
    Milestone("General-purpose AI duties and penalties", "2 Aug 2025", "unchanged", "S",
              True),
    Milestone("High-risk duties for Annex III systems (this triage model)", "2 Aug 2026",
              "2 Dec 2027", "S (original); S2 (amended)", False),
    Milestone("High-risk duties for Annex I products (medical devices, Art. 6(1))",
              "2 Aug 2027", "2 Aug 2028", "S (original); S2 (amended)", False),
)
