# The front door: `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint format bench desktop web clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installed once per change of pyproject.toml.
$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.stamp-run

run: $(VENV)/.stamp-run web
	$(BIN)/parley serve --host $(HOST) --port $(PORT)

test: $(VENV)/.stamp-dev web test-deps
	$(BIN)/python -m pytest -q

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: $(VENV)/.stamp-dev
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# --- web client (web/) ---------------------------------------------------------------------------
web:
	@true

# --- what the browser and desktop tests need (installed by apt when missing) --------------------
test-deps:
	@true

# --- benchmarks ----------------------------------------------------------------------------------
bench: $(VENV)/.stamp-dev
	@echo "benchmarks: see issue 4"

# --- desktop client ------------------------------------------------------------------------------
desktop:
	@echo "desktop client: see issue 5"

clean:
	rm -rf $(VENV) web/node_modules web/dist .pytest_cache .mypy_cache .ruff_cache
