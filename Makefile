# Every target bootstraps .venv first; re-running is cheap because the stamp
# file only changes when pyproject.toml does.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test run bench lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cercle demo

# Two workers: most of a test's time is waiting on HTTP, so two cores run two at once
# (each worker starts its own throwaway PostgreSQL).
TEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

run: $(STAMP)
	$(BIN)/cercle run

bench: $(STAMP)
	$(BIN)/python -m bench.bulk_delivery
	$(BIN)/python -m bench.nudge_fanout
	$(BIN)/python -m bench.poll_storm
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.reports

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
