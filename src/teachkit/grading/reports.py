"""What an instructor reads: the gradebook, feedback per trainee, the reflections, and
CSV files an LMS imports (Canvas and Moodle).

All of it is written again from the saved results at the end of every run, so the files
always describe every submission graded so far.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from ..exercises import Lesson
from .judge import STATUS_MEANINGS, Result

__all__ = ["write_reports", "GRADEBOOK", "REFLECTIONS", "CANVAS", "MOODLE"]

GRADEBOOK, REFLECTIONS = "gradebook.csv", "reflections.html"
CANVAS, MOODLE = "lms-canvas.csv", "lms-moodle.csv"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _csv(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\ufe62", "\uff0b",
                  "\ufe63", "\uff0d", "\uff20")


def _safe_cell(text: str) -> str:
    """Keep spreadsheet programs from running a trainee's text as a formula.

    A cell that starts (or, after spaces, starts) with ``= + - @``, a TAB, a CR or a line
    break (OWASP's list), or a full-width look-alike, gets a leading apostrophe.

    Examples
    --------
    >>> _safe_cell("=HYPERLINK(1)"), _safe_cell("\\t=1+1"), _safe_cell("Ana")
    ("'=HYPERLINK(1)", "'\\t=1+1", 'Ana')
    """
    text = str(text)
    return "'" + text if text.lstrip(" ")[:1] in _FORMULA_START and text else text


def _md(text: str) -> str:
    """A trainee's text, shown as text in Markdown: no HTML, no links or images, one line.

    Examples
    --------
    >>> print(_md("<img src=x onerror=alert(1)> [click](http://x) ![i](y)"))
    &lt;img src=x onerror=alert(1)&gt; \\[click\\](http://x) !\\[i\\](y)
    """
    text = html.escape(" ".join(str(text).split()), quote=False)
    return text.replace("[", "\\[").replace("]", "\\]")


def gradebook_rows(results: list[Result], lesson: Lesson) -> list[list[str]]:
    graded = [p for p in lesson.problems if p.kind != "reflection"]
    reflections = [p for p in lesson.problems if p.kind == "reflection"]
    header = ["trainee", "status", *[p.name for p in graded], "total", "max",
              *[f"{p.name} (reflection)" for p in reflections], "notebook", "notes"]
    rows = [header]
    for r in results:
        by_name = {o["problem"]: o for o in r.outcomes}
        scores = [_fmt(by_name[p.name]["points"]) if p.name in by_name else "0"
                  for p in graded]
        written = ["written" if p.name in r.reflections else "missing" for p in reflections]
        rows.append([_safe_cell(r.trainee), r.status, *scores, _fmt(r.score),
                     _fmt(sum(p.points for p in graded)), *written, _safe_cell(r.notebook),
                     _safe_cell(" | ".join(r.notes))])
    return rows


def feedback_text(result: Result, lesson: Lesson) -> str:
    """One trainee's feedback, in Markdown."""
    lines = [f"# Feedback: lesson {lesson.id}, {lesson.title}", "",
             f"Trainee: {_md(result.trainee)}  ",
             f"Notebook: {_md(result.notebook) or '(none)'}  ",
             f"Status: **{result.status}** ({STATUS_MEANINGS[result.status]})  ",
             f"Score: **{_fmt(result.score)} / {_fmt(result.max_score)}**", ""]
    if result.notes:
        lines += ["## Notes", ""] + [f"- {_md(n)}" for n in result.notes] + [""]
    lines += ["## Questions", ""]
    problems = {p.name: p for p in lesson.problems}
    for o in result.outcomes:
        p = problems[o["problem"]]
        mark = ("reflection" if p.kind == "reflection"
                else f"{_fmt(o['points'])}/{_fmt(o['max_points'])}")
        lines.append(f"- **{p.name}** ({mark}), {p.title}: {o['status']}. "
                     f"{_md(o['message'])}")
        if o["status"] == "incorrect" and p.hints:
            lines.append(f"  - Hint: {p.hints[0]}")
    lines += ["", "All patients in these exercises are synthetic.", ""]
    return "\n".join(lines)


def reflections_page(results: list[Result], lesson: Lesson) -> str:
    """Every trainee's reflections on one HTML page, question by question."""
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Reflections, lesson {html.escape(lesson.id)}</title>",
             "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;"
             "line-height:1.5}blockquote{border-left:4px solid #0072B2;margin:1em 0;"
             "padding:.2em 1em;white-space:pre-wrap}.who{color:#555;font-size:.9em}"
             "</style></head><body>",
             f"<h1>Reflections: lesson {html.escape(lesson.id)}, "
             f"{html.escape(lesson.title)}</h1>",
             "<p>Written by trainees; read, not marked. Trainees' own words, shown as "
             "text.</p>"]
    for p in lesson.problems:
        if p.kind != "reflection":
            continue
        written = [(r.trainee, r.reflections[p.name]) for r in results
                   if p.name in r.reflections]
        missing = [r.trainee for r in results if p.name not in r.reflections]
        parts.append(f"<h2>{html.escape(p.name)}: {html.escape(p.title)}</h2>")
        parts.append(f"<p>{len(written)} written, {len(missing)} missing"
                     + (f" ({html.escape(', '.join(missing))})" if missing else "")
                     + ".</p>")
        for trainee, text in written:
            parts.append(f'<p class="who">{html.escape(trainee)}</p>'
                         f"<blockquote>{html.escape(text)}</blockquote>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def canvas_rows(results: list[Result], lesson: Lesson) -> list[list[str]]:
    """Canvas gradebook import: students matched on "SIS Login ID" (the trainee id)."""
    column = f"Lesson {lesson.id} exercises"
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
            ["Points Possible", "", "", "", "",
             _fmt(sum(p.points for p in lesson.problems))]]
    for r in results:
        rows.append([_safe_cell(r.trainee), "", "", _safe_cell(r.trainee), "",
                     _fmt(r.score)])
    return rows


def moodle_rows(results: list[Result], lesson: Lesson) -> list[list[str]]:
    """Moodle "Import grades from CSV": map "username" to the user and the grade column."""
    rows = [["username", f"Lesson {lesson.id} exercises", "feedback"]]
    for r in results:
        rows.append([_safe_cell(r.trainee), _fmt(r.score),
                     f"{r.status}; {_fmt(r.score)}/{_fmt(r.max_score)}"])
    return rows


def _write(path: Path, text: str) -> None:
    # Results are cleaned of lone surrogates; "replace" is the last guard, so a report is
    # written whatever a trainee typed.
    path.write_text(text, encoding="utf-8", errors="replace")


def write_reports(results: list[Result], out: Path, lesson: Lesson) -> None:
    """Write the gradebook, the LMS files, the reflections page and one feedback file per
    trainee (``feedback/<key>.md``, see :func:`.submissions.trainee_key`)."""
    out.mkdir(parents=True, exist_ok=True)
    _write(out / GRADEBOOK, _csv(gradebook_rows(results, lesson)))
    _write(out / CANVAS, _csv(canvas_rows(results, lesson)))
    _write(out / MOODLE, _csv(moodle_rows(results, lesson)))
    _write(out / REFLECTIONS, reflections_page(results, lesson))
    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    for r in results:
        _write(feedback / f"{r.key}.md", feedback_text(r, lesson))
