"""Lesson 03 ("Consent and privacy") as trainees meet it: the real Voila app in Chromium.

The page holds two apps, each with its own hidden state: the consent lab and the
privacy lab. Every lever of both is moved: each time that app must update (its state
counter and settings), its numbers or views must change, no error banner and no
traceback may appear, and Reset (or moving back) must bring the starting numbers back.
The time from a lever move to the updated app is written to
``test-artifacts/latency-lesson03.json``; a screenshot to
``test-artifacts/screenshots/lesson03.png``.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from harness import (
    ROOT,
    SLIDER_KEYS,
    app_text,
    banners,
    element_screenshot,
    figure,
    screenshot,
    settings_of,
)

from teachkit.consent import ledger_patient, records_used_without_consent
from teachkit.levers import get_spec
from teachkit.pipeline import lesson_cohort

pytestmark = pytest.mark.browser

LESSON = "03_consent_and_privacy.ipynb"
#: What a traceback leaves in the page ("Error of published counts" is a card's title).
TRACEBACK = re.compile(r"Traceback|Exception|\b[A-Z]\w*Error\b")
VOILA_CELL_ERRORS = ("There was an error when executing cell", "Please run Voilà with")
CONSENT, PRIVACY = "tk-consent-lab", "tk-privacy-lab"
#: Every lever of the consent lab and the value it is moved to.
CONSENT_MOVES = (
    ("consent", "ignored"),
    ("consent_design", "layered"),
    ("consent_design", "opt_in"),
    ("secondary_use", "partner"),
    ("secondary_use", "advertiser"),
    ("threshold", "ArrowRight"),
)
#: Every lever of the privacy lab and the value it is moved to.
PRIVACY_MOVES = (
    ("release_zip", "zip3"),
    ("release_zip", "none"),
    ("release_birth", "year"),
    ("release_birth", "none"),
    ("release_sex", "removed"),
    ("release_ethnicity", "kept"),
    ("release_language", "kept"),
    ("k_target", "End"),
    ("epsilon", 1.0),
    ("epsilon", 0.1),
)
#: How to undo a move for the levers the consent lab starts away from rest.
UNDO = {"consent": "honoured"}
LATENCIES: dict[str, float] = {}

_STATE_JS = """(lab) => {
  const el = document.querySelector(`.${lab} .tk-state .tk-state-data`);
  if (!el) return null;
  const d = {...el.dataset};
  d.updates = parseInt(d.updates || '0', 10);
  return d;
}"""


@pytest.fixture(scope="module")
def lesson03(open_lesson):
    rec = open_lesson(LESSON)
    rec.page.wait_for_selector(f".{PRIVACY} .tk-state .tk-state-data", state="attached",
                               timeout=120_000)
    yield rec
    if LATENCIES:
        out = ROOT / "test-artifacts" / "latency-lesson03.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(LATENCIES, indent=2) + "\n")


def lab_state(page, lab: str) -> dict:
    return page.evaluate(_STATE_JS, lab)


def wait_lab(page, lab: str, above: int, timeout_ms: float = 60_000) -> dict:
    """Wait until ``lab``'s state counter exceeds ``above`` (or a banner shows)."""
    page.wait_for_function(
        "([lab, n]) => { const el = document.querySelector("
        "`.${lab} .tk-state .tk-state-data`);"
        " if (el && parseInt(el.dataset.updates, 10) > n) return true;"
        " return Array.from(document.querySelectorAll('.tk-banner'))"
        ".some(b => b.offsetParent !== null && b.innerText.trim()); }",
        arg=[lab, above], timeout=timeout_ms)
    assert banners(page) == [], f"the app shows an error banner: {banners(page)}"
    return lab_state(page, lab)




def move(page, lab: str, lever: str, value) -> tuple[dict, float]:
    """Move one lever (a <select> option by its label, or a key on a slider's handle);
    wait for its lab; return the lab's new state and the seconds it took."""
    before = lab_state(page, lab)["updates"]
    spec = get_spec(lever)
    start = time.perf_counter()
    if value in SLIDER_KEYS:
        handle = page.locator(f".{lab} .tk-lever-{lever} .noUi-handle")
        handle.focus()
        handle.press(value)
    else:
        page.locator(f".{lab} .tk-lever-{lever} select").select_option(
            value=spec.option_labels.get(value, str(value)))
    st = wait_lab(page, lab, before)
    return st, time.perf_counter() - start


def reset(page, lab: str, lever: str) -> dict:
    before = lab_state(page, lab)["updates"]
    page.locator(f".{lab} .tk-reset-{lever}").click()
    return wait_lab(page, lab, before)


