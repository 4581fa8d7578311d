"""POST /api/webhooks/<event>: verify, dedupe, store, enqueue, answer fast.

Order of checks: size and headers, installation, signature on the raw bytes, and only then JSON. 4xx answers
are final for Saleor (no retry); a 5xx asks Saleor to retry (used only when we could not store the delivery).
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from ..core.documents import subscription_documents
from ..core.metrics import WEBHOOKS_DUPLICATE, WEBHOOKS_RECEIVED, WEBHOOKS_REJECTED
from ..installations.lookup import active_installation
from ..installations.signatures import InvalidSignature, verify_webhook_signature
from .inbox import store_delivery, wake_drain
from .processing import issued_by_installation

logger = logging.getLogger(__name__)


def _reject(status: int, code: str, message: str) -> JsonResponse:
    WEBHOOKS_REJECTED.labels(code.lower()).inc()
    logger.warning("webhook rejected", extra={"code": code, "status": status, "reason": message})
    return JsonResponse({"success": False, "error": {"code": code, "message": message}}, status=status)


@csrf_exempt
def receive_webhook(request: HttpRequest, event: str) -> JsonResponse:
    if request.method != "POST":
        return _reject(405, "METHOD_NOT_ALLOWED", "Webhooks are POST requests.")
    event_name = event.upper()
    if event_name not in subscription_documents():
        return _reject(400, "UNKNOWN_EVENT", f"This app does not subscribe to {event!r}.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.WEBHOOK_MAX_BODY_BYTES:
        return _reject(413, "BODY_TOO_LARGE", "Payload too large.")
    api_url = request.headers.get("Saleor-Api-Url", "")
    header_event = request.headers.get("Saleor-Event", "")
    signature = request.headers.get("Saleor-Signature", "")
    if not api_url or not header_event or not signature:
        return _reject(
            400, "MISSING_HEADERS", "Saleor-Api-Url, Saleor-Event and Saleor-Signature are required."
        )
    if header_event.lower() != event.lower():
        return _reject(400, "WRONG_EVENT", "Saleor-Event does not match the webhook URL.")
    installation = active_installation(api_url)
    if installation is None:
        return _reject(401, "NOT_REGISTERED", "This Saleor has not installed the app.")
    body = request.body
    if len(body) > settings.WEBHOOK_MAX_BODY_BYTES:
        return _reject(413, "BODY_TOO_LARGE", "Payload too large.")
    try:
        verify_webhook_signature(installation, signature, body)
    except InvalidSignature as exc:
        return _reject(401, "SIGNATURE_VERIFICATION_FAILED", f"Invalid signature: {exc}")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _reject(400, "INVALID_JSON", "Body is not JSON.")
    if not isinstance(payload, dict):
        return _reject(400, "INVALID_PAYLOAD", "Body must be a JSON object.")
    digest = hashlib.sha256(body).hexdigest()
    issued_at = parse_datetime(payload["issuedAt"]) if isinstance(payload.get("issuedAt"), str) else None
    _delivery_id, created = store_delivery(
        installation=installation,
        event=event_name,
        body=body.decode(),
        body_sha256=digest,
        issued_at=issued_at,
        issued_by_app=issued_by_installation(payload, installation.app_id),
    )
    if not created:
        WEBHOOKS_DUPLICATE.labels(event_name).inc()
        return JsonResponse({"success": True, "duplicate": True})
    WEBHOOKS_RECEIVED.labels(event_name).inc()
    # Stored in autocommit (or an outer test transaction): wake the drain once the row is visible.
    transaction.on_commit(wake_drain)
    return JsonResponse({"success": True})
