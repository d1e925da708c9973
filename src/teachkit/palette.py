"""One colour-blind-safe palette (Okabe & Ito 2008), used by every figure and widget.

Each outcome for a patient always has the same colour, in every lesson:

- caught: a crisis that was flagged (bluish green);
- missed: a crisis that was not flagged (vermillion);
- needless: flagged without a crisis, a needless escalation (orange);
- clear: not flagged, no crisis (light grey).
"""

from __future__ import annotations

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

OUTCOME_COLOURS = {
    "caught": OKABE_ITO["bluish_green"],
    "missed": OKABE_ITO["vermillion"],
    "needless": OKABE_ITO["orange"],
    "clear": "#DDDDDD",
}

OUTCOME_LABELS = {
    "caught": "crisis caught",
    "missed": "crisis missed",
    "needless": "needless escalation",
    "clear": "not flagged, no crisis",
}

BASELINE_COLOUR = OKABE_ITO["black"]
ACCENT = OKABE_ITO["blue"]


def hex_to_rgb(colour: str) -> tuple[float, float, float]:
    """``"#RRGGBB"`` -> floats in [0, 1].

    Examples
    --------
    >>> hex_to_rgb("#FF0000")
    (1.0, 0.0, 0.0)
    """
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4))
