"""POST /api/webhooks/<event> as a raw ASGI handler on the event loop, ahead of Django's ASGI handler.

Why: under gunicorn's gthread worker a delivery cost ~680 us of CPU, most of it the WSGI server and threads, and
ingest reached only 0.2-0.3 of a raw INSERT+COMMIT (issue #2, point 10). Under the uvicorn worker (uvloop +
httptools) an HTTP request costs a few tens of microseconds, and concurrent deliveries share one commit on
one connection without a thread per request (webhooks.async_inbox).

What stays the same as the WSGI fast path and the Django view: every check, in the same order, and every
answer (the pure steps of webhooks.ingest); ALLOWED_HOSTS; the JSON logs with a request id (echoed in
X-Request-Id); the metrics; 200 only after the delivery's row is committed; dedupe by the inbox's unique key;
the drain wake-up after commit. What may block runs in a thread, never on the loop: the installation lookup
on a cache miss (installations.lookup) and the signing key on a cache miss, which may refetch the JWKS once
for an unknown kid (installations.signatures.key_for); on SQLite (or with WEBHOOK_GROUP_COMMIT off) the store
itself (inbox.store_delivery). The Django ORM is not used on the loop. Anything that is not a POST to that exact
path goes to Django's ASGI handler unchanged; so do all requests when WEBHOOK_FAST_PATH is off.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from ..core.logging import request_id_from, request_id_var
from ..installations.lookup import active_installation, cached_installation
from ..installations.signatures import cached_key, key_for
from .async_inbox import AsyncGroupCommit, uses_async_inbox
from .fast_path import DISALLOWED_HOST, INTERNAL_ERROR, WEBHOOK_PATH, host_allowed
from .inbox import store_delivery
from .ingest import (
    Answer,
    Delivery,
    check_delivery,
    check_headers,
    check_signature_header,
    not_registered,
    stored,
)

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


class ClientDisconnected(Exception):
    pass


def _in_thread(fn: Callable, *args: Any) -> Any:
    """Run blocking Django code in a worker thread with the connection hygiene of a request."""
    close_old_connections()
    try:
        return fn(*args)
    finally:
        close_old_connections()


def _store_in_thread(delivery: Delivery) -> tuple[int, bool]:
    return store_delivery(
        installation=delivery.installation,
        event=delivery.event,
        body=delivery.body,
        body_sha256=delivery.body_sha256,
        issued_at=delivery.issued_at,
        issued_by_app=delivery.issued_by_app,
    )


async def _read_body(receive: Receive) -> bytes:
    """The request body, at most WEBHOOK_MAX_BODY_BYTES + 1 bytes (one more than allowed tells "too large")."""
    limit = settings.WEBHOOK_MAX_BODY_BYTES + 1
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        if chunk:
            chunks.append(chunk)
            size += len(chunk)
        if size >= limit or not message.get("more_body", False):
            break
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return body[:limit]


class WebhookIngestASGI:
    """ASGI middleware in front of Django's ASGIHandler (saleor_aftersales/asgi.py)."""

    def __init__(self, django_app: Callable) -> None:
        self.django_app = django_app
        self._inbox: AsyncGroupCommit | None = None
        self._inbox_loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and settings.WEBHOOK_FAST_PATH:
            match = WEBHOOK_PATH.fullmatch(scope["path"])
            if match is not None:
                await self._webhook(scope, receive, send, match.group(1))
                return
        if scope["type"] == "lifespan":  # Django's handler speaks HTTP only; the inbox connection is ours
            await self._lifespan(receive, send)
            return
        await self.django_app(scope, receive, send)

    def inbox(self) -> AsyncGroupCommit:
        loop = asyncio.get_running_loop()
        if self._inbox is None or self._inbox_loop is not loop:  # one per event loop (a worker has one)
            self._inbox, self._inbox_loop = AsyncGroupCommit(), loop
        return self._inbox

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._inbox is not None and self._inbox_loop is asyncio.get_running_loop():
                    await self._inbox.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _webhook(self, scope: Scope, receive: Receive, send: Send, event: str) -> None:
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        rid = request_id_from(headers.get("x-request-id"))
        token = request_id_var.set(rid)
        try:
            try:
                answer = await self._answer(headers, receive, event)
            except ClientDisconnected:
                return  # nothing stored, nobody to answer
            except Exception:  # as Django would: a 500 (Saleor retries), logged with the request id
                logger.exception("webhook could not be stored", extra={"event": event})
                answer = INTERNAL_ERROR
        finally:
            request_id_var.reset(token)
        body = json.dumps(answer.payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-request-id", rid.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, headers: dict[str, str], receive: Receive, event: str) -> Answer:
        if settings.USE_X_FORWARDED_HOST and headers.get("x-forwarded-host"):
            host = headers["x-forwarded-host"]
        else:
            host = headers.get("host", "")
        if not host_allowed(host):
            logger.warning("webhook rejected", extra={"code": "DISALLOWED_HOST", "status": 400})
            return DISALLOWED_HOST
        request = check_headers(
            event=event,
            content_length=headers.get("content-length"),
            header=lambda name: headers.get(name.lower(), ""),
        )
        if isinstance(request, Answer):
            return request
        installation = cached_installation(request.api_url)
        if installation is None:
            installation = await asyncio.to_thread(_in_thread, active_installation, request.api_url)
            if installation is None:
                return not_registered()
        body = await _read_body(receive)
        jws = check_signature_header(body, request.signature)
        if isinstance(jws, Answer):
            return jws
        key = cached_key(installation, jws.kid)
        if (
            key is None
        ):  # parse it, or refetch the JWKS once for an unknown kid: HTTP and the ORM, off the loop
            key = await asyncio.to_thread(_in_thread, key_for, installation, jws.kid)
        delivery = check_delivery(installation=installation, request=request, jws=jws, key=key, body=body)
        if isinstance(delivery, Answer):
            return delivery
        if uses_async_inbox():
            _pk, created = await self.inbox().store(delivery.row())
        else:
            _pk, created = await asyncio.to_thread(_in_thread, _store_in_thread, delivery)
        return stored(delivery.event, created)
