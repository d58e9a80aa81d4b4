#!/usr/bin/env bash
# `make usb`: the folder for a USB stick. The project's wheel (pure Python, built once) and
# every runtime dependency as wheels for Linux (manylinux, glibc 2.28+, x86_64) and Windows
# (win_amd64), CPython 3.11-3.13, plus the install scripts and УСТАНОВКА.txt from packaging/usb.
#
#   scripts/build-usb.sh [OUT]          OUT defaults to dist/usb; the folder is OUT/curator
#   USB_TARGETS="linux:3.11" ...        only these OS:version pairs (CI's install proof)
#
# Downloads are cached in .cache/usb-wheels (gitignored), so a second build is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-dist/usb}
TARGETS=${USB_TARGETS:-"linux:3.11 linux:3.12 linux:3.13 windows:3.11 windows:3.12 windows:3.13"}
PY=${USB_BUILD_PYTHON:-.venv/bin/python}  # any Python with pip: it only downloads
CACHE=.cache/usb-wheels
STICK="$OUT/curator"

# pip does not widen a manylinux tag to the older ones, so every glibc 2.28-compatible tag is
# named (Astra Linux 1.7, Debian 10, Ubuntu 20.04 and later have glibc 2.28 or newer).
LINUX_TAGS="manylinux_2_28_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64
    manylinux_2_12_x86_64 manylinux2010_x86_64 manylinux_2_5_x86_64 manylinux1_x86_64"

platform_flags() {
    case "$1" in
        linux) for tag in $LINUX_TAGS; do printf -- '--platform %s ' "$tag"; done ;;
        windows) echo "--platform win_amd64" ;;
        *) echo "unknown OS: $1" >&2; exit 2 ;;
    esac
}

rm -rf "$STICK" "$OUT/project-wheel"
mkdir -p "$STICK" "$CACHE"
"$PY" -m pip wheel -q --no-deps -w "$OUT/project-wheel" .
project_wheel=$(ls "$OUT"/project-wheel/curator_tui-*.whl)

for target in $TARGETS; do
    os=${target%%:*}
    version=${target#*:}
    mkdir -p "$CACHE/$os" "$STICK/wheels/$os"
    echo "wheels: $os, CPython $version"
    "$PY" -m pip download -q --only-binary=:all: --implementation cp \
        $(platform_flags "$os") --python-version "$version" \
        -d "$CACHE/$os" "$project_wheel"
    # Only this build's files: the cache also keeps older releases of the dependencies.
    "$PY" -m pip download -q --only-binary=:all: --implementation cp \
        $(platform_flags "$os") --python-version "$version" \
        --no-index --find-links "$CACHE/$os" -d "$STICK/wheels/$os" "$project_wheel"
done
rm -rf "$OUT/project-wheel"

# Linux files as they are; Windows ones with CRLF line ends (cmd.exe misreads labels and
# Notepad before Windows 10 runs lines together otherwise), УСТАНОВКА.txt with a BOM too.
install -m 755 packaging/usb/install.sh packaging/usb/curator.sh packaging/usb/browser.sh "$STICK/"
for f in install.cmd curator.cmd browser.cmd; do
    sed 's/\r*$/\r/' "packaging/usb/$f" > "$STICK/$f"
done
{ printf '\xef\xbb\xbf'; sed 's/\r*$/\r/' packaging/usb/УСТАНОВКА.txt; } > "$STICK/УСТАНОВКА.txt"

for os_dir in "$STICK"/wheels/*/; do
    echo "$(basename "$os_dir"): $(ls "$os_dir" | wc -l) wheels, $(du -sh "$os_dir" | cut -f1)"
done
echo "folder for the stick: $STICK ($(du -sh "$STICK" | cut -f1))"
