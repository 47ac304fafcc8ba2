# Two commands do all set-up on a fresh machine (see README.md):
#   make demo   - the main job on the embedded default (SQLite + local folders)
#   make test   - lint, type check and the whole test suite (installs what the tests need)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup services lint test demo bench mutate clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

services:
	bash .ci/services.sh

lint: setup
	$(BIN)/ruff check gateway tests benchmarks
	$(BIN)/ruff format --check gateway tests benchmarks
	$(BIN)/mypy

test: setup services lint
	$(BIN)/pytest -q

demo: setup
	$(BIN)/gateway demo

bench: setup
	$(BIN)/python benchmarks/run_all.py

# Mutation testing of the parsers, the writer, the rule kinds and the code sets (long; not part of
# make test). MUTATE='gateway/x12/writer.py --sample 50' narrows it.
mutate: setup
	$(BIN)/python -m tests.mutation.run $(MUTATE)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
