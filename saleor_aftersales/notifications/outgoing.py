"""Merchant webhooks: signed POSTs of notification, survey and case events to the merchant's endpoints.

Signature (Stripe-style): header `X-Aftersales-Signature: t=<unix seconds>,v1=<hex>` where
`hex = HMAC-SHA256(secret, f"{t}." + raw_body)`. A receiver recomputes it over the raw bytes, compares in constant
time and refuses timestamps older than its tolerance (5 minutes by default) to stop replays; it dedupes on the
`id` of the event (also in `X-Aftersales-Event-Id`), which stays the same across retries and redeliveries.

Delivery: one `WebhookDelivery` per (endpoint, event id), locked with `select_for_update(skip_locked)` while it
is sent, so no two workers send it at once; every try writes a `WebhookAttempt`; non-2xx answers and network
errors are retried with exponential backoff up to `NOTIFICATION_WEBHOOK_MAX_ATTEMPTS`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction

from ..core.errors import DomainError
from ..core.time import now as clock_now
from . import error_codes
from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery

SIGNATURE_HEADER = "X-Aftersales-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does (reference implementation, used by the tests)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


def _refuse(code: str, message: str) -> DomainError:
    return DomainError(code, message, "url")


def _addresses(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise _refuse(error_codes.INVALID_URL, f"Cannot resolve {host}.") from exc
    return sorted({str(info[4][0]) for info in infos})


def check_endpoint_url(url: str, *, resolve: bool = True) -> str:
    """An http(s) URL without credentials; in production only public addresses (SSRF), unless
    `NOTIFICATION_WEBHOOKS_ALLOW_PRIVATE` is set. `resolve=False` checks literal addresses only."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise _refuse("TOO_LONG", "At most 2000 characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse(error_codes.INVALID_URL, "Give an http:// or https:// URL.")
    if parts.username or parts.password:
        raise _refuse(
            error_codes.INVALID_URL, "Credentials in the URL are not allowed; sign with the secret."
        )
    if settings.NOTIFICATION_WEBHOOKS_ALLOW_PRIVATE:
        return url
    host = parts.hostname.lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise _refuse(error_codes.PRIVATE_ADDRESS, "Private and loopback addresses are not allowed.")
    literal = True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = False
    if literal or resolve:
        for address in _addresses(host):
            if not ipaddress.ip_address(address).is_global:
                raise _refuse(error_codes.PRIVATE_ADDRESS, "Private and loopback addresses are not allowed.")
    return url


def backoff(attempts: int) -> timedelta:
    base = float(settings.NOTIFICATION_WEBHOOK_BACKOFF_SECONDS)
    return timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 6 * 3600))


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def deliver(delivery_id: int, *, now: datetime | None = None) -> WebhookDelivery | None:
    """Send one pending delivery once; None when it is not pending or another worker holds it."""
    current = now or clock_now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        endpoint = delivery.endpoint
        delivery.attempts += 1
        body = body_of(delivery)
        signature = sign(endpoint.secret, int(current.timestamp()), body)
        status_code: int | None = None
        error = ""
        started = time.monotonic()
        if not endpoint.is_active:
            error = "The endpoint is disabled."
        else:
            try:
                check_endpoint_url(endpoint.url)
                response = httpx.post(
                    endpoint.url,
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "User-Agent": "saleor-aftersales-webhooks/1",
                        SIGNATURE_HEADER: signature,
                        "X-Aftersales-Event": delivery.event,
                        "X-Aftersales-Event-Id": delivery.event_id,
                        "X-Aftersales-Delivery": str(delivery.pk),
                    },
                    timeout=settings.NOTIFICATION_WEBHOOK_TIMEOUT,
                    follow_redirects=False,
                )
                status_code = response.status_code
                if not 200 <= status_code < 300:
                    error = f"HTTP {status_code}: {response.text[:500]}"
            except DomainError as exc:
                error = exc.details[0].message
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:2000]
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=current,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
            signature=signature,
        )
        delivery.last_status_code = status_code
        delivery.last_error = error
        if not error:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = current
            delivery.next_attempt_at = None
        elif delivery.attempts >= settings.NOTIFICATION_WEBHOOK_MAX_ATTEMPTS or not endpoint.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = current + backoff(delivery.attempts)
        delivery.save()
        return delivery


def due_deliveries(*, now: datetime, limit: int = 500) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
