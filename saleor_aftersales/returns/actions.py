"""Every write of the returns capability. Keyword-only, atomic; bad input raises DomainError before any write.

Money and stock move only through Saleor, via the outbox (see `settlement.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from ..core.actors import Actor, ActorType
from ..core.errors import DomainError, ErrorDetail, NotFoundError, PermissionDeniedError
from ..core.time import now as clock_now
from ..core.uploads import check_upload
from ..installations.models import Installation
from ..notifications.actions import notify
from ..orders.models import Customer, Order
from ..orders.selectors import customer_owns_order
from ..outbox.actions import enqueue
from ..sla.actions import start_clock, stop_clock
from . import error_codes, events, policies, selectors, settlement
from .models import (
    ItemCondition,
    RequestKind,
    Resolution,
    ReturnLine,
    ReturnPhoto,
    ReturnPolicy,
    ReturnPolicyRule,
    ReturnReason,
    ReturnRequest,
    ReturnSequence,
    ReturnStatus,
    ReturnWindow,
)
from .state import apply_transition, can, ensure_can

SUBJECT = "return_request"
MAX_COMMENT = 2000
MAX_NOTE = 2000
MAX_PHOTOS = 10
PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"]
CLAIM_RESOLUTIONS = (Resolution.REFUND, Resolution.REPLACEMENT, Resolution.STORE_CREDIT)


@dataclass(frozen=True)
class LineInput:
    order_line_id: int
    quantity: int
    reason_code: str
    comment: str = ""
    exchange_variant_id: str = ""


def _check_text(value: str, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError("TOO_LONG", f"At most {limit} characters.", field)
    return value


def _lock(request: ReturnRequest) -> ReturnRequest:
    # Only the request row is locked: locking the joined installation would serialise a whole shop.
    return (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("order", "installation")
        .get(pk=request.pk)
    )


def _check_owner(order: Order, actor: Actor) -> None:
    if actor.type in (ActorType.CUSTOMER, ActorType.GUEST) and not customer_owns_order(
        order, user_id=actor.user_id, email=actor.email
    ):
        raise PermissionDeniedError("This order belongs to another customer.", "order")


def _next_number(installation: Installation) -> str:
    sequence, _ = ReturnSequence.objects.get_or_create(installation=installation)
    ReturnSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    sequence.refresh_from_db()
    return f"RMA-{sequence.last_value:06d}"


def _order_note(request: ReturnRequest, event_id: int, message: str) -> None:
    """Every decision is visible on the order in the Saleor Dashboard."""
    enqueue(
        installation=request.installation,
        idempotency_key=f"rma:{request.pk}:note:{event_id}",
        operation="OrderNoteAdd",
        variables={"order": request.order.saleor_id, "message": f"{request.number}: {message}"[:2000]},
        subject_type=SUBJECT,
        subject_id=request.pk,
    )


def _notify(request: ReturnRequest, event: str, **context) -> None:
    notify(
        installation=request.installation,
        event=event,
        recipient_email=request.customer_email,
        dedupe_key=f"rma:{request.pk}:{event}",
        language=request.language,
        context={"reference": request.number, "order_number": request.order.number, **context},
        subject_type=SUBJECT,
        subject_id=request.pk,
    )


def _validate_photos(photos) -> list:
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise DomainError(error_codes.TOO_MANY_FILES, f"At most {MAX_PHOTOS} photos.", "photos")
    return [(photo, check_upload(photo, field="photos", allowed=PHOTO_TYPES)) for photo in photos]


@transaction.atomic
def create_return_request(
    *,
    order: Order,
    actor: Actor,
    lines: list[LineInput],
    resolution: str,
    kind: str = RequestKind.RETURN,
    comment: str = "",
    photos=(),
    now: datetime | None = None,
    idempotency_key: str = "",
) -> ReturnRequest:
    """A customer (or staff on their behalf) asks to return, exchange or claim; auto-approval rules apply.

    `idempotency_key` (a staff form's token) makes a re-submission answer the request it created, writing nothing
    (unique per installation; checked under the order's row lock, so a concurrent twin waits and finds it)."""
    now = now or clock_now()
    installation = order.installation
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 64:
        raise DomainError("TOO_LONG", "At most 64 characters.", "idempotencyKey")
    comment = _check_text(comment, MAX_COMMENT, "comment")
    if resolution not in Resolution.values:
        raise DomainError("INVALID", "Unknown resolution.", "resolution")
    if kind not in RequestKind.values:
        raise DomainError("INVALID", "Unknown request kind.", "kind")
    if resolution == Resolution.EXCHANGE:
        kind = RequestKind.EXCHANGE
    if kind == RequestKind.CLAIM and resolution not in CLAIM_RESOLUTIONS:
        raise DomainError(
            error_codes.RESOLUTION_NOT_OFFERED, "A claim is settled by refund or replacement.", "resolution"
        )
    if not lines:
        raise DomainError(error_codes.EMPTY_REQUEST, "Choose at least one item.", "lines")
    checked_photos = _validate_photos(photos)
    # The order row lock serialises concurrent requests, so two cannot both take the last returnable unit.
    order = Order.objects.select_for_update(of=("self",)).select_related("installation").get(pk=order.pk)
    _check_owner(order, actor)
    if idempotency_key:
        created = ReturnRequest.objects.filter(
            installation=installation, idempotency_key=idempotency_key
        ).first()
        if created is not None:
            return created
    eligibility = {line.pk: (line, result) for line, result in selectors.order_eligibility(order, now=now)}
    catalogue = selectors.reason_catalogue(installation)
    base, rules = selectors.order_policy(order)
    errors: list[ErrorDetail] = []
    seen: set[int] = set()
    value = Decimal("0")
    categories: list[str] = []
    evidence_needed = False
    for index, item in enumerate(lines):
        field = f"lines.{index}"
        if item.order_line_id in seen:
            errors.append(ErrorDetail("DUPLICATE", "Each item may appear once.", f"{field}.orderLineId"))
            continue
        seen.add(item.order_line_id)
        found = eligibility.get(item.order_line_id)
        if found is None:
            errors.append(ErrorDetail("NOT_FOUND", "This item is not in the order.", f"{field}.orderLineId"))
            continue
        order_line, result = found
        if len(item.comment or "") > MAX_COMMENT:
            errors.append(ErrorDetail("TOO_LONG", f"At most {MAX_COMMENT} characters.", f"{field}.comment"))
        reason = catalogue.get(item.reason_code)
        if reason is None or not reason.is_active:
            errors.append(ErrorDetail(error_codes.UNKNOWN_REASON, "Unknown reason.", f"{field}.reason"))
            continue
        if not result.is_returnable:
            errors.append(
                ErrorDetail(
                    result.not_returnable_code or error_codes.NOT_RETURNABLE,
                    _why(result.not_returnable_code),
                    f"{field}.orderLineId",
                )
            )
            continue
        if item.quantity <= 0:
            errors.append(ErrorDetail("INVALID", "The quantity must be positive.", f"{field}.quantity"))
        elif item.quantity > result.returnable_quantity:
            errors.append(
                ErrorDetail(
                    error_codes.QUANTITY_EXCEEDS_RETURNABLE,
                    f"At most {result.returnable_quantity} can be returned.",
                    f"{field}.quantity",
                )
            )
        if item.reason_code not in result.allowed_reason_codes:
            code = error_codes.REASON_NOT_ALLOWED
            terms = selectors.line_terms(base, rules, order_line)
            if not terms.final_sale:
                code = error_codes.WINDOW_CLOSED
            errors.append(ErrorDetail(code, _why(code), f"{field}.reason"))
        if kind == RequestKind.CLAIM and reason.category not in ("logistics", "quality"):
            errors.append(
                ErrorDetail(
                    error_codes.REASON_NOT_ALLOWED,
                    "Claims are for damage, wrong or missing items.",
                    f"{field}.reason",
                )
            )
        if resolution not in result.allowed_resolutions:
            errors.append(
                ErrorDetail(
                    error_codes.RESOLUTION_NOT_OFFERED, _why(error_codes.RESOLUTION_NOT_OFFERED), "resolution"
                )
            )
        terms = selectors.line_terms(base, rules, order_line)
        if reason.requires_evidence or item.reason_code in terms.evidence_required_reasons:
            evidence_needed = True
        value += order_line.unit_price_gross * max(item.quantity, 0)
        categories.append(reason.category)
    if evidence_needed and not checked_photos:
        errors.append(
            ErrorDetail(error_codes.EVIDENCE_REQUIRED, _why(error_codes.EVIDENCE_REQUIRED), "photos")
        )
    if errors:
        raise DomainError.many(_dedupe(errors))
    since = now - timedelta(days=base.abuse_period_days)
    email = actor.email if actor.type != ActorType.STAFF else order.user_email
    user_id = actor.user_id if actor.type == ActorType.CUSTOMER else order.user_id
    recent = selectors.requests_in_period(
        installation, user_id=user_id, email=email or order.user_email, since=since
    )
    if not policies.within_abuse_limit(base, requests_in_period=recent):
        raise DomainError(error_codes.LIMIT_EXCEEDED, _why(error_codes.LIMIT_EXCEEDED), "order")

    request = ReturnRequest.objects.create(
        installation=installation,
        number=_next_number(installation),
        kind=kind,
        order=order,
        channel_slug=order.channel_slug,
        currency=order.currency,
        customer_user_id=order.user_id,
        customer_email=(order.user_email or email or "").lower(),
        language=order.language_code or "en",
        resolution=resolution,
        customer_comment=comment,
        primary_reason_code=lines[0].reason_code,
        next_step_due_at=now + timedelta(hours=base.decision_sla_hours),
        idempotency_key=idempotency_key,
    )
    line_rows = ReturnLine.objects.bulk_create(
        [
            ReturnLine(
                request=request,
                order_line_id=item.order_line_id,
                quantity=item.quantity,
                reason_code=item.reason_code,
                reason_category=catalogue[item.reason_code].category,
                comment=(item.comment or "").strip(),
                exchange_variant_id=(
                    item.exchange_variant_id or eligibility[item.order_line_id][0].variant_id
                    if kind == RequestKind.EXCHANGE
                    else ""
                ),
            )
            for item in lines
        ]
    )
    for upload, checked in checked_photos:
        photo = ReturnPhoto(request=request, content_type=checked.content_type, size=checked.size)
        photo.file.save(checked.name, upload, save=False)
        photo.save()
    events.record_event(
        request,
        type=events.CREATED,
        actor=actor,
        to_status=request.status,
        note=comment,
        data={
            "lines": [
                {"order_line": r.order_line_id, "quantity": r.quantity, "reason": r.reason_code}
                for r in line_rows
            ]
        },
    )
    start_clock(
        installation=installation,
        subject_type=SUBJECT,
        subject_id=request.pk,
        metric="decision",
        target_minutes=base.decision_sla_hours * 60,
        started_at=now,
    )
    trusted = _is_trusted(installation, order)
    rule = policies.auto_approval_rule(
        base,
        request_value=value,
        trusted_customer=trusted,
        categories=categories,
        photo_count=len(checked_photos),
    )
    if rule:
        request.auto_approved = True
        request.save(update_fields=["auto_approved"])
        approve_return_request(
            request=request, actor=Actor.system("auto-approval"), note=f"Auto-approved: {rule}", now=now
        )
        request.refresh_from_db()
    return request


def _is_trusted(installation: Installation, order: Order) -> bool:
    if not order.user_id:
        return False
    customer = Customer.objects.filter(installation=installation, saleor_id=order.user_id).first()
    return bool(customer and str((customer.metadata or {}).get("aftersales_trusted", "")).lower() == "true")


def _dedupe(errors: list[ErrorDetail]) -> list[ErrorDetail]:
    seen, result = set(), []
    for error in errors:
        key = (error.code, error.field)
        if key not in seen:
            seen.add(key)
            result.append(error)
    return result


WHY = {
    error_codes.NOT_RETURNABLE: "This item cannot be returned (final sale or non-returnable).",
    error_codes.NOT_FULFILLED: "This item has not been shipped yet.",
    error_codes.WINDOW_CLOSED: "The return window for this reason has closed.",
    error_codes.REASON_NOT_ALLOWED: "This reason is not accepted for this item.",
    error_codes.QUANTITY_EXCEEDS_RETURNABLE: "Nothing of this item is left to return.",
    error_codes.RESOLUTION_NOT_OFFERED: "This resolution is not offered for this item.",
    error_codes.EVIDENCE_REQUIRED: "Please add photos for this reason.",
    error_codes.LIMIT_EXCEEDED: "You have reached the number of returns allowed in this period.",
}


def _why(code: str | None) -> str:
    return WHY.get(code or "", "Not allowed.")


def _stop_decision_clock(request: ReturnRequest, now: datetime) -> None:
    stop_clock(
        installation=request.installation,
        subject_type=SUBJECT,
        subject_id=request.pk,
        metric="decision",
        at=now,
    )


@transaction.atomic
def approve_return_request(
    *,
    request: ReturnRequest,
    actor: Actor,
    line_quantities: dict[int, int] | None = None,
    note: str = "",
    now: datetime | None = None,
) -> ReturnRequest:
    """Approve all lines, or per line ({return line pk: approved quantity}, 0 = refused)."""
    now = now or clock_now()
    note = _check_text(note, MAX_NOTE, "note")
    request = _lock(request)
    ensure_can(request, "approve")
    lines = list(request.lines.all())
    wanted = line_quantities or {}
    unknown = set(wanted) - {line.pk for line in lines}
    if unknown:
        raise NotFoundError("Unknown return line.", "lines")
    for line in lines:
        quantity = wanted.get(line.pk, line.quantity) if line_quantities is not None else line.quantity
        if quantity < 0 or quantity > line.quantity:
            raise DomainError("OUT_OF_RANGE", f"Approve between 0 and {line.quantity}.", "lines")
        line.approved_quantity = quantity
    if not any(line.approved_quantity for line in lines):
        raise DomainError("INVALID", "Approve at least one unit, or reject the request.", "lines")
    ReturnLine.objects.bulk_update(lines, ["approved_quantity"])
    partial = any(line.approved_quantity < line.quantity for line in lines)
    request.decided_at = now
    request.decision_note = note
    request.next_step_due_at = None
    if request.kind == RequestKind.CLAIM:
        # Nothing comes back: the settlement clock starts with the decision.
        terms, _ = selectors.order_policy(request.order)
        request.next_step_due_at = now + timedelta(hours=terms.refund_sla_hours)
        start_clock(
            installation=request.installation,
            subject_type=SUBJECT,
            subject_id=request.pk,
            metric="refund",
            target_minutes=terms.refund_sla_hours * 60,
            started_at=now,
        )
    request.save(update_fields=["decided_at", "decision_note", "next_step_due_at"])
    event = apply_transition(request, "approve_partially" if partial else "approve", actor=actor, note=note)
    _stop_decision_clock(request, now)
    _order_note(request, event.pk, f"return {'partially ' if partial else ''}approved. {note}".strip())
    _notify(request, "return_approved", note=note)
    return request


@transaction.atomic
def reject_return_request(
    *, request: ReturnRequest, actor: Actor, reason: str, now: datetime | None = None
) -> ReturnRequest:
    now = now or clock_now()
    reason = _check_text(reason, MAX_NOTE, "reason")
    if not reason:
        raise DomainError("REQUIRED", "Tell the customer why.", "reason")
    request = _lock(request)
    request.decided_at = now
    request.decision_note = reason
    request.next_step_due_at = None
    event = apply_transition(request, "reject", actor=actor, note=reason)
    request.save(update_fields=["decided_at", "decision_note", "next_step_due_at"])
    _stop_decision_clock(request, now)
    _order_note(request, event.pk, f"return rejected: {reason}")
    _notify(request, "return_rejected", note=reason)
    return request


@transaction.atomic
def cancel_return_request(*, request: ReturnRequest, actor: Actor, note: str = "") -> ReturnRequest:
    """The customer withdraws the request before anything ships."""
    note = _check_text(note, MAX_NOTE, "note")
    request = _lock(request)
    apply_transition(request, "cancel", actor=actor, note=note)
    request.next_step_due_at = None
    request.save(update_fields=["next_step_due_at"])
    from ..sla.actions import cancel_clocks

    cancel_clocks(installation=request.installation, subject_type=SUBJECT, subject_id=request.pk)
    return request


@transaction.atomic
def add_tracking(
    *, request: ReturnRequest, actor: Actor, carrier: str, tracking_number: str
) -> ReturnRequest:
    carrier = _check_text(carrier, 64, "carrier")
    tracking_number = _check_text(tracking_number, 128, "trackingNumber")
    if not tracking_number:
        raise DomainError("REQUIRED", "Enter the tracking number.", "trackingNumber")
    request = _lock(request)
    if request.kind == RequestKind.CLAIM:
        raise DomainError("INVALID_TRANSITION", "Claims do not ship anything back.", "status")
    request.carrier, request.tracking_number = carrier, tracking_number
    request.save(update_fields=["carrier", "tracking_number", "updated_at"])
    if request.status == ReturnStatus.IN_TRANSIT:
        events.record_event(
            request, type=events.TRACKING_ADDED, actor=actor, note=f"{carrier} {tracking_number}".strip()
        )
    else:
        apply_transition(request, "ship", actor=actor, note=f"{carrier} {tracking_number}".strip())
    return request


@transaction.atomic
def request_pickup(
    *,
    request: ReturnRequest,
    actor: Actor,
    address: dict,
    window_start: datetime,
    window_end: datetime,
    now: datetime | None = None,
) -> ReturnRequest:
    """Ask for a courier to collect the parcel (address + time window)."""
    now = now or clock_now()
    required = ("firstName", "lastName", "streetAddress1", "city", "postalCode", "country", "phone")
    missing = [key for key in required if not str((address or {}).get(key) or "").strip()]
    if missing:
        raise DomainError("REQUIRED", f"Missing: {', '.join(missing)}.", "address")
    if any(len(str(value)) > 256 for value in address.values()):
        raise DomainError("TOO_LONG", "Address fields are at most 256 characters.", "address")
    if window_start >= window_end or window_start < now:
        raise DomainError(
            "INVALID", "The pickup window must be in the future and end after it starts.", "window"
        )
    request = _lock(request)
    if request.kind == RequestKind.CLAIM:
        raise DomainError("INVALID_TRANSITION", "Claims do not ship anything back.", "status")
    request.pickup_address = {key: str(value) for key, value in address.items()}
    request.pickup_window_start, request.pickup_window_end = window_start, window_end
    request.next_step_due_at = window_end
    request.save(
        update_fields=["pickup_address", "pickup_window_start", "pickup_window_end", "next_step_due_at"]
    )
    note = f"pickup {window_start.isoformat()} – {window_end.isoformat()}"
    if request.status == ReturnStatus.IN_TRANSIT:
        events.record_event(request, type=events.PICKUP_REQUESTED, actor=actor, note=note)
    else:
        apply_transition(request, "ship", actor=actor, note=note)
    return request


@transaction.atomic
def receive_return_request(
    *,
    request: ReturnRequest,
    actor: Actor,
    quantities: dict[int, int] | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """Record units arriving at the warehouse ({return line pk: units now received}; None = all approved)."""
    now = now or clock_now()
    request = _lock(request)
    if request.kind == RequestKind.CLAIM:
        raise DomainError("INVALID_TRANSITION", "Claims do not ship anything back.", "status")
    ensure_can(request, "receive")
    lines = list(request.lines.all())
    by_pk = {line.pk: line for line in lines}
    if quantities is None:
        quantities = {line.pk: line.approved_quantity - line.received_quantity for line in lines}
    if set(quantities) - set(by_pk):
        raise NotFoundError("Unknown return line.", "lines")
    for pk, units in quantities.items():
        line = by_pk[pk]
        if units < 0 or line.received_quantity + units > line.approved_quantity:
            raise DomainError(
                "OUT_OF_RANGE",
                f"At most {line.approved_quantity - line.received_quantity} more can arrive.",
                "lines",
            )
        line.received_quantity += units
    if not any(quantities.values()):
        raise DomainError("INVALID", "Receive at least one unit.", "lines")
    ReturnLine.objects.bulk_update(lines, ["received_quantity"])
    complete = all(line.received_quantity >= line.approved_quantity for line in lines)
    apply_transition(
        request,
        "receive" if complete else "receive_partially",
        actor=actor,
        data={"received": {str(pk): units for pk, units in quantities.items() if units}},
    )
    if request.received_at is None:
        request.received_at = now
        terms, _ = selectors.order_policy(request.order)
        request.next_step_due_at = now + timedelta(hours=terms.refund_sla_hours)
        request.save(update_fields=["received_at", "next_step_due_at"])
        start_clock(
            installation=request.installation,
            subject_type=SUBJECT,
            subject_id=request.pk,
            metric="refund",
            target_minutes=terms.refund_sla_hours * 60,
            started_at=now,
        )
    if complete:
        _notify(request, "return_received")
    return request


@dataclass(frozen=True)
class Inspection:
    line_id: int
    condition: str
    restock: bool
    note: str = ""


@transaction.atomic
def inspect_return_request(
    *, request: ReturnRequest, actor: Actor, inspections: list[Inspection]
) -> ReturnRequest:
    """The inspector's verdict per received line; the request is inspected once every received line is."""
    request = _lock(request)
    ensure_can(request, "inspect")
    by_pk = {line.pk: line for line in request.lines.all()}
    for inspection in inspections:
        line = by_pk.get(inspection.line_id)
        if line is None or line.received_quantity == 0:
            raise NotFoundError("No received units on this line.", "lines")
        if inspection.condition not in ItemCondition.values:
            raise DomainError("INVALID", "Condition: unopened, opened or damaged.", "condition")
        line.condition = inspection.condition
        line.restock = inspection.restock
        line.inspector_note = _check_text(inspection.note, MAX_NOTE, "note")
    ReturnLine.objects.bulk_update(list(by_pk.values()), ["condition", "restock", "inspector_note"])
    for inspection in inspections:
        events.record_event(
            request,
            type=events.LINE_INSPECTED,
            actor=actor,
            note=inspection.note,
            data={
                "line": inspection.line_id,
                "condition": inspection.condition,
                "restock": inspection.restock,
            },
        )
    if all(line.condition for line in by_pk.values() if line.received_quantity):
        apply_transition(request, "inspect", actor=actor)
    return request


@transaction.atomic
def resolve_return_request(
    *,
    request: ReturnRequest,
    actor: Actor,
    resolution: str | None = None,
    exchange_unit_prices: dict[int, Decimal] | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """Settle through Saleor. Idempotent: a request already settling or settled is returned as it is."""
    now = now or clock_now()
    request = _lock(request)
    if request.status in (ReturnStatus.RESOLVING, ReturnStatus.RESOLVED, ReturnStatus.SETTLEMENT_FAILED):
        return request
    if request.kind != RequestKind.CLAIM and request.status != ReturnStatus.INSPECTED:
        raise DomainError(
            "INVALID_TRANSITION", f"A {request.status} return is resolved after inspection.", "status"
        )
    if resolution and resolution != request.resolution:
        if resolution not in Resolution.values:
            raise DomainError("INVALID", "Unknown resolution.", "resolution")
        terms, _ = selectors.order_policy(request.order)
        if resolution not in terms.offered_resolutions:
            raise DomainError(
                error_codes.RESOLUTION_NOT_OFFERED, _why(error_codes.RESOLUTION_NOT_OFFERED), "resolution"
            )
        request.resolution = resolution
        request.save(update_fields=["resolution"])
    if exchange_unit_prices:
        lines = {line.pk: line for line in request.lines.all()}
        for pk, price in exchange_unit_prices.items():
            if pk not in lines:
                raise NotFoundError("Unknown return line.", "exchangeUnitPrices")
            if Decimal(price) < 0:
                raise DomainError("OUT_OF_RANGE", "Prices cannot be negative.", "exchangeUnitPrices")
            lines[pk].exchange_unit_price = Decimal(price)
        ReturnLine.objects.bulk_update(list(lines.values()), ["exchange_unit_price"])
    plan = settlement.plan_for(request)  # raises (nothing written) when Saleor cannot be asked
    event = apply_transition(request, "resolve", actor=actor, note=plan.summary)
    settlement.start(request, plan)
    _order_note(request, event.pk, f"resolved: {plan.summary}")
    if not plan.operations:
        settle_return_request(request=request, actor=actor, now=now)
    return request


@transaction.atomic
def settle_return_request(
    *, request: ReturnRequest, actor: Actor, now: datetime | None = None
) -> ReturnRequest:
    """All settlements succeeded in Saleor. Idempotent."""
    now = now or clock_now()
    request = _lock(request)
    if request.status != ReturnStatus.RESOLVING:
        return request
    request.resolved_at = now
    request.next_step_due_at = None
    request.save(update_fields=["resolved_at", "next_step_due_at"])
    apply_transition(request, "settle", actor=actor)
    stop_clock(
        installation=request.installation,
        subject_type=SUBJECT,
        subject_id=request.pk,
        metric="refund",
        at=now,
    )
    if request.refund_amount > 0 or request.store_credit_amount > 0:
        _notify(
            request,
            "return_refunded",
            amount=str(request.refund_amount or request.store_credit_amount),
            currency=request.currency,
        )
    else:  # exchange, replacement, repair: no money, still a customer-visible resolution
        _notify(request, "return_resolved", resolution=request.resolution)
    return request


@transaction.atomic
def fail_settlement(*, request: ReturnRequest, error: str) -> ReturnRequest:
    request = _lock(request)
    if request.status != ReturnStatus.RESOLVING:
        return request
    apply_transition(request, "fail_settlement", actor=Actor.saleor(), note=error[:2000])
    return request


@transaction.atomic
def retry_settlement(*, request: ReturnRequest, actor: Actor) -> ReturnRequest:
    """Staff fixed the cause in Saleor: send the failed calls again (same idempotency keys)."""
    request = _lock(request)
    apply_transition(request, "retry_settlement", actor=actor)
    settlement.retry_failed(request)
    return request


@transaction.atomic
def close_open_requests(*, order: Order, actor: Actor, note: str, before_settlement_only: bool = True) -> int:
    """Saleor closed the matter (order cancelled / refunded elsewhere): open requests stop here."""
    closed = 0
    for request in selectors.open_requests_of_order(order).select_for_update():
        if can(request, "close"):
            apply_transition(request, "close", actor=actor, note=note)
            request.next_step_due_at = None
            request.save(update_fields=["next_step_due_at"])
            from ..sla.actions import cancel_clocks

            cancel_clocks(installation=request.installation, subject_type=SUBJECT, subject_id=request.pk)
            closed += 1
    return closed


@transaction.atomic
def record_return_windows(*, order: Order, at: datetime | None = None) -> int:
    """Start the return window of each fulfilled line (idempotent: the first fulfillment counts)."""
    created = 0
    starts: dict[int, datetime] = {}
    for fulfillment in order.fulfillments.prefetch_related("lines"):
        if fulfillment.status != "FULFILLED":
            continue
        when = fulfillment.fulfilled_at or at or clock_now()
        for fl in fulfillment.lines.all():
            if fl.order_line_id not in starts or when < starts[fl.order_line_id]:
                starts[fl.order_line_id] = when
    existing = set(
        ReturnWindow.objects.filter(order_line_id__in=starts).values_list("order_line_id", flat=True)
    )
    new = [
        ReturnWindow(order_line_id=pk, fulfilled_at=when) for pk, when in starts.items() if pk not in existing
    ]
    if new:
        ReturnWindow.objects.bulk_create(new, ignore_conflicts=True)
        created = len(new)
    return created


@transaction.atomic
def record_delivery(
    *, order: Order, delivered_at: datetime, actor: Actor, now: datetime | None = None
) -> int:
    """The parcel was delivered (carrier feed or staff): policies that start at delivery count from here."""
    now = now or clock_now()
    if delivered_at > now:
        raise DomainError("INVALID", "A delivery cannot be in the future.", "deliveredAt")
    record_return_windows(order=order, at=now)
    return ReturnWindow.objects.filter(order_line__order=order, fulfilled_at__lte=delivered_at).update(
        delivered_at=delivered_at
    )


# --- merchant configuration -------------------------------------------------------------------------------

POLICY_FIELDS = (
    "window_days",
    "window_starts",
    "no_reason_days",
    "quality_window_days",
    "final_sale",
    "non_returnable",
    "shipping_payers",
    "refund_shipping_for_categories",
    "return_shipping_fee",
    "restocking_fee_percent",
    "evidence_required_reasons",
    "offered_resolutions",
    "store_credit_bonus_percent",
    "max_requests_per_customer",
    "abuse_period_days",
    "auto_approve_max_value",
    "auto_approve_trusted_customers",
    "auto_approve_defects_with_photos",
    "decision_sla_hours",
    "refund_sla_hours",
)


def _validate_policy_values(values: dict) -> None:
    for name in ("restocking_fee_percent", "store_credit_bonus_percent"):
        if name in values and values[name] is not None and not (0 <= Decimal(values[name]) <= 100):
            raise DomainError("OUT_OF_RANGE", "A percentage is between 0 and 100.", name)
    for name in ("window_days", "no_reason_days", "quality_window_days"):
        if name in values and values[name] is not None and not (0 <= int(values[name]) <= 3650):
            raise DomainError("OUT_OF_RANGE", "Days are between 0 and 3650.", name)
    if values.get("offered_resolutions") is not None:
        unknown = set(values["offered_resolutions"]) - set(Resolution.values)
        if unknown:
            raise DomainError(
                "INVALID", f"Unknown resolutions: {', '.join(sorted(unknown))}.", "offered_resolutions"
            )
    if values.get("window_starts") is not None and values["window_starts"] not in ("fulfillment", "delivery"):
        raise DomainError("INVALID", "fulfillment or delivery.", "window_starts")
    payers = values.get("shipping_payers")
    if payers is not None and any(v not in ("merchant", "customer") for v in payers.values()):
        raise DomainError("INVALID", "Shipping is paid by merchant or customer.", "shipping_payers")


@transaction.atomic
def save_return_policy(
    *, installation: Installation, actor: Actor, channel_slug: str = "", **values
) -> ReturnPolicy:
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise DomainError("INVALID", f"Unknown fields: {', '.join(sorted(unknown))}.")
    _validate_policy_values(values)
    policy, _ = ReturnPolicy.objects.select_for_update().get_or_create(
        installation=installation, channel_slug=channel_slug
    )
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    return policy


@transaction.atomic
def save_policy_rule(
    *, policy: ReturnPolicy, actor: Actor, scope: str, target_id: str, **values
) -> ReturnPolicyRule:
    if scope not in ("product", "category", "product_type"):
        raise DomainError("INVALID", "Scope: product, category or product_type.", "scope")
    if not target_id or len(target_id) > 128:
        raise DomainError("INVALID", "A Saleor id is required.", "targetId")
    unknown = set(values) - set(policies.OVERRIDABLE)
    if unknown:
        raise DomainError("INVALID", f"Unknown fields: {', '.join(sorted(unknown))}.")
    _validate_policy_values(values)
    rule, _ = ReturnPolicyRule.objects.update_or_create(
        policy=policy, scope=scope, target_id=target_id, defaults=values
    )
    return rule


@transaction.atomic
def delete_policy_rule(*, rule: ReturnPolicyRule, actor: Actor) -> None:
    rule.delete()


@transaction.atomic
def save_return_reason(
    *,
    installation: Installation,
    actor: Actor,
    code: str,
    category: str,
    label_en: str,
    label_zh_hans: str,
    parent_code: str = "",
    saleor_reason: str = "",
    requires_evidence: bool = False,
    is_active: bool = True,
    position: int = 0,
) -> ReturnReason:
    from django.utils.text import slugify

    from .models import ReasonCategory

    if not code or slugify(code) != code or len(code) > 64:
        raise DomainError("INVALID", "Codes are lowercase slugs (a-z, 0-9, -).", "code")
    if category not in ReasonCategory.values:
        raise DomainError("INVALID", "Category: quality, no_reason, logistics or other.", "category")
    if not label_en.strip() or not label_zh_hans.strip():
        raise DomainError("REQUIRED", "Both the English and the Chinese label are required.", "label")
    for name, value in (
        ("labelEn", label_en),
        ("labelZhHans", label_zh_hans),
        ("saleorReason", saleor_reason),
    ):
        _check_text(value, 200, name)
    catalogue = selectors.reason_catalogue(installation)
    if parent_code and (parent_code not in catalogue or parent_code == code):
        raise DomainError(error_codes.UNKNOWN_REASON, "Unknown parent reason.", "parentCode")
    reason, _ = ReturnReason.objects.update_or_create(
        installation=installation,
        code=code,
        defaults={
            "category": category,
            "label_en": label_en.strip(),
            "label_zh_hans": label_zh_hans.strip(),
            "parent_code": parent_code,
            "saleor_reason": saleor_reason.strip(),
            "requires_evidence": requires_evidence,
            "is_active": is_active,
            "position": position,
        },
    )
    return reason
