"""Figures: the consequence dashboard, drawn with matplotlib in the Okabe-Ito palette.

:class:`ConsequenceFigure` keeps one matplotlib ``Figure`` and updates its marks in place
(the patient grid's pixels, the bars' widths, the legend's counts) instead of drawing a
new figure on every slider move; :meth:`ConsequenceFigure.to_png` renders it for an
``ipywidgets.Image``. The figure never computes anything: it reads a
:class:`~teachkit.consequences.ConsequenceFrame`.

Every figure is drawn at the size it is shown (issue 14): :data:`FIGURE_WIDTH_PX` wide, one
figure pixel per CSS pixel, text 9 pt or more (11 px), so at 200 % zoom (a 640 px window)
the page never shrinks it and its text stays readable; each PNG says its smallest text
size (:func:`png_bytes`), which the browser test checks as shown. A PNG blitted over a
cached background stays: an SVG of the same figure was smaller (19 kB against 32 kB) but
took 2-4 times as long per update (a full draw every time).
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ._cache import Recent, register
from .palette import (
    BASELINE_COLOUR,
    OKABE_ITO,
    ORANGE_EDGE,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    hex_to_rgb,
)
from .text import percent, whole, whole_counts

__all__ = ["ConsequenceFigure", "PrivacyFigure", "PRIVACY_GROUP_TITLES", "blitted_png",
           "icon_counts", "grid_image", "GRID_SHAPE", "OUTCOMES", "outcome_patch"]

#: Rows and columns of the 1,000-patient grid.
GRID_SHAPE = (25, 40)
OUTCOMES = ("caught", "missed", "needless", "clear")
OUTCOME_SHORT = {"caught": "caught", "missed": "missed", "needless": "needless escalations"}
_RGB = np.array([hex_to_rgb(OUTCOME_COLOURS[o]) for o in OUTCOMES])
#: Missed crises are hatched in the bars (and hollow in the grid), caught ones solid.
MISSED_HATCH = "////"
_GRID_LABELS = {"caught": "crisis caught (solid)", "missed": "crisis missed (hollow)"}

ATTRIBUTE_TITLES = {
    "sex": "sex / gender",
    "ethnicity": "ethnicity",
    "language": "language",
    "insurance": "insurance",
    "rurality": "where they live",
}


def icon_counts(row) -> dict[str, int]:
    """Whole patients out of 1,000 for each outcome, rounded as every view rounds them.

    ``row`` is a row of ``ConsequenceFrame.overall`` (per 1,000 patients). Caught, missed
    and needless escalations are :func:`teachkit.text.whole_counts` (the numbers the
    cards and sentences show); the rest of the 1,000 are "clear".

    Examples
    --------
    >>> icon_counts({"caught": 10.4, "missed": 8.3, "needless": 170.6})
    {'caught': 10, 'missed': 8, 'needless': 171, 'clear': 811}
    """
    # with the row's totals, so the parts are the totals' rest exactly as on the cards
    counts = whole_counts({k: row[k] for k in ("flagged", "crises", *OUTCOMES[:3])
                           if k in row})
    counts = {o: max(counts[o] or 0, 0) for o in OUTCOMES[:3]}
    counts["clear"] = max(1000 - sum(counts.values()), 0)
    return counts


def grid_image(counts: dict[str, int], shape=GRID_SHAPE, cell: int = 5) -> np.ndarray:
    """An RGB image of 1,000 patients filled column by column.

    Each patient is a ``cell`` x ``cell`` square with a one-pixel white gap, so the grid
    reads as people; ``cell=1`` gives one pixel per patient and no gaps.
    """
    rows, cols = shape
    codes = np.repeat(np.arange(len(OUTCOMES)), [counts[o] for o in OUTCOMES])
    codes = np.resize(codes, rows * cols).reshape(cols, rows).T
    image = _RGB[codes]
    if cell > 1:
        image = np.repeat(np.repeat(image, cell, axis=0), cell, axis=1)
        image[cell - 1::cell, :, :] = 1.0
        image[:, cell - 1::cell, :] = 1.0
        if cell > 3:  # a missed crisis is a hollow square: told apart without colour
            missed = np.repeat(np.repeat(codes == OUTCOMES.index("missed"), cell, axis=0),
                               cell, axis=1)
            inside = (np.arange(missed.shape[0]) % cell)[:, None], \
                (np.arange(missed.shape[1]) % cell)[None, :]
            hollow = missed & (inside[0] >= 1) & (inside[0] <= cell - 3) \
                & (inside[1] >= 1) & (inside[1] <= cell - 3)
            image[hollow] = 1.0
            # A needless escalation has a darker edge: 3:1 against the white gaps.
            needless = np.repeat(np.repeat(codes == OUTCOMES.index("needless"), cell, axis=0),
                                 cell, axis=1)
            edge = needless & ~((inside[0] >= 1) & (inside[0] <= cell - 3)
                                & (inside[1] >= 1) & (inside[1] <= cell - 3))
            edge &= (inside[0] < cell - 1) & (inside[1] < cell - 1)
            image[edge] = hex_to_rgb(ORANGE_EDGE)
    return image


def outcome_patch(outcome: str, label: str | None = None, *, hatch: bool = True) -> Patch:
    """The legend mark of an outcome, drawn as in the figure: a missed crisis is hollow
    (grid) and hatched (bars), so it reads without colour (greyscale, a washed-out
    projector, colour blindness)."""
    colour = OUTCOME_COLOURS[outcome]
    label = OUTCOME_LABELS[outcome] if label is None else label
    if outcome == "missed":
        return Patch(facecolor="white", edgecolor=colour, hatch=MISSED_HATCH if hatch else None,
                     linewidth=1.5, label=label)
    if outcome == "needless":
        return Patch(facecolor=colour, edgecolor=ORANGE_EDGE, linewidth=1.5, label=label)
    return Patch(color=colour, label=label)


#: The widest a figure is drawn, in CSS pixels: the lesson column of a 1280 px screen at
#: 200 % zoom (640 px) is 606 px wide, so a figure this wide is shown at the size it is
#: drawn, never shrunk, and its text keeps its size (issue 14; WCAG 1.4.4 and 1.4.10).
FIGURE_WIDTH_PX = 600
#: Dots per inch of every figure: one figure pixel is one CSS pixel.
FIGURE_DPI = 90
#: Text sizes in points: at 90 dpi, 9 pt is 11.25 CSS px, 10 pt is 12.5 px.
TEXT_PT, TITLE_PT = 9, 10
#: The smallest text a figure may draw, in CSS pixels at its natural size.
MIN_TEXT_PX = 10.0


def smallest_text_px(figure: Figure) -> float:
    """The size, in CSS pixels at the figure's natural size, of its smallest visible text.

    Examples
    --------
    >>> fig = Figure(dpi=90)
    >>> _ = fig.text(0, 0, "tiny", fontsize=6), fig.text(0, 1, "big", fontsize=20)
    >>> smallest_text_px(fig)
    7.5
    """
    from matplotlib.text import Text

    sizes = [t.get_fontsize() for t in figure.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    return min(sizes, default=float("inf")) * figure.dpi / 72


def png_bytes(pixels: np.ndarray, text_px: float) -> bytes:
    """RGB ``pixels`` as PNG bytes (light compression) that carry the size of the figure's
    smallest text, ``text_px`` (a ``teachkit:smallest-text-px`` text chunk; see
    :func:`smallest_text_px`), so a browser test can check the text as shown: that size
    times the image's shown / natural width."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("teachkit:smallest-text-px", f"{text_px:.2f}")
    buffer = io.BytesIO()
    # Light compression: a few kB larger, several times faster to encode.
    Image.fromarray(pixels).save(buffer, format="png", compress_level=1, pnginfo=info)
    return buffer.getvalue()


