"""Receiving one webhook delivery: verify, dedupe, store, answer. Shared by the Django view and the WSGI fast path.

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

from django.conf import settings
from django.utils.dateparse import parse_datetime

from ..core.documents import subscription_documents
from ..core.metrics import WEBHOOKS_DUPLICATE, WEBHOOKS_RECEIVED, WEBHOOKS_REJECTED
from ..installations.lookup import active_installation
from ..installations.signatures import InvalidSignature, verify_webhook_signature
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


def receive(
    *, event: str, content_length: str | None, header: Callable[[str], str], read_body: Callable[[], bytes]
) -> Answer:
    """One POST to /api/webhooks/<event>. `header(name)` answers "" when absent; `read_body()` reads the
    raw body (at most WEBHOOK_MAX_BODY_BYTES + 1 bytes are needed to tell that it is too large)."""
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
    installation = active_installation(api_url)
    if installation is None:
        return reject(401, "NOT_REGISTERED", "This Saleor has not installed the app.")
    body = read_body()
    if len(body) > settings.WEBHOOK_MAX_BODY_BYTES:
        return reject(413, "BODY_TOO_LARGE", "Payload too large.")
    try:
        verify_webhook_signature(installation, signature, body)
    except InvalidSignature as exc:
        return reject(401, "SIGNATURE_VERIFICATION_FAILED", f"Invalid signature: {exc}")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return reject(400, "INVALID_JSON", "Body is not JSON.")
    if not isinstance(payload, dict):
        return reject(400, "INVALID_PAYLOAD", "Body must be a JSON object.")
    issued_at = parse_datetime(payload["issuedAt"]) if isinstance(payload.get("issuedAt"), str) else None
    # Stored (autocommit: committed; in an outer test transaction: written there) before we answer; the drain
    # is woken after the commit by the inbox.
    _delivery_id, created = store_delivery(
        installation=installation,
        event=event_name,
        body=body.decode(),
        body_sha256=hashlib.sha256(body).hexdigest(),
        issued_at=issued_at,
        issued_by_app=issued_by_installation(payload, installation.app_id),
    )
    if not created:
        WEBHOOKS_DUPLICATE.labels(event_name).inc()
        return Answer(200, DUPLICATE)
    WEBHOOKS_RECEIVED.labels(event_name).inc()
    return Answer(200, ACCEPTED)
