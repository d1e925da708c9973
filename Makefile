# The two commands of the README:
#   make serve   set everything up and serve the lessons on http://localhost:8866/
#   make test    set everything up and run the whole test suite
.PHONY: serve test setup lint bench data

serve:
	@scripts/setup.sh
	.venv/bin/teachkit serve

test:
	@scripts/setup.sh browser
	.venv/bin/python -m pytest

setup:
	@scripts/setup.sh browser

lint:
	.venv/bin/ruff check src tests benchmarks scripts

bench:
	@scripts/setup.sh browser
	.venv/bin/python benchmarks/bench_core.py
	.venv/bin/python benchmarks/bench_voila.py

# Regenerate the committed synthetic cohort and its data card.
data:
	.venv/bin/python scripts/make_data.py
