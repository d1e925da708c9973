"""Lesson 07 ("Rules of the road") as trainees meet it: the real Voila app in Chromium.

A lever is moved and a checklist item changes colour (and back with Reset); the dossier
is made and downloaded, and its PDF is opened (pypdf) to find the model card's nine
headings. No error banner, no traceback, no page error. The time from a lever move to
the updated checklist, and from the button to the download, is written to
``test-artifacts/latency-lesson07.json``.
"""

from __future__ import annotations

import io
import json
import time

import pypdf
import pytest
from harness import ROOT, app_text, banners, element_screenshot, move_lever, reset_lever

from teachkit.rules import RULES
from teachkit.rules.modelcard import MODEL_CARD_SECTIONS

pytestmark = pytest.mark.browser

LESSON = "07_rules_of_the_road.ipynb"
TRACEBACK_WORDS = ("Traceback", "Error", "Exception")
LATENCIES: dict[str, float] = {}


@pytest.fixture(scope="module")
def lesson07(open_lesson):
    rec = open_lesson(LESSON)
    yield rec
    if LATENCIES:
        out = ROOT / "test-artifacts" / "latency-lesson07.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(LATENCIES, indent=2) + "\n")


def status(page, rule: str) -> str:
    return page.locator(f'.tk-checklist .tk-rule[data-rule="{rule}"]').get_attribute(
        "data-status")


def test_lesson07_renders_the_checklist(lesson07):
    page = lesson07.page
    assert page.locator(".tk-app").count() == 1
    assert "synthetic" in page.locator(".tk-synthetic").inner_text().lower()
    assert "Cerebral" in page.locator(".tk-case").inner_text()
    assert "not legal advice" in page.locator(".tk-rules-statement").inner_text()
    assert page.locator(".tk-checklist .tk-rule").count() == len(RULES)
    assert page.locator(".tk-impact-level").get_attribute("data-level") in (
        "I", "II", "III", "IV")
    assert banners(page) == []
    element_screenshot(page, ".tk-checklist", "lesson07-checklist")


def test_a_lever_changes_a_checklist_colour(lesson07):
    page = lesson07.page
    before = status(page, "eu_human_oversight")
    _, seconds = move_lever(page, "oversight", "dropped")
    LATENCIES["oversight=dropped"] = round(seconds, 3)
    assert status(page, "eu_human_oversight") == "red" != before
    assert "✖ red" in page.locator(
        '.tk-checklist .tk-rule[data-rule="eu_human_oversight"]').inner_text()
    reset_lever(page, "oversight")
    assert status(page, "eu_human_oversight") == before
    assert banners(page) == []


def test_the_dossier_downloads_and_its_pdf_holds_the_model_card(lesson07):
    page = lesson07.page
    start = time.perf_counter()
    page.locator("button.tk-dossier-make").click()
    link = page.locator(".tk-dossier-links a.tk-dossier-pdf")
    link.wait_for(state="visible", timeout=120_000)
    with page.expect_download(timeout=60_000) as info:
        link.click()
    download = info.value
    LATENCIES["dossier"] = round(time.perf_counter() - start, 3)
    assert download.suggested_filename == "dossier.pdf"
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    for heading in MODEL_CARD_SECTIONS:
        assert heading in text, heading
    assert "not legal advice" in text
    assert page.locator(".tk-dossier-links a.tk-dossier-html").get_attribute(
        "download") == "dossier.html"
    assert banners(page) == []


def test_lesson07_shows_no_traceback_and_no_page_error(lesson07):
    text = app_text(lesson07.page)
    assert text.strip()
    assert not [w for w in TRACEBACK_WORDS if w in text]
    assert lesson07.page_errors == []
    assert lesson07.unexplained_console_errors() == []
