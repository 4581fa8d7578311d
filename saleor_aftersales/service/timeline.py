"""One timeline per case: its messages and events, merged with what it is linked to.

Sources: the case's own events and messages; the events of the linked return request (or of every return of the
linked order); the customer's loyalty ledger (points earned, redeemed, adjusted) since shortly before the case
opened; a linked warranty claim's events with its repair orders' steps (or a linked repair order's steps); and
whatever else a `@timeline_source(linked_type)` registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..core.i18n import pick
from . import events as case_events
from .models import LinkedType, MessageKind, ServiceCase


@dataclass(frozen=True)
class TimelineEntry:
    source: str  # case, message, return_request, loyalty, warranty_claim, repair_order, ...
    id: str
    type: str
    created_at: datetime
    actor_type: str = ""
    actor_email: str = ""
    from_status: str = ""
    to_status: str = ""
    note: str = ""
    texts: dict[str, str] = field(default_factory=dict)  # {language: label}
    internal: bool = False  # staff only
    data: dict = field(default_factory=dict)

    def message(self, language: str) -> str:
        return pick(self.texts, language, self.type)


Source = Callable[[ServiceCase], list[TimelineEntry]]
_sources: dict[str, list[Source]] = {}

# How far before the case a loyalty movement is still part of its story (e.g. the points of the order).
LOYALTY_LOOKBACK = timedelta(days=90)


def timeline_source(linked_type: str) -> Callable[[Source], Source]:
    """Register a reader of another capability's rows for cases linked to `linked_type` ("*" = every case)."""

    def register(fn: Source) -> Source:
        if fn not in _sources.setdefault(linked_type, []):
            _sources[linked_type].append(fn)
        return fn

    return register


def _own(case: ServiceCase) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            source="case",
            id=f"ServiceCaseEvent:{event.pk}",
            type=event.type,
            created_at=event.created_at,
            actor_type=event.actor_type,
            actor_email=event.actor_email,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
            texts=case_events.TIMELINE_TEXTS.get(event.type, {}),
            internal=event.type in case_events.INTERNAL,
            data=event.data,
        )
        for event in case.events.all()
    ]
    for message in case.messages.all():
        entries.append(
            TimelineEntry(
                source="message",
                id=f"ServiceMessage:{message.pk}",
                type=f"message_{message.kind}",
                created_at=message.created_at,
                actor_type=message.author_type,
                actor_email=message.author_email,
                note=message.body,
                texts=case_events.TIMELINE_TEXTS.get(f"message_{message.kind}", {}),
                internal=message.kind == MessageKind.NOTE,
            )
        )
    return entries


@timeline_source(LinkedType.RETURN_REQUEST)
@timeline_source(LinkedType.ORDER)
def return_events(case: ServiceCase) -> list[TimelineEntry]:
    from ..returns import events as return_timeline
    from ..returns.models import ReturnEvent

    rows = ReturnEvent.objects.select_related("request")
    if case.linked_type == LinkedType.RETURN_REQUEST and case.linked_id.isdigit():
        rows = rows.filter(request_id=int(case.linked_id), request__installation_id=case.installation_id)
    elif case.order_id:
        rows = rows.filter(request__order_id=case.order_id)
    else:
        return []
    internal_types = {"fail_settlement", "retry_settlement", "settlement_started", "line_inspected"}
    return [
        TimelineEntry(
            source="return_request",
            id=f"ReturnEvent:{row.pk}",
            type=row.type,
            created_at=row.created_at,
            actor_type=row.actor_type,
            actor_email=row.actor_email,
            from_status=row.from_status,
            to_status=row.to_status,
            note=row.note if row.type not in internal_types else "",
            texts={
                lang: f"{row.request.number}: {text}"
                for lang, text in return_timeline.TIMELINE_TEXTS.get(row.type, {}).items()
            },
            data={"return_request_id": row.request_id, "number": row.request.number},
        )
        for row in rows
    ]


