"""Lesson 08's design-review board: a shared store, role cards, the room's decision.

- :mod:`.store`: boards, members, proposals and votes in one SQLite file that many
  kernels write at once;
- :mod:`.roles`: the six role cards, each role's weights on the consequences the
  pipeline measures, satisfaction per role and the trade-off frontier;
- :mod:`.design`: user-centred design: the chatbot arm's reach (Baumel 2019) and the
  co-design levels that decide which levers a board may change.

Core: no widgets, no figures (the board's app is :mod:`teachkit.ui.board`).
"""

from .store import Board, BoardStore, Member, Proposal, check_code, default_board_store

__all__ = ["Board", "BoardStore", "Member", "Proposal", "check_code",
           "default_board_store"]