def _axes_px(figure: Figure, x: float, y: float, w: float, h: float):
    """Axes placed in pixels from the figure's top-left corner."""
    width, height = figure.bbox.width, figure.bbox.height
    return figure.add_axes((x / width, 1 - (y + h) / height, w / width, h / height))


#: PNGs of the dashboard figures drawn in this process, by everything a picture shows
#: (the figure's class and size, then its marks, groups and scale): shared by every
#: figure of a kernel, and inherited by kernels forked from a warm parent that drew the
#: lessons' resting dashboards and kept lesson 01's lever states for good
#: (:func:`teachkit.ui.apps.draw_resting_figures`, :meth:`ConsequenceFigure.keep_png`).
_PNGS = Recent(64)
#: Full draws of the dashboard figures without their changing marks (blitting
#: backgrounds), by what they show (the class and size, groups and scale): a figure's
#: first picture, or its first after a new group choice, costs ~0.4 s of CPU to draw.
_BACKGROUNDS = Recent(16)


def _dump_backgrounds(cache: Recent) -> tuple[dict, dict]:
    """The backgrounds as picklable data: each Agg region as its extents and pixels."""
    def plain(drawn):
        region, text_px = drawn
        return region.get_extents(), np.array(region), text_px

    values, kept = cache.state()
    return ({k: plain(v) for k, v in values.items()}, {k: plain(v) for k, v in kept.items()})


