"""Receiving one webhook delivery: verify, dedupe, store, answer. Shared by the Django view, the WSGI fast path
and the asyncio front end (webhooks.asgi).

Order of checks: size and headers, installation, signature on the raw bytes, and only then JSON. 4xx answers
are final for Saleor (no retry); a 5xx asks Saleor to retry (used only when we could not store the delivery,
and then nothing of it is stored). An answer is 200 only after the delivery is committed (webhooks.inbox).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import jwt
from django.conf import settings
from django.utils.dateparse import parse_datetime

from ..core.documents import subscription_documents
from ..core.metrics import WEBHOOKS_DUPLICATE, WEBHOOKS_RECEIVED, WEBHOOKS_REJECTED
from ..installations.lookup import active_installation
from ..installations.models import Installation
from ..installations.signatures import (
    NO_KEY,
    DetachedJws,
    InvalidSignature,
    key_for,
    parse_detached_jws,
    verify_detached,
)
from .inbox import store_delivery
from .processing import issued_by_installation

logger = logging.getLogger("saleor_aftersales.webhooks.views")

ACCEPTED = {"success": True}
DUPLICATE = {"success": True, "duplicate": True}


@dataclass(frozen=True)
class Answer:
    status: int
    payload: dict


def reject(status: int, code: str, message: str) -> Answer:
    WEBHOOKS_REJECTED.labels(code.lower()).inc()
    logger.warning("webhook rejected", extra={"code": code, "status": status, "reason": message})
    return Answer(status, {"success": False, "error": {"code": code, "message": message}})


@dataclass(frozen=True)
class Request:
    """What the headers of an acceptable delivery say (check_headers)."""

    event: str  # upper case, as stored
    api_url: str
    signature: str


@dataclass(frozen=True)
class Delivery:
    """A verified delivery, as the inbox stores it (check_delivery)."""

    installation: Installation
    event: str
    body: str
    body_sha256: str
    issued_at: datetime | None
    issued_by_app: bool

    def row(self) -> tuple[int, str, str, str, datetime | None, bool]:
        return (
            self.installation.pk,
            self.event,
            self.body_sha256,
            self.body,
            self.issued_at,
            self.issued_by_app,
        )


# The steps below are pure (no I/O): the installation and the signing key are looked up by the front end
# between them (in a thread on the asyncio path), so both front ends run the same checks in the same order.


def check_headers(
    *, event: str, content_length: str | None, header: Callable[[str], str]
) -> Answer | Request:
    """Size and headers, before anything is looked up or read."""
    event_name = event.upper()
    if event_name not in subscription_documents():
        return reject(400, "UNKNOWN_EVENT", f"This app does not subscribe to {event!r}.")
    try:
        length = int(content_length or 0)
    except ValueError:
        length = 0
    if length > settings.WEBHOOK_MAX_BODY_BYTES:
        return reject(413, "BODY_TOO_LARGE", "Payload too large.")
    api_url = header("Saleor-Api-Url")
    header_event = header("Saleor-Event")
    signature = header("Saleor-Signature")
    if not api_url or not header_event or not signature:
        return reject(
            400, "MISSING_HEADERS", "Saleor-Api-Url, Saleor-Event and Saleor-Signature are required."
        )
    if header_event.lower() != event.lower():
        return reject(400, "WRONG_EVENT", "Saleor-Event does not match the webhook URL.")
    return Request(event_name, api_url, signature)


def not_registered() -> Answer:
    return reject(401, "NOT_REGISTERED", "This Saleor has not installed the app.")


def check_signature_header(body: bytes, signature: str) -> Answer | DetachedJws:
    """The body's size (as read) and the JWS's shape, before a key is looked up."""
    if len(body) > settings.WEBHOOK_MAX_BODY_BYTES:
        return reject(413, "BODY_TOO_LARGE", "Payload too large.")
    try:
        return parse_detached_jws(signature)
    except InvalidSignature as exc:
        return _bad_signature(exc)


def check_delivery(
    *, installation: Installation, request: Request, jws: DetachedJws, key: jwt.PyJWK | None, body: bytes
) -> Answer | Delivery:
    """The RSA signature on the raw bytes, and only then JSON; the delivery to store."""
    try:
        if key is None:
            raise InvalidSignature(NO_KEY)
        verify_detached(jws, body, key)
    except InvalidSignature as exc:
        return _bad_signature(exc)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return reject(400, "INVALID_JSON", "Body is not JSON.")
    if not isinstance(payload, dict):
        return reject(400, "INVALID_PAYLOAD", "Body must be a JSON object.")
    issued_at = parse_datetime(payload["issuedAt"]) if isinstance(payload.get("issuedAt"), str) else None
    return Delivery(
        installation=installation,
        event=request.event,
        body=body.decode(),
        body_sha256=hashlib.sha256(body).hexdigest(),
        issued_at=issued_at,
        issued_by_app=issued_by_installation(payload, installation.app_id),
    )


def stored(event: str, created: bool) -> Answer:
    """The answer once the delivery is committed (created) or counted as a re-delivery."""
    if not created:
        WEBHOOKS_DUPLICATE.labels(event).inc()
        return Answer(200, DUPLICATE)
    WEBHOOKS_RECEIVED.labels(event).inc()
    return Answer(200, ACCEPTED)


def _bad_signature(exc: InvalidSignature) -> Answer:
    return reject(401, "SIGNATURE_VERIFICATION_FAILED", f"Invalid signature: {exc}")


def receive(
    *, event: str, content_length: str | None, header: Callable[[str], str], read_body: Callable[[], bytes]
) -> Answer:
    """One POST to /api/webhooks/<event> (WSGI fast path, Django view). `header(name)` answers "" when absent;
    `read_body()` reads the raw body (at most WEBHOOK_MAX_BODY_BYTES + 1 bytes are needed to tell that it is
    too large). The asyncio front end (webhooks.asgi) runs the same steps with its own I/O."""
    request = check_headers(event=event, content_length=content_length, header=header)
    if isinstance(request, Answer):
        return request
    installation = active_installation(request.api_url)
    if installation is None:
        return not_registered()
    body = read_body()
    jws = check_signature_header(body, request.signature)
    if isinstance(jws, Answer):
        return jws
    delivery = check_delivery(
        installation=installation, request=request, jws=jws, key=key_for(installation, jws.kid), body=body
    )
    if isinstance(delivery, Answer):
        return delivery
    # Stored (autocommit: committed; in an outer test transaction: written there) before we answer; the drain
    # is woken after the commit by the inbox.
    _delivery_id, created = store_delivery(
        installation=installation,
        event=delivery.event,
        body=delivery.body,
        body_sha256=delivery.body_sha256,
        issued_at=delivery.issued_at,
        issued_by_app=delivery.issued_by_app,
    )
    return stored(delivery.event, created)
