"""A customer's personal data across capabilities: export (JSON-ready dict) and what erasure touches.

Export gathers everything the app holds about an email (and Saleor user id): service cases with their full
thread, return requests, loyalty accounts and ledger, notifications sent, the order mirror and customer mirror.
Other capabilities add sections with `@exporter("surveys")` (the service layer may import them all).

Erasure (`actions.erase_customer_data`) blanks contact data and message bodies of service cases, deletes their
attachments, removes recipient addresses and contexts of notifications, comments of return requests and the
names in the customer mirror. Orders, return requests, refunds and the points ledger are kept (accounting and
fraud obligations; Saleor holds the order itself) with the email left only where the money trail needs it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from ..installations.models import Installation
from .contact import email_digest, normalize_email
from .models import ServiceCase

Exporter = Callable[[Installation, str, str], object]
_exporters: dict[str, Exporter] = {}


def exporter(name: str) -> Callable[[Exporter], Exporter]:
    def register(fn: Exporter) -> Exporter:
        _exporters[name] = fn
        return fn

    return register


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def cases_of(installation: Installation, *, email: str, user_id: str = ""):
    who = Q(customer_email_digest=email_digest(email)) if email else Q(pk__in=[])
    if user_id:
        who |= Q(customer_user_id=user_id)
    return ServiceCase.objects.filter(who, installation=installation)


@exporter("service_cases")
def _service_cases(installation: Installation, email: str, user_id: str) -> list[dict]:
    rows = cases_of(installation, email=email, user_id=user_id).prefetch_related(
        "messages__attachments", "events", "tags"
    )
    return [
        {
            "number": case.number,
            "kind": case.kind,
            "channel": case.channel,
            "status": case.status,
            "priority": case.priority,
            "subject": case.subject,
            "customer_email": case.customer_email,
            "customer_name": case.customer_name,
            "customer_phone": case.customer_phone,
            "linked_type": case.linked_type,
            "linked_id": case.linked_id,
            "created_at": _iso(case.created_at),
            "resolved_at": _iso(case.resolved_at),
            "tags": [tag.tag for tag in case.tags.all()],
            "messages": [
                {
                    "kind": message.kind,
                    "author_type": message.author_type,
                    "created_at": _iso(message.created_at),
                    "body": message.body,
                    "attachments": [a.name for a in message.attachments.all()],
                }
                for message in case.messages.all()
            ],
            "events": [
                {"type": event.type, "created_at": _iso(event.created_at), "to_status": event.to_status}
                for event in case.events.all()
            ],
        }
        for case in rows
    ]


@exporter("return_requests")
def _returns(installation: Installation, email: str, user_id: str) -> list[dict]:
    from ..returns.models import ReturnRequest

    who = Q(customer_email__iexact=email) if email else Q(pk__in=[])
    if user_id:
        who |= Q(customer_user_id=user_id)
    return [
        {
            "number": r.number,
            "status": r.status,
            "kind": r.kind,
            "resolution": r.resolution,
            "comment": r.customer_comment,
            "created_at": _iso(r.created_at),
            "lines": [
                {
                    "product": line.order_line.product_name,
                    "quantity": line.quantity,
                    "reason": line.reason_code,
                }
                for line in r.lines.all()
            ],
        }
        for r in ReturnRequest.objects.filter(who, installation=installation).prefetch_related(
            "lines__order_line"
        )
    ]


@exporter("loyalty")
def _loyalty(installation: Installation, email: str, user_id: str) -> list[dict]:
    from ..loyalty.models import Account

    who = Q(email__iexact=email) if email else Q(pk__in=[])
    if user_id:
        who |= Q(user_id=user_id)
    return [
        {
            "channel": account.channel_slug,
            "email": account.email,
            "available_points": account.available_points,
            "pending_points": account.pending_points,
            "entries": [
                {"type": e.type, "points": e.points, "created_at": _iso(e.created_at), "note": e.note}
                for e in account.entries.all()
            ],
        }
        for account in Account.objects.filter(who, installation=installation).prefetch_related("entries")
    ]


@exporter("notifications")
def _notifications(installation: Installation, email: str, user_id: str) -> list[dict]:
    from ..notifications.models import Notification

    if not email:
        return []
    return [
        {"event": n.event, "language": n.language, "status": n.status, "created_at": _iso(n.created_at)}
        for n in Notification.objects.filter(installation=installation, recipient_email__iexact=email)
    ]


@exporter("orders")
def _orders(installation: Installation, email: str, user_id: str) -> list[dict]:
    from ..orders.models import Order

    who = Q(user_email__iexact=email) if email else Q(pk__in=[])
    if user_id:
        who |= Q(user_id=user_id)
    return [
        {"number": o.number, "status": o.status, "channel": o.channel_slug, "created_at": _iso(o.created_at)}
        for o in Order.objects.filter(who, installation=installation)
    ]


@exporter("customer")
def _customer(installation: Installation, email: str, user_id: str) -> list[dict]:
    from ..orders.models import Customer

    who = Q(email__iexact=email) if email else Q(pk__in=[])
    if user_id:
        who |= Q(saleor_id=user_id)
    return [
        {"email": c.email, "first_name": c.first_name, "last_name": c.last_name, "language": c.language_code}
        for c in Customer.objects.filter(who, installation=installation)
    ]


def export_customer_data(installation: Installation, *, email: str, user_id: str = "") -> dict:
    email = normalize_email(email)
    return {
        "email": email,
        "user_id": user_id,
        "sections": {name: fn(installation, email, user_id) for name, fn in sorted(_exporters.items())},
    }