def _load_backgrounds(cache: Recent, state: tuple[dict, dict]) -> None:
    """Put back backgrounds from :func:`_dump_backgrounds`: each region copied from an
    Agg canvas holding its pixels (one that does not come back the same is left out)."""
    from matplotlib.transforms import Bbox

    def region(extents, pixels):
        x0, y0, x1, y1 = (int(v) for v in extents)
        canvas = FigureCanvasAgg(Figure(figsize=(x1, y1), dpi=1))
        buffer = np.asarray(canvas.get_renderer().buffer_rgba())
        if buffer.shape[:2] != (y1, x1) or pixels.shape != (y1 - y0, x1 - x0, 4):
            return None
        buffer[y0:y1, x0:x1] = pixels
        copied = canvas.copy_from_bbox(Bbox([[x0, 0], [x1, y1 - y0]]))  # y upwards
        same = copied.get_extents() == (x0, y0, x1, y1) and \
            np.array_equal(np.asarray(copied), pixels)
        return copied if same else None

    restored = []
    for part in state:
        held = {}
        for key, (extents, pixels, text_px) in part.items():
            copied = region(extents, pixels)
            if copied is not None:
                held[key] = copied, text_px
        restored.append(held)
    cache.restore(tuple(restored))


register(__name__, "_PNGS")  # kept on disk by a warm parent (teachkit.forking.snapshot)
register(__name__, "_BACKGROUNDS", dump=_dump_backgrounds, load=_load_backgrounds)


class ConsequenceFigure:
    """The dashboard figure: who is flagged out of 1,000, and crises by group.

    Left, a grid of 1,000 patients coloured by what happens to them (a missed crisis is
    a hollow square). Right, for the chosen attribute, crises per 1,000 patients of each
    group, split into caught (solid) and missed (striped), with a black tick where the
    baseline's caught count was.

    The figure is :data:`FIGURE_WIDTH_PX` wide and laid out in pixels, one square of the
    grid per 7 x 7 image pixels, so it is shown at the size it is drawn, at 200 % zoom
    too, and its text stays 11 px or more.

    Parameters
    ----------
    width, height : int, default=(600, 280)
        Size in CSS pixels.
    dpi : int, default=90
        Resolution of the PNG (the text sizes are in points).

    Examples
    --------
    >>> from teachkit.pipeline import Settings, simulate
    >>> fig = ConsequenceFigure()
    >>> fig.update(simulate(Settings(model="logistic")).consequences, "language")
    >>> fig.to_png()[:4] == b"\\x89PNG"
    True
    >>> smallest_text_px(fig.figure) >= MIN_TEXT_PX
    True

    Without a baseline there is no tick, and the legend does not name one:

    >>> frame = simulate(Settings(model="logistic")).consequences.with_baseline(None)
    >>> fig.update(frame, "language")
    >>> [t.get_text() for t in fig.ax_bars.get_legend().get_texts()]
    ['caught (solid)', 'missed (striped)']
    """

    #: Image pixels per patient square of the grid (a one-pixel gap included).
    CELL = 7

    def __init__(self, *, width: int = FIGURE_WIDTH_PX, height: int = 280,
                 dpi: int = FIGURE_DPI):
        self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, layout=None)
        FigureCanvasAgg(self.figure)
        rows, cols = GRID_SHAPE
        grid_w, grid_h = cols * self.CELL, rows * self.CELL  # 280 x 175: one pixel each
        self.ax_grid = _axes_px(self.figure, 4, 26, grid_w, grid_h)
        # The bars' column starts 16 px right of the grid; their group labels take 130 px.
        self._bars_left = 4 + grid_w + 16
        self.ax_bars = _axes_px(self.figure, self._bars_left + 130, 60,
                                width - self._bars_left - 142, 128)
        self._image = self.ax_grid.imshow(
            grid_image({"caught": 0, "missed": 0, "needless": 0, "clear": 1000},
                       cell=self.CELL),
            interpolation="nearest", aspect="equal", animated=True,
        )
        self.ax_grid.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        for spine in self.ax_grid.spines.values():
            spine.set_visible(False)
        self.ax_grid.set_title("1,000 patients: who is flagged?", fontsize=TITLE_PT,
                               loc="left")
        self._legend = self.ax_grid.legend(
            handles=[outcome_patch(o, _GRID_LABELS.get(o), hatch=False) for o in OUTCOMES],
            loc="upper left", bbox_to_anchor=(0.0, -0.01), ncol=2, fontsize=TEXT_PT,
            frameon=False, handlelength=1.0, columnspacing=0.8, borderaxespad=0.0,
            handletextpad=0.4, labelspacing=0.3,
        )
        # The counts sit on their own line under the legend: redrawing a whole legend on
        # every update cost ~30 ms, one line of text costs ~1 ms.
        self._counts_text = self.ax_grid.text(
            0.0, -0.26, "", transform=self.ax_grid.transAxes, ha="left", va="top",
            fontsize=TEXT_PT, animated=True,
        )
        # Marks that change with the levers are "animated": drawn over a cached
        # background (blitting), so an update redraws only them.
        self._background = None
        # The figure's class and size: part of every key of the process's PNGs.
        self._size = (type(self).__name__, width, height, dpi)
        self._shows = None
        self._grid_shows = None
        self._attribute = None
        self._bars = None
        self._ticks = None
        self._with_base = None
        self.counts: dict[str, int] = {}
        #: The bars' numbers, one dict per group (group, patients, caught, missed and
        #: baseline_caught per 1,000 of the group): what a text table beside them shows.
        self.group_rows: list[dict] = []

    def _draw_bars(self, frame, attribute, with_base: bool = True):
        ax = self.ax_bars
        ax.clear()
        sub = frame.by_group.loc[attribute]
        labels = [f"{g}\n(n={int(n):,})" for g, n in zip(sub.index, sub["patients"])]
        y = np.arange(len(sub))
        caught = ax.barh(y, np.zeros(len(y)), color=OUTCOME_COLOURS["caught"], height=0.62)
        missed = ax.barh(y, np.zeros(len(y)), facecolor="white", height=0.62,
                         edgecolor=OUTCOME_COLOURS["missed"], hatch=MISSED_HATCH,
                         linewidth=1.2)
        ticks = ax.scatter(np.zeros(len(y)), y, marker="|", s=200, color=BASELINE_COLOUR,
                           linewidths=2, zorder=3, label="baseline: caught")
        for rect in (*caught, *missed):
            rect.set_animated(True)
        ticks.set_animated(True)
        ax.set_yticks(y, labels, fontsize=TEXT_PT, linespacing=1.0)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=TEXT_PT)
        ax.set_xlabel("crises in the next year,\nper 1,000 of the group",
                      fontsize=TEXT_PT, loc="left")
        left = (self._bars_left - ax.bbox.x0) / ax.bbox.width  # the column's left edge
        ax.set_title(f"Crises caught and missed,\nby {ATTRIBUTE_TITLES.get(attribute, attribute)}",
                     fontsize=TITLE_PT, loc="left", x=left, ha="left")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(  # the baseline's tick is named only when there is a baseline
            handles=[outcome_patch("caught", "caught (solid)"),
                     outcome_patch("missed", "missed (striped)")] + [ticks] * with_base,
            fontsize=TEXT_PT, frameon=False, loc="upper left", bbox_to_anchor=(left, -0.36),
            ncol=2, handlelength=1.0, columnspacing=0.8, borderaxespad=0.0,
            handletextpad=0.4, labelspacing=0.3,
        )
        self._bars, self._ticks, self._attribute = (caught, missed), ticks, attribute
        self._with_base = with_base
        self._drawn = (attribute, with_base, tuple(labels))  # what the background shows
        self._background = None
        xmax = float(np.nanmax(sub["crises"])) if len(sub) else 1.0
        ax.set_xlim(0, max(xmax * 1.12, 1.0))

    def update(self, frame, attribute: str = "ethnicity") -> None:
        """Show ``frame`` (a ConsequenceFrame), with groups of ``attribute`` on the right."""
        self.counts = icon_counts(frame.overall.iloc[0])
        self._counts_text.set_text(
            f"out of 1,000: {self.counts['caught']} caught, {self.counts['missed']} missed,\n"
            f"{self.counts['needless']} needless escalations")
        with_base = frame.baseline is not None
        if attribute != self._attribute or with_base != self._with_base:
            self._draw_bars(frame, attribute, with_base)
        sub = frame.by_group.loc[attribute]
        caught = np.nan_to_num(sub["caught"].to_numpy())
        missed = np.nan_to_num(sub["missed"].to_numpy())
        for rect, c in zip(self._bars[0], caught):
            rect.set_width(c)
        for rect, c, m in zip(self._bars[1], caught, missed):
            rect.set_x(c)
            rect.set_width(m)
        self._group_numbers = (attribute, list(zip(sub.index, caught, missed)))
        base = frame.baseline.by_group.loc[attribute, "caught"] if frame.baseline else None
        self.group_rows = [
            {"group": str(g), "patients": int(n), "caught": c, "missed": m,
             "baseline_caught": None if base is None else float(np.nan_to_num(base[g]))}
            for g, n, c, m in zip(sub.index, sub["patients"], caught, missed)]
        if base is not None:
            y = np.arange(len(sub))
            self._ticks.set_offsets(np.column_stack([np.nan_to_num(base.to_numpy()), y]))
        self._ticks.set_visible(base is not None)
        self._shows = (self._drawn, self.ax_bars.get_xlim(), tuple(self.counts.items()),
                       tuple(caught), tuple(missed),
                       None if base is None else tuple(np.nan_to_num(base.to_numpy())))

    @property
    def attribute(self) -> str | None:
        """The patient groups the bars show (None before the first update)."""
        return self._attribute

    def alt_text(self) -> str:
        """The figure in words, from the numbers it draws (for screen readers: alt text).

        Per 1,000 patients, whole numbers, as the figure's own caption rounds them.
        """
        if not self.counts:
            return ""
        attribute, rows = self._group_numbers
        title = ATTRIBUTE_TITLES.get(attribute, attribute)
        groups = "; ".join(f"{g}: {whole(c)} caught, {whole(m)} missed"
                           for g, c, m in rows)
        return ("Picture of 1,000 patients as squares: "
                + ", ".join(f"{self.counts[o]} {OUTCOME_SHORT[o]}" for o in OUTCOMES[:3])
                + f", {self.counts.get('clear', 0)} not flagged and no crisis. Bars: crises "
                f"per 1,000 patients of each group, by {title}: {groups}.")

    def _sync_grid(self) -> None:
        """The grid's pixels for the counts on show (made only when the figure is drawn:
        a picture kept for these numbers needs none)."""
        if self.counts and self._grid_shows != self.counts:
            self._image.set_data(grid_image(self.counts, cell=self.CELL))
            self._grid_shows = dict(self.counts)

    def _animated(self):
        self._sync_grid()
        yield self._image
        if self._bars is not None:
            yield from self._bars[0]
            yield from self._bars[1]
            yield self._ticks
        yield self._counts_text

    def _background_key(self):
        """What the background shows: size, groups, baseline or not, scale."""
        return (self._size, self._drawn, self.ax_bars.get_xlim())

    def to_png(self) -> bytes:
        """The figure as PNG bytes: the cached background, with the changed marks on top.

        The same picture again (the same numbers, groups and scale: a lever that moves
        no number, or a lever moved back), drawn by this figure or another of the same
        size in this process (:data:`_PNGS`: the last 64, about 30 kB each, and those
        kept for good), is the PNG already drawn, not drawn again.
        """
        if self._shows is None:
            return blitted_png(self)
        return _PNGS.get_or((self._size, self._shows), lambda: blitted_png(self))

    def keep_png(self) -> bytes:
        """:meth:`to_png`, kept for good in this process's pictures (:data:`_PNGS`), for
        this figure and every figure of the same size that shows the same numbers, here
        and in every process forked from this one afterwards."""
        return _PNGS.keep((self._size, self._shows), self.to_png())

    def save(self, path) -> None:
        """Write the whole figure to a file (PNG, SVG or PDF by the suffix)."""
        self._sync_grid()
        self.figure.savefig(path, dpi=self.figure.dpi, facecolor="white")


