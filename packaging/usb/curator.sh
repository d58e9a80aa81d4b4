#!/bin/sh
# «Куратор» из окружения, созданного install.sh; аргументы передаются программе как есть.
HERE=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$HERE/venv/bin/curator" ]; then
    echo "Программа ещё не установлена: сначала запустите $HERE/install.sh" >&2
    exit 1
fi
exec "$HERE/venv/bin/curator" "$@"
