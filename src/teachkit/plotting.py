"""Figures: the consequence dashboard, drawn with matplotlib in the Okabe-Ito palette.

:class:`ConsequenceFigure` keeps one matplotlib ``Figure`` and updates its marks in place
(the patient grid's pixels, the bars' widths, the legend's counts) instead of drawing a
new figure on every slider move; :meth:`ConsequenceFigure.to_png` renders it for an
``ipywidgets.Image``. The figure never computes anything: it reads a
:class:`~teachkit.consequences.ConsequenceFrame`.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .palette import BASELINE_COLOUR, OKABE_ITO, OUTCOME_COLOURS, OUTCOME_LABELS, hex_to_rgb
from .text import percent

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
    """Whole patients out of 1,000 for each outcome (largest-remainder rounding).

    ``row`` is a row of ``ConsequenceFrame.overall`` (per 1,000 patients); the four
    counts always add up to exactly 1,000.

    Examples
    --------
    >>> icon_counts({"caught": 10.4, "missed": 8.3, "needless": 170.6})
    {'caught': 10, 'missed': 8, 'needless': 171, 'clear': 811}
    """
    raw = np.array([row["caught"], row["missed"], row["needless"], 0.0], dtype=float)
    raw = np.nan_to_num(raw)
    raw[3] = max(1000.0 - raw[:3].sum(), 0.0)
    floors = np.floor(raw)
    short = int(1000 - floors.sum())
    order = np.argsort(-(raw - floors), kind="stable")
    floors[order[:short]] += 1
    return dict(zip(OUTCOMES, floors.astype(int).tolist()))


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
    return Patch(color=colour, label=label)


class ConsequenceFigure:
    """The dashboard figure: who is flagged out of 1,000, and crises by group.

    Left, a grid of 1,000 patients coloured by what happens to them (a missed crisis is
    a hollow square). Right, for the chosen attribute, crises per 1,000 patients of each
    group, split into caught (solid) and missed (striped), with a black tick where the
    baseline's caught count was.

    Parameters
    ----------
    width, height : float, default=(9.0, 3.3)
        Size in inches.
    dpi : int, default=90
        Resolution of the PNG.

    Examples
    --------
    >>> from teachkit.pipeline import Settings, simulate
    >>> fig = ConsequenceFigure()
    >>> fig.update(simulate(Settings(model="logistic")).consequences, "language")
    >>> fig.to_png()[:4] == b"\\x89PNG"
    True
    """

    def __init__(self, *, width: float = 9.0, height: float = 3.3, dpi: int = 90):
        self.figure = Figure(figsize=(width, height), dpi=dpi, layout=None)
        FigureCanvasAgg(self.figure)
        self.figure.subplots_adjust(left=0.01, right=0.98, top=0.88, bottom=0.27)
        grid = self.figure.add_gridspec(1, 2, width_ratios=(1.0, 1.15), wspace=0.42)
        self.ax_grid = self.figure.add_subplot(grid[0])
        self.ax_bars = self.figure.add_subplot(grid[1])
        self._image = self.ax_grid.imshow(
            grid_image({"caught": 0, "missed": 0, "needless": 0, "clear": 1000}),
            interpolation="nearest", aspect="equal", animated=True,
        )
        self.ax_grid.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        for spine in self.ax_grid.spines.values():
            spine.set_visible(False)
        self.ax_grid.set_title("1,000 patients: who is flagged?", fontsize=10, loc="left")
        self._legend = self.ax_grid.legend(
            handles=[outcome_patch(o, _GRID_LABELS.get(o), hatch=False) for o in OUTCOMES],
            loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize=8,
            frameon=False, handlelength=1.0, columnspacing=1.0,
        )
        # The counts sit on their own line under the legend: redrawing a whole legend on
        # every update cost ~30 ms, one line of text costs ~1 ms.
        self._counts_text = self.ax_grid.text(
            0.5, -0.36, "", transform=self.ax_grid.transAxes, ha="center", va="top",
            fontsize=8, animated=True,
        )
        # Marks that change with the levers are "animated": drawn over a cached
        # background (blitting), so an update redraws only them.
        self._background = None
        self._attribute = None
        self._bars = None
        self._ticks = None
        self.counts: dict[str, int] = {}
        #: The bars' numbers, one dict per group (group, patients, caught, missed and
        #: baseline_caught per 1,000 of the group): what a text table beside them shows.
        self.group_rows: list[dict] = []

    def _draw_bars(self, frame, attribute):
        ax = self.ax_bars
        ax.clear()
        sub = frame.by_group.loc[attribute]
        labels = [f"{g} (n={int(n):,})" for g, n in zip(sub.index, sub["patients"])]
        y = np.arange(len(sub))
        caught = ax.barh(y, np.zeros(len(y)), color=OUTCOME_COLOURS["caught"], height=0.62)
        missed = ax.barh(y, np.zeros(len(y)), facecolor="white", height=0.62,
                         edgecolor=OUTCOME_COLOURS["missed"], hatch=MISSED_HATCH,
                         linewidth=1.2)
        ticks = ax.scatter(np.zeros(len(y)), y, marker="|", s=260, color=BASELINE_COLOUR,
                           linewidths=2, zorder=3, label="baseline: caught")
        for rect in (*caught, *missed):
            rect.set_animated(True)
        ticks.set_animated(True)
        ax.set_yticks(y, labels, fontsize=8)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=8)
        ax.set_xlabel("crises in the next year, per 1,000 patients of the group",
                      fontsize=8)
        ax.set_title(f"Crises caught and missed, by {ATTRIBUTE_TITLES.get(attribute, attribute)}",
                     fontsize=10, loc="left")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(
            handles=[outcome_patch("caught", "caught (solid)"),
                     outcome_patch("missed", "missed (striped)"), ticks],
            fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.4, -0.2),
            ncol=3, handlelength=1.0,
        )
        self._bars, self._ticks, self._attribute = (caught, missed), ticks, attribute
        self._background = None
        xmax = float(np.nanmax(sub["crises"])) if len(sub) else 1.0
        ax.set_xlim(0, max(xmax * 1.12, 1.0))

    def update(self, frame, attribute: str = "ethnicity") -> None:
        """Show ``frame`` (a ConsequenceFrame), with groups of ``attribute`` on the right."""
        self.counts = icon_counts(frame.overall.iloc[0])
        self._image.set_data(grid_image(self.counts))
        self._counts_text.set_text(
            "out of 1,000: " + ", ".join(f"{self.counts[o]} {OUTCOME_SHORT[o]}"
                                         for o in OUTCOMES[:3])
        )
        if attribute != self._attribute:
            self._draw_bars(frame, attribute)
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
        groups = "; ".join(f"{g}: {round(c)} caught, {round(m)} missed"
                           for g, c, m in rows)
        return ("Picture of 1,000 patients as squares: "
                + ", ".join(f"{self.counts[o]} {OUTCOME_SHORT[o]}" for o in OUTCOMES[:3])
                + f", {self.counts.get('clear', 0)} not flagged and no crisis. Bars: crises "
                f"per 1,000 patients of each group, by {title}: {groups}.")

    def _animated(self):
        yield self._image
        if self._bars is not None:
            yield from self._bars[0]
            yield from self._bars[1]
            yield self._ticks
        yield self._counts_text

    def to_png(self) -> bytes:
        """The figure as PNG bytes: the cached background, with the changed marks on top."""
        return blitted_png(self)

    def save(self, path) -> None:
        """Write the whole figure to a file (PNG, SVG or PDF by the suffix)."""
        self.figure.savefig(path, dpi=self.figure.dpi, facecolor="white")


def blitted_png(fig) -> bytes:
    """A blitted figure as PNG bytes: its cached background, the changed marks on top.

    ``fig`` holds a matplotlib ``figure``, a ``_background`` (None until the first call,
    and set back to None whenever anything but the animated marks changes) and an
    ``_animated()`` generator of the marks drawn on every update. Redrawing only those
    and encoding with light compression takes a few milliseconds where a full draw takes
    tens (:class:`ConsequenceFigure`, :class:`teachkit.ui.privacy.PrivacyFigure`).
    """
    from PIL import Image

    canvas = fig.figure.canvas
    if fig._background is None:
        canvas.draw()  # everything but the animated marks
        fig._background = canvas.copy_from_bbox(fig.figure.bbox)
    else:
        canvas.restore_region(fig._background)
    for artist in fig._animated():
        fig.figure.draw_artist(artist)
    pixels = np.asarray(canvas.buffer_rgba())[:, :, :3]
    buffer = io.BytesIO()
    # Light compression: a few kB larger, several times faster to encode.
    Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


# -- lesson 03's release ---------------------------------------------------------------
#: Groups the privacy figure can compare, with their plain names.
PRIVACY_GROUP_TITLES = {"ethnicity": "Ethnicity", "sex": "Sex / gender", "age_group": "Age",
                        "rurality": "Where they live", "language": "Language"}
NAMED_COLOUR = OKABE_ITO["vermillion"]
LEFT_OUT_COLOUR = OKABE_ITO["orange"]
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

    def __init__(self, *, width: float = 10.0, height: float = 2.9, dpi: int = 90):
        self.figure = Figure(figsize=(width, height), dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.figure.subplots_adjust(left=0.1, right=0.98, top=0.82, bottom=0.2, wspace=0.75)
        self.axes = [self.figure.add_subplot(1, 3, i + 1) for i in range(3)]
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
        texts = [ax.text(0.0, yy, "", va="center", fontsize=8) for yy in y]
        for artist in (*bars, *texts):
            artist.set_animated(True)
        ax.set_yticks(y, [str(g) for g in groups], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.25)
        ax.set_xticks([0, 0.5, 1.0], ["0 %", "50 %", "100 %"], fontsize=8)
        ax.set_title(title, fontsize=9.5, loc="left")
        ax.set_xlabel(xlabel, fontsize=8)
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
            self._draw_panel(0, named.index, f"Named by the attack, by {title}", NAMED_COLOUR,
                             "share of the group's released patients")
            self._draw_panel(1, left_out.index, "Left out of the release", LEFT_OUT_COLOUR,
                             "share of the group's patients")
            self.attribute = attribute
        if self._bars[2] is None:
            self._draw_panel(2, result.utility.index, "Error of counts, by ethnicity",
                             NOISE_COLOUR, "error as a share of the true count")
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
