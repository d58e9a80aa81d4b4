# «Куратор»: the two commands are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= demo/demo.db

.PHONY: run test lint tools bench stress clean usb usb-check onefile onefile-check

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

# The USB install proof runs first, so pytest's summary stays the last line of the output.
# The one-file build (minutes of PyInstaller) is proved by .ci/run after this, not here.
test: tools lint usb-check
	$(BIN)/pytest -n 2 -m "not stress"
	CURATOR_FAKE_WINDOWS=1 $(BIN)/pytest -p tests.portable.fake_windows -n 2 -m "not stress"

# The folder for a USB stick: wheels for Linux and Windows, CPython 3.11-3.13 (docs/windows.md).
usb: $(STAMP)
	./scripts/build-usb.sh dist/usb

# Its Linux/3.11 part installed offline in a fresh venv, then --version and a roadmap import.
usb-check: $(STAMP)
	./scripts/check-usb.sh

# One executable with its own interpreter (PyInstaller): dist/onefile/curator.
onefile: $(STAMP)
	./scripts/build-onefile.sh

onefile-check: onefile
	./scripts/check-onefile.sh

bench: $(STAMP)
	$(BIN)/python -m bench

stress: tools $(STAMP)
	$(BIN)/pytest -m stress

clean:
	rm -rf $(VENV) demo build dist .pytest_cache .ruff_cache
