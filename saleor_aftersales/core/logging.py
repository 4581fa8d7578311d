"""Structured JSON logs with a request id that follows the request into Celery tasks."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# Never let a bearer token or app token reach the logs.
_SECRET_RE = re.compile(r"(Bearer\s+|auth_token\"?\s*[:=]\s*\"?)[A-Za-z0-9._\-]+", re.IGNORECASE)
# A JWT wherever it appears (a Dashboard token echoed in an error, a header dump): header.payload[.signature].
_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}(?:\.[A-Za-z0-9_\-]*)?")


def redact(text: str) -> str:
    return _JWT_RE.sub("[redacted-jwt]", _SECRET_RE.sub(r"\1[redacted]", text))


class JsonFormatter(logging.Formatter):
    _skip = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        rid = request_id_var.get()
        if rid:
            payload["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in self._skip and not key.startswith("_"):
                payload[key] = (
                    value if isinstance(value, int | float | bool | type(None)) else redact(str(value))
                )
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)


def request_id_from(incoming: str | None) -> str:
    """The caller's X-Request-Id when it looks like one, else a new id."""
    return incoming if incoming and re.fullmatch(r"[A-Za-z0-9\-]{8,64}", incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Binds a request id (incoming X-Request-Id or a new one) for logs and echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id_from(request.headers.get("X-Request-Id", ""))
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-Id"] = rid
        return response
