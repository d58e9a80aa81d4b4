#!/usr/bin/env bash
# CI's proof of the one-file build (`make onefile-check`): the binary runs with no Python of
# ours on PATH, answers --version and imports the demo roadmap into a fresh database.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=dist/onefile/curator
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8 "$BIN" "$@"; }

run --version | grep -q "Куратор"
run import-roadmap curator_tui/demo/roadmap.txt --db "$work/check.db" >/dev/null
run activities --db "$work/check.db" | grep -q "Разработка и утверждение муниципальной программы"
echo "onefile-check: $BIN ($(du -h "$BIN" | cut -f1)) runs --version and a roadmap import"