def _warranty_entry(
    source: str, row, number: str, texts: dict[str, dict[str, str]], data: dict
) -> TimelineEntry:
    return TimelineEntry(
        source=source,
        id=f"{type(row).__name__}:{row.pk}",
        type=row.type,
        created_at=row.created_at,
        actor_type=row.actor_type,
        actor_email=row.actor_email,
        from_status=row.from_status,
        to_status=row.to_status,
        note=row.note if row.type != "settlement_started" else "",
        texts={lang: f"{number}: {text}" for lang, text in texts.get(row.type, {}).items()},
        data=data,
    )


@timeline_source(LinkedType.WARRANTY_CLAIM)
@timeline_source(LinkedType.REPAIR_ORDER)
def warranty_events(case: ServiceCase) -> list[TimelineEntry]:
    """A linked claim's decisions and every step of its repair orders (or a linked repair order's own steps)."""
    from ..warranty import events as warranty_timeline
    from ..warranty.models import ClaimEvent, RepairEvent

    if not case.linked_id.isdigit():
        return []
    linked = int(case.linked_id)
    if case.linked_type == LinkedType.WARRANTY_CLAIM:
        claim_rows = ClaimEvent.objects.select_related("claim").filter(
            claim_id=linked, claim__installation_id=case.installation_id
        )
        repair_rows = RepairEvent.objects.select_related("repair_order").filter(
            repair_order__claim_id=linked, repair_order__installation_id=case.installation_id
        )
    else:
        claim_rows = ClaimEvent.objects.none()
        repair_rows = RepairEvent.objects.select_related("repair_order").filter(
            repair_order_id=linked, repair_order__installation_id=case.installation_id
        )
    texts = warranty_timeline.TIMELINE_TEXTS
    entries = [
        _warranty_entry(
            "warranty_claim",
            row,
            row.claim.number,
            texts,
            {"claim_id": row.claim_id, "number": row.claim.number},
        )
        for row in claim_rows
    ]
    entries += [
        _warranty_entry(
            "repair_order",
            row,
            row.repair_order.number,
            texts,
            {"repair_order_id": row.repair_order_id, "number": row.repair_order.number},
        )
        for row in repair_rows
    ]
    return entries


LOYALTY_TEXTS = {
    "en": "Loyalty points: {points:+d}",
    "zh-hans": "积分变动：{points:+d}",
}


@timeline_source("*")
def loyalty_adjustments(case: ServiceCase) -> list[TimelineEntry]:
    from django.db.models import Q

    from ..loyalty.models import LedgerEntry

    who = Q()
    if case.customer_user_id:
        who |= Q(account__user_id=case.customer_user_id)
    if case.customer_email:
        who |= Q(account__email__iexact=case.customer_email)
    if not who:
        return []
    rows = LedgerEntry.objects.filter(who, installation_id=case.installation_id).filter(
        created_at__gte=case.created_at - LOYALTY_LOOKBACK
    )
    return [
        TimelineEntry(
            source="loyalty",
            id=f"LedgerEntry:{row.pk}",
            type=f"points_{row.type}",
            created_at=row.created_at,
            actor_type=row.actor_type,
            actor_email=row.actor_email,
            note=row.note,
            texts={lang: text.format(points=row.points) for lang, text in LOYALTY_TEXTS.items()},
            data={"points": row.points, "reference": row.reference},
        )
        for row in rows.order_by("created_at", "id")[:200]
    ]


def build_timeline(case: ServiceCase, *, include_internal: bool) -> list[TimelineEntry]:
    entries = _own(case)
    for fn in (
        [*_sources.get(case.linked_type, []), *_sources.get("*", [])]
        if case.linked_type
        else _sources.get("*", [])
    ):
        entries.extend(fn(case))
    if not include_internal:
        entries = [entry for entry in entries if not entry.internal]
    return sorted(entries, key=lambda entry: (entry.created_at, entry.source, entry.id))
