#!/bin/sh
# Install the Debian packages imeval needs, when any is missing.
set -e
PKGS="build-essential pkg-config liblua5.4-dev libluajit-5.1-dev libcjson-dev libcsv-dev libglpk-dev check groff-base man-db libsqlite3-dev libpq-dev postgresql sqlite3 libmicrohttpd-dev"
# `tests/install-deps.sh test` (make check) adds what the tests drive: the
# report tests print with Chromium, read PDFs with poppler, check SVG with
# xmllint and JSON with jq, and run axe-core under node (npm packages from
# tests/browser/package-lock.json; Debian's nodejs when there is no node).
if [ "${1:-}" = test ]; then
    PKGS="$PKGS chromium poppler-utils libxml2-utils jq fonts-dejavu-core clang-format"
    command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
    command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
