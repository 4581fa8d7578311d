#!/usr/bin/env bash
# THE test command: installs everything it needs and runs lint, types, import contracts and the whole suite
# on PostgreSQL (a private cluster started here) and then on SQLite.
#   scripts/test.sh            full run (as CI does, via .ci/run)
#   scripts/test.sh --quick    SQLite only, no lint (for developers)
#   scripts/test.sh [--quick] -- <pytest args>   extra args go to pytest
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QUICK=0
PYTEST_ARGS=()
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --) ;;
    *) PYTEST_ARGS+=("$arg") ;;
  esac
done

log() { printf '\n==> %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

# --- Python environment (idempotent: an existing .venv is reused) -----------------------------------
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  python3 -m venv .venv || die "python3 -m venv failed (apt-get install python3-venv?)"
fi
if ! .venv/bin/python -c "import saleor_aftersales, pytest, ruff" >/dev/null 2>&1 || [ pyproject.toml -nt .venv/.installed ]; then
  log "installing the app with its dev tools"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null || die "pip upgrade failed"
  .venv/bin/python -m pip install -q -e '.[dev]' || die "pip install -e .[dev] failed"
  touch .venv/.installed
fi
PY=.venv/bin/python

# --- Debian packages, only when missing (apt-get update at most once) -------------------------------
APT_UPDATED=0
apt_install() {
  [ "$(id -u)" = 0 ] || die "missing packages ($*) and not root: install them first"
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -q >/dev/null || die "apt-get update failed"; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}
find_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}
has_browser_tests() {
  find tests -name 'test_*browser*' -print -quit 2>/dev/null | grep -q . && return 0
  grep -rqs "mark.browser" tests && return 0
  return 1
}

free_port() { "$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

PG_DIR=""; PG_BIN=""; REDIS_PID=""; REDIS_PORT=""
cleanup() {
  if [ -n "$PG_DIR" ] && [ -n "$PG_BIN" ]; then
    su postgres -s /bin/sh -c "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  if [ -n "$REDIS_PORT" ]; then
    "${REDIS_CLI:-redis-cli}" -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RESULTS=()
FAILED=0
run_step() {  # name, command...
  local name="$1"; shift
  log "$name"
  local start=$SECONDS
  "$@"
  local rc=$?
  if [ "$name" != "${name#pytest}" ] && [ $rc = 5 ]; then
    echo "pytest collected no test: that is a failure"; rc=5
  fi
  if [ $rc = 0 ]; then RESULTS+=("PASS  $name ($((SECONDS - start))s)"); else RESULTS+=("FAIL  $name (exit $rc)"); FAILED=1; fi
  return $rc
}

PYTEST=("$PY" -m pytest -p no:cacheprovider -q)

if [ "$QUICK" = 0 ]; then
  PKGS=()
  PG_BIN="$(find_pg_bin)"
  [ -n "$PG_BIN" ] || PKGS+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || PKGS+=(redis-server)
  if has_browser_tests; then
    command -v chromium >/dev/null 2>&1 || PKGS+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || PKGS+=(chromium-driver)
    # Chinese glyphs in the zh-Hans screenshots (without a CJK font Chromium draws boxes).
    fc-list :lang=zh 2>/dev/null | grep -q . || PKGS+=(fonts-noto-cjk)
  fi
  if [ ${#PKGS[@]} -gt 0 ]; then log "installing Debian packages: ${PKGS[*]}"; apt_install "${PKGS[@]}"; fi
  PG_BIN="$(find_pg_bin)"
  [ -n "$PG_BIN" ] || die "PostgreSQL binaries not found"

  # Private PostgreSQL cluster on loopback, owned by the postgres user, thrown away on exit.
  log "starting a private PostgreSQL cluster"
  PG_DIR="$(mktemp -d /tmp/aftersales-pg.XXXXXX)"
  PG_PORT="$(free_port)"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd -r -m postgres
    chown postgres "$PG_DIR"
    AS_PG=(su postgres -s /bin/sh -c)
  else
    AS_PG=(sh -c)
  fi
  PGUSER_NAME="$([ "$(id -u)" = 0 ] && echo postgres || id -un)"
  "${AS_PG[@]}" "'$PG_BIN/initdb' -D '$PG_DIR/data' -U '$PGUSER_NAME' -A trust -E UTF8 --no-locale >'$PG_DIR/initdb.log' 2>&1" \
    || { cat "$PG_DIR/initdb.log"; die "initdb failed"; }
  "${AS_PG[@]}" "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w -o \"-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start >/dev/null" \
    || { cat "$PG_DIR/server.log"; die "PostgreSQL did not start"; }
  export DATABASE_URL="postgres://$PGUSER_NAME@127.0.0.1:$PG_PORT/postgres"

  # Private Redis on loopback.
  log "starting a private redis-server"
  REDIS_PORT="$(free_port)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 50); do
    "$PY" -c "import socket,sys;s=socket.socket();sys.exit(s.connect_ex(('127.0.0.1',$REDIS_PORT)))" && break
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

  # Node tooling for the federation composition and gateway tests (node and npm come with the machine).
  if command -v npm >/dev/null 2>&1 && [ -f federation/package-lock.json ]; then
    log "installing federation tooling (npm ci)"
    npm ci --prefix federation --no-audit --no-fund --loglevel=error >/dev/null || die "npm ci --prefix federation failed"
  fi

  run_step "ruff check" .venv/bin/ruff check .
  run_step "ruff format --check" .venv/bin/ruff format --check .
  run_step "mypy saleor_aftersales" .venv/bin/mypy saleor_aftersales
  run_step "lint-imports" .venv/bin/lint-imports
  run_step "pytest on PostgreSQL ($DATABASE_URL)" "${PYTEST[@]}" "${PYTEST_ARGS[@]}"
fi

# SQLite run: no DATABASE_URL (settings fall back to SQLite); Redis-only tests keep REDIS_URL if started.
( unset DATABASE_URL; run_step "pytest on SQLite" "${PYTEST[@]}" "${PYTEST_ARGS[@]}"; exit $? )
SQLITE_RC=$?
if [ $SQLITE_RC = 0 ]; then RESULTS+=("PASS  pytest on SQLite"); else RESULTS+=("FAIL  pytest on SQLite (exit $SQLITE_RC)"); FAILED=1; fi

printf '\n==================== summary ====================\n'
printf '%s\n' "${RESULTS[@]}"
if [ "$FAILED" != 0 ]; then echo "RESULT: FAILED"; exit 1; fi
echo "RESULT: OK"
