"""Grade a folder of submissions: discover, run each in its sandbox, judge, keep.

:func:`grade_folder` is what ``teachkit grade`` calls. A run is resumable: each graded
submission is saved at once (``OUT/.grading/results/``) and skipped by the next run,
unless its file changed. Interrupt it (Ctrl+C) and start it again: it picks up where it
stopped, grades nothing twice and loses nothing.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .._validation import TeachkitError
from ..exercises import LESSONS, Lesson, get_lesson
from .judge import Result, extraction_cells, judge_report, prelude_code
from .reports import write_reports
from .sandbox import CHECKOUT, Limits, detect_mode
from .submissions import Submission, find_submissions, read_notebook, sha256_of

__all__ = ["Submission", "find_submissions", "grade_folder", "GradingRun"]

STATE = ".grading"


def _one_per_key(subs: list[Submission]) -> list[Submission]:
    """A second submission under one id ("alice.ipynb" beside "alice/") is refused, alone."""
    seen, out = set(), []
    for sub in subs:
        if sub.key in seen:
            n = 2
            while f"{sub.key}-{n}" in seen:
                n += 1
            sub = Submission(f"{sub.trainee} ({n})", f"{sub.key}-{n}", None,
                             f"{sub.trainee!r} submitted twice (a file and a folder); the "
                             "first was graded. Remove one and grade again.")
        seen.add(sub.key)
        out.append(sub)
    return out


def _infer_lesson(subs: list[Submission]) -> Lesson:
    seen = {}
    for sub in subs:
        if sub.path is not None and sub.path.suffix == ".ipynb" and not sub.refused:
            lesson, _, _ = read_notebook(sub.path)
            if lesson in LESSONS:
                seen[lesson] = seen.get(lesson, 0) + 1
    if not seen:
        raise TeachkitError("Could not tell which lesson these notebooks are for; pass "
                            "--lesson (one of " + ", ".join(LESSONS) + ").")
    return LESSONS[max(seen, key=seen.get)]


class GradingRun:
    """A resumable grading of one folder into one output folder."""

    def __init__(self, submissions: Path, out: Path, lesson: Lesson, *, limits: Limits,
                 mode: str, hide: list[Path]):
        self.submissions, self.out, self.lesson = submissions, out, lesson
        self.limits, self.mode = limits, mode
        self.state = out / STATE
        self.results_dir = self.state / "results"
        self.results_dir.mkdir(parents=True, exist_ok=True)
        run_file = self.state / "run.json"
        if run_file.exists():
            run = json.loads(run_file.read_text())
            if run.get("lesson") != lesson.id:
                raise TeachkitError(
                    f"{out} already holds grades for lesson {run.get('lesson')}; choose "
                    f"another --out folder for lesson {lesson.id}.")
        else:
            run = {"lesson": lesson.id, "secret": secrets.token_hex(16),
                   "started": time.strftime("%Y-%m-%d %H:%M:%S")}
            _atomic_write(run_file, json.dumps(run, indent=1))
            os.chmod(run_file, 0o600)
        self.secret = run["secret"]
        self.hide = sorted({*hide, submissions.resolve(), out.resolve(),
                            CHECKOUT / "solutions", CHECKOUT / "tests"})
        self.spec = self._extraction_spec()

    def _extraction_spec(self) -> dict:
        """What each extraction cell takes out: values first, then function answers
        (a function that hangs then costs only itself and the functions after it)."""
        spec = {}
        problems = list(enumerate(self.lesson.problems))
        for i, problem in sorted(problems, key=lambda ip: ip[1].kind == "function"):
            rng = np.random.default_rng([int(self.secret, 16) % 2**63, i])
            want = problem.extraction(rng)
            if want.get("kind") == "function":
                # Every call of one answer fits in its cell's time limit, with room to spare.
                calls = max(1, len(want.get("cases", [])))
                want["seconds"] = round(min(10.0, 0.7 * self.limits.cell_timeout / calls), 3)
            spec[problem.inspects] = want
        return spec

    def result_path(self, sub: Submission) -> Path:
        return self.results_dir / f"{sub.key}.json"

    def done(self, sub: Submission) -> Result | None:
        path = self.result_path(sub)
        if not path.exists():
            return None
        try:
            result = Result.from_json(path.read_text())
        except (ValueError, TypeError):
            return None
        if result.sha256 != sha256_of(sub.path):
            return None
        result.key = sub.key
        return result

    def static(self, sub: Submission, status: str, note: str, sha: str = "") -> Result:
        """A result for a submission that was not run: every question earns nothing."""
        outcomes = [asdict(p.judge({"__type__": "missing"})) for p in self.lesson.problems]
        for o in outcomes:
            o["message"] = "Not graded: see the notes."
        name = sub.path.name if sub.path else ""
        return Result(sub.trainee, name, sha, self.lesson.id, status, [note], outcomes)

    def grade_safely(self, sub: Submission) -> Result:
        """:meth:`grade`, where any failure becomes this trainee's status, never the run's."""
        try:
            result = self.grade(sub)
        except Exception as exc:  # noqa: BLE001  one submission never stops the class
            result = self.static(sub, "crashed", "The grader could not grade this "
                                 f"submission ({type(exc).__name__}: {str(exc)[:200]}); "
                                 "nothing else was affected. Re-running grades it again.",
                                 "retry")
        result.key = sub.key
        return result

    def grade(self, sub: Submission) -> Result:
        """Grade one submission (runs in a worker thread; the sandbox does the work)."""
        if sub.refused:
            return self.static(sub, "refused", sub.refused)
        sha = sha256_of(sub.path)
        name = sub.path.name if sub.path else ""
        lesson_id, cells, problem = read_notebook(sub.path)

        def static(status, note):
            return self.static(sub, status, note, sha)

        if problem:
            return static("not a notebook", problem)
        if lesson_id is not None and lesson_id != self.lesson.id:
            return static("wrong lesson", f"{name} is a notebook of lesson {lesson_id}, not "
                                          f"of lesson {self.lesson.id}.")
        report = self.run_sandboxed(sub, cells)
        result = judge_report(self.lesson, report, self.spec, trainee=sub.trainee,
                              notebook=name, sha256=sha)
        if name != self.lesson.notebook:
            result.notes.append(f"The notebook was renamed to {name!r} (expected "
                                f"{self.lesson.notebook!r}); it was graded all the same.")
        return result

    def run_sandboxed(self, sub: Submission | None, cells: list[str]) -> dict:
        """Run a notebook's code ``cells`` in the grading sandbox; return the driver's
        report.

        The cells run in a fresh interpreter (``teachkit.grading._driver``) with this
        run's prelude, limits, hidden paths and sandbox mode, in a scratch directory
        removed afterwards (kept if ``TEACHKIT_KEEP_SCRATCH`` is set). :meth:`grade`
        calls it for each submission; :func:`teachkit.exercises.build.verify` for a
        built notebook. ``sub`` is the submission the cells come from (None for a built
        notebook); the run itself does not read it.

        Returns
        -------
        dict
            The driver's report (``cells`` and each problem's outcome), or
            ``{"cells": [], "notebook_timed_out": True, ...}`` past the hard timeout, or
            ``{"cells": [], "startup_error": ...}`` if the driver gave no report.
        """
        work = Path(tempfile.mkdtemp(prefix="teachkit-grade-"))
        try:
            job = {
                "prelude": prelude_code(), "cells": cells,
                "extract": extraction_cells(self.spec),
                "scratch": str(work / secrets.token_hex(8)), "mode": self.mode,
                "hide": [str(p) for p in self.hide], "limits": asdict(self.limits),
            }
            cmd = [sys.executable, "-m", "teachkit.grading._driver"]
            hard = self.limits.notebook_timeout + 120
            try:
                done = subprocess.run(cmd, input=json.dumps(job), capture_output=True,
                                      text=True, timeout=hard, start_new_session=True)
            except subprocess.TimeoutExpired:
                return {"cells": [], "notebook_timed_out": True, "seconds": hard}
            try:
                report = json.loads(done.stdout)
            except ValueError:
                tail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
                return {"cells": [], "startup_error": f"the grader's driver failed: {tail[0]}"}
            return report
        finally:
            if not os.environ.get("TEACHKIT_KEEP_SCRATCH"):
                shutil.rmtree(work, ignore_errors=True)

    def save(self, result: Result, sub: Submission) -> None:
        _atomic_write(self.result_path(sub), result.to_json())


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def grade_folder(submissions, *, lesson=None, out=None, jobs: int = 2,
                 limits: Limits | None = None, sandbox: str = "auto", progress: bool = True,
                 hide=(), log=None) -> tuple[list[Result], Path]:
    """Grade every submission in a folder and write the gradebook and reports.

    Parameters
    ----------
    submissions : path
        A folder with one notebook per trainee (``alice.ipynb``), or one sub-folder per
        trainee (``alice/01-cohort-and-model.ipynb``); the file or folder name is the
        trainee's id in the gradebook.
    lesson : str, default=None
        ``"00"``, ``"01"``...; by default read from the notebooks.
    out : path, default=None
        Output folder; by default ``<submissions>-graded`` beside the submissions.
    jobs : int, default=2
        Submissions graded at once (one per CPU core is a good choice).
    limits : Limits, default=Limits()
        Time and memory limits of each submission.
    sandbox : {"auto", "root", "userns", "none"}, default="auto"
    progress : bool, default=True
        Show a progress bar on stderr.

    Returns
    -------
    results, out : list of Result, Path
    """
    log = log or (lambda msg: print(f"teachkit: {msg}", file=sys.stderr, flush=True))
    folder = Path(submissions)
    if not folder.is_dir():
        raise TeachkitError(f"The submissions folder {str(folder)!r} does not exist or is "
                            "not a folder.")
    if not isinstance(jobs, int) or jobs < 1:
        raise TeachkitError(f"--jobs must be a whole number of at least 1. Got {jobs!r} "
                            "instead.")
    subs = find_submissions(folder)
    if not subs:
        raise TeachkitError(f"No submissions in {str(folder)!r}: put one notebook per "
                            "trainee there (or one folder per trainee).")
    subs = _one_per_key(subs)
    the_lesson = get_lesson(lesson) if lesson is not None else _infer_lesson(subs)
    out = Path(out) if out else folder.resolve().parent / f"{folder.resolve().name}-graded"
    mode = detect_mode(sandbox)
    from .sandbox import MODE_DESCRIPTIONS, limits_note

    log(f"grading lesson {the_lesson.id} ({the_lesson.title}): {len(subs)} submissions "
        f"from {folder} into {out}")
    log(f"containment: {MODE_DESCRIPTIONS[mode]}")
    log(limits_note(mode))
    run = GradingRun(folder, out, the_lesson, limits=limits or Limits(), mode=mode,
                     hide=[Path(p) for p in hide])
    results: dict[str, Result] = {}
    todo = []
    for sub in subs:
        previous = run.done(sub)
        if previous is not None:
            results[sub.key] = previous
        else:
            todo.append(sub)
    if results:
        log(f"resuming: {len(results)} already graded, {len(todo)} to go")
    bar = _progress(len(subs), initial=len(results), enabled=progress)
    pool = ThreadPoolExecutor(max_workers=jobs)
    futures = {}

    def collect(finished):
        for future in finished:
            sub = futures.pop(future)
            result = future.result()
            run.save(result, sub)  # saved at once: an interrupted run loses nothing
            results[sub.key] = result
            bar.update(1)
            bar.set_postfix_str(f"{sub.trainee}: {result.status}", refresh=False)

    try:
        pending = list(todo)
        while pending or futures:
            while pending and len(futures) < jobs:
                sub = pending.pop(0)
                futures[pool.submit(run.grade_safely, sub)] = sub
            finished, _ = wait(futures, return_when=FIRST_COMPLETED)
            collect(finished)
    except KeyboardInterrupt:
        bar.close()
        log(f"interrupted: finishing the {len(futures)} notebook(s) being graded, then "
            f"stopping. Run the same command again to grade the rest.")
        collect(wait(futures).done)
        pool.shutdown(wait=True)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
    ordered = [results[s.key] for s in subs]
    write_reports(ordered, out, the_lesson)
    return ordered, out


class _NoBar:
    def update(self, n):
        pass

    def set_postfix_str(self, *a, **k):
        pass

    def close(self):
        pass


def _progress(total: int, *, initial: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="notebook", desc="grading",
                file=sys.stderr, dynamic_ncols=True)