def text_of(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def views_of(page, lab: str) -> str:
    """Everything a lab shows but its lever panel (cards, sentences, tables, maps)."""
    return page.evaluate(
        "(lab) => { const el = document.querySelector(`.${lab}`).cloneNode(true);"
        " el.querySelectorAll('.tk-panel, .tk-state').forEach(p => p.remove());"
        " return el.textContent; }", lab)


def test_lesson03_renders_both_labs(lesson03):
    page = lesson03.page
    for lab in (CONSENT, PRIVACY):
        assert page.locator(f".{lab}").count() == 1, lab
        assert "synthetic" in page.locator(f".{lab} .tk-synthetic").inner_text().lower()
        assert lab_state(page, lab)["updates"] >= 1
    for lever, _ in CONSENT_MOVES:
        assert page.locator(f".{CONSENT} .tk-lever-{lever}").count() == 1, lever
    for lever, _ in PRIVACY_MOVES:
        assert page.locator(f".{PRIVACY} .tk-lever-{lever}").count() == 1, lever
    view = text_of(page, f".{CONSENT} .tk-consent-view")
    assert "No record is used without consent" in view
    assert "Who is left in the training data" in view
    assert "observed / expected" in view
    patient = ledger_patient()  # the first who said no even under opt-out (4 on seed 2024)
    assert f"Consent ledger of patient {patient}" in text_of(page,
                                                            f".{CONSENT} .tk-ledger-view")
    fig = figure(page)
    assert fig is not None and fig.is_png
    assert banners(page) == []
    st = settings_of(lab_state(page, CONSENT))
    assert st["model"] == "logistic" and st["consent"] == "honoured"
    screenshot(page, "lesson03")
    element_screenshot(page, f".{CONSENT}", "lesson03-consent")
    element_screenshot(page, f".{PRIVACY}", "lesson03-privacy")


@pytest.mark.parametrize(("lever", "value"), CONSENT_MOVES,
                         ids=[f"{lv}={v}" for lv, v in CONSENT_MOVES])
def test_every_consent_lever_changes_the_app_and_resets(lesson03, lever, value):
    page = lesson03.page
    start = lab_state(page, CONSENT)
    start_view = text_of(page, f".{CONSENT} .tk-consent-view")
    start_ledger = text_of(page, f".{CONSENT} .tk-ledger-view")
    moved, seconds = move(page, CONSENT, lever, value)
    LATENCIES[f"{lever}={value}"] = round(seconds, 3)
    assert settings_of(moved)[lever] != settings_of(start)[lever]
    assert text_of(page, f".{CONSENT} .tk-consent-view") != start_view, \
        "the consent view did not change"
    if lever == "consent":
        assert "without consent" in text_of(page, f".{CONSENT} .tk-ledger-view")
        assert text_of(page, f".{CONSENT} .tk-ledger-view") != start_ledger
    if lever == "threshold":
        assert moved["flagged"] != start["flagged"]
    if settings_of(start)[lever] == str(get_spec(lever).rest):
        back = reset(page, CONSENT, lever)
    else:  # the lab starts with consent honoured: move back instead
        back, _ = move(page, CONSENT, lever, UNDO[lever])
    assert settings_of(back)[lever] == settings_of(start)[lever]
    for key in ("flagged", "caught", "missed", "needless"):
        assert float(back[key]) == pytest.approx(float(start[key]))
    assert text_of(page, f".{CONSENT} .tk-consent-view") == start_view


def test_screenshot_with_consent_ignored_and_records_shared(lesson03):
    """The consent view away from the starting point, for people to look at."""
    page = lesson03.page
    move(page, CONSENT, "consent", "ignored")
    move(page, CONSENT, "secondary_use", "partner")
    view = text_of(page, f".{CONSENT} .tk-consent-view")
    used = records_used_without_consent(lesson_cohort(), secondary_use="partner")
    assert f"{int(used.loc[('all', 'all patients'), 'any']):,} of 60,000 patients" in view
    assert "yes, without consent" in text_of(page, f".{CONSENT} .tk-ledger-view")
    element_screenshot(page, f".{CONSENT}", "lesson03-consent-ignored")
    move(page, CONSENT, "consent", "honoured")
    reset(page, CONSENT, "secondary_use")
    assert settings_of(lab_state(page, CONSENT))["secondary_use"] == "off"


def test_the_ledger_opens_another_patient(lesson03):
    page = lesson03.page
    box = page.locator(f".{CONSENT} .tk-ledger-patient input")
    box.fill("10")
    box.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.tk-ledger').dataset.patient === '10'",
        timeout=30_000)
    assert "Consent ledger of patient 10" in text_of(page, f".{CONSENT} .tk-ledger-view")
    box.fill("3")
    box.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.tk-ledger').dataset.patient === '3'",
        timeout=30_000)
    assert banners(page) == []


@pytest.mark.parametrize(("lever", "value"), PRIVACY_MOVES,
                         ids=[f"{lv}={v}" for lv, v in PRIVACY_MOVES])
def test_every_privacy_lever_changes_the_app_and_resets(lesson03, lever, value):
    page = lesson03.page
    start = lab_state(page, PRIVACY)
    start_views = views_of(page, PRIVACY)
    moved, seconds = move(page, PRIVACY, lever, value)
    LATENCIES[f"{lever}={value}"] = round(seconds, 3)
    assert settings_of(moved)[lever] != settings_of(start)[lever]
    assert views_of(page, PRIVACY) != start_views, "the privacy lab's views did not change"
    back = reset(page, PRIVACY, lever)
    assert settings_of(back)[lever] == settings_of(start)[lever]
    for key in ("reidentified", "k", "suppressed", "released"):
        assert back[key] == start[key], key
    assert views_of(page, PRIVACY) == start_views


def test_consent_lab_is_untouched_by_the_privacy_lab(lesson03):
    page = lesson03.page
    consent = lab_state(page, CONSENT)
    move(page, PRIVACY, "release_zip", "zip3")
    assert lab_state(page, CONSENT)["updates"] == consent["updates"]
    reset(page, PRIVACY, "release_zip")


def test_lesson03_shows_no_traceback_and_no_page_error(lesson03):
    page = lesson03.page
    text = app_text(page)
    assert text.strip()
    assert not TRACEBACK.findall(text), TRACEBACK.findall(text)
    body = page.locator("body").inner_text()
    assert not [m for m in VOILA_CELL_ERRORS if m in body]
    assert lesson03.page_errors == []
    assert lesson03.unexplained_console_errors() == []
    assert lesson03.blocked == [], f"lesson 03 tried to reach {lesson03.blocked}"
