# The two commands a newcomer needs: `make run` (the console on SQLite) and `make test` (everything).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501
CALLS ?= 20000

.PHONY: run test demo install lint typecheck lock bench screenshots review-pack clean

# Reinstall only when the project definition or the lock changed. The lock (pip-compile's output, every
# package pinned) is what the tests ran with, so a fresh install gets exactly that; the project itself
# goes in editable, without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m cli init
	$(BIN)/streamlit run console/server.py --server.port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

# After changing the dependencies in pyproject.toml: pin them anew (then `make install`).
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		--unsafe-package advice-line-console --output-file requirements.lock pyproject.toml

demo: $(STAMP)
	$(BIN)/python -m cli init
	$(BIN)/python -m cli seed-demo --calls $(CALLS) --with-users

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done

screenshots: $(STAMP)
	$(BIN)/python docs/take_screenshots.py

# The clinical review pack: script and letter for generated callers (docs/clinical-review/review-pack.md).
review-pack: $(STAMP)
	$(BIN)/python -m services.review_pack

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
