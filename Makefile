# `make run` serves the CRM and its web app on http://127.0.0.1:8000 (HOST/PORT override);
# `make test` runs the linters and every test, the browser tests included. Both install what is
# missing and rebuild the web app when its sources changed.

PYTHON ?= python3
PYTEST_ARGS ?=
# pytest-xdist processes, each with its own mongod (tests/conftest.py); 0 runs the tests in this
# process, one after the other: the default, as some reader tests still time out now and then
# under a second process's load.
PYTEST_WORKERS ?= 0
VENV := .venv
BIN := $(VENV)/bin
# Newer than pyproject.toml once its dependencies are installed: a second `make` skips pip.
STAMP := $(VENV)/.installed
# mypy refuses a directory without Python files, and bench/ may not hold any yet.
TYPED := lead_crm leads tests $(if $(wildcard bench/*.py),bench)

# The web app (frontend/): npm packages, the API types generated from the schema, the build.
WEB := frontend
NPM_STAMP := $(WEB)/node_modules/.installed
API_STAMP := $(WEB)/node_modules/.api-generated
OPENAPI := $(WEB)/openapi.json
API_TYPES := $(WEB)/src/api/schema.d.ts
DIST := $(WEB)/dist/index.html
# Any of these may change the OpenAPI schema.
API_SOURCES := $(shell find lead_crm leads -name '*.py')
# What the build reads (tests excepted: they do not change the bundle).
WEB_SOURCES := $(shell find $(WEB)/src $(wildcard $(WEB)/public) -type f \
	-not -name '*.test.ts' -not -name '*.test.tsx') \
	$(addprefix $(WEB)/,index.html vite.config.ts tsconfig.json package.json package-lock.json)

.PHONY: help install web run test lint format clean FORCE

help:
	@echo "make run      install what is missing, build the web app, then serve"
	@echo "              (HOST, PORT, LEADCRM_* configure it)"
	@echo "make test     install, build, lint, then run every test: Vitest, then pytest with"
	@echo "              the browser tests (PYTEST_ARGS=... to narrow pytest, PYTEST_WORKERS=N"
	@echo "              for N processes in parallel; 0, one process, by default)"
	@echo "make web      build the web app into frontend/dist/ if its sources changed"
	@echo "make lint     ruff check, ruff format --check, mypy, tsc"
	@echo "make format   fix what ruff can fix and reformat"
	@echo "make clean    remove .venv, node_modules, the build and caches (keeps var/)"

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

# npm ci empties node_modules/ first, so the stamps kept in it go with it.
$(NPM_STAMP): $(WEB)/package-lock.json $(WEB)/package.json
	@command -v npm >/dev/null 2>&1 || { echo "make: the web app needs Node.js 20.19+ and npm" \
		"(https://nodejs.org, or your distribution's nodejs and npm packages)" >&2; exit 1; }
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

# The schema is generated from the Python code on every change to it (about a second), but the
# files are replaced only when the schema differs, so an edit that leaves the API alone does not
# rebuild the web app. A missing generated file forces a run.
$(API_STAMP): $(STAMP) $(NPM_STAMP) $(API_SOURCES) \
		$(if $(and $(wildcard $(OPENAPI)),$(wildcard $(API_TYPES))),,FORCE)
	$(BIN)/python manage.py spectacular --format openapi-json --file $(OPENAPI).new
	if cmp -s $(OPENAPI).new $(OPENAPI) && test -f $(API_TYPES); then \
		rm $(OPENAPI).new; \
	else \
		mv $(OPENAPI).new $(OPENAPI) && cd $(WEB) && npm run gen:api; \
	fi
	touch $@

# Written (or not) by the recipe above; make reads its time again after running this.
$(API_TYPES): $(API_STAMP)
	@:

# WhiteNoise sends the .gz next to an asset to browsers that accept gzip (a third of the size).
$(DIST): $(NPM_STAMP) $(API_TYPES) $(WEB_SOURCES)
	cd $(WEB) && npm run build
	$(BIN)/python -m whitenoise.compress --quiet --no-brotli $(WEB)/dist
	touch $@

web: $(DIST)

run: install web
	$(BIN)/python manage.py serve

test: lint web
	cd $(WEB) && npm test
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install $(API_TYPES)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(TYPED)
	cd $(WEB) && npx --no-install tsc --noEmit -p tsconfig.json

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build *.egg-info
	rm -rf $(WEB)/node_modules $(WEB)/dist $(OPENAPI) $(OPENAPI).new $(API_TYPES)
	find . \( -path ./var -o -path ./.git -o -name node_modules \) -prune \
		-o -type d -name __pycache__ -prune -exec rm -rf {} +

FORCE:
