# Front Door. `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
CHROMIUM ?= /usr/bin/chromium
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install run test test-fast faults lint audit check browser clamav static migrate demo clean bench \
	mutation

help:
	@echo "make run        start Front Door locally (SQLite, no servers needed)"
	@echo "make test       run every test (Postgres/Redis when DATABASE_URL/CELERY_BROKER_URL are set)"
	@echo "make test-fast  every test except the browser journeys"
	@echo "make faults     the full fault-injection run; figures to docs/reliability-figures.json"
	@echo "make lint       ruff (checks and formatting), mypy and Django's checks"
	@echo "make audit      bandit on our code, pip-audit on every locked dependency"
	@echo "make mutation   mutation testing of the core rules (about 15 min); scores to docs/mutation.md"
	@echo "make bench      benchmarks at 10k, 100k and 1M referrals on PostgreSQL (hours; see docs/benchmarks.md)"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Python dependencies, from the lock file only.
$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python python3
	touch $@

# GOV.UK Frontend and Sass, from package-lock.json only.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static_build/app.css: node_modules/.installed static_src/app.scss
	mkdir -p static_build
	npm run --silent build:css

install: $(VENV)/.synced static_build/app.css ## idempotent

static: static_build/app.css

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) seed_demo

run: demo
	@bin/clamd-local || echo "ClamAV is not running: attached documents wait, unopenable, for their virus check"
	@echo ""
	@echo "Front Door is starting at http://127.0.0.1:8000/ (Ctrl-C stops the web server, workers and beat)"
	@echo ""
	WEBHOOK_ALLOW_HTTP_LOOPBACK=$${WEBHOOK_ALLOW_HTTP_LOOPBACK:-true} $(VENV)/bin/honcho -f Procfile.dev start

# Browser tests drive Debian's Chromium; install it if it is missing.
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# ClamAV's daemon (Debian's clamav-daemon) on a socket under var/clamav/, for
# scanning attached documents; installed from Debian if it is missing, left
# running like PostgreSQL and Redis (`bin/clamd-local stop` stops it).
clamav:
	bin/clamd-local

test: install browser clamav
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install clamav
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

# Hundreds of submissions while Redis, a worker and PostgreSQL fail, against
# private servers the test starts itself (docs/reliability.md). `make test`
# runs the same test with a small load.
FAULTS_FIGURES ?= docs/reliability-figures.json
faults: install
	FRONTDOOR_FAULTS=full FRONTDOOR_FAULTS_FIGURES=$(FAULTS_FIGURES) $(PY) -m pytest tests/faults -m faults -s -q -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

audit: install
	$(PY) bin/audit-dependencies
# Mutation testing of the core rules with mutmut ([tool.mutmut] in pyproject.toml):
# the working-day calendar, deadlines, escalation, references and matching.
# It runs in mutants/ on SQLite, each forked run on its own copy of a test
# database migrated here first (tests/mutation/plugin.py), then writes the
# scores to docs/mutation.md (tests/mutation/report.py). MUTATION_CHILDREN
# runs in parallel (default 2). Fails if a module group scores under 90%.
MUTATION_CHILDREN ?= 2
MUTATION_VAR := $(CURDIR)/var/mutation
mutation: install
	rm -rf mutants $(MUTATION_VAR)
	FRONTDOOR_VAR_DIR=$(MUTATION_VAR) $(PY) -m pytest -q -p no:cacheprovider --create-db --reuse-db \
		tests/referrals/escalation/test_sweep.py::test_nothing_escalates_before_the_deadline
	@date +%s > $(MUTATION_VAR)/started
	FRONTDOOR_VAR_DIR=$(MUTATION_VAR) $(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) \
		> $(MUTATION_VAR)/mutmut.log 2>&1 || { tail -c 3000 $(MUTATION_VAR)/mutmut.log; exit 1; }
	$(PY) -m tests.mutation.report --started $$(cat $(MUTATION_VAR)/started) \
		--command "make mutation MUTATION_CHILDREN=$(MUTATION_CHILDREN)" --fail-under 90

# Benchmarks against PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/)
# and Redis DB 14 (BENCH_BROKER_URL). They measure and never fail on time.
# BENCH_ARGS="--scales 10000 --soak-seconds 120" for a quick look.
bench: install
	$(UV) sync --frozen --python python3 --group bench
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf var static_build staticfiles
