# riskwatch: two commands on a fresh machine (Python 3.11 + make, nothing else).
#   make demo   set up .venv, replay the bundled snapshot into SQLite, score, serve the dashboard on :8501
#   make test   set up .venv and run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[models,test]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/riskwatch demo

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) var
