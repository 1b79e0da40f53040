#!/usr/bin/env bash
# Debian packages the book and its tests use: Fashion-MNIST (read from /usr/share/datasets),
# Chromium (the browser test) and npm (the site's web assets). Installed with apt where we are
# root on a Debian-like system; elsewhere we say what is missing and carry on (the data can
# also come from MNETCALC_DATA).
set -euo pipefail
packages=(dataset-fashion-mnist chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm installs the book's web assets (package-lock.json); any Node.js with npm will do.
command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then
  sudo apt-get update -q
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "note: could not install ${missing[*]} (no apt-get or not root); see README" >&2
fi
