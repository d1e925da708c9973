#!/usr/bin/env bash
# Set up everything teachkit needs on this machine, idempotently:
#   scripts/setup.sh          Python environment in .venv (the package, its tests' tools)
#   scripts/setup.sh browser  ... and Debian's Chromium for the browser tests
# Re-running is cheap: pip runs again only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.teachkit-installed

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "teachkit needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)." >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating the Python environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  echo "setup: installing teachkit and its dependencies (a few minutes the first time)"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[test]"
  touch "$STAMP"
fi

if [ "${1:-}" = "browser" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
      sudo apt-get update -qq
      sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
    else
      echo "The browser tests need Debian's chromium package: apt-get install chromium" >&2
      exit 1
    fi
  fi
fi
echo "setup: ready"
