# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/portal)

# Django 6 needs Python >= 3.12. Try $PYTHON, versioned names on PATH, then pyenv's installs (newest first).
define find_python
for p in "$$PYTHON" python3.14 python3.13 python3.12 \
    $$(ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.*/bin/python3 2>/dev/null | sort -rV) python3; do \
  [ -n "$$p" ] && command -v "$$p" >/dev/null 2>&1 && \
  "$$p" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$p"; exit 0; }; \
done; exit 1
endef

.PHONY: help deps checkers venv run serve test lint security test-postgres test-sqlite check-postgres lighthouse clean

help:
	@echo "make run   - install, migrate, load demo content, serve http://127.0.0.1:$(PORT)/"
	@echo "make test  - the whole suite on PostgreSQL, then again on SQLite"
	@echo "make lint  - ruff: lint, import order and format check, configured in pyproject.toml (part of make test)"
	@echo "make security - bandit over the project code (part of make test)"
	@echo "make serve - production mode: DEBUG off, PostgreSQL, Redis, collectstatic, Varnish on :$(PORT) in front"
	@echo "             of granian on :$$(($(PORT) + 1)) (EDGE=none: granian alone on :$(PORT))"
	@echo "make deps  - install the Debian packages make test and make serve use (varnish, varnish-modules,"
	@echo "             chromium, fonts-noto-cjk, default-jre-headless, npm) when missing; run by both"
	@echo "make lighthouse - Lighthouse (mobile) scores of the front page and the top story, served as make serve does"

# Debian packages: Varnish and its xkey module (the edge cache, make serve and its tests), Chromium and CJK
# fonts (the browser tests), Java and npm (the page checkers: vnu.jar runs on Java; npm installs the checkers).
# Installed as root where apt-get exists; elsewhere one line says what is missing.
deps:
	@missing=(); \
	{ command -v varnishd || [ -x /usr/sbin/varnishd ]; } >/dev/null 2>&1 || missing+=(varnish); \
	compgen -G "/usr/lib/*/varnish/vmods/libvmod_xkey.so" >/dev/null || compgen -G "/usr/lib/varnish/vmods/libvmod_xkey.so" >/dev/null \
	  || missing+=(varnish-modules); \
	{ command -v chromium || [ -x /usr/bin/chromium ]; } >/dev/null 2>&1 || missing+=(chromium); \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk); \
	command -v java >/dev/null 2>&1 || missing+=(default-jre-headless); \
	command -v npm >/dev/null 2>&1 || missing+=(npm); \
	if (($${#missing[@]})); then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "deps: installing $${missing[*]} from Debian"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$${missing[@]}" >/dev/null; \
	  else \
	    echo "deps: missing $${missing[*]}; install with: sudo apt-get install $${missing[*]} (until then their tests are skipped; without varnish, make serve needs EDGE=none)"; \
	  fi; \
	fi

$(VENV)/.installed: pyproject.toml
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then \
	  py=$$($(find_python)) || { echo "error: no Python >= 3.12 found (tried \$$PYTHON, python3.13, python3.12, pyenv versions, python3); install one or set PYTHON=/path/to/python3.12" >&2; exit 1; }; \
	  echo "Using $$py ($$($$py --version))"; \
	  "$$py" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $@

venv: $(VENV)/.installed

# A development checkout: manage.py commands run with DEBUG on unless the environment says otherwise.
.env:
	@echo "DEBUG=true" > .env
	@echo "Wrote .env (DEBUG=true) for this development checkout; production sets its environment instead."

run: venv .env
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Production mode on this machine: the settings production uses, over plain http on 127.0.0.1. The view
# buffer defaults to the local Redis's database 1 only when REDIS_URL is not given at all.
SERVE_ENV = DEBUG=false DATABASE_URL='$(TEST_DATABASE_URL)' \
	VIEW_BUFFER_URL=$${VIEW_BUFFER_URL-$$([ -z "$${REDIS_URL+set}" ] && echo redis://127.0.0.1:6379/1)} \
	REDIS_URL=$${REDIS_URL-redis://127.0.0.1:6379/0} \
	SECRET_KEY="$${SECRET_KEY:-$$(cat var/serve-secret-key)}" ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} SECURE_COOKIES=$${SECURE_COOKIES:-false}

var/serve-secret-key: | venv
	@mkdir -p var && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

serve: deps venv var/serve-secret-key
	@$(PY) -m portal.dbcheck '$(TEST_DATABASE_URL)' --create
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	@if [ "$${SEED_DEMO:-1}" = 1 ]; then $(SERVE_ENV) $(PY) manage.py seed_demo; fi
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(SERVE_ENV) PORT=$(PORT) $(PY) -m portal.serve

check-postgres: venv
	@$(PY) -m portal.dbcheck '$(TEST_DATABASE_URL)'

# The page checkers from npm, as package-lock.json pins them: the Nu HTML Checker (vnu.jar) and axe-core.
# --ignore-scripts: vnu-jar's install script would fetch a Java of its own; Debian's is used instead.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "checkers: npm is missing (make deps installs it as root); the HTML and accessibility checks are skipped"; \
	fi

checkers: node_modules/.installed

test: deps checkers lint security test-postgres test-sqlite

# ruff, as configured in pyproject.toml: `ruff check --fix . && ruff format .` mends most of what it finds.
lint: venv
	@echo "== ruff (lint, imports, format)"
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Static security analysis of the project code; each accepted finding carries `# nosec Bxxx` and its reason.
security: venv
	@echo "== bandit (portal, news, comments)"
	$(PY) -m bandit -q -r portal news comments

# Two pytest-xdist workers (CI's machine has 2 cores), each with a test database of its own (pytest-django
# names them <name>_gw0, <name>_gw1, both copied from the template check-postgres made). Tests that share one
# resource carry the same @pytest.mark.xdist_group and, with --dist loadgroup, run one after another on one
# worker: those that hold many PostgreSQL connections at once, and those that use Redis database 15.
# TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS ?= 2
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadgroup

test-postgres: check-postgres
	@echo "== tests on PostgreSQL ($(TEST_DATABASE_URL))"
	DATABASE_URL='$(TEST_DATABASE_URL)' $(PY) -m pytest $(PYTEST_PARALLEL)

test-sqlite: venv
	@echo "== tests on SQLite (the embedded default); PostgreSQL-only, browser and any_database tests are left out"
	DATABASE_URL='sqlite:///$(CURDIR)/var/test-sqlite.db' $(PY) -m pytest $(PYTEST_PARALLEL) -m "not e2e and not any_database"

# Lighthouse is too slow for the suite (about 20 s a page); it has its own pinned install beside its script.
tests/bench/lighthouse/node_modules/.installed: tests/bench/lighthouse/package.json tests/bench/lighthouse/package-lock.json
	cd tests/bench/lighthouse && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

lighthouse: deps venv tests/bench/lighthouse/node_modules/.installed
	BENCH_DATABASE_URL='$(patsubst %/,%,$(dir $(TEST_DATABASE_URL)))' $(PY) tests/bench/bench_lighthouse.py

clean:
	rm -rf $(VENV) var media staticfiles node_modules tests/bench/lighthouse/node_modules
