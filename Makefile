# The two commands of the README:
#   make serve   set everything up and serve the lessons on http://localhost:8866/
#   make test    set everything up and run the whole test suite
# For a workshop room (README, "Running a workshop"):
#   make room TRAINEES=30 LESSON=01   serve the network, a kernel preheated per trainee,
#                                     forked from one warm parent where it works
#   sudo make hub                     JupyterHub: each trainee logs in to the lessons
.PHONY: serve test setup lint bench bench-room bench-preheat room hub data

TRAINEES ?= 30
LESSON ?= 00

serve:
	@scripts/setup.sh
	.venv/bin/teachkit serve

test:
	@scripts/setup.sh browser
	.venv/bin/python -m pytest

setup:
	@scripts/setup.sh browser

room:
	@scripts/setup.sh
	.venv/bin/teachkit serve --lan --trainees $(TRAINEES) --lesson $(LESSON)

hub:
	@scripts/setup.sh hub
	.venv/bin/jupyterhub -f jupyterhub/jupyterhub_config.py

lint:
	.venv/bin/ruff check src tests benchmarks scripts jupyterhub

bench:
	@scripts/setup.sh browser
	.venv/bin/python benchmarks/bench_core.py
	.venv/bin/python benchmarks/bench_voila.py

# Rooms of 30 and 60 trainees arriving together, then moving a lever: forked kernels,
# pooled ones and plain Voila side by side (~30-60 min per run on a busy 2-core
# machine; run it on a quiet one). The table is printed, the figures kept as JSON; then
# a forked kernel against an ordinary one in process (no Voila, no browser).
BENCH_RUNS ?= 1
bench-room:
	@scripts/setup.sh
	nice .venv/bin/python benchmarks/bench_room.py --trainees 30 60 --runs $(BENCH_RUNS) \
		--json test-artifacts/bench_room.json
	nice .venv/bin/python benchmarks/bench_fork_kernel.py --kernels 5 --runs 3

# Issue 19's preheat figure alone: 30 trainees, forked kernels (preheat wall, its CPU by
# part: Voila / kernels / warm parent), then each lesson's kernel messages (~5-10 min).
bench-preheat:
	@scripts/setup.sh
	nice .venv/bin/python benchmarks/bench_room.py --trainees 30 --modes fork --runs 1 \
		--moves 10 --json test-artifacts/bench_preheat.json
	nice .venv/bin/python benchmarks/bench_messages.py

# Regenerate the committed cohort sample, the full cohort (gitignored) and the data card.
data:
	.venv/bin/python scripts/make_data.py
