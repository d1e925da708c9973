"""The consequence dashboard: headline numbers, the figure, and a plain sentence.

:class:`Dashboard` shows a :class:`~teachkit.pipeline.RunResult`. It keeps one
:class:`~teachkit.plotting.ConsequenceFigure` and updates it in place, and it exposes
what it shows in a hidden ``tk-state`` element (``data-*`` attributes) so browser tests
can wait for an update instead of sleeping.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..consequences import GROUP_ATTRIBUTES
from ..palette import OKABE_ITO, OUTCOME_COLOURS
from ..pipeline import RunResult
from ..plotting import ATTRIBUTE_TITLES, ConsequenceFigure
from ..text import per_1000, whole_counts
from ._layouts import plain_html, shared_layout, shared_style
from ._safety import Banner, guarded
from .views import GroupTable

__all__ = ["BaseDashboard", "Dashboard"]

CARD_HTML = (
    '<div class="tk-card" style="flex:1;min-width:150px;border-top:6px solid {colour};'
    'background:#FAFAFA;padding:6px 10px;margin-right:8px">'
    '<div style="font-size:12px;color:#333">{title}</div>'
    '<div class="tk-card-value" data-key="{key}" style="font-size:26px;font-weight:600">'
    "{value}</div>"
    '<div style="font-size:11px;color:#555">{note}</div></div>'
)


def headline_html(result: RunResult, baseline_name: str = "usual rule") -> str:
    """Four cards: flagged, caught, missed, needless escalations (per 1,000 patients)."""
    now = whole_counts(result.consequences.overall.iloc[0])  # as the sentence rounds
    base = result.baseline.overall.iloc[0] if result.baseline is not None else None
    base = whole_counts(base) if base is not None else None
    cards = [
        ("flagged", "Flagged for urgent follow-up", OKABE_ITO["sky_blue"]),
        ("caught", "Crises caught", OUTCOME_COLOURS["caught"]),
        ("missed", "Crises missed", OUTCOME_COLOURS["missed"]),
        ("needless", "Needless escalations", OUTCOME_COLOURS["needless"]),
    ]
    parts = []
    for key, title, colour in cards:
        note = "per 1,000 patients"
        if key in ("caught", "missed"):
            note = f"of {per_1000(now['crises'])} crises per 1,000 patients"
        note = html.escape(note)
        if base is not None:
            note += f"<br>{html.escape(baseline_name)}: <b>{per_1000(base[key])}</b>"
        parts.append(CARD_HTML.format(colour=colour, title=title, key=key,
                                  value=per_1000(now[key]), note=note))
    return '<div style="display:flex;flex-wrap:wrap">' + "".join(parts) + "</div>"


def alt_widget() -> widgets.HTML:
    """A hidden element holding a figure's words; the page makes them the image's alt
    text (ipywidgets' Image has no alt, and a tooltip on it breaks its view)."""
    alt = plain_html("", "tk-figure-alt", layout=shared_layout(display="none"))
    return alt


def alt_html(words: str) -> str:
    """``words`` as the content of :func:`alt_widget`."""
    return f"<span>{html.escape(words)}</span>"


class BaseDashboard(widgets.VBox):
    """What every lesson's dashboard shows, in this order: headline cards, a group
    chooser, the figure and its words, the plain sentence, the lesson's views, and the
    hidden ``tk-state`` element (last, so a browser test that waits for it sees every
    view updated).

    A subclass says what to draw for its kind of result, never how to lay it out:
    ``FIGURE`` (a figure class updated in place), :meth:`make_figure`,
    :meth:`group_options`, :meth:`cards_html`, :meth:`sentence_html`,
    :meth:`figure_input`, :meth:`state_data` and :meth:`settings_text`. A lesson's own
    parts are :class:`~teachkit.ui.views.View` objects, given once to the constructor.

    Parameters
    ----------
    views : sequence of View, default=()
        The lesson's views, shown below the sentence in this order; each is updated
        with every result (:meth:`View.update`).
    attribute : str, default="ethnicity"
        The patient groups shown first on the right of the figure.
    banner : Banner, default=None
        Where errors in the group chooser are shown.

    Attributes
    ----------
    updates : int
        How many results have been shown (also in the page, for tests).
    result : object or None
        The result on show.
    views : dict of str to View
        The lesson's views by name.
    """

    FIGURE: type = ConsequenceFigure

    def __init__(self, *, views=(), attribute: str = "ethnicity",
                 banner: Banner | None = None):
        self.banner = banner or Banner()
        self.figure = self.make_figure()
        self.updates = 0
        self.result = None
        self._headline = plain_html("", "tk-headline")
        self._image = widgets.Image(format="png", layout=shared_layout(max_width="100%"),
                                    _dom_classes=("tk-figure",))
        self._alt = alt_widget()
        self._table = GroupTable()  # the bars in words, beside them (issue 14)
        self._group = widgets.Dropdown(
            options=self.group_options(), value=attribute, description="Compare groups by",
            style=shared_style(widgets.Dropdown, description_width="initial"),
            _dom_classes=("tk-group",),
            layout=shared_layout())
        self._group.observe(guarded(self.banner)(self._group_changed), names="value")
        self._sentence = plain_html("", "tk-sentence")
        self._state = plain_html("", "tk-state", layout=shared_layout(display="none"))
        self.views = {view.name: view for view in views}
        super().__init__((self._headline, self._group, self._image, self._alt, self._table,
                          self._sentence, *self.views.values(), self._state),
                         _dom_classes=("tk-dashboard",), layout=shared_layout())

    @property
    def attribute(self) -> str:
        return self._group.value

    def _group_changed(self, change):
        if self.result is not None:
            self.show(self.result)

    # -- what a subclass draws -----------------------------------------------------------
    def make_figure(self):
        """The figure, made once and updated in place: ``FIGURE.made()`` (a spare
        figure a warm parent drew, :meth:`~teachkit.plotting.ConsequenceFigure.made`)
        where the class has it, else ``FIGURE()``."""
        made = getattr(self.FIGURE, "made", None)
        return made() if made is not None else self.FIGURE()

    def group_options(self) -> list[tuple[str, str]]:
        """(label, attribute) pairs of the group chooser."""
        return [(ATTRIBUTE_TITLES.get(a, a).capitalize(), a) for a in GROUP_ATTRIBUTES]

    def cards_html(self, result) -> str:
        """The headline cards."""
        raise NotImplementedError

    def sentence_html(self, result) -> str:
        return ('<p style="font-size:15px;max-width:60em;line-height:1.4">'
                f"{html.escape(result.sentence())}</p>")

    def figure_input(self, result):
        """What ``FIGURE.update`` draws from the result."""
        return result

    def state_data(self, result) -> dict:
        """The numbers the hidden state exposes (``data-<key>``), already formatted."""
        return {}

    def settings_text(self, result) -> str:
        """The levers of the result on show, ``name=value;...``."""
        return ""

    # -- showing a result ----------------------------------------------------------------
    def show(self, result) -> None:
        """Display ``result``: cards, figure, sentence, the views, then the hidden state."""
        self.result = result
        self.figure.update(self.figure_input(result), self.attribute)
        self._image.value = self.figure.to_png()
        self._alt.value = alt_html(self.figure.alt_text())
        self._table.show_figure(self.figure, baseline_name=getattr(
            result, "baseline_name", "the starting point").removeprefix("the "))
        self._headline.value = self.cards_html(result)
        self._sentence.value = self.sentence_html(result)
        for view in self.views.values():
            view.update(result, self.attribute)
        # The hidden state changes last, so a browser test that waits for it sees
        # every view already updated.
        self.updates += 1
        data = {"updates": self.updates, **self.state_data(result),
                "attribute": self.attribute, "settings": self.settings_text(result)}
        self._state.value = ('<span class="tk-state-data" ' + " ".join(
            f'data-{key}="{html.escape(str(value))}"' for key, value in data.items())
            + "></span>")

    @property
    def sentence(self) -> str:
        """The plain-language sentence on show."""
        return self.result.sentence() if self.result is not None else ""

    @property
    def png(self) -> bytes:
        """The figure on show, as PNG bytes."""
        return self._image.value


class Dashboard(BaseDashboard):
    """The triage run's dashboard: headline cards, the consequence figure, a group
    chooser and the plain sentence (a :class:`~teachkit.pipeline.RunResult`).

    A lab gives it the lesson's views (``views=``); a lesson whose result needs other
    cards or another figure subclasses it (:class:`~teachkit.ui.oversight.
    OversightDashboard`).
    """

    result: RunResult | None

    def cards_html(self, result: RunResult) -> str:
        return headline_html(result, baseline_name=result.baseline_name.removeprefix("the "))

    def figure_input(self, result: RunResult):
        return result.consequences

    def state_data(self, result: RunResult) -> dict:
        now = result.consequences.overall.iloc[0]
        return {key: f"{now[key]:.3f}" for key in ("flagged", "caught", "missed", "needless")}

    def settings_text(self, result: RunResult) -> str:
        return ";".join(f"{k}={v}" for k, v in sorted(result.settings.values().items()))
