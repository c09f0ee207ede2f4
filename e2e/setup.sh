#!/usr/bin/env bash
# Installs what the browser tests need: Debian's chromium (never a downloaded browser build).
# playwright-core and @axe-core/playwright come with `npm ci`.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "e2e/setup.sh: /usr/bin/chromium is missing; run as root (or: sudo apt-get install -y chromium)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium
/usr/bin/chromium --version || true
