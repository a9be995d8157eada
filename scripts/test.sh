#!/usr/bin/env bash
# Installs everything the test suite needs, then runs all of it.
#   system: Chromium (browser tests), poppler-utils (PDF checks), Java (HTML checker), Node.js/npm
#   npm:    vnu-jar and axe-core, pinned in package-lock.json
#   Python: the project with its test extras, in .venv, at the versions constraints.txt pins
# Then: ruff and mypy, the fast tier (`-m "not slow"`), and the slow tier; together, the whole suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k browser`.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null 2>&1; then as_root=(sudo); else
    echo "scripts/test.sh: please install these Debian packages first: ${missing[*]}" >&2; exit 1
  fi
  echo "scripts/test.sh: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund --silent

python3.11 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
.venv/bin/ruff check generator tests benchmarks scripts
.venv/bin/mypy
# Exit status 5 is "no test selected", which `-k` can make of either tier.
.venv/bin/python -m pytest -m "not slow" "$@" || [ $? -eq 5 ]
.venv/bin/python -m pytest -m slow "$@" || [ $? -eq 5 ]
