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

__all__ = ["STATUSES", "Result", "judge_report", "prelude_code", "extract_code"]

#: Submission statuses, most serious first (a submission gets the first that applies).
STATUSES = ("not a notebook", "wrong lesson", "tampered", "crashed", "timed out",
            "out of memory", "errors", "ok")
STATUS_MEANINGS = {
    "ok": "ran to the end without errors",
    "errors": "some cells raised errors; the answers that were set are graded",
    "out of memory": "a cell went over the memory cap; the other answers are graded",
    "timed out": "a cell or the whole notebook went over its time limit",
    "crashed": "the notebook's Python process died; nothing could be graded",
    "tampered": "the notebook replaced the checker, a builtin or numpy, or forged results; "
                "only its real answers were judged",
    "wrong lesson": "the notebook belongs to another lesson",
    "not a notebook": "the file is not a Jupyter notebook",
}
MAX_PAYLOAD = 5_000_000


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

    @property
    def score(self) -> float:
        return sum(o["points"] for o in self.outcomes)

    @property
    def max_score(self) -> float:
        return sum(o["max_points"] for o in self.outcomes)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Result:
        return cls(**json.loads(text))


def prelude_code() -> str:
    """The grader's first cell: note the checker's own objects before the submission runs."""
    return ("import teachkit.exercises._plain as __teachkit_plain\n"
            "__teachkit_plain.take_snapshot()\n")


def extract_code(spec: dict) -> str:
    """The grader's last cell: take the answers out, as plain data, and display them."""
    literal = json.dumps(json.dumps(spec))
    return (
        "import json as __tk_json\n"
        "import teachkit.exercises._plain as __tk_plain\n"
        "from IPython.display import display as __tk_display\n"
        f"__tk_spec = __tk_json.loads({literal})\n"
        "__tk_display({'application/vnd.teachkit.answers+json': __tk_json.dumps({\n"
        "    'answers': __tk_plain.extract_answers(globals(), __tk_spec),\n"
        "    'tampered': __tk_plain.tampering()})}, raw=True)\n"
    )


def _parse_payload(payload: str | None):
    if payload is None or len(payload) > MAX_PAYLOAD:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        return None
    return data


def _judge_one(problem, plain) -> Outcome:
    try:
        return problem.judge(plain)
    except Exception as exc:  # noqa: BLE001  a malformed (forged) answer is just wrong
        return Outcome(problem.name, INCORRECT,
                       f"The answer in `{problem.inspects}` could not be read "
                       f"({type(exc).__name__}).", 0.0, problem.points)


def judge_report(lesson: Lesson, report: dict, spec: dict, *, trainee: str, notebook: str,
                 sha256: str) -> Result:
    """Turn the driver's report of one run into a :class:`Result`."""
    notes: list[str] = []
    flags: set[str] = set()
    cells = report.get("cells") or []
    submission_cells = cells[1:-1]
    for i, cell in enumerate(submission_cells, start=1):
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
    if report.get("startup_error"):
        flags.add("crashed")
        notes.append(f"The sandbox could not start the notebook: {report['startup_error']}")
    if report.get("notebook_timed_out"):
        flags.add("timed out")
        notes.append("The notebook went over its total time limit and was stopped; answers "
                     "could not be collected.")
    elif report.get("kernel_died"):
        flags.add("crashed")
        notes.append("The notebook's Python process died (for example it exited, or "
                     "crashed outside Python); answers could not be collected.")
    if report.get("forged_payloads"):
        flags.add("tampered")
        notes.append("A cell of the notebook displayed something that imitates the "
                     "grader's answer record; it was ignored.")
    data = _parse_payload(report.get("payload"))
    extraction = cells[-1] if cells else None
    if data is None and not flags & {"crashed", "timed out"}:
        flags.add("tampered")
        reason = ""
        if extraction and extraction.get("status") == "error":
            reason = f" ({extraction.get('ename')}: {extraction.get('evalue', '')})"
        notes.append("The grader could not collect the answers after the notebook ran"
                     f"{reason}: the notebook changed something the collection needs.")
    if data is not None and data.get("tampered"):
        changed = [str(x)[:80] for x in data["tampered"]][:10] \
            if isinstance(data["tampered"], list) else ["?"]
        flags.add("tampered")
        notes.append("The notebook replaced parts of the checker or of Python itself ("
                     + ", ".join(changed) + "); only its real answers were judged.")
    answers = data["answers"] if data is not None else {}

    outcomes, reflections = [], {}
    for problem in lesson.problems:
        plain = answers.get(problem.inspects, {"__type__": "missing"})
        if problem.kind == "function" and isinstance(plain, dict):
            plain = dict(plain, cases=spec[problem.inspects].get("cases", []))
        outcome = _judge_one(problem, plain)
        if problem.kind == "reflection":
            if outcome.status == WRITTEN and isinstance(plain, str):
                reflections[problem.name] = plain[:20_000]
        if data is None and outcome.status == NOT_ATTEMPTED:
            outcome = Outcome(problem.name, NOT_ATTEMPTED, "Not collected: see the notes.",
                              0.0, outcome.max_points)
        outcomes.append(asdict(outcome))
    status = next(s for s in STATUSES if s in flags or s == "ok")
    return Result(trainee=trainee, notebook=notebook, sha256=sha256, lesson=lesson.id,
                  status=status, notes=notes, outcomes=outcomes, reflections=reflections,
                  seconds=float(report.get("seconds", 0.0)))
