#!/usr/bin/env bash
# Set up everything teachkit needs on this machine, idempotently:
#   scripts/setup.sh          Python environment in .venv (the package, its tests' tools)
#   scripts/setup.sh browser  ... and Debian's Chromium for the browser tests, and
#                             configurable-http-proxy (npm, into .venv/node) for the
#                             JupyterHub test
#   scripts/setup.sh hub      the Python environment and configurable-http-proxy only
# Each also writes the synthetic cohort data/synthetic/cohort.csv (not committed).
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

# The lessons' full synthetic cohort (about 12 MB, too large to commit; a few seconds):
# written when it is missing or older than the code that makes it.
COHORT=data/synthetic/cohort.csv
if [ ! -f "$COHORT" ] || [ -n "$(find src/teachkit scripts/make_data.py -name '*.py' \
    -newer "$COHORT" -print -quit)" ]; then
  echo "setup: generating the synthetic cohort $COHORT (scripts/make_data.py)"
  "$VENV/bin/python" scripts/make_data.py --cohort-only
fi

# The warm parent's state for forked kernels (cohort, models' scores, the labs' pictures;
# a room's lesson 01 lever states), in ~/.cache/teachkit/warm-parent: the first
# `teachkit serve` then puts it back (~0.2 s) instead of computing it (~1 CPU-s, a room's
# ~4.5). Written again only when teachkit's files or the installed packages are newer
# than the last write (~12 CPU-s then, both kinds). TEACHKIT_WARM_SNAPSHOT=0: nothing kept.
WARM_STAMP=$VENV/.teachkit-warm-state
if [ "${TEACHKIT_WARM_SNAPSHOT:-1}" != 0 ] && { [ ! -f "$WARM_STAMP" ] || \
    [ "$STAMP" -nt "$WARM_STAMP" ] || \
    [ -n "$(find src/teachkit -newer "$WARM_STAMP" -print -quit)" ]; }; then
  echo "setup: writing the warm parent's state for forked kernels (teachkit.forking.snapshot)"
  if "$VENV/bin/python" -m teachkit.forking.snapshot --plain --room; then
    touch "$WARM_STAMP"
  else
    echo "setup: (not written: each server's warm parent computes its state)" >&2
  fi
fi

# Debian packages, as root or through sudo.
apt_install() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "teachkit needs these Debian packages: apt-get install $*" >&2
    exit 1
  fi
}

# JupyterHub's proxy (jupyterhub/jupyterhub_config.py and tests/hub use this copy).
CHP_VERSION=5.3.0
CHP=$VENV/node/node_modules/.bin/configurable-http-proxy
if [ "${1:-}" = "browser" ] || [ "${1:-}" = "hub" ]; then
  if [ ! -x "$CHP" ] || ! grep -q "\"version\": \"$CHP_VERSION\"" \
      "$VENV/node/node_modules/configurable-http-proxy/package.json" 2>/dev/null; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "setup: installing Debian's nodejs and npm for JupyterHub's proxy"
      apt_install nodejs npm
    fi
    echo "setup: installing configurable-http-proxy $CHP_VERSION (npm) into $VENV/node"
    mkdir -p "$VENV/node"
    npm install --prefix "$VENV/node" --no-audit --no-fund --no-save --loglevel=error \
      "configurable-http-proxy@$CHP_VERSION" >/dev/null
  fi
fi

if [ "${1:-}" = "browser" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the browser tests"
    apt_install chromium fonts-dejavu-core
  fi
fi
echo "setup: ready"
