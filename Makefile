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

test: $(VENV)/.stamp-dev web test-deps web-test desktop-deps
	$(BIN)/python -m pytest -q

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: $(VENV)/.stamp-dev
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# --- web client (web/) ---------------------------------------------------------------------------
# Node 20+ and npm; rebuilt only when a source file, the lockfile or the config changed.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json

web: web/dist/index.html

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npx vite build --logLevel warn
	touch $@

# Type check and unit tests of the client's state logic (the browser tests run under pytest).
web-test: web/node_modules/.package-lock.json
	cd web && npx tsc --noEmit
	cd web && npx vitest run

# --- what the browser and desktop tests need (installed by apt when missing) --------------------
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

test-deps:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

# --- benchmarks ----------------------------------------------------------------------------------
# The standard set (about 4 minutes on 2 cores): JSON and PNG plots into bench-results/.
bench: $(VENV)/.stamp-dev
	$(BIN)/python -m parley.bench all --out bench-results --plot

# --- desktop client ------------------------------------------------------------------------------
# Xvfb for the UI tests; GL, mtdev and a clipboard tool for Kivy; cairo headers + gcc to build pycairo
# (KivyMD 2 -> materialshapes -> pycairo has no Linux wheel).
DESKTOP_APT := xvfb xauth libgl1 libegl1 libmtdev1 xclip libcairo2-dev pkg-config gcc
SERVER ?= http://$(HOST):$(PORT)

desktop: desktop-deps
	$(BIN)/python -m parley.desktop $(SERVER)

desktop-deps: $(VENV)/.stamp-desktop

$(VENV)/.stamp-desktop: pyproject.toml | $(BIN)/python
	@missing=""; for p in $(DESKTOP_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	  else echo "desktop-deps: please install:$$missing"; fi; \
	fi
	$(BIN)/pip install -q -e '.[desktop]'
	touch $@

clean:
	rm -rf $(VENV) web/node_modules web/dist .pytest_cache .mypy_cache .ruff_cache
