# Shanghui CRM. `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed

.PHONY: run test install frontend manual lint format messages bench serve-prod clean

$(STAMP): pyproject.toml uv.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --quiet
	touch $(STAMP)

install: $(STAMP)

# The web app (frontend/): built into frontend/dist when missing or older than its
# sources; Django serves the build (WhiteNoise). Needs Node.js 20.19+ and npm.
FRONTEND_SRC := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/package.json frontend/vite.config.ts frontend/tsconfig.json
NODE_CHECK = command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)' \
	|| { echo "The web app (frontend/) needs Node.js 20.19 or newer with npm to build: install it (e.g. https://nodejs.org or your distribution's nodejs package) and run make again."; exit 1; }

frontend/node_modules/.package-lock.json: frontend/package-lock.json frontend/package.json
	@$(NODE_CHECK)
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SRC)
	@$(NODE_CHECK)
	cd frontend && npm run build
	touch $@

## frontend: build the web app if it is missing or stale
frontend: frontend/dist/index.html

# The user manual (manual/, MkDocs): built into var/manual when missing or older than its
# sources; the app serves it at /docs/ (zh-CN) and /docs/en/, offline.
MANUAL_SRC := $(shell find manual -type f -not -path '*/__pycache__/*' 2>/dev/null)

var/manual/index.html: $(STAMP) $(MANUAL_SRC)
	$(PY) manual/build.py --out var/manual

## manual: build the user manual if it is missing or stale
manual: var/manual/index.html

## run: the app on the embedded default (SQLite, in-process worker + scheduler, demo data)
run: install frontend manual
	$(PY) manage.py serve

## test: the whole suite (SQLite by default; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
test: install frontend
	cd frontend && npm test -- --run
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

## bench: seed PostgreSQL, run every benchmark, write bench/results.json (BENCH_QUICK=1: short)
bench: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/shanghui_bench} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/1} \
	DRAMATIQ_NAMESPACE=$${DRAMATIQ_NAMESPACE:-shanghui-bench} \
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache
