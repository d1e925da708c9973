"""Judging, in the grader's own process: answers (plain data) in, scores out.

The sandbox hands back what a submission left in its variables, as plain data; this
module applies each problem's check to it. Nothing computed in the submission's
interpreter (its own checks, printed "Correct!", stored outputs, files) is used.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from ..exercises import Lesson
from ..exercises._problem import INCORRECT, NOT_ATTEMPTED, WRITTEN, Outcome
from .submissions import clean_text, trainee_key

__all__ = ["STATUSES", "Result", "judge_report", "prelude_code", "extraction_cells",
           "ANSWERS_MIME"]

#: Submission statuses, most serious first (a submission gets the first that applies).
STATUSES = ("refused", "not a notebook", "wrong lesson", "tampered", "crashed", "timed out",
            "out of memory", "errors", "ok")
STATUS_MEANINGS = {
    "ok": "ran to the end without errors",
    "errors": "some cells raised errors; the answers that were set are graded",
    "out of memory": "a cell went over the memory cap; the other answers are graded",
    "timed out": "a cell or the whole notebook went over its time limit",
    "crashed": "the notebook's Python process died, or the sandbox could not run it; "
               "answers not collected by then earned nothing",
    "tampered": "the notebook replaced the checker, a builtin or numpy, or forged results; "
                "only its real answers were judged",
    "refused": "the submission is a link or a special file; it was not read",
    "wrong lesson": "the notebook belongs to another lesson",
    "not a notebook": "the file is not a Jupyter notebook",
}
MAX_PAYLOAD = 5_000_000
#: The MIME type of the records the grader's cells display (the sandbox's only output).
ANSWERS_MIME = "application/vnd.teachkit.answers+json"


@dataclass
class Result:
    """One trainee's graded submission (what the gradebook and feedback are made from)."""

    trainee: str
    notebook: str
    sha256: str
    lesson: str
    status: str
    notes: list[str] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)
    reflections: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    key: str = ""  # the trainee's file key (see submissions.trainee_key)

    @property
    def score(self) -> float:
        return sum(o["points"] for o in self.outcomes)

    @property
    def max_score(self) -> float:
        return sum(o["max_points"] for o in self.outcomes)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    def __post_init__(self):
        # Whatever a trainee typed, the reports can be written as UTF-8.
        self.trainee, self.notebook = clean_text(self.trainee), clean_text(self.notebook)
        self.notes = [clean_text(n) for n in self.notes]
        for outcome in self.outcomes:
            outcome["message"] = clean_text(outcome.get("message", ""))
        self.reflections = {k: clean_text(v) for k, v in self.reflections.items()}
        self.key = self.key or trainee_key(self.trainee)

    @classmethod
    def from_json(cls, text: str) -> Result:
        return cls(**json.loads(text))


#: Imported by jsonschema (through nbformat and nbclient) only for its "iri" format
#: checker, which grading never uses; it builds a parser when imported: about 2.5 s of CPU
#: (the driver's imports take 4.7 s of CPU with it, 1.6 s without). Marked missing in the
#: driver and in each kernel (a notebook may import nbformat), jsonschema leaves that one
#: checker out (python-jsonschema issue 1392 and pull request 1521).
UNUSED_SLOW_IMPORTS = ("rfc3987_syntax",)


def prelude_code() -> str:
    """The grader's first cell: mark :data:`UNUSED_SLOW_IMPORTS` missing, and note the
    checker's own objects before the submission runs."""
    return ("import sys as __tk_sys\n"
            f"for __tk_name in {UNUSED_SLOW_IMPORTS!r}:\n"
            "    __tk_sys.modules.setdefault(__tk_name, None)\n"
            "import teachkit.exercises._tamper as __tk_tamper\n"
            "__tk_tamper.take_snapshot()\n")


_SHOW = ("from IPython.display import display as __tk_display\n"
         "__tk_display({'" + ANSWERS_MIME + "': %s}, raw=True)\n")


def extraction_cells(spec: dict) -> list[str]:
    """The grader's last cells: one per answer (in ``spec``'s order), then the tamper check.

    Each answer is taken out, converted and displayed in its own cell, under the cell time
    limit, so an answer that hangs or cannot be converted costs that answer only.
    """
    cells = []
    for name, want in spec.items():
        literal = json.dumps(json.dumps(want))
        cells.append("import json as __tk_json\n"
                     "import teachkit.exercises._plain as __tk_plain\n"
                     + _SHOW % f"__tk_plain.answer_record(globals(), {name!r}, "
                                f"__tk_json.loads({literal}))")
    cells.append("import json as __tk_json\n"
                 "import teachkit.exercises._tamper as __tk_tamper\n"
                 + _SHOW % "__tk_json.dumps({'tampered': __tk_tamper.tampering()})")
    return cells


def _too_deep(data, limit: int = 64) -> bool:
    stack = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _parse(payload) -> dict | None:
    """A record the grader's cell displayed, or None if it is missing or malformed."""
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
        return None
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or _too_deep(data):
        return None
    return data


def _judge_one(problem, plain) -> Outcome:
    try:
        return problem.judge(plain)
    except Exception as exc:  # noqa: BLE001  a malformed (forged) answer is just wrong
        return Outcome(problem.name, INCORRECT,
                       f"The answer in `{problem.inspects}` could not be read "
                       f"({type(exc).__name__}).", 0.0, problem.points)


