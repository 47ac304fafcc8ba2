# Two commands do all set-up on a fresh machine (see README.md):
#   make demo   - the main job on the embedded default (SQLite + local folders)
#   make test   - lint, type check and the whole test suite (installs what the tests need)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup services lint test demo bench clean

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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
