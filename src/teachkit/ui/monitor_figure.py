"""Lesson 06's time-series figure: months across, what changed, and when it was noticed.

Four panels sharing the month axis: AUC (as the monitor sees it, once the labels have
arrived); observed / expected crises with the 0.9-1.1 band; alerts per month; crises
missed per 1,000 patients by group. Drift events are shaded, alarms are marked with a
triangle (filled: acted on; open: ignored) and model updates with a dotted line. The
last 12 months are hatched: their crises are not known yet (a year).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..monitor.deployment import MonitorResult, time_axis_key
from ..monitor.monitors import LABEL_DELAY
from ..monitor.timeline import MONTHS
from ..palette import OKABE_ITO, ORANGE_EDGE
from ..plotting import FIGURE_DPI, FIGURE_WIDTH_PX, TEXT_PT, TITLE_PT, png_bytes, smallest_text_px
from ..text import per_1000

__all__ = ["monitor_figure", "monitor_png", "monitor_alt_text", "EVENT_COLOURS"]

EVENT_COLOURS = {
    "drift_case_mix": OKABE_ITO["sky_blue"],
    "drift_base_rate": OKABE_ITO["bluish_green"],
    "drift_coding": OKABE_ITO["yellow"],
    "drift_shock": OKABE_ITO["vermillion"],
    "drift_pipeline": OKABE_ITO["reddish_purple"],
}
_SHORT = {"drift_case_mix": "case mix", "drift_base_rate": "base rate falls",
          "drift_coding": "coding change", "drift_shock": "shock",
          "drift_pipeline": "pipeline bug"}
# Lines and bars 3:1 or more against white: Okabe-Ito's orange is drawn darker.
_GROUP_COLOURS = (OKABE_ITO["blue"], ORANGE_EDGE, OKABE_ITO["bluish_green"],
                  OKABE_ITO["reddish_purple"], OKABE_ITO["black"])


def _missed_by_group(result: MonitorResult, attribute: str) -> dict:
    """Crises missed per 1,000 patients by group, over three-month windows."""
    t = result.timeline
    col = result.groups[attribute].to_numpy()
    missed = t.truth & ~t.flagged
    out = {}
    for group in result.groups[attribute].cat.categories:
        mine = col == group
        if mine.sum() < 0.05 * len(col):  # too few patients for a monthly line
            continue
        n = np.bincount(t.month[mine], minlength=MONTHS + 1)[1:].astype(float)
        k = np.bincount(t.month[mine & missed], minlength=MONTHS + 1)[1:].astype(float)
        kernel = np.ones(3)
        out[str(group)] = 1000 * np.convolve(k, kernel, "same") / np.maximum(
            np.convolve(n, kernel, "same"), 1)
    return out


def monitor_figure(result: MonitorResult, attribute: str = "language") -> Figure:
    """Build the figure for ``result`` (a new matplotlib Figure, no pyplot)."""
    months = result.months
    x = months.index.to_numpy()
    # Drawn at the width shown at 200 % zoom, text 11 px or more (plotting.FIGURE_WIDTH_PX).
    fig = Figure(figsize=(FIGURE_WIDTH_PX / FIGURE_DPI, 600 / FIGURE_DPI), dpi=FIGURE_DPI,
                 layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(4, 1, sharex=True, height_ratios=(1, 1, 1, 1.1))
    known = x <= MONTHS - LABEL_DELAY

    ax = axes[0]
    ax.plot(x[known], months["auc"].to_numpy()[known], color=OKABE_ITO["blue"], lw=1.6,
            label="AUC, as the monitor sees it")
    ax.axhline(result.card_auc, color=OKABE_ITO["black"], lw=0.8, ls="--",
               label="the model's card")
    ax.set_ylabel("AUC", fontsize=TEXT_PT)
    ax.set_ylim(0.45, 1.0)
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=TEXT_PT, frameon=False,
              ncol=1)

    ax = axes[1]
    ax.axhspan(0.9, 1.1, color="0.9", zorder=0)
    ax.plot(x[known], months["oe"].to_numpy()[known], color=OKABE_ITO["vermillion"],
            lw=1.6)
    ax.axhline(1.0, color="0.4", lw=0.7)
    ax.set_ylabel("observed /\nexpected", fontsize=TEXT_PT)
    ax.set_ylim(0, max(2.0, float(np.nanmax(months["oe"].to_numpy())) * 1.05))

    ax = axes[2]
    ax.bar(x, months["alerts"].to_numpy(), color=ORANGE_EDGE, width=0.8)
    ax.set_ylabel("alerts\na month", fontsize=TEXT_PT)

    ax = axes[3]
    for (group, line), colour in zip(_missed_by_group(result, attribute).items(),
                                     _GROUP_COLOURS):
        ax.plot(x, line, color=colour, lw=1.6, label=group)
    ax.set_ylabel("crises missed\nper 1,000", fontsize=TEXT_PT)
    ax.legend(loc="upper left", fontsize=TEXT_PT, frameon=True, framealpha=0.85,
              edgecolor="none", ncol=3,  # a white ground: the lines pass behind it
              title=f"by {attribute} (3-month average)", title_fontsize=TEXT_PT)
    ax.set_xlabel("month after go-live", fontsize=TEXT_PT)
    ax.set_xlim(0.5, MONTHS + 0.5)
    ax.set_xticks([1, 6, 12, 18, 24, 30, 36])

    for event in result.events():
        colour = EVENT_COLOURS[event["lever"]]
        for a in axes:
            a.axvspan(event["start"] - 0.5, event["end"] + 0.5, color=colour, alpha=0.18,
                      lw=0, zorder=0)
        axes[0].annotate(_SHORT[event["lever"]], (event["start"] - 0.4, 0.97),
                         xycoords=("data", "axes fraction"), va="top", fontsize=TEXT_PT,
                         color="0.15")
    for a in axes[:2]:
        a.axvspan(MONTHS - LABEL_DELAY + 0.5, MONTHS + 0.5, facecolor="none",
                  hatch="///", edgecolor="0.75", lw=0)
    for month, _version in result.timeline.versions[1:]:
        for a in axes:
            a.axvline(month - 0.5, color=OKABE_ITO["black"], lw=0.9, ls=":")
    for alarm in result.timeline.alarms:
        acted = not alarm["decision"].startswith("ignored")
        axes[0].plot([alarm["month"]], [0.5], marker="v", ms=8,
                     color=OKABE_ITO["vermillion"],
                     mfc=OKABE_ITO["vermillion"] if acted else "white", clip_on=False)
    axes[0].set_title("36 months after go-live\n(synthetic patients)", fontsize=TITLE_PT,
                      loc="left")
    fig.supxlabel("Shaded: drift events. Triangles: alarms (open: ignored).\nDotted: model "
                  "updates. Hatched: crises not known yet (a year).", fontsize=TEXT_PT,
                  color="0.25", x=0.01, ha="left")
    for a in axes:
        a.spines[["top", "right"]].set_visible(False)
        a.tick_params(labelsize=TEXT_PT)
    return fig


_PNG_CACHE: OrderedDict = OrderedDict()
_PNG_CACHE_SIZE = 128


def monitor_png(result: MonitorResult, attribute: str = "language") -> bytes:
    """The figure as PNG bytes, cached per deployment and group attribute."""
    key = (time_axis_key(result.settings), attribute)
    if key in _PNG_CACHE:
        _PNG_CACHE.move_to_end(key)
        return _PNG_CACHE[key]
    figure = monitor_figure(result, attribute)
    figure.canvas.draw()
    _PNG_CACHE[key] = png_bytes(np.asarray(figure.canvas.buffer_rgba())[:, :, :3],
                                smallest_text_px(figure))
    while len(_PNG_CACHE) > _PNG_CACHE_SIZE:
        _PNG_CACHE.popitem(last=False)
    return _PNG_CACHE[key]


def monitor_alt_text(result: MonitorResult) -> str:
    """The figure in words, from the numbers it draws (the image's alt text)."""
    first, last = result.period(1, 12), result.period(25, 36)
    events = "; ".join(f"{_SHORT[e['lever']]} from month {e['start']}"
                       for e in result.events()) or "no drift event"
    totals = result.totals()
    return (f"36 months after go-live. AUC {first['AUC']:.2f} in year 1, "
            f"{last['AUC']:.2f} in year 3; observed / expected {first['O:E']:.2f}, then "
            f"{last['O:E']:.2f}; alerts a month {first['alerts per month']:.0f}, then "
            f"{last['alerts per month']:.0f}; crises missed per 1,000 "
            f"{per_1000(first['missed per 1,000'])}, then {per_1000(last['missed per 1,000'])}. "
            f"Events: {events}. {totals['alarms']} alarms, {totals['ignored']} ignored; "
            f"{totals['updates']} model updates.")
