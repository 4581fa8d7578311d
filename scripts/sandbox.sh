#!/usr/bin/env bash
# Newcomer sandbox: our app + the Saleor stand-in (seeded demo shop, every journey ready to walk) + a page that
# plays the Dashboard + a storefront (customer) page.
# Usage: scripts/sandbox.sh [app-port]   (default 8000; the two pages use app-port + 1). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  echo "No .venv yet: creating it and installing the app (once)..."
  python3 -m venv .venv
  .venv/bin/pip install -q -e '.[dev]'
fi
exec .venv/bin/python scripts/sandbox.py "${1:-8000}"
