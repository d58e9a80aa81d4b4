#!/usr/bin/env bash
# CI's proof of the one-file build (`make onefile-check`): the binary runs with no Python of
# ours on PATH, answers --version, imports the demo roadmap into a fresh database and serves
# the browser page.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=dist/onefile/curator
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8 "$BIN" "$@"; }

run --version | grep -q "Куратор"
run import-roadmap curator_tui/demo/roadmap.txt --db "$work/check.db" >/dev/null
run activities --db "$work/check.db" | grep -q "Разработка и утверждение муниципальной программы"
# The browser mode's page and static files are inside too (the Russian page is a data file).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8 "$BIN" serve --db "$work/check.db" \
    --port "$port" > "$work/serve.log" &  # not through run(): $! must be the server itself
server=$!
for _ in $(seq 100); do grep -q "открыт в браузере" "$work/serve.log" && break; sleep 0.2; done
page=$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/').read().decode())")
kill "$server"
wait "$server" || true
grep -q "Начать заново" <<<"$page"
echo "onefile-check: $BIN ($(du -h "$BIN" | cut -f1)) runs --version, a roadmap import and serve"
