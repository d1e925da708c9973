"""Figure text stays readable at 200 % zoom (issue 14): at 640 px, no figure text under 9 px.

A 1280 px screen at 200 % zoom is a 640 px window. Each figure is a PNG whose smallest
text size, in pixels of the image, travels with it (a ``teachkit:smallest-text-px`` text
chunk written by :func:`teachkit.plotting.png_bytes`); the page may shrink the image to
fit its column, so the text as shown is that size times the image's shown width over its
natural width. One lesson per kind of figure: the consequence dashboard (01), the
release's bars (03) and the 36 months (06). Before issue 14's fix the figures were drawn
810-900 px wide and shrunk to the 606 px column: text at 6.7-7.5 px.
"""

from __future__ import annotations

import base64
import io

import pytest
from harness import open_page, wait_for_app

pytestmark = pytest.mark.browser

#: The smallest figure text allowed at 640 px, in CSS pixels.
MIN_SHOWN_TEXT_PX = 9.0
#: One lesson per kind of figure, and how many figures it shows at least.
LESSONS = {"01": 1, "03": 1, "06": 2}

_IMAGES_JS = """async () => {
  const out = [];
  for (const img of document.querySelectorAll('.jp-OutputArea-output img.widget-image')) {
    if (!img.src || img.offsetParent === null) continue;
    const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let bin = '';
    for (let i = 0; i < buf.length; i += 0x8000)
      bin += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
    out.push({cls: img.className, b64: btoa(bin), natural: img.naturalWidth,
              shown: img.getBoundingClientRect().width});
  }
  return out;
}"""


def smallest_text_shown(image: dict) -> float:
    """The smallest text of an image as the page shows it, in CSS pixels."""
    from PIL import Image

    png = Image.open(io.BytesIO(base64.b64decode(image["b64"])))
    drawn = png.text.get("teachkit:smallest-text-px")
    assert drawn is not None, f"the figure {image['cls']!r} does not say its text size"
    return float(drawn) * image["shown"] / image["natural"]


@pytest.mark.parametrize("number", list(LESSONS))
def test_figure_text_is_9_px_or_more_at_200_percent_zoom(browser, voila_server, number):
    from harness import LESSONS as NAMES

    rec = open_page(browser, viewport=(640, 900))
    try:
        # Generous: the first page after the pool starts can wait on a busy machine.
        rec.page.goto(voila_server.lesson_url(NAMES[number]), wait_until="commit",
                      timeout=240_000)
        wait_for_app(rec.page, 240_000)
        # Lesson 06's months figure arrives with the dashboard's first update.
        rec.page.wait_for_function(
            "(n) => document.querySelectorAll('.jp-OutputArea-output img.widget-image')"
            ".length >= n", arg=LESSONS[number], timeout=60_000)
        images = rec.page.evaluate(_IMAGES_JS)
        assert len(images) >= LESSONS[number]
        sizes = {f"{i}: {im['cls'].split()[-1]} ({im['natural']} px drawn, "
                 f"{im['shown']:.0f} px shown)": smallest_text_shown(im)
                 for i, im in enumerate(images)}
        small = {k: round(v, 1) for k, v in sizes.items() if v < MIN_SHOWN_TEXT_PX}
        assert not small, (f"lesson {number} at 640 px: figure text under "
                           f"{MIN_SHOWN_TEXT_PX} px: {small}")
    finally:
        rec.close()