def _cell_notes(cells: list, flags: set, notes: list) -> None:
    for i, cell in enumerate(cells, start=1):
        if not cell or cell.get("status") != "error":
            continue
        ename = cell.get("ename", "Error")
        if ename == "CellTimeoutError":
            flags.add("timed out")
            notes.append(f"Code cell {i} went over the time limit and was interrupted.")
        elif ename == "MemoryError":
            flags.add("out of memory")
            notes.append(f"Code cell {i} went over the memory cap (MemoryError).")
        else:
            flags.add("errors")
            notes.append(f"Code cell {i} raised {ename}: {cell.get('evalue', '')}".rstrip(": "))


def _run_notes(report: dict, flags: set, notes: list) -> None:
    if report.get("startup_error"):
        flags.add("crashed")
        notes.append(f"The sandbox could not start the notebook: {report['startup_error']}")
    if report.get("notebook_timed_out"):
        flags.add("timed out")
        notes.append("The notebook went over its total time limit and was stopped; answers "
                     "not collected by then earned no mark.")
    elif report.get("oom_killed"):
        flags.add("out of memory")
        notes.append("The notebook's processes together went over the memory cap and one "
                     "was stopped; answers not collected by then earned no mark.")
    elif report.get("kernel_died"):
        flags.add("crashed")
        notes.append("The notebook's Python process died (for example it exited, or "
                     "crashed outside Python); answers not collected by then earned no mark.")
    if report.get("forged_payloads"):
        flags.add("tampered")
        notes.append("A cell of the notebook displayed something that imitates the "
                     "grader's answer record; it was ignored.")


def _collect(spec: dict, report: dict, flags: set, notes: list) -> dict:
    """The answers the grader's cells displayed; a note for each one not collected."""
    cells = report.get("cells") or []
    payloads = report.get("payloads") or []
    extract = cells[len(cells) - len(spec) - 1:] if len(cells) > len(spec) else []
    answers = {}
    stopped = report.get("notebook_timed_out") or report.get("kernel_died") or \
        report.get("startup_error")
    for k, name in enumerate(spec):
        record = _parse(payloads[k] if k < len(payloads) else None)
        if record is not None and record.get("name") == name and "answer" in record:
            answers[name] = record["answer"]
            continue
        cell = extract[k] if k < len(extract) else None
        if cell and cell.get("status") == "error":
            if cell.get("ename") == "CellTimeoutError":
                flags.add("timed out")
                notes.append(f"Collecting `{name}` went over the cell time limit; it "
                             "earned no mark.")
            else:
                flags.add("errors")
                notes.append(f"The grader could not collect `{name}` ({cell.get('ename')}: "
                             f"{cell.get('evalue', '')}); it earned no mark.")
        elif not stopped:
            flags.add("errors")
            notes.append(f"The grader could not collect `{name}`; it earned no mark.")
    tamper = _parse(payloads[len(spec)] if len(payloads) > len(spec) else None)
    changed = tamper.get("tampered") if tamper else None
    if isinstance(changed, list) and changed:
        flags.add("tampered")
        notes.append("The notebook replaced parts of the checker or of Python itself ("
                     + ", ".join(str(x)[:80] for x in changed[:10])
                     + "); only its real answers were judged.")
    return answers


def judge_report(lesson: Lesson, report: dict, spec: dict, *, trainee: str, notebook: str,
                 sha256: str) -> Result:
    """Turn the driver's report of one run into a :class:`Result`.

    ``spec`` is the extraction spec, in the order of the grader's extraction cells.
    A status of "tampered" needs evidence (a forged record, or the checker replaced);
    an answer that could not be collected costs that answer and says why.
    """
    notes: list[str] = []
    flags: set[str] = set()
    cells = report.get("cells") or []
    _cell_notes(cells[1:max(1, len(cells) - len(spec) - 1)], flags, notes)
    _run_notes(report, flags, notes)
    answers = _collect(spec, report, flags, notes)

    outcomes, reflections = [], {}
    for problem in lesson.problems:
        if problem.inspects not in answers:
            outcomes.append(asdict(Outcome(problem.name, NOT_ATTEMPTED,
                                           "Not collected: see the notes.", 0.0,
                                           problem.points)))
            continue
        plain = answers[problem.inspects]
        if problem.kind == "function" and isinstance(plain, dict):
            plain = dict(plain, cases=spec[problem.inspects].get("cases", []))
            if any(str(o.get("error", "")).startswith("TimeoutError")
                   for o in plain.get("outcomes") or [] if isinstance(o, dict)):
                flags.add("timed out")
                notes.append(f"Calling `{problem.inspects}` on the grader's inputs went over "
                             "its time limit.")
        outcome = _judge_one(problem, plain)
        if problem.kind == "reflection":
            if outcome.status == WRITTEN and isinstance(plain, str):
                reflections[problem.name] = plain[:20_000]
        outcomes.append(asdict(outcome))
    status = next(s for s in STATUSES if s in flags or s == "ok")
    return Result(trainee=trainee, notebook=notebook, sha256=sha256, lesson=lesson.id,
                  status=status, notes=notes, outcomes=outcomes, reflections=reflections,
                  seconds=float(report.get("seconds", 0.0) or 0.0))
