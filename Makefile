# Shanghui CRM. `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed

.PHONY: run test install lint format messages bench serve-prod clean

$(STAMP): pyproject.toml uv.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --quiet
	touch $(STAMP)

install: $(STAMP)

## run: the app on the embedded default (SQLite, in-process worker + scheduler, demo data)
run: install
	$(PY) manage.py serve

## test: the whole suite (SQLite by default; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
test: install
	DRAMATIQ_NAMESPACE=shanghui-test $(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

## messages: refresh and compile the translation catalogs of every app
messages: install
	$(PY) manage.py update_catalogs

clean:
	rm -rf $(VENV) var .pytest_cache
