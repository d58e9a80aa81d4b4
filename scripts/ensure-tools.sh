#!/usr/bin/env bash
# The stock tools the tests use to check our output for real: age, ssh-keygen, zip/unzip;
# LibreOffice headless (makes .doc/.odt/.rtf fixtures, prints reports to PDF), poppler
# (pdftotext/pdftoppm read those PDFs), Chromium (the browser-mode test).
# Installs whichever is missing from Debian's packages (as root, or through sudo).
set -euo pipefail
need=()
command -v age >/dev/null 2>&1 || need+=(age)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer libreoffice-calc fonts-dejavu-core fonts-liberation)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing: ${need[*]}"
sudo_cmd=()
[ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
