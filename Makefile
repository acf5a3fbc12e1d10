# riskwatch: two commands on a fresh machine (Python 3.11 + make, nothing else).
#   make demo   set up .venv, replay the bundled snapshot into SQLite, score, serve the dashboard on :8501
#   make test   set up .venv and run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test clean browser postgres audit lint lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed at the versions pinned in requirements.lock (pyproject.toml keeps the ranges).
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e ".[models,postgres,test]"
	touch $(STAMP)

# Re-pin after changing dependencies: resolve the ranges in a scratch venv, freeze it.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e ".[models,postgres,test]"
	{ echo "# Pinned versions of every package riskwatch installs (make setup installs with -c requirements.lock)."; \
	  echo "# Regenerate after changing pyproject.toml's dependencies: make lock (pip freeze of a fresh .venv)."; \
	  .lock-venv/bin/pip freeze --exclude-editable | sort -f; } > requirements.lock
	rm -rf .lock-venv

# Lint and formatting (ruff, configured in pyproject.toml).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

setup: $(STAMP)

demo: setup
	$(BIN)/riskwatch demo

# The real-browser dashboard test needs Debian's chromium; installed when missing and possible
# (root with apt-get). Without it that test is skipped with a loud reason, the rest still runs;
# in CI (CI=true) a missing browser is an error here and a failure in the tests, never a skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
	  { case "$${CI:-}" in 1|[Tt]rue|TRUE|[Yy]es) \
	      echo "ERROR: CI=$$CI and chromium could not be installed (needs root with apt-get): the real-browser test cannot run" >&2; exit 1;; esac; \
	    echo "WARNING: chromium could not be installed; the real-browser test will be skipped" ; }

# The database-facing tests run a second time on a throwaway PostgreSQL cluster (started and
# stopped by the tests themselves as the unprivileged `postgres` user); Debian's server package
# is installed when missing and possible, else those tests are skipped with a loud reason
# (in CI, CI=true: an error here and failures in the tests, never a skip).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) ; } || \
	  { case "$${CI:-}" in 1|[Tt]rue|TRUE|[Yy]es) \
	      echo "ERROR: CI=$$CI and postgresql could not be installed (needs root with apt-get): the PostgreSQL variants cannot run" >&2; exit 1;; esac; \
	    echo "WARNING: postgresql could not be installed; the PostgreSQL variants of the tests will be skipped" ; }

# Known-vulnerability audit of the installed dependencies (pip-audit): fails on a finding,
# warns loudly (and does not pretend to be clean) when no vulnerability service is reachable.
audit: setup
	$(BIN)/python scripts/audit.py

test: setup lint browser postgres audit
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var
