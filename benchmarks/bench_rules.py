"""Lesson 07's speed: the checklist and model card after a lever, and the dossier.

Prints medians of several runs of:

- the checklist, impact level and model card (HTML) from a run already made: what the
  page adds after each lever move (goal <= 300 ms);
- the whole update after a lever move in ``RulesLab`` (this process: the kernel's side),
  a new run of every stage included, for settings not seen before and seen before
  (reported, no goal: the pipeline's own speed);
- the dossier, HTML and PDF, once the PDF renderer is imported (goal <= 5 s), and the
  first import of that renderer (reported; the lab imports it in the background).

Usage: PYTHONPATH=src .venv/bin/python benchmarks/bench_rules.py [--repeats 5]
This machine is noisy (2 cores shared): compare medians of several runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    import fpdf  # noqa: F401

    fpdf_import = time.perf_counter() - start

    from teachkit.rules import ALL_STAGES, evaluate, impact_level
    from teachkit.rules.document import body_html
    from teachkit.rules.dossier import build_dossier
    from teachkit.rules.modelcard import model_card
    from teachkit.rules.saved import DeploymentStore
    from teachkit.stages import Deployment, run_all
    from teachkit.ui.rules import RulesLab, checklist_html, impact_html

    moves = [("oversight", "dropped"), ("oversight", "model_alone"), ("monitoring", "labels"),
             ("secondary_use", "advertiser"), ("consent", "honoured"),
             ("explanation", "shown"), ("k_target", 20)]
    base = Deployment(ALL_STAGES, model="logistic")
    runs = [run_all(base.replace(**{k: v}), with_baseline=False) for k, v in moves]

    def views(results):
        checklist = evaluate(results)
        impact = impact_level(checklist)
        checklist_html(checklist), impact_html(impact)
        body_html(None, model_card(checklist), level_shift=1)

    after_run = [_timed(lambda r=r: views(r)) for r in runs * max(1, args.repeats // 2)]

    lab = RulesLab(store=DeploymentStore(tempfile.mkdtemp()), trainee="")
    new, seen = [], []
    fresh = [("review_capacity", 60), ("training", "trained"), ("drift_shock", 12),
             ("release_zip", "zip3"), ("explain_disclosure", "told"),
             ("update_policy", "recalibrate"), ("consent_design", "layered")]
    for lever, value in fresh[: args.repeats]:  # never run before in this process
        row = lab.panel.rows[lever]
        new.append(_timed(lambda row=row, value=value: setattr(row, "value", value)))
        seen.append(_timed(lambda row=row: setattr(row, "value", row.spec.rest)))

    checklist = evaluate(runs[0])
    def make(checklist=checklist):
        made = build_dossier(checklist)
        made.html(), made.pdf()

    dossier = [_timed(make) for _ in range(args.repeats)]

    print(f"checklist + impact + model card after a run: median "
          f"{1000 * statistics.median(after_run):.0f} ms (n={len(after_run)}; goal <= 300 ms)")
    print(f"lever -> lab updated, new setting:  median {statistics.median(new):.2f} s "
          f"(n={len(new)}; every stage run again)")
    print(f"lever -> lab updated, back to rest:  median {statistics.median(seen):.2f} s "
          f"(n={len(seen)})")
    print(f"dossier (HTML + PDF):                median {statistics.median(dossier):.2f} s "
          f"(n={len(dossier)}; goal <= 5 s)")
    print(f"first import of the PDF renderer:    {fpdf_import:.2f} s (once per kernel)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
