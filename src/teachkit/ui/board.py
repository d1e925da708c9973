"""Lesson 08's app: a design-review board, alone or with the room.

- :class:`BoardLab`: pick a role (its card puts what it cares about first), set a
  deployment's levers (which ones are open depends on the co-design level; each move
  shows the deployment's consequences on the usual dashboard), and press **Propose**.
  Alone, every proposal you try is compared: each role's satisfaction side
  by side, and the trade-off frontier marked. Together, you join a board with its short
  code (or start one and read its code out); proposals and votes of everyone on the
  board appear without reloading (the app polls the shared store twice a second), and
  the board's agreed deployment is shown beside each member's own wish.
- :func:`tessa_case`: the case box (NEDA's Tessa, 2023).

Presentation only: the numbers come from :mod:`teachkit.board`.
"""

from __future__ import annotations

import asyncio
import html
import threading

import ipywidgets as widgets

from .._validation import TeachkitError
from ..board.design import (
    CHATBOT_ARMS,
    CHATBOT_LABELS,
    CODESIGN_LABELS,
    CODESIGN_LEVELS,
    CODESIGN_SOURCES,
    check_codesign,
    open_levers,
)
from ..board.outcomes import (
    BOARD_LEVERS,
    BOARD_STAGES,
    CONSEQUENCES,
    PIPELINE_LEVERS,
    Outcomes,
    measure,
)
from ..board.roles import ROLE_NAMES, ROLES, frontier, get_role, satisfaction_table
from ..board.store import Board, BoardStore, default_board_store
from ..levers import REGISTRY
from ..stages import Deployment
from ..text import per_1000
from ._layouts import plain_html, shared_layout, shared_style
from ._opening import opens_when_built
from ._safety import Banner, guarded
from .apps import synthetic_notice
from .dashboard import Dashboard
from .panel import LeverPanel
from .reflection import trainee_from_environment

__all__ = ["BoardLab", "tessa_case", "proposal_table_html", "role_card_html",
           "consequences_html", "wishes_html"]

_TABLE = 'style="border-collapse:collapse;font-size:13px;margin:4px 0"'
_TH = 'style="padding:2px 8px;text-align:left;border-bottom:1px solid #999"'
_TD = 'style="padding:2px 8px;text-align:left"'
_TDR = 'style="padding:2px 8px;text-align:right"'
#: Seconds between two looks at the shared board.
POLL_SECONDS = 0.5


def tessa_case() -> widgets.HTML:
    """The case box: a helpline replaced by a chatbot nobody with lived experience tested."""
    body = (
        "<b>Case: NEDA's Tessa (2023).</b> The US National Eating Disorders Association "
        "ran a helpline used by about 70,000 people in the year before. After its staff "
        "unionised, NEDA announced the helpline would close and pointed users to "
        "\"Tessa\", a rule-based prevention chatbot. In May 2023 users reported that it "
        "recommended a 500-1,000 kcal a day deficit and weekly weighing: advice that harms "
        "people with eating disorders. NEDA disabled it on 30 May 2023. The developers said "
        "the weight-loss content was not part of their programme; the vendor cited a "
        "traffic surge and bad actors; the cause was never publicly resolved (KFF Health "
        "News / NPR; Business Insider, May 2023). Who should have been in the room before "
        "the switch, and who could have stopped it?")
    box = plain_html(
        f'<div style="border-left:4px solid #D55E00;padding:6px 12px;max-width:60em;'
        f'font-size:14px;line-height:1.45;background:#fbf4ee">{body}</div>', "tk-case")
    return box


#: The consequences counted in people (per 1,000): shown whole, like every lesson's cards.
_PEOPLE = ("missed", "needless", "without_consent")


def _fmt(key: str, outcomes: Outcomes) -> str:
    value = getattr(outcomes, key)
    if key == "reds":
        return "not checked (lesson 07)" if value is None else str(value)
    if key == "missed_worst_group":
        return f"{per_1000(value)} ({html.escape(outcomes.worst_group)})"
    if key in _PEOPLE:  # people are counted whole (teachkit.text.per_1000)
        return per_1000(value)
    return f"{value:.1f}"


