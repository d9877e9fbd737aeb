# The two commands a newcomer needs: `make run` (the console on SQLite) and `make test` (everything).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501
CALLS ?= 20000

.PHONY: run test demo install lint bench screenshots clean

# Reinstall only when the project definition changed.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m console.cli init
	$(BIN)/streamlit run console/server.py --server.port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/python -m console.cli init
	$(BIN)/python -m console.cli seed-demo --calls $(CALLS) --with-users

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done

screenshots: $(STAMP)
	$(BIN)/python docs/take_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
