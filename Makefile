# Two entry points for a fresh machine: `make run` (chat on the samples) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false
export HF_HUB_DISABLE_PROGRESS_BARS := 1
export TRANSFORMERS_VERBOSITY := error

.PHONY: setup run test test-fast lint bench browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

## Debian's chromium for the real-browser test (never `playwright install`).
browser-deps:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

run: setup
	$(BIN)/briefing index samples/
	$(BIN)/briefing ui --port $(PORT)

test: setup browser-deps
	$(BIN)/pytest -q

test-fast: setup
	$(BIN)/pytest -q -m "not integration and not browser"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy assistant ingest vectorstore ui

bench: setup
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) build *.egg-info
