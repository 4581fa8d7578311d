#!/usr/bin/env bash
# Newcomer sandbox: our app + the Saleor stand-in (seeded demo shop) + a page that plays the Dashboard.
# Usage: scripts/sandbox.sh [app-port]   (default 8000). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/sandbox.py "${1:-8000}"