def blitted_png(fig) -> bytes:
    """A blitted figure as PNG bytes: its cached background, the changed marks on top.

    ``fig`` holds a matplotlib ``figure``, a ``_background`` (None until the first call,
    and set back to None whenever anything but the animated marks changes) and an
    ``_animated()`` generator of the marks drawn on every update. Redrawing only those
    and encoding with light compression takes a few milliseconds where a full draw takes
    tens (:class:`ConsequenceFigure`, :class:`teachkit.ui.privacy.PrivacyFigure`). A
    figure that also has a ``_background_key()`` (what its background shows) shares its
    backgrounds with the figures of the process (:data:`_BACKGROUNDS`).
    """
    canvas = fig.figure.canvas
    if fig._background is None:
        key = fig._background_key() if hasattr(fig, "_background_key") else None
        drawn = None if key is None else _BACKGROUNDS.get(key)
        if drawn is None:
            canvas.draw()  # everything but the animated marks
            # the text changes only with the background
            drawn = canvas.copy_from_bbox(fig.figure.bbox), smallest_text_px(fig.figure)
            if key is not None:
                _BACKGROUNDS.put(key, drawn)
        else:  # the same background, drawn by another figure of this process
            canvas.restore_region(drawn[0])
        fig._background, fig._text_px = drawn
    else:
        canvas.restore_region(fig._background)
    for artist in fig._animated():
        fig.figure.draw_artist(artist)
    pixels = np.asarray(canvas.buffer_rgba())[:, :, :3]
    return png_bytes(pixels, fig._text_px)


