# «Куратор»: the two commands are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= demo/demo.db

.PHONY: run test lint tools bench stress clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/curator demo --db $(DEMO_DB)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/mypy --strict curator_tui/domain curator_tui/store curator_tui/sync

tools:
	./scripts/ensure-tools.sh

test: tools lint
	$(BIN)/pytest -n 2 -m "not stress"
	CURATOR_FAKE_WINDOWS=1 $(BIN)/pytest -p tests.portable.fake_windows -n 2 -m "not stress"

bench: $(STAMP)
	$(BIN)/python -m bench

stress: tools $(STAMP)
	$(BIN)/pytest -m stress

clean:
	rm -rf $(VENV) demo build dist .pytest_cache .ruff_cache
