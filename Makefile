# The two commands a newcomer needs: `make demo` and `make test`.
# Both create .venv/ and install what they need on first use (Python 3.11+ and make are enough).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck schema schema-lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "xietong needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,embedded]'
	@touch $(STAMP)

## demo: start the service with embedded PostgreSQL and Redis and the seed tenants
demo: $(STAMP)
	$(BIN)/xietong demo $(ARGS)

## test: the whole suite (real PostgreSQL and Redis: XIETONG_TEST_*_URL, or embedded ones)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check

typecheck: $(STAMP)
	$(BIN)/mypy

## schema: re-export graphql/schema.graphql after changing the API
schema: $(STAMP)
	$(BIN)/xietong schema export

## schema-lint: graphql-schema-linter (needs node and npm; CI runs it, `make test` checks the same rules)
schema-lint:
	npm ci --prefix .ci --no-audit --no-fund
	cd .ci && node_modules/.bin/graphql-schema-linter ../graphql/schema.graphql

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) .xietong .pytest_cache .mypy_cache .ruff_cache .ci/node_modules
