"""Benchmark of the simulation core: cohort generation, slider moves, training, memory.

Not a test: it prints a compact table of medians (``make bench``) so the goals of the
design can be checked on the machine that will serve a class:

- ``make_cohort(1_000_000)`` in at most 1 s, and at most 3x the time numpy needs to draw
  the same random numbers (the floor no generator can beat);
- ``simulate()`` on the lessons' 60,000 patients with a cached model: at most 50 ms per
  slider move;
- cold training time per model kind (what the first trainee to pick a model waits);
- peak memory growth of ``make_cohort(1_000_000)``.

The random numbers ``make_cohort`` draws (read from ``teachkit/cohort.py``), for n
patients:

- ``rng.random((16, n), float32)``: demographics, access and outcome draws;
- ``rng.standard_normal((2, n))``: the two latent traits;
- ``rng.random((16, n), float32)``: 9 PHQ-9 and 7 GAD-7 items;
- ``rng.poisson(visit_mean)``: n visit counts;
- ``rng.standard_normal(n)``: cost noise;
- ``rng.random((3, n), float32)``, ``(2, n)``, ``(2, n)``: consent, ZIP codes, names;

that is 39 x n float32 uniforms, 3 x n float64 standard normals and n Poisson counts.
The numpy baseline draws exactly these, with the Poisson mean of the ~93 % of patients
who are neither diagnosed nor treated (0.5) for every patient.

Usage::

    .venv/bin/python benchmarks/bench_core.py [--repeats 7] [--n 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import textwrap
import time

import numpy as np

from teachkit.cohort import make_cohort
from teachkit.models import MODEL_KINDS, cross_fitted_scores
from teachkit.pipeline import DEFAULT_COHORT, Settings, lesson_cohort, simulate

GOAL_COHORT_SECONDS = 1.0
GOAL_COHORT_RATIO = 3.0
GOAL_SIMULATE_MS = 50.0


def _median_seconds(func, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def numpy_draws(n: int, seed: int = 0) -> None:
    """Draw the same random numbers as ``make_cohort(n)``, and nothing else."""
    rng = np.random.default_rng(seed)
    rng.random((16, n), dtype=np.float32)
    rng.standard_normal((2, n))
    rng.random((16, n), dtype=np.float32)
    rng.poisson(np.full(n, 0.5))
    rng.standard_normal(n)
    rng.random((3, n), dtype=np.float32)
    rng.random((2, n), dtype=np.float32)
    rng.random((2, n), dtype=np.float32)


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import gc
    from teachkit.cohort import make_cohort

    def peak_kb():
        # VmHWM is this process's own peak; ru_maxrss would include the parent's peak,
        # which Linux carries across fork and exec.
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    make_cohort(1_000, seed=0)  # imports and first-call costs outside the measurement
    gc.collect()
    before = peak_kb()
    cohort = make_cohort({n}, seed=0)
    after = peak_kb()
    frame = cohort.memory_usage(deep=True).sum()
    print(before, after, frame)
    """
)


def memory_growth(n: int) -> tuple[float, float]:
    """Peak RSS growth (MB) of ``make_cohort(n)`` in a fresh process, and the frame's size."""
    proc = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT.format(n=n)],
                          capture_output=True, text=True, check=True)
    before, after, frame = (int(x) for x in proc.stdout.split())
    return (after - before) / 1024, frame / 1e6  # kilobytes to MB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per median (>= 5)")
    parser.add_argument("--n", type=int, default=1_000_000, help="patients for make_cohort")
    parser.add_argument("--moves", type=int, default=30, help="slider moves for simulate")
    args = parser.parse_args(argv)
    repeats = max(args.repeats, 5)
    n = args.n
    rows: list[tuple[str, str, str]] = []

    # 1. cohort generation against the numpy floor
    make_cohort(1_000, seed=0)
    cohort_times, numpy_times = [], []
    for _ in range(repeats):  # interleaved, so a busy machine slows both alike
        numpy_times.append(_median_seconds(lambda: numpy_draws(n), 1))
        cohort_times.append(_median_seconds(lambda: make_cohort(n, seed=0), 1))
    cohort_s = statistics.median(cohort_times)
    numpy_s = statistics.median(numpy_times)
    ratio = cohort_s / numpy_s
    rows.append((f"make_cohort({n:,})", f"{cohort_s:.3f} s",
                 f"goal <= {GOAL_COHORT_SECONDS:.0f} s: "
                 f"{'met' if cohort_s <= GOAL_COHORT_SECONDS else 'MISSED'}"))
    rows.append((f"numpy, same draws ({n:,})", f"{numpy_s:.3f} s",
                 "39n float32 uniforms, 3n normals, n Poisson"))
    rows.append(("ratio make_cohort / numpy", f"{ratio:.2f} x",
                 f"goal <= {GOAL_COHORT_RATIO:.0f} x: "
                 f"{'met' if ratio <= GOAL_COHORT_RATIO else 'MISSED'}"))

    # 2. cold training per model kind on the lessons' cohort
    cohort = lesson_cohort(**DEFAULT_COHORT)
    for kind in MODEL_KINDS:
        train_s = _median_seconds(lambda k=kind: cross_fitted_scores(cohort, k, seed=1),
                                  repeats)
        rows.append((f"cold training: {kind} ({len(cohort):,})", f"{1000 * train_s:.1f} ms",
                     "two folds, no cache"))

    # 3. slider moves with a cached model
    thresholds = np.linspace(0.01, 0.3, args.moves)
    capacities = np.linspace(0.01, 0.5, args.moves)
    for kind in ("rule", "logistic", "boosting"):
        simulate(Settings(model=kind))  # trains once, then cached
        for lever, values in (("threshold", thresholds), ("capacity", capacities)):
            policy = "threshold" if lever == "threshold" else "capacity"
            if kind == "rule" and lever == "threshold":
                continue  # the rule ignores the threshold
            times = []
            for value in values:
                settings = Settings(model=kind, policy=policy, **{lever: float(value)})
                start = time.perf_counter()
                simulate(settings)
                times.append(time.perf_counter() - start)
            ms = 1000 * statistics.median(times)
            rows.append((f"simulate: {kind}, {lever} moves", f"{ms:.1f} ms",
                         f"median of {len(values)}; goal <= {GOAL_SIMULATE_MS:.0f} ms: "
                         f"{'met' if ms <= GOAL_SIMULATE_MS else 'MISSED'}"))

    # 4. memory
    growth_mb, frame_mb = memory_growth(n)
    rows.append((f"peak RSS growth, make_cohort({n:,})", f"{growth_mb:.0f} MB",
                 f"the DataFrame itself: {frame_mb:.0f} MB ({growth_mb / frame_mb:.1f} x)"))

    width = [max(len(r[i]) for r in rows) for i in range(3)]
    print(f"teachkit core benchmark (medians of {repeats} runs; numpy {np.__version__})")
    print("  ".join(h.ljust(w) for h, w in zip(("what", "time", "note"), width)))
    print("  ".join("-" * w for w in width))
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, width)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
