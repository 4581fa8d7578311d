"""The ASGI web process borrows PostgreSQL connections from a pool (asgi.py sets DB_POOL); Celery and the WSGI
dev server keep persistent connections; SQLite never pools. Read from settings in a fresh interpreter, as each
process does at start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, os\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'saleor_aftersales.settings')\n"
    "{setup}\n"
    "from django.conf import settings\n"
    "db = settings.DATABASES['default']\n"
    "print(json.dumps({{'max_age': db.get('CONN_MAX_AGE'), 'pool': db.get('OPTIONS', {{}}).get('pool')}}))\n"
)


def _database(setup: str, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DB_")}
    clean["DJANGO_SETTINGS_MODULE"] = "saleor_aftersales.settings"  # the production settings, not the tests'
    clean.update({"ALLOW_DEV_BROKER": "1", **env})
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(setup=setup)],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


PG = "postgres://postgres@127.0.0.1:5432/aftersales"


@pytest.mark.parametrize(
    ("setup", "env", "expected"),
    [
        ("import saleor_aftersales.asgi", {"DATABASE_URL": PG},
         {"max_age": 0, "pool": {"min_size": 1, "max_size": 10, "timeout": 10.0}}),
        ("import saleor_aftersales.asgi", {"DATABASE_URL": PG, "DB_POOL": "0"}, {"max_age": 0, "pool": None}),
        ("import saleor_aftersales.wsgi", {"DATABASE_URL": PG}, {"max_age": 60, "pool": None}),
        ("import saleor_aftersales.celery", {"DATABASE_URL": PG}, {"max_age": 60, "pool": None}),
        ("import saleor_aftersales.asgi", {"DATABASE_URL": PG, "DB_POOL_MAX_SIZE": "4"},
         {"max_age": 0, "pool": {"min_size": 1, "max_size": 4, "timeout": 10.0}}),
        ("import saleor_aftersales.asgi", {"DATABASE_URL": "sqlite:///var/probe.sqlite3"},
         {"max_age": 0, "pool": None}),
    ],
)  # fmt: skip
def test_who_pools_database_connections(setup, env, expected):
    assert _database(setup, **env) == expected
