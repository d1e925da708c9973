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

#: Marks that carry meaning need 3:1 against white (WCAG 1.4.11); Okabe-Ito's orange has
#: 2.2:1, so an orange mark gets this darker edge (3.7:1), or is drawn in it.
ORANGE_EDGE = "#B07A00"

BASELINE_COLOUR = OKABE_ITO["black"]
ACCENT = OKABE_ITO["blue"]


def contrast_ratio(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG 2.1 contrast ratio of two ``"#RRGGBB"`` colours (1 to 21).

    Examples
    --------
    >>> round(contrast_ratio("#000000"), 1), round(contrast_ratio(ORANGE_EDGE), 1)
    (21.0, 3.7)
    """
    def luminance(c):
        channels = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
                    for x in hex_to_rgb(c)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_to_rgb(colour: str) -> tuple[float, float, float]:
    """``"#RRGGBB"`` -> floats in [0, 1].

    Examples
    --------
    >>> hex_to_rgb("#FF0000")
    (1.0, 0.0, 0.0)
    """
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4))
