#!/usr/bin/env bash
# Starts the production shape on loopback and checks it end to end, then stops everything:
# PostgreSQL + Redis + gunicorn (uvicorn_worker.UvicornWorker serving saleor_aftersales.asgi, 2 workers,
# PROMETHEUS_MULTIPROC_DIR) + Celery worker + beat,
# configured only by environment variables.
#   SMOKE_DATABASE_URL  a PostgreSQL server to use (a throwaway database is created in it and dropped);
#                       default: $DATABASE_URL, else postgres://postgres@127.0.0.1:55432/postgres
#   SMOKE_REDIS_URL     a Redis to use; default: $REDIS_URL, else a private redis-server on a free port
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "run scripts/test.sh or scripts/run-dev.sh first to create .venv" >&2; exit 1; }

WORK="$(mktemp -d /tmp/aftersales-prod-smoke.XXXXXX)"
PIDS=()
REDIS_PID=""
ADMIN_URL="${SMOKE_DATABASE_URL:-${DATABASE_URL:-postgres://postgres@127.0.0.1:55432/postgres}}"
DB_NAME="aftersales_smoke_$$"

cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
  "$PY" - "$ADMIN_URL" "$DB_NAME" <<'PYEOF' 2>/dev/null
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
PYEOF
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
fail() { echo "PROD SMOKE FAILED: $*" >&2; for f in "$WORK"/*.log; do echo "--- $f"; tail -30 "$f"; done >&2; exit 1; }

# PostgreSQL: a throwaway database in the given server.
"$PY" - "$ADMIN_URL" "$DB_NAME" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PYEOF
export DATABASE_URL="${ADMIN_URL%/*}/$DB_NAME"

# Redis.
if [ -n "${SMOKE_REDIS_URL:-${REDIS_URL:-}}" ]; then
  export REDIS_URL="${SMOKE_REDIS_URL:-$REDIS_URL}"
else
  REDIS_PORT="$(free_port)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
fi

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
API_URL="https://smoke-saleor.example.com/graphql/"
export CELERY_BROKER_URL="$REDIS_URL"
export SECRET_KEY="smoke-$(head -c 24 /dev/urandom | base64)"
export FIELD_ENCRYPTION_KEYS="$("$PY" -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())')"
export PUBLIC_URL="$BASE"
export ALLOWED_SALEOR_API_URLS="$API_URL"
export DEBUG=0
export VAR_DIR="$WORK/var"
export PROMETHEUS_MULTIPROC_DIR="$WORK/prom"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR" "$VAR_DIR"
unset ALLOW_DEV_BROKER

"$PY" manage.py migrate --noinput >"$WORK/migrate.log" 2>&1 || fail "migrate"
"$PY" "$ROOT/scripts/_smoke_webhook.py" make-key "$WORK"
"$PY" manage.py seed_test_installation --api-url "$API_URL" --jwks-file "$WORK/jwks.json" || fail "seed"

.venv/bin/gunicorn saleor_aftersales.asgi:application --bind "127.0.0.1:$PORT" \
  --worker-class uvicorn_worker.UvicornWorker --workers 2 >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)
.venv/bin/celery -A saleor_aftersales worker --concurrency 1 --loglevel INFO >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
.venv/bin/celery -A saleor_aftersales beat --loglevel INFO -s "$WORK/beat-schedule" >"$WORK/beat.log" 2>&1 &
PIDS+=($!)

for _ in $(seq 100); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
HEALTH="$(curl -sS "$BASE/healthz")" || fail "/healthz unreachable"
echo "healthz: $HEALTH"
echo "$HEALTH" | grep -q '"database": "ok"' || fail "database not ok"
echo "$HEALTH" | grep -q '"broker": "ok"' || fail "broker not ok"
grep -q "Application startup complete" "$WORK/gunicorn.log" || fail "gunicorn is not serving the ASGI app (uvicorn worker)"
echo "gunicorn uvicorn worker (ASGI): ok"
curl -fsS "$BASE/api/manifest" | grep -q '"tokenTargetUrl"' || fail "/api/manifest"
echo "manifest: ok"

"$PY" "$ROOT/scripts/_smoke_webhook.py" send "$WORK" "$BASE" "$API_URL" || fail "webhook not accepted"
STATUS=""
for _ in $(seq 100); do
  STATUS="$("$PY" manage.py shell -c 'from saleor_aftersales.webhooks.models import WebhookDelivery as D; print(",".join(D.objects.values_list("status", flat=True)))' 2>/dev/null | tail -1)"
  [ "$STATUS" = "processed" ] && break
  sleep 0.3
done
[ "$STATUS" = "processed" ] || fail "delivery not processed by the Celery worker (status: '$STATUS')"
echo "webhook delivery processed by the Celery worker: ok"
curl -fsS "$BASE/metrics" | grep -q "webhook" || fail "/metrics has no webhook metric"
echo "metrics: ok"
kill -0 "${PIDS[2]}" 2>/dev/null || fail "beat not running"
echo "PROD SMOKE OK"
