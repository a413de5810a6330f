#!/bin/sh
# Install the Debian packages imeval needs, when any is missing.
set -e
PKGS="build-essential pkg-config liblua5.4-dev libcjson-dev libcsv-dev check groff-base man-db libsqlite3-dev libpq-dev postgresql sqlite3"
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
