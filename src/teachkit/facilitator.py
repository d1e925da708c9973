"""The facilitator's view: one page for the instructor with the room live.

``teachkit serve`` makes an instructor's key (``TEACHKIT_INSTRUCTOR_TOKEN``, or a random
one), distinct from the room's token, and prints the page's address; trainees never see
it. Voila's config (``jupyter_data/config/voila.py``) takes the key out of the
environment before any kernel starts and calls :func:`install`, which adds three routes
to the Voila server, each refusing any key but the instructor's (a trainee's token
included) with 403:

- ``/teachkit/facilitator?key=KEY``: the page; it reloads its room part every few
  seconds (who has joined, reflections written per lesson, each board's proposals,
  votes and agreed deployment);
- ``/teachkit/facilitator/room?key=KEY``: that part alone;
- ``/teachkit/facilitator/export.csv?key=KEY&what=boards|reflections``: a CSV export;
- ``/teachkit/facilitator/guide?key=KEY``: the facilitator's guide.

The room is read from the data folder (the board store and the reflections), so the page
knows nothing of kernels and shows what is on disk.

Examples
--------
>>> import tempfile
>>> state = room_state(tempfile.mkdtemp())
>>> state["boards"], len(state["reflections"])
([], 0)
>>> "Nobody has joined a board yet" in room_html(state)
True
"""

from __future__ import annotations

import csv
import hmac
import html
import io
from pathlib import Path

# The board's levers and roles are imported where the page is drawn: they import the
# pipeline (scikit-learn, about 2 CPU-s), which Voila's server, whose config installs
# this view, otherwise paid at every start.
from .board.store import BoardStore
from .reflections import ReflectionStore

__all__ = ["room_state", "room_html", "room_csv", "page_html", "key_matches", "install",
           "ROUTE", "GUIDE"]

ROUTE = "/teachkit/facilitator"
#: The facilitator's guide in a checkout of teachkit.
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "facilitator-guide.md"
REFRESH_SECONDS = 3
_TABLE = 'style="border-collapse:collapse;font-size:14px;margin:4px 0 12px 0"'
_TH = 'style="padding:3px 10px;text-align:left;border-bottom:1px solid #666"'
_TD = 'style="padding:3px 10px;text-align:left;vertical-align:top"'


def key_matches(given: str | None, instructor: str | None) -> bool:
    """True only for the instructor's key (compared in constant time).

    Examples
    --------
    >>> key_matches("abc", "abc"), key_matches("room-token", "abc"), key_matches("", "")
    (True, False, False)
    """
    if not instructor or not given:
        return False
    return hmac.compare_digest(str(given).encode(), str(instructor).encode())


def room_state(data_dir: str | Path) -> dict:
    """What the room has done, read from the data folder: boards and reflections."""
    boards = BoardStore(data_dir).boards()
    reflections = ReflectionStore(data_dir).collect()
    return {"boards": boards, "reflections": reflections}


def _levers(levers: dict) -> str:
    from .board.outcomes import BOARD_LEVERS

    return ", ".join(f"{k}={levers[k]}" for k in BOARD_LEVERS if k in levers) or "at rest"


