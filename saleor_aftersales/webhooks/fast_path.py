"""POST /api/webhooks/<event> served ahead of Django's middleware stack and URL resolver (WSGI).

Why: on 2 cores the webhook view's own work (signature check, hash, one shared INSERT) is a fraction of what
Django's handler, nine middlewares and the resolver cost per request, and ingest throughput is what decides
whether Saleor's bursts are absorbed (issue #2, point 10; benchmarks/webhook_ingest.py measures both paths).

What stays the same as the Django view: every check and every answer (webhooks.ingest.receive is the one
implementation), the inbox write and its drain wake-up, the metrics, the JSON logs with a request id (echoed in
X-Request-Id), ALLOWED_HOSTS, and Django's request_started/request_finished signals, so database connections are
health-checked and recycled exactly as for any other request. Anything that is not a POST to that exact path
goes to Django unchanged; so do all requests when WEBHOOK_FAST_PATH is off.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import signals
from django.http.request import split_domain_port, validate_host

from ..core.logging import request_id_from, request_id_var
from .ingest import Answer, receive

logger = logging.getLogger(__name__)

WEBHOOK_PATH = re.compile(r"/api/webhooks/([a-z_]+)")  # the same pattern as the URLconf's webhook route
STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    413: "413 Request Entity Too Large",
    500: "500 Internal Server Error",
}


def _host_allowed(environ: dict) -> bool:
    if settings.USE_X_FORWARDED_HOST and environ.get("HTTP_X_FORWARDED_HOST"):
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = (
            environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
        )
    return host_allowed(host)


def host_allowed(host: str) -> bool:
    """Django's ALLOWED_HOSTS check (HttpRequest.get_host) on the host a request names."""
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


DISALLOWED_HOST = Answer(
    400, {"success": False, "error": {"code": "DISALLOWED_HOST", "message": "Bad Request"}}
)
INTERNAL_ERROR = Answer(500, {"success": False, "error": {"code": "INTERNAL_ERROR", "message": "Try again."}})


def _read_body(environ: dict) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.WEBHOOK_MAX_BODY_BYTES + 1  # one byte more than allowed tells "too large"
    if length > 0:
        return environ["wsgi.input"].read(min(length, limit))
    if environ.get("wsgi.input_terminated"):  # chunked: read to the end, up to the limit
        return environ["wsgi.input"].read(limit)
    return b""


class WebhookFastPath:
    """WSGI middleware in front of Django's WSGIHandler (saleor_aftersales/wsgi.py)."""

    def __init__(self, django_app: Callable) -> None:
        self.django_app = django_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        match = WEBHOOK_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") != "POST" or not settings.WEBHOOK_FAST_PATH:
            return self.django_app(environ, start_response)
        rid = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        token = request_id_var.set(rid)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            answer = self._answer(environ, match.group(1))
        finally:
            signals.request_finished.send(sender=self.__class__)
            request_id_var.reset(token)
        body = json.dumps(answer.payload).encode()
        start_response(
            STATUS.get(answer.status, f"{answer.status} Error"),
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("X-Content-Type-Options", "nosniff"),
                ("X-Request-Id", rid),
            ],
        )
        return [body]

    def _answer(self, environ: dict, event: str) -> Answer:
        if not _host_allowed(environ):
            logger.warning("webhook rejected", extra={"code": "DISALLOWED_HOST", "status": 400})
            return DISALLOWED_HOST
        try:
            return receive(
                event=event,
                content_length=environ.get("CONTENT_LENGTH"),
                header=lambda name: environ.get("HTTP_" + name.upper().replace("-", "_"), ""),
                read_body=lambda: _read_body(environ),
            )
        except Exception:  # as Django would: a 500 (Saleor retries), logged with the request id
            logger.exception("webhook could not be stored", extra={"event": event})
            return INTERNAL_ERROR