def role_card_html(role: str) -> str:
    """A role's card: who they are, what they weigh (most important first), and why."""
    card = get_role(role)
    items = "".join(
        f"<li>{html.escape(CONSEQUENCES[k][0])}: weight {100 * w:.0f} %</li>"
        for k, w in card.ranked())
    return (f'<div class="tk-role-card" data-role="{card.name}" style="font-size:14px;'
            f'max-width:60em;border-left:4px solid #0072B2;padding:4px 12px">'
            f"<b>{html.escape(card.title)}.</b> {html.escape(card.cares)}"
            f'<ul style="margin:4px 0">{items}</ul>'
            f'<div style="font-size:12px;color:#444">{html.escape(card.basis)}</div></div>')


def consequences_html(outcomes: Outcomes, role: str) -> str:
    """A deployment's consequences, in the order ``role`` cares about them."""
    card = get_role(role)
    order = [k for k, _ in card.ranked()] + [k for k in CONSEQUENCES
                                             if card.weights[k] == 0]
    rows = "".join(
        f"<tr><th scope='row' {_TD}>{html.escape(CONSEQUENCES[k][0])}</th>"
        f"<td {_TDR}>{_fmt(k, outcomes)}</td><td {_TD}>{html.escape(CONSEQUENCES[k][1])}"
        f"</td><td {_TDR}>{100 * card.weights[k]:.0f} %</td></tr>" for k in order)
    reach = (f"<p style='font-size:13px;max-width:60em'>The chatbot can help about "
             f"<b>{outcomes.chatbot_reach:.0f} of 1,000 patients</b>: those still using it "
             "when the model reads their check-ins (3.9 % on day 15, 3.3 % on day 30; "
             "Baumel et al. 2019). The other patients depend on everything else decided "
             "here.</p>" if outcomes.chatbot_reach else "")
    return (f"<table {_TABLE}><caption style='text-align:left;font-size:13px'>"
            f"Consequences, as the {html.escape(card.title.lower())} reads them (of "
            f"{per_1000(outcomes.crises)} crises per 1,000 patients; lower is better)</caption>"
            f"<tr><th {_TH}>consequence</th><th {_TH}>value</th><th {_TH}>unit</th>"
            f"<th {_TH}>your weight</th></tr>{rows}</table>{reach}")


def _describe(levers: dict) -> str:
    parts = []
    for name in BOARD_LEVERS:
        if name not in levers:
            continue
        value = levers[name]
        if name == "chatbot":
            parts.append(CHATBOT_LABELS.get(value, str(value)))
        elif name == "review_capacity":
            parts.append(f"{value} reviews a day")
        else:
            spec = REGISTRY[name]
            parts.append(spec.option_labels.get(value, str(value)))
    return "; ".join(parts) or "everything at rest"


def proposal_table_html(rows: list[tuple[str, dict, Outcomes, str]], *, role: str,
                        tally: dict | None = None, agreed: str | None = None) -> str:
    """Each proposal's satisfaction for every role, side by side, and the frontier.

    ``rows`` holds (label, levers, outcomes, who) per proposal; the trainee's own role
    comes first; a proposal no other beats on every role's terms is marked "frontier".
    """
    if not rows:
        return "<p style='font-size:13px'>No proposal yet: set the levers and press " \
               "Propose.</p>"
    tables = [satisfaction_table(o) for _, _, o, _ in rows]
    best = set(frontier(tables))
    roles = [role] + [r for r in ROLE_NAMES if r != role]
    head = "".join(f"<th scope='col' {_TH}>{html.escape(ROLES[r].title)}"
                   f"{' (you)' if r == role else ''}</th>" for r in roles)
    votes_head = f"<th scope='col' {_TH}>votes</th>" if tally is not None else ""
    body = []
    for i, (label, levers, _, who) in enumerate(rows):
        mark = "★ frontier" if i in best else ""
        if agreed == label:
            mark = (mark + "; " if mark else "") + "✔ agreed"
        cells = "".join(f"<td {_TDR}>{tables[i][r]:.0f}</td>" for r in roles)
        votes = f"<td {_TDR}>{(tally or {}).get(label, 0)}</td>" if tally is not None else ""
        body.append(
            f"<tr class='tk-proposal-row' data-proposal='{html.escape(label)}' "
            f"data-frontier='{int(i in best)}'><th scope='row' {_TD}>{html.escape(label)}"
            f"<div style='font-weight:normal;font-size:11px;color:#444;max-width:22em'>"
            f"{html.escape(who)}{': ' if who else ''}{html.escape(_describe(levers))}</div>"
            f"</th>{cells}{votes}<td {_TD}>{mark}</td></tr>")
    return (f"<table class='tk-proposals' {_TABLE}><caption style='text-align:left;"
            "font-size:13px'>Satisfaction of each role, 0-100 (higher is better; "
            "weights are teaching choices (A)). ★ frontier: no other proposal is at "
            "least as good for every role and better for one.</caption>"
            f"<tr><th scope='col' {_TH}>proposal</th>{head}{votes_head}"
            f"<th scope='col' {_TH}></th></tr>{''.join(body)}</table>")