def room_html(state: dict) -> str:
    """The live part of the page: who joined, reflections per lesson, every board."""
    from .board.roles import ROLES

    boards, notes = state["boards"], state["reflections"]
    members = [(b.code, m) for b in boards for m in b.members]
    if members:
        rows = "".join(
            f"<tr><td {_TD}>{html.escape(m.name)}</td><td {_TD}>"
            f"{html.escape(ROLES[m.role].title if m.role in ROLES else m.role)}</td>"
            f"<td {_TD}>{code}</td><td {_TD}>{html.escape(m.joined_at[11:19])}</td></tr>"
            for code, m in members)
        joined = (f"<table class='tk-room-members' {_TABLE}><caption style='text-align:"
                  f"left'>{len(members)} members on {len(boards)} boards</caption><tr>"
                  f"<th scope='col' {_TH}>name</th><th scope='col' {_TH}>role</th>"
                  f"<th scope='col' {_TH}>board</th><th scope='col' {_TH}>joined (UTC)"
                  f"</th></tr>{rows}</table>")
    else:
        joined = "<p>Nobody has joined a board yet.</p>"
    if len(notes):
        per = notes.groupby("lesson").agg(trainees=("trainee", "nunique"),
                                          last=("saved_at", "max"))
        rows = "".join(f"<tr><td {_TD}>{html.escape(str(lesson))}</td><td {_TD}>"
                       f"{int(r.trainees)}</td><td {_TD}>{html.escape(str(r['last']))}"
                       "</td></tr>" for lesson, r in per.iterrows())
        written = (f"<table class='tk-room-reflections' {_TABLE}><tr><th scope='col' "
                   f"{_TH}>lesson</th><th scope='col' {_TH}>trainees who wrote</th>"
                   f"<th scope='col' {_TH}>last saved (UTC)</th></tr>{rows}</table>")
    else:
        written = "<p>No reflection written yet.</p>"
    parts = []
    for b in boards:
        names = {m.identity: m for m in b.members}
        tally, agreed = b.tally(), b.agreed()
        rows = "".join(
            f"<tr><td {_TD}>P{p.id}</td><td {_TD}>"
            f"{html.escape(names[p.identity].name if p.identity in names else '?')}</td>"
            f"<td {_TD}>{html.escape(_levers(p.levers))}</td><td {_TD}>"
            f"{html.escape(p.note)}</td><td {_TD}>{tally.get(p.id, 0)}</td></tr>"
            for p in b.proposals)
        decided = (f"agreed: <b>P{agreed.id}</b> ({html.escape(_levers(agreed.levers))})"
                   if agreed else f"no agreement yet ({len(b.votes)} of {len(b.members)} "
                   "voted)")
        title = f"Board {b.code}" + (f": {html.escape(b.title)}" if b.title else "")
        parts.append(
            f"<section class='tk-room-board' data-code='{b.code}' data-votes="
            f"'{len(b.votes)}'><h3>{title}</h3><p>Co-design level: "
            f"{html.escape(b.codesign)}; "
            f"{len(b.members)} members; {decided}.</p>"
            + (f"<table {_TABLE}><tr><th scope='col' {_TH}>proposal</th><th scope='col' "
               f"{_TH}>by</th><th scope='col' {_TH}>levers</th><th scope='col' {_TH}>why"
               f"</th><th scope='col' {_TH}>votes</th></tr>{rows}</table>" if rows
               else "<p>No proposal yet.</p>") + "</section>")
    return (f"<h2>Who has joined</h2>{joined}<h2>Reflections written</h2>{written}"
            f"<h2>Boards</h2>{''.join(parts) or '<p>No board yet.</p>'}")


def room_csv(state: dict, what: str = "boards") -> str:
    """A CSV export: every board event (``boards``), or every reflection."""
    if what == "reflections":
        return state["reflections"].to_csv(index=False)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["board", "kind", "name", "role", "proposal", "levers", "note",
                     "votes", "agreed", "at"])
    for b in state["boards"]:
        names = {m.identity: m for m in b.members}
        tally, agreed = b.tally(), b.agreed()
        for m in b.members:
            vote = b.votes.get(m.identity)
            writer.writerow([b.code, "member", m.name, m.role,
                             f"P{vote}" if vote else "", "", "", "", "", m.joined_at])
        for p in b.proposals:
            who = names.get(p.identity)
            writer.writerow([b.code, "proposal", who.name if who else "",
                             who.role if who else "", f"P{p.id}", _levers(p.levers),
                             p.note, tally.get(p.id, 0),
                             "yes" if agreed and agreed.id == p.id else "", p.created_at])
    return out.getvalue()


