#!/usr/bin/env bash
# THE run command: installs the app and runs it on the embedded default (SQLite in var/, Celery with the
# file-system broker as child worker + beat, console email). No external services.
# Prints the manifest URL to paste into Saleor. PORT (default 8000) and PUBLIC_URL may be set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import saleor_aftersales, django, celery" >/dev/null 2>&1 || [ pyproject.toml -nt .venv/.installed ]; then
  echo "==> installing the app"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch .venv/.installed
fi

export PORT="${PORT:-8000}"
export DEBUG="${DEBUG:-1}"
export ALLOW_DEV_BROKER=1
export PUBLIC_URL="${PUBLIC_URL:-http://localhost:$PORT}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-filesystem://}"
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"
unset DATABASE_URL REDIS_URL
mkdir -p var

.venv/bin/python manage.py migrate --noinput

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

.venv/bin/celery -A saleor_aftersales worker -B --concurrency 1 --loglevel INFO \
  --schedule "var/celerybeat-schedule" &
PIDS+=($!)

echo
echo "============================================================"
echo " Paste this manifest URL into Saleor (Dashboard > Apps > Install from manifest):"
echo "   $PUBLIC_URL/api/manifest"
echo " Health: $PUBLIC_URL/healthz"
echo "============================================================"
echo

.venv/bin/python manage.py runserver "0.0.0.0:$PORT" --noreload &
PIDS+=($!)
wait -n "${PIDS[@]}"
