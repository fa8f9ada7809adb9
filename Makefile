# Channel Voice: `make run` serves the demo portal, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install system-deps lint format test-sqlite test-postgres bench bench-http clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Channel Voice on http://$(HOST):$(PORT)/ (log in as partner@example.com / demo-password)"
	$(FLASK) run --host $(HOST) --port $(PORT)

system-deps:
	scripts/system-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test-sqlite: install
	$(BIN)/python -m pytest

test-postgres: install
	scripts/with-postgres.sh $(BIN)/python -m pytest -m "not browser"

test: install system-deps lint test-sqlite test-postgres

bench: install
	$(BIN)/python -m bench

# Over HTTP under gunicorn; seeded databases are cached in bench/.cache/ (scale 33 takes minutes once).
bench-http: install
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || \
		echo "wrk is not installed: throughput falls back to a Python client (a lower bound)."
	$(BIN)/python -m bench http --scales 3 33

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-results