def wishes_html(board: Board, outcomes: dict) -> str:
    """The agreed deployment beside each member's wish (their own latest proposal)."""
    agreed = board.agreed()
    if agreed is None:
        need = len(board.members) // 2 + 1
        return (f"<p class='tk-board-agreed' data-agreed='' style='font-size:14px'>No "
                f"agreement yet: {len(board.votes)} of {len(board.members)} members have "
                f"voted; the board agrees once {need} have.</p>")
    mine = outcomes[agreed.id]
    rows = []
    for member in board.members:
        wish = board.latest_by(member.identity)
        with_agreed = satisfaction_table(mine)[member.role]
        with_wish = satisfaction_table(outcomes[wish.id])[member.role] \
            if wish is not None and wish.id in outcomes else None
        rows.append(
            f"<tr><th scope='row' {_TD}>{html.escape(member.name)}</th>"
            f"<td {_TD}>{html.escape(ROLES[member.role].title)}</td>"
            f"<td {_TD}>{'P' + str(wish.id) if wish else '-'}</td>"
            f"<td {_TDR}>{'-' if with_wish is None else f'{with_wish:.0f}'}</td>"
            f"<td {_TDR}>{with_agreed:.0f}</td></tr>")
    return (f"<div class='tk-board-agreed' data-agreed='P{agreed.id}' style='font-size:14px'>"
            f"<b>The board agreed on P{agreed.id}</b> ({board.tally()[agreed.id]} of "
            f"{len(board.votes)} votes): {html.escape(_describe(agreed.levers))}."
            f"<table {_TABLE}><tr><th {_TH}>member</th><th {_TH}>role</th>"
            f"<th {_TH}>their wish</th><th {_TH}>satisfaction with their wish</th>"
            f"<th {_TH}>with the agreed deployment</th></tr>{''.join(rows)}</table></div>")


class BoardLab(widgets.VBox):
    """Lesson 08's app: role cards, proposals, satisfaction per role, and the room's vote.

    Parameters
    ----------
    store : BoardStore, default=the data folder's (:func:`default_board_store`)
    role : str, default="clinician"
    codesign : str, default="consult"
        Which levers are open (inform, consult, co-decide); a joined board's own level
        wins.
    trainee : str, default=the server's name for the trainee, if any
    poll : bool, default=True
        Once on a board, look at it every :data:`POLL_SECONDS` (off in tests, which
        call :meth:`refresh`).

    Examples
    --------
    >>> import tempfile
    >>> lab = BoardLab(store=BoardStore(tempfile.mkdtemp()), poll=False)
    >>> lab.set_lever("oversight", "model_alone")
    >>> lab.propose()
    >>> [label for label, *_ in lab.rows()]
    ['P1']
    """

    @opens_when_built  # each model sent once, with the first preview's state
    def __init__(self, *, store: BoardStore | None = None, role: str = "clinician",
                 codesign: str = "consult", trainee: str | None = None,
                 poll: bool = True):
        self.store = store or default_board_store(roles=ROLE_NAMES)
        self.banner = Banner()
        self.code = ""
        self.board: Board | None = None
        self._revision = -1
        self._tries: list[tuple[str, dict, Outcomes, str]] = []
        self._outcomes: dict[int, Outcomes] = {}
        self._lock = threading.RLock()
        self._following = False
        guard = guarded(self.banner)
        # one style model each for the choosers and text fields (nobody changes them)
        chooser = shared_style(widgets.Dropdown, description_width="initial")
        field = shared_style(widgets.Text, description_width="initial")

        self._role = widgets.Dropdown(options=[(r.title, r.name) for r in ROLES.values()],
                                      value=get_role(role).name, description="Your role",
                                      style=chooser,
                                      _dom_classes=("tk-board-role",), layout=shared_layout())
        self._card = plain_html()
        self._codesign = widgets.Dropdown(
            options=[(CODESIGN_LABELS[k], k) for k in CODESIGN_LEVELS],
            value=check_codesign(codesign), description="Co-design level",
            style=chooser, layout=shared_layout(width="560px"),
            _dom_classes=("tk-board-codesign",))
        self.dashboard = Dashboard(attribute="ethnicity", banner=self.banner)
        self.panel = LeverPanel(PIPELINE_LEVERS, settings=Deployment(BOARD_STAGES,
                                                                     model="logistic"),
                                banner=self.banner, on_result=self._preview)
        self._chatbot = widgets.Dropdown(
            options=[(CHATBOT_LABELS[a], a) for a in CHATBOT_ARMS], value="off",
            description="Chatbot arm", style=chooser,
            layout=shared_layout(width="460px"), _dom_classes=("tk-board-chatbot",))
        self._closed_note = plain_html()
        self._note = widgets.Text(description="Why (optional)", placeholder="One line for "
                                  "the board", style=field,
                                  layout=shared_layout(width="560px"))
        self._propose = widgets.Button(description="Propose", button_style="primary",
                                       tooltip="Run this deployment and put it before "
                                       "the board", _dom_classes=("tk-board-propose",),
                                       layout=shared_layout())
        self._mine = plain_html("", "tk-board-consequences")
        self._table = plain_html("", "tk-board-table")
        # together
        self._name = widgets.Text(description="Your name", placeholder="Your name or seat",
                                  style=field,
                                  _dom_classes=("tk-board-name",), layout=shared_layout())
        self._code = widgets.Text(description="Board code", placeholder="e.g. K7QM2P",
                                  style=field,
                                  _dom_classes=("tk-board-code",), layout=shared_layout())
        self._join = widgets.Button(description="Join board",
                                    tooltip="Join the board with this code",
                                    _dom_classes=("tk-board-join",), layout=shared_layout())
        self._new = widgets.Button(description="Start a new board",
                                   tooltip="Make a board and show its code to read out",
                                   _dom_classes=("tk-board-new",), layout=shared_layout())
        self._joined = plain_html("", "tk-board-joined")
        self._vote_choice = widgets.Dropdown(options=[], description="Your vote",
                                             style=chooser,
                                             _dom_classes=("tk-board-vote-choice",),
                                             layout=shared_layout())
        self._vote = widgets.Button(description="Vote", tooltip="Vote for this proposal "
                                    "(a new vote replaces your old one)",
                                    _dom_classes=("tk-board-vote",), layout=shared_layout())
        self._wishes = plain_html("", "tk-board-wishes")
        self._state = plain_html("", "tk-board-state", layout=shared_layout(display="none"))

        self._role.observe(guard(lambda _: (self._show(), self._preview())), names="value")
        self._chatbot.observe(guard(lambda _: self._preview()), names="value")
        self._codesign.observe(guard(self._codesign_changed), names="value")
        self._propose.on_click(guard(lambda _: self.propose()))
        self._join.on_click(guard(lambda _: self.join()))
        self._new.on_click(guard(lambda _: self.new_board()))
        self._vote.on_click(guard(lambda _: self.vote()))

        together = widgets.VBox([
            plain_html("<h3 style='margin:8px 0 2px 0'>Together: one board for the "
                       "room</h3><p style='font-size:13px;margin:0'>One person starts a "
                       "board and reads its code out; everyone joins with the code, "
                       "their name and their role. Proposals and votes appear on every "
                       "screen within a second or two.</p>"),
            widgets.HBox([self._name, self._code], layout=shared_layout()),
            widgets.HBox([self._join, self._new], layout=shared_layout()), self._joined,
            widgets.HBox([self._vote_choice, self._vote], layout=shared_layout()), self._wishes],
            layout=shared_layout())
        super().__init__([
            synthetic_notice(), self.banner,
            widgets.HBox([self._role], layout=shared_layout()), self._card, self._codesign,
            plain_html("<h3 style='margin:8px 0 2px 0'>Your proposal</h3>"),
            self.panel, self._chatbot, self._closed_note, self._mine, self.dashboard,
            self._note, self._propose, self._table, together, self._state],
            _dom_classes=("tk-app", "tk-board"), layout=shared_layout())
        start = trainee if trainee is not None else trainee_from_environment()
        if start:
            self._name.value = start
        guard(self._apply_codesign)()
        guard(self.panel.update)(self.panel.settings)
        guard(self._show)()
        self._poll = poll  # started once the trainee is on a board (never in an idle or
        self._task = None  # preheated kernel: nothing to look at before that)
        self._stopped = threading.Event()

    # -- controls ----------------------------------------------------------------------
    def _codesign_changed(self, change) -> None:
        if self.code and not self._following:
            self.store.set_codesign(self.code, change["new"])
        self._apply_codesign()
        self._rest_closed_levers()

    def _rest_closed_levers(self) -> None:
        """Levers a level closes go back to rest: the clinic keeps them as they are."""
        opened = set(open_levers(self._codesign.value))
        moved = {n: REGISTRY[n].rest for n, row in self.panel.rows.items()
                 if n not in opened and row.value != REGISTRY[n].rest}
        if moved:
            self.panel.update(self.panel.settings.replace(**moved))
        if "chatbot" not in opened:
            self._chatbot.value = "off"
        self._preview()

    def _apply_codesign(self) -> None:
        opened = set(open_levers(self._codesign.value))
        closed = []
        for name, row in self.panel.rows.items():
            row.disabled = name not in opened
            if name not in opened:
                closed.append(row.spec.label)
        self._chatbot.disabled = "chatbot" not in opened
        if self._chatbot.disabled:
            closed.append("Chatbot arm")
        self._closed_note.value = (
            f"<p style='font-size:12px;color:#444;max-width:60em'>Closed at this "
            f"co-design level (the clinic keeps them as they are): "
            f"{html.escape(', '.join(closed))}. Which levers a board may change is the "
            f"lesson's rule; reviews found lived-experience input was mostly consultation "
            f"and could not link it to outcomes. Sources: {html.escape(CODESIGN_SOURCES)}</p>"
            if closed else "<p style='font-size:12px;color:#444'>Every lever is open.</p>")

    def set_lever(self, name: str, value) -> None:
        """Set one of the proposal's levers (as the trainee would)."""
        if name == "chatbot":
            self._chatbot.value = value
        elif name in self.panel.rows:
            self.panel.rows[name].value = value
        else:
            raise TeachkitError(f"The board's levers are {', '.join(BOARD_LEVERS)}. Got "
                                f"{str(name)[:40]!r} instead.")

    def levers(self) -> dict:
        """The proposal as set: the open levers' values (closed ones stay at rest)."""
        opened = set(open_levers(self._codesign.value))
        out = {name: getattr(self.panel.settings, name) if name in opened
               else REGISTRY[name].rest for name in PIPELINE_LEVERS}
        out["chatbot"] = self._chatbot.value if "chatbot" in opened else "off"
        return out

    def _preview(self, result=None) -> None:
        """The deployment as set, before it is proposed: the dashboard and the
        consequences as the trainee's role reads them."""
        if result is not None:
            self.dashboard.show(result)
        self._mine.value = consequences_html(measure(self.levers()), self.role)

    # -- actions -----------------------------------------------------------------------
    @property
    def role(self) -> str:
        return self._role.value

    @role.setter
    def role(self, value: str) -> None:
        self._role.value = get_role(value).name

    def propose(self) -> None:
        """Run the deployment as set; alone keep it, on a board put it to the board."""
        levers = self.levers()
        outcomes = measure(levers)
        if self.code:
            pid = self.store.propose(self.code, self._name.value, levers,
                                     note=self._note.value)
            self._outcomes[pid] = outcomes
            self.refresh()
        else:
            label = f"P{len(self._tries) + 1}"
            self._tries.append((label, levers, outcomes, self._note.value.strip()))
            self._show()

    def new_board(self) -> None:
        """Start a board (at this co-design level) and join it."""
        self._check_name()
        code = self.store.create_board(codesign=self._codesign.value)
        self._code.value = code
        self.join()

    def _check_name(self) -> None:
        if not self._name.value.strip():
            raise TeachkitError("Type your name (or seat number) first: the board shows "
                                "who proposed and who voted.")

    def join(self) -> None:
        """Join the board whose code is typed, as the name and role chosen."""
        self._check_name()
        member = self.store.join(self._code.value, self._name.value, self.role)
        self.code = self.store.board(self._code.value).code
        self._code.value = self.code
        self._joined.value = (
            f"<p style='font-size:14px'>You are on board <b class='tk-board-joined-code'>"
            f"{self.code}</b> as {html.escape(member.name)} "
            f"({html.escape(ROLES[member.role].title.lower())}). Read the code out so "
            "others can join.</p>")
        self._revision = -1
        self.refresh()
        if self._poll and self._task is None:
            self.start_polling()

    def vote(self, proposal: int | None = None) -> None:
        """Vote for ``proposal`` (default: the one chosen in the list)."""
        if not self.code:
            raise TeachkitError("Join a board first: votes are for a board's proposals.")
        pid = self._vote_choice.value if proposal is None else proposal
        if pid is None:
            raise TeachkitError("There is no proposal to vote for yet.")
        self.store.vote(self.code, self._name.value, pid)
        self.refresh()

    # -- the shared board --------------------------------------------------------------
    def refresh(self) -> bool:
        """Look at the shared board; redraw if it changed. True when it did."""
        if not self.code:
            return False
        with self._lock:
            revision = self.store.revision(self.code)
            if revision == self._revision:
                return False
            board = self.store.board(self.code)
            for p in board.proposals:
                if p.id not in self._outcomes:
                    self._outcomes[p.id] = measure(p.levers)
            self.board, self._revision = board, board.revision
            if board.codesign != self._codesign.value:
                self._following = True  # the board's level, not a change to send back
                try:
                    self._codesign.value = board.codesign
                finally:
                    self._following = False
            self._show()
        return True

    def rows(self) -> list[tuple[str, dict, Outcomes, str]]:
        """The proposals compared: yours alone, or the board's."""
        if self.board is None:
            return list(self._tries)
        names = {m.identity: m for m in self.board.members}
        return [(f"P{p.id}", p.levers, self._outcomes[p.id],
                 f"{names[p.identity].name} ({ROLES[names[p.identity].role].title.lower()})"
                 if p.identity in names else "")
                for p in self.board.proposals]

    def _show(self) -> None:
        self._card.value = role_card_html(self.role)
        board = self.board
        tally = agreed = None
        if board is not None:
            tally = {f"P{pid}": n for pid, n in board.tally().items()}
            chosen = board.agreed()
            agreed = f"P{chosen.id}" if chosen else None
            options = [(f"P{p.id}", p.id) for p in board.proposals]
            if [o[1] for o in self._vote_choice.options] != [o[1] for o in options]:
                keep = self._vote_choice.value
                self._vote_choice.options = options
                ids = [o[1] for o in options]
                self._vote_choice.value = keep if keep in ids else (ids[-1] if ids else None)
            self._wishes.value = wishes_html(board, self._outcomes)
        self._table.value = proposal_table_html(self.rows(), role=self.role, tally=tally,
                                                agreed=agreed)
        self._state.value = (
            f"<span class='tk-board-data' data-code='{self.code}' "
            f"data-revision='{board.revision if board else 0}' "
            f"data-proposals='{len(self.rows())}' "
            f"data-votes='{len(board.votes) if board else 0}' "
            f"data-agreed='{agreed or ''}'></span>")

    def start_polling(self, interval: float = POLL_SECONDS) -> None:
        """Look at the shared board every ``interval`` seconds, on the kernel's own event
        loop when there is one (a Voila page), else in a background thread."""
        def tick():
            try:
                self.refresh()
            except (TeachkitError, OSError) as exc:  # the page says so, and keeps polling
                self.banner.show(f"The board could not be read just now ({exc}). It will "
                                 "try again.")

        async def loop():
            while not self._stopped.is_set():
                await asyncio.sleep(interval)
                tick()

        try:
            self._task = asyncio.get_running_loop().create_task(loop())
        except RuntimeError:
            def run():
                while not self._stopped.wait(interval):
                    tick()
            self._task = threading.Thread(target=run, daemon=True, name="tk-board-poll")
            self._task.start()

    def stop_polling(self) -> None:
        """Stop looking at the shared board (the kernel is going away, or a test ends)."""
        self._stopped.set()
        if isinstance(self._task, asyncio.Task):
            self._task.cancel()
