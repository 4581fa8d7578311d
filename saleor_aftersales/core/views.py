"""Operations endpoints: health and Prometheus metrics."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from .metrics import refresh_gauges, render_latest


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from ..celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    healthy = True
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # report, never raise: this endpoint exists to say what is broken
            checks[name] = f"error: {type(exc).__name__}"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def metrics(request: HttpRequest) -> HttpResponse:
    refresh_gauges()
    return HttpResponse(render_latest(), content_type="text/plain; version=0.0.4; charset=utf-8")
