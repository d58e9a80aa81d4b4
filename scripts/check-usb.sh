#!/usr/bin/env bash
# CI's proof of the USB folder (`make usb-check`, run by `make test`): build its Linux part for
# one CPython, install it as a user would (install.sh, no index, no pip configuration of this
# machine), then run `curator --version` and import the demo roadmap into a fresh database.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=build/usb-check
# The interpreter the project's own venv was made from (3.11 on CI), and its wheels only.
PYTHON=${USB_CHECK_PYTHON:-$(.venv/bin/python -c 'import sys; print(sys._base_executable)')}
version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
USB_TARGETS="linux:$version" ./scripts/build-usb.sh "$OUT"
STICK="$OUT/curator"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A clean environment: this machine's pip settings (an index mirror, extra find-links) must
# not help, so a wheel missing from the folder fails the install here as it would at a school.
start=$EPOCHREALTIME
env -i HOME="$work" PATH="$PATH" PIP_CONFIG_FILE=/dev/null CURATOR_PYTHON="$PYTHON" \
    sh "$STICK/install.sh"
awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { printf "installed from the wheelhouse in %.1f s\n", e - s }' 

env -i HOME="$work" PATH=/usr/bin:/bin "$STICK/curator.sh" --version | grep -q "Куратор"
env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8 "$STICK/curator.sh" \
    import-roadmap curator_tui/demo/roadmap.txt --db "$work/check.db"
env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8 "$STICK/curator.sh" \
    activities --db "$work/check.db" | grep -q "Разработка и утверждение муниципальной программы"
echo "usb-check: the Linux wheelhouse installs offline and imports a roadmap"
