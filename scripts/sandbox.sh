#!/usr/bin/env bash
# Newcomer sandbox: our app + the Saleor stand-in (seeded demo shop, every journey ready to walk) + a page that
# plays the Dashboard + a Storefront (customer) page. Installs .venv first when it is missing (like run-dev.sh).
# Usage: scripts/sandbox.sh [app-port]   (default 8000; the two pages use app-port + 1). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import saleor_aftersales, django, graphql, httpx" >/dev/null 2>&1 || [ pyproject.toml -nt .venv/.installed ]; then
  echo "==> installing the app"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch .venv/.installed
fi
exec .venv/bin/python scripts/sandbox.py "${1:-8000}"