def page_html(key: str, *, base_url: str = "/") -> str:
    """The whole page: the room part, reloaded every few seconds, and the exports."""
    q = f"key={html.escape(key, quote=True)}"
    root = base_url.rstrip("/") + ROUTE
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>teachkit: facilitator's view</title>
<style>body{{font-family:system-ui,sans-serif;margin:16px 24px;color:#111;max-width:72em}}
a{{color:#0057a0}} h2{{margin:18px 0 4px 0}} h3{{margin:10px 0 2px 0}}</style></head>
<body><main>
<h1>Facilitator's view</h1>
<p>For the instructor only: do not share this address (it carries your key). Everything
shown is synthetic teaching data and what trainees typed in this room.
<a href="{root}/guide?{q}">The facilitator's guide</a> ·
<a href="{root}/export.csv?{q}&amp;what=boards" download="boards.csv">Boards as CSV</a> ·
<a href="{root}/export.csv?{q}&amp;what=reflections" download="reflections.csv">Reflections
as CSV</a></p>
<p id="tk-room-status" role="status">Updated every {REFRESH_SECONDS} seconds.</p>
<div id="tk-room">Loading the room...</div>
</main>
<script>
(function () {{
  var url = "{root}/room?{q}";
  var status = document.getElementById("tk-room-status");
  function load() {{
    fetch(url, {{credentials: "same-origin", cache: "no-store"}}).then(function (r) {{
      if (!r.ok) {{ throw new Error(r.status); }}
      return r.text();
    }}).then(function (text) {{
      document.getElementById("tk-room").innerHTML = text;
      status.textContent = "Updated at " + new Date().toLocaleTimeString() +
        "; every {REFRESH_SECONDS} seconds.";
    }}).catch(function (e) {{
      status.textContent = "Could not reach the server (" + e.message + "); retrying.";
    }});
  }}
  load();
  setInterval(load, {REFRESH_SECONDS * 1000});
}})();
</script></body></html>"""


def guide_html() -> str:
    """The facilitator's guide as a page (markdown rendered when mistune is there)."""
    try:
        text = GUIDE.read_text(encoding="utf-8")
    except OSError:
        text = ("The facilitator's guide is docs/facilitator-guide.md in the teachkit "
                "repository.")
    try:
        import mistune

        body = mistune.html(text)
    except ImportError:  # pragma: no cover - nbconvert brings mistune
        body = f"<pre>{html.escape(text)}</pre>"
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>teachkit: "
            f"facilitator's guide</title><style>body{{font-family:system-ui,sans-serif;"
            f"margin:16px 24px;max-width:60em;line-height:1.45}}</style></head><body><main>"
            f"{body}</main></body></html>")


def install(app_class, *, key: str, data_dir: str | Path) -> None:
    """Add the facilitator's routes to a Voila application class (once).

    Voila's standalone server has no hook for extra routes, so its ``init_handlers`` is
    wrapped: the routes come first, the rest is Voila's own.
    """
    from jupyter_server.base.handlers import JupyterHandler
    from tornado import web

    if getattr(app_class, "_teachkit_facilitator", False):
        return
    original = app_class.init_handlers

    class FacilitatorHandler(JupyterHandler):
        """The facilitator's routes: the instructor's key, or 403."""

        def initialize(self, what: str):
            self.what = what

        def check_key(self) -> None:
            if not key_matches(self.get_argument("key", ""), key):
                raise web.HTTPError(403, reason="This page is for the instructor only")

        def get(self):
            self.check_key()
            self.set_header("Cache-Control", "no-store")
            self.set_header("Referrer-Policy", "no-referrer")
            if self.what == "page":
                return self.finish(page_html(self.get_argument("key"),
                                             base_url=self.base_url))
            if self.what == "guide":
                return self.finish(guide_html())
            state = room_state(data_dir)
            if self.what == "room":
                return self.finish(room_html(state))
            which = self.get_argument("what", "boards")
            if which not in ("boards", "reflections"):
                raise web.HTTPError(400, reason="what= must be boards or reflections")
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", f'attachment; filename="{which}.csv"')
            return self.finish(room_csv(state, which))

        def write_error(self, status_code, **kwargs):
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(f"<!DOCTYPE html><html lang='en'><head><title>{status_code}</title>"
                        f"</head><body><main><h1>{status_code}: "
                        f"{html.escape(self._reason)}</h1></main></body></html>")

    def init_handlers(self):
        ours = [(self.server_url.rstrip("/") + ROUTE + suffix, FacilitatorHandler,
                 {"what": what})
                for suffix, what in (("", "page"), ("/room", "room"),
                                     ("/export.csv", "export"), ("/guide", "guide"))]
        return ours + original(self)

    app_class.init_handlers = init_handlers
    app_class._teachkit_facilitator = True

