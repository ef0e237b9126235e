#!/usr/bin/env bash
# Install headless Chromium from the system package manager (Debian's `chromium` package) for
# the browser tests (tests/python/test_report.py, tests/python/test_docs_site.py).
# Idempotent: does nothing when /usr/bin/chromium (or $MVOI_CHROMIUM) already exists.
# Needs root (or sudo) and the Debian package mirror; downloads nothing else.
set -euo pipefail

CHROMIUM="${MVOI_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    echo "install_browser: $CHROMIUM present ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: apt-get not found; install Chromium with your package manager" >&2
    echo "                 (or point MVOI_CHROMIUM at a chromium binary)" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install_browser: not root and no sudo: cannot install chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium
echo "install_browser: installed $(/usr/bin/chromium --version 2>/dev/null)"
