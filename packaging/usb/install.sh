#!/bin/sh
# «Куратор»: установка без интернета (Linux). Создаёт папку venv рядом с этим файлом и ставит
# программу из папки wheels/linux. Запуск ещё раз обновляет программу, данные не трогает.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VENV="$HERE/venv"
WHEELS="$HERE/wheels/linux"

fail() {
    echo "Ошибка: $1" >&2
    echo "Подробнее — в файле УСТАНОВКА.txt, раздел «Если не получилось»." >&2
    exit 1
}

suitable() {  # a Python 3.11, 3.12 or 3.13: the versions the wheels are for
    command -v "$1" >/dev/null 2>&1 &&
        "$1" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null
}

PYTHON=${CURATOR_PYTHON:-}
if [ -z "$PYTHON" ]; then
    for candidate in python3 python3.13 python3.12 python3.11; do
        if suitable "$candidate"; then PYTHON=$candidate; break; fi
    done
fi
[ -n "$PYTHON" ] && suitable "$PYTHON" ||
    fail "не найден Python 3.11, 3.12 или 3.13. Установите его из пакетов системы (python3)."
[ -d "$WHEELS" ] || fail "нет папки $WHEELS: скопируйте папку curator с флешки целиком."

echo "Python: $("$PYTHON" --version 2>&1). Создаю окружение в $VENV ..."
if [ ! -x "$VENV/bin/python" ]; then
    # On a FAT-formatted stick symlinks are impossible: then the venv gets copies.
    "$PYTHON" -m venv "$VENV" 2>/dev/null || { rm -rf "$VENV"; "$PYTHON" -m venv --copies "$VENV"; } ||
        fail "не удалось создать окружение. В Debian, Ubuntu и Astra Linux установите пакет python3-venv."
fi

echo "Устанавливаю «Куратор» из $WHEELS (без интернета) ..."
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
    --find-links "$WHEELS" --upgrade curator-tui ||
    fail "pip не смог установить программу из папки wheels/linux (см. сообщения выше)."

echo "Готово: $("$VENV/bin/curator" --version)."
echo "Запуск в терминале:  $HERE/curator.sh"
echo "Запуск в браузере:   $HERE/browser.sh"