# -- lesson 03's release ---------------------------------------------------------------
#: Groups the privacy figure can compare, with their plain names.
PRIVACY_GROUP_TITLES = {"ethnicity": "Ethnicity", "sex": "Sex / gender", "age_group": "Age",
                        "rurality": "Where they live", "language": "Language"}
NAMED_COLOUR = OKABE_ITO["vermillion"]
LEFT_OUT_COLOUR = ORANGE_EDGE  # Okabe-Ito's orange, darkened to 3:1 against white
NOISE_COLOUR = OKABE_ITO["reddish_purple"]
SAFE_COLOUR = OKABE_ITO["bluish_green"]


class PrivacyFigure:
    """Three bar charts by group: named by the attack, left out of the release, and the
    error of the published counts (always by ethnicity: the counts are by ethnicity).

    The axes are fixed at 0-100 %, so an update only moves the bars and their labels,
    drawn over a cached background (blitting), as in
    :class:`~teachkit.plotting.ConsequenceFigure`.

    Examples
    --------
    >>> from teachkit.cohort import make_cohort
    >>> from teachkit.privacy import run_release
    >>> fig = PrivacyFigure()
    >>> fig.update(run_release(cohort=make_cohort(2_000, seed=1)), "sex")
    >>> fig.to_png()[:4] == b"\\x89PNG"
    True
    """

    #: Where each panel's bars sit, in pixels from the top-left corner (x, y, w, h): the
    #: two panels by the chosen group side by side, the counts' error below the first.
    PANELS = ((100, 44, 170, 104), (410, 44, 170, 104), (100, 246, 170, 104))

    def __init__(self, *, width: int = FIGURE_WIDTH_PX, height: int = 400,
                 dpi: int = FIGURE_DPI):
        self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.axes = [_axes_px(self.figure, *box) for box in self.PANELS]
        self._bars = [None, None, None]
        self._texts = [[], [], []]
        self._groups = [None, None, None]
        self._background = None
        self.attribute = None

    def _draw_panel(self, i, groups, title, colour, xlabel):
        ax = self.axes[i]
        ax.clear()
        y = np.arange(len(groups))
        bars = ax.barh(y, np.zeros(len(y)), color=colour, height=0.6)
        texts = [ax.text(0.0, yy, "", va="center", fontsize=TEXT_PT) for yy in y]
        for artist in (*bars, *texts):
            artist.set_animated(True)
        ax.set_yticks(y, [str(g) for g in groups], fontsize=TEXT_PT)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.3)
        ax.set_xticks([0, 0.5, 1.0], ["0 %", "50 %", "100 %"], fontsize=TEXT_PT)
        left = -95 / ax.bbox.width  # the labels' column
        ax.set_title(title, fontsize=TITLE_PT, loc="left", x=left, ha="left")
        ax.set_xlabel(xlabel, fontsize=TEXT_PT, loc="left")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        self._bars[i], self._texts[i], self._groups[i] = bars, texts, list(groups)
        self._background = None

    def update(self, result, attribute: str = "ethnicity") -> None:
        """Show ``result``, with the groups of ``attribute`` in the first two panels."""
        named = result.attack.by_group.loc[attribute]
        left_out = result.suppressed_by_group.loc[attribute]
        if attribute != self.attribute:
            title = PRIVACY_GROUP_TITLES.get(attribute, attribute).lower()
            self._draw_panel(0, named.index, f"Named by the attack,\nby {title}",
                             NAMED_COLOUR, "share of the group's\nreleased patients")
            self._draw_panel(1, left_out.index, f"Left out of the release,\nby {title}",
                             LEFT_OUT_COLOUR, "share of the group's\npatients")
            self.attribute = attribute
        if self._bars[2] is None:
            self._draw_panel(2, result.utility.index, "Error of the published counts,\n"
                             "by ethnicity", NOISE_COLOUR, "error as a share of\nthe true count")
        values = [named["rate"].to_numpy(), left_out["rate"].to_numpy(),
                  result.utility["relative_error"].reindex(self._groups[2]).to_numpy()]
        exact = not result.release.uses_noise
        if exact:
            values[2] = np.zeros(len(self._groups[2]))
        self._alt = [list(zip(groups, np.nan_to_num(vals)))
                     for groups, vals in zip(self._groups, values)]
        self._alt_exact = exact
        for i, (bars, texts, vals) in enumerate(zip(self._bars, self._texts, values)):
            for bar, text, value in zip(bars, texts, np.nan_to_num(vals)):
                bar.set_width(min(value, 1.0))
                text.set_x(min(value, 1.0) + 0.02)
                if i == 2 and exact:
                    text.set_text("exact")
                else:
                    text.set_text(percent(value) if value < 10 else ">999 %")

    def alt_text(self) -> str:
        """The three panels in words, from the numbers they draw (alt text)."""
        if self.attribute is None:
            return ""
        named, left_out, error = (
            "; ".join(f"{g}: {percent(v)}" for g, v in panel) for panel in self._alt)
        title = PRIVACY_GROUP_TITLES.get(self.attribute, self.attribute).lower()
        error = "exact counts, no error" if self._alt_exact else error
        return (f"Three bar charts. Share of released patients named by the attack, by "
                f"{title}: {named}. Share of patients left out of the release: {left_out}. "
                f"Error of the published counts, by ethnicity: {error}.")

    def _animated(self):
        for bars, texts in zip(self._bars, self._texts):
            if bars is not None:
                yield from bars
                yield from texts

    def to_png(self) -> bytes:
        """The figure as PNG bytes: the cached background, with the changed marks on top."""
        return blitted_png(self)
