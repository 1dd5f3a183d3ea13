# The README's two commands: `make lab` and `make test`. Both work on a fresh machine from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test test-full-forms test-examples install browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The dev/test install: actlab editable with its test extras, torch's CPU wheel and Ray.
$(STAMP): $(BIN)/python pyproject.toml requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# The main job: build the offline HTML lab in ./actlab-lab and print its path.
lab: $(STAMP)
	$(BIN)/actlab lab --out actlab-lab

# Debian's chromium for the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 -q

# Quick against full forms of the experiments whose quick verdict may be indicative (up to an hour on 2 cores).
test-full-forms: $(STAMP)
	ACTLAB_FULL_FORMS=1 $(BIN)/python -m pytest -q tests/test_experiments_robustness.py -k quick_verdict

# Every shell example of the README, docs/*.md and the --help epilogs, run (scaled down) and compared where shown.
test-examples: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q tests/test_examples_docs.py

clean:
	rm -rf $(VENV) actlab-lab actlab-runs.sqlite* test-artifacts
