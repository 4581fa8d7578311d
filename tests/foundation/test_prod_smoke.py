"""Runs scripts/prod-smoke.sh: the production shape (PostgreSQL + Redis + gunicorn + Celery worker + beat)
starts on loopback from environment variables only and processes a signed webhook."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "prod-smoke.sh"


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.skipif(
    shutil.which("redis-server") is None and not os.environ.get("REDIS_URL"), reason="no Redis"
)
def test_production_shape_processes_a_signed_webhook(settings):
    venv_bin = Path(SCRIPT).parents[1] / ".venv" / "bin"
    if not (venv_bin / "gunicorn").exists():
        pytest.skip("gunicorn not installed")
    db = settings.DATABASES["default"]
    admin_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres"
    # The app must read its own production settings, not the test settings pytest-django exported.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env["SMOKE_DATABASE_URL"] = admin_url
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "PROD SMOKE OK" in result.stdout
    assert "webhook delivery processed by the Celery worker: ok" in result.stdout
    assert "gunicorn uvicorn worker (ASGI): ok" in result.stdout
