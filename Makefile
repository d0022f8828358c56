# `make run` serves the CRM on http://127.0.0.1:8000 (HOST/PORT override); `make test` runs
# the linters and every test. Both install what is missing first.

PYTHON ?= python3
PYTEST_ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
# Newer than pyproject.toml once its dependencies are installed: a second `make` skips pip.
STAMP := $(VENV)/.installed
# mypy refuses a directory without Python files, and bench/ may not hold any yet.
TYPED := lead_crm leads tests $(if $(wildcard bench/*.py),bench)

.PHONY: help install run test lint format clean

help:
	@echo "make run      install what is missing, then serve (HOST, PORT, LEADCRM_* configure it)"
	@echo "make test     install, lint, then run every test (PYTEST_ARGS=... to narrow)"
	@echo "make lint     ruff check, ruff format --check, mypy"
	@echo "make format   fix what ruff can fix and reformat"
	@echo "make clean    remove .venv and caches (keeps var/, the local database)"

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

run: install
	$(BIN)/python manage.py serve

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(TYPED)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build *.egg-info
	find . \( -path ./var -o -path ./.git -o -name node_modules \) -prune \
		-o -type d -name __pycache__ -prune -exec rm -rf {} +
