#!/usr/bin/env bash
# `make onefile`: one executable, dist/onefile/curator, that needs no Python on the computer.
#
# PyInstaller rather than shiv: a shiv zipapp still needs a Python 3.11+ installed where it
# runs, and that is the very thing a school laptop lacks; PyInstaller puts the interpreter
# inside. It cannot cross-build: the Windows curator.exe is built on Windows (docs/windows.md).
#
# The build runs in its own venv (.cache/onefile/venv, gitignored) with the project installed
# as a user gets it (a wheel, not the editable checkout), so the binary holds what a wheel has.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${ONEFILE_PYTHON:-python3}  # the binary carries this interpreter
BUILD=.cache/onefile
VENV=$BUILD/venv
OUT=dist/onefile

[ -x "$VENV/bin/pyinstaller" ] || {
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q "pyinstaller>=6.10,<7"
}
"$VENV/bin/pip" install -q .                              # the dependencies, kept between builds
"$VENV/bin/pip" install -q --force-reinstall --no-deps .  # this checkout's code, every build

# What PyInstaller cannot see by following imports: our command groups and textual's widgets
# are imported by name at run time; the migrations, the demo roadmap and the browser page are
# data files; `--version` and textual-serve read package metadata.
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN --onefile --name curator \
    --distpath "$OUT" --workpath "$BUILD/work" --specpath "$BUILD" \
    --collect-submodules curator_tui --collect-data curator_tui \
    --collect-submodules textual --collect-data textual \
    --collect-submodules rich --collect-data textual_serve \
    --copy-metadata curator-tui --copy-metadata textual --copy-metadata textual-serve \
    packaging/onefile/entry.py
echo "one-file build: $OUT/curator ($(du -h "$OUT/curator" | cut -f1))"
