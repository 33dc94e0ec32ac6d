# Kept: `make run` to talk to Kept, `make test` to check everything. Both set up .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test lint typecheck unit install demo bench fuzz clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/kept migrate
	$(BIN)/kept

demo: install
	$(BIN)/kept demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: lint typecheck unit

bench: install
	$(BIN)/python bench/slack_ack_bench.py
	$(BIN)/python bench/dispatch_bench.py
	$(BIN)/python bench/insights_bench.py

# A million fuzzed core commands and 100,000 HTTP bodies; FUZZ_ARGS="--minutes 30" caps each part's time.
fuzz: install
	$(BIN)/python -m tests.fuzz_run $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
