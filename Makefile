# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint ui clean benchmark

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## demo: create the five reference clients and process them through the Dagster pipeline.
demo: setup
	$(BIN)/deznity demo

## test: lint, format and type checks, then the whole test suite.
test: setup lint
	$(BIN)/python -m pytest

## lint: ruff (lint and format) and mypy on the package, the tests and the benchmarks.
lint: setup
	$(BIN)/ruff check deznity_assets tests benchmarks
	$(BIN)/ruff format --check deznity_assets tests benchmarks
	$(BIN)/mypy

## ui: the Dagster UI and daemon on this workspace, with the sensor running.
ui: setup
	$(BIN)/deznity ui

benchmark: setup
	$(BIN)/python benchmarks/pipeline_throughput.py

clean:
	rm -rf .deznity output/*/ output/index.html
