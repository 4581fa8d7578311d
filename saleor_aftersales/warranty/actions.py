"""Every write of the warranty capability. Keyword-only, atomic; bad input raises DomainError before any write.

Replacements, refunds and paid repairs move through Saleor, via the outbox (see `settlement.py`).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F

from ..core.actors import Actor, ActorType
from ..core.errors import DomainError, NotFoundError, PermissionDeniedError
from ..core.i18n import normalize_language
from ..core.ratelimit import enforce
from ..core.time import now as clock_now
from ..core.uploads import check_upload
from ..installations.models import Installation
from ..notifications.actions import notify
from ..orders.models import Order
from ..outbox.actions import enqueue
from ..sla.actions import cancel_clocks, pause_clocks, resume_clocks, start_clock, stop_clock
from . import error_codes, events, policies, selectors, settlement
from .models import (
    CareGuide,
    ClaimDecision,
    ClaimPhoto,
    ClaimStatus,
    Coverage,
    QuoteStatus,
    RepairLine,
    RepairLineKind,
    RepairOrder,
    RepairStatus,
    Sequence,
    ServiceCenter,
    SettlementKind,
    Technician,
    TermsScope,
    TransferStatus,
    Warranty,
    WarrantyClaim,
    WarrantyEvent,
    WarrantyProof,
    WarrantySettings,
    WarrantySettlement,
    WarrantySource,
    WarrantyStatus,
    WarrantySymptom,
    WarrantyTerms,
    WarrantyTransfer,
)
from .state import (
    CLAIM_OPEN,
    REPAIR_OPEN,
    STAFF_REPAIR_TRANSITIONS,
    apply_claim_transition,
    apply_repair_transition,
    apply_warranty_transition,
    can_claim,
    ensure_claim,
    ensure_repair,
)

CLAIM_SUBJECT = "warranty_claim"
REPAIR_SUBJECT = "repair_order"
DECISION_METRIC = "claim_decision"
TURNAROUND_METRIC = "repair_turnaround"
DECISION_TARGET_MINUTES = 48 * 60
MAX_TEXT = 2000
MAX_PHOTOS = 10
MAX_PROOFS = 5
PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"]
PROOF_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"]
MAX_AMOUNT = Decimal("1000000")
TRANSFER_RATE = "10/hour"

logger = logging.getLogger(__name__)


def _audit(what: str, actor: Actor, **facts) -> None:
    """Merchant configuration changes have no state machine: one structured log line says who changed what."""
    logger.info(what, extra={"by": actor.email or actor.user_id or actor.type, **facts})


def _text(value: str, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError("TOO_LONG", f"At most {limit} characters.", field)
    return value


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("INVALID", "Not an amount.", field) from None
    if not amount.is_finite():
        raise DomainError("INVALID", "Not an amount.", field)
    if amount < 0:
        raise DomainError(error_codes.NEGATIVE_AMOUNT, "Amounts cannot be negative.", field)
    if amount > MAX_AMOUNT:
        raise DomainError("OUT_OF_RANGE", "The amount is too large.", field)
    return amount


def _next_number(installation: Installation, kind: str) -> str:
    sequence, _ = Sequence.objects.get_or_create(installation=installation, kind=kind)
    Sequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    sequence.refresh_from_db()
    return f"{kind}-{sequence.last_value:06d}"


def _check_files(files, *, limit: int, allowed: list[str], field: str) -> list:
    files = list(files or [])
    if len(files) > limit:
        raise DomainError(error_codes.TOO_MANY_FILES, f"At most {limit} files.", field)
    return [(f, check_upload(f, field=field, allowed=allowed)) for f in files]


def _is_customer(actor: Actor) -> bool:
    return actor.type in (ActorType.CUSTOMER, ActorType.GUEST)


def _check_owner(obj, actor: Actor, what: str) -> None:
    owner = _is_customer(actor) and selectors.owns(obj, user_id=actor.user_id, email=actor.email)
    if owner and actor.type == ActorType.GUEST:
        # A guest proved one order (number + email): only that order's warranties, claims and repairs.
        owner = actor.order_pk is not None and selectors.order_pk_of(obj) == actor.order_pk
    if _is_customer(actor) and not owner:
        # "Not yours" and "does not exist" answer alike: ids must not be probed.
        raise NotFoundError(f"Unknown {what}.", "id")


def _lock_warranty(warranty: Warranty) -> Warranty:
    return (
        Warranty.objects.select_for_update(of=("self",))
        .select_related("installation", "order", "order_line")
        .get(pk=warranty.pk)
    )


def _lock_claim(claim: WarrantyClaim) -> WarrantyClaim:
    return (
        WarrantyClaim.objects.select_for_update(of=("self",))
        .select_related("installation", "warranty", "warranty__order", "warranty__order_line")
        .get(pk=claim.pk)
    )


def _lock_repair(repair: RepairOrder) -> RepairOrder:
    return (
        RepairOrder.objects.select_for_update(of=("self",))
        .select_related("installation", "claim", "warranty", "order")
        .get(pk=repair.pk)
    )


def _order_note(installation: Installation, order: Order | None, key: str, message: str) -> None:
    """Every decision is visible on the order in the Saleor Dashboard (no order: bought elsewhere)."""
    if order is None:
        return
    enqueue(
        installation=installation,
        idempotency_key=key,
        operation="OrderNoteAdd",
        variables={"order": order.saleor_id, "message": message[:2000]},
        subject_type=CLAIM_SUBJECT,
        subject_id=key,
    )


def _notify(
    installation, *, event: str, email: str, language: str, key: str, subject_type, subject_id, **ctx
):
    notify(
        installation=installation,
        event=event,
        recipient_email=email,
        dedupe_key=key,
        language=language,
        context=ctx,
        subject_type=subject_type,
        subject_id=subject_id,
    )


# --- registration ----------------------------------------------------------------------------------------


def _item_of(line) -> policies.Item:
    return policies.Item(
        product_id=line.product_id,
        category_id=line.category_id,
        product_type_id=line.product_type_id,
        metadata=line.product_metadata or {},
        attributes=line.product_attributes or {},
    )


def _terms_for(item: policies.Item, candidates, rows, config: WarrantySettings):
    terms = policies.applicable_terms(candidates, item) or selectors.BUILT_IN_TERMS
    months = (
        policies.duration_from_product(
            item, metadata_key=config.duration_metadata_key, attribute_slug=config.duration_attribute_slug
        )
        or terms.duration_months
    )
    row = rows.get(terms.key) if terms.key is not None else None
    return terms, row, months


def _first_reminder(
    config: WarrantySettings,
    guides,
    *,
    product_type_id: str,
    type_name: str,
    start: datetime,
    category_id: str = "",
):
    if not config.reminders_enabled:
        return None
    from .care import guide_for

    guide = guide_for(
        guides, product_type_id=product_type_id, product_type_name=type_name, category_id=category_id
    )
    if guide is None:
        return None
    interval = guide.reminder_interval_months or config.reminder_interval_months
    return policies.next_reminder(start=start, interval_months=interval, sent=0) if interval else None


@transaction.atomic
def register_order_warranties(
    *, order: Order, at: datetime | None = None, installation: Installation | None = None
) -> int:
    """One warranty per fulfilled unit (idempotent per fulfillment line unit), terms snapshotted.

    A constant number of queries whatever the number of lines: the terms and settings once, the fulfilled
    lines once, the existing units once, one bulk insert of warranties and one of their timeline rows.
    """
    installation = installation or order.installation
    fulfilled = []
    from ..orders.models import FulfillmentLine

    # FULFILLMENT_CREATED and ORDER_FULFILLED of one fulfilment may be drained at once: the order row lock makes
    # the second see the first's units, so each unit gets one warranty and one "registered" row.
    Order.objects.select_for_update().filter(pk=order.pk).values_list("pk", flat=True).first()

    for fl in FulfillmentLine.objects.filter(
        fulfillment__order=order, fulfillment__status="FULFILLED"
    ).select_related("order_line", "fulfillment"):
        fulfilled.append(fl)
    if not fulfilled:
        return 0
    existing = set(
        Warranty.objects.filter(fulfillment_line__in=[fl.pk for fl in fulfilled]).values_list(
            "fulfillment_line_id", "unit_index"
        )
    )
    config = selectors.settings_for(installation)
    candidates, rows = selectors.terms_candidates(installation)
    guides = selectors.care_guides(installation)
    when_default = at or clock_now()
    new: list[Warranty] = []
    for fl in fulfilled:
        line = fl.order_line
        if line.is_gift:
            continue
        start = fl.fulfillment.fulfilled_at or when_default
        terms, row, months = _terms_for(_item_of(line), candidates, rows, config)
        snap = selectors.snapshot(terms, row, months)
        reminder = _first_reminder(
            config,
            guides,
            product_type_id=line.product_type_id,
            type_name=line.product_type_name,
            category_id=line.category_id,
            start=start,
        )
        for unit in range(fl.quantity):
            if (fl.pk, unit) in existing:
                continue
            new.append(
                Warranty(
                    installation=installation,
                    source=WarrantySource.ORDER,
                    status=WarrantyStatus.ACTIVE,
                    order=order,
                    order_line=line,
                    fulfillment_line=fl,
                    unit_index=unit,
                    customer_user_id=order.user_id,
                    customer_email=(order.user_email or "").lower(),
                    language=normalize_language(order.language_code),
                    product_name=line.product_name,
                    variant_name=line.variant_name,
                    sku=line.sku,
                    product_id=line.product_id,
                    variant_id=line.variant_id,
                    product_type_id=line.product_type_id,
                    product_type_name=line.product_type_name,
                    category_id=line.category_id,
                    unit_price=line.unit_price_gross,
                    currency=order.currency,
                    purchased_at=order.placed_at,
                    starts_at=start,
                    expires_at=policies.expires_at(starts_at=start, duration_months=months),
                    terms_id=row.pk if row else None,
                    terms_snapshot=snap,
                    next_reminder_at=reminder,
                )
            )
    if not new:
        return 0
    Warranty.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    created = [
        pk
        for pk, fl_id, unit in Warranty.objects.filter(
            fulfillment_line__in=[fl.pk for fl in fulfilled]
        ).values_list("pk", "fulfillment_line_id", "unit_index")
        if (fl_id, unit) not in existing
    ]
    system = Actor.system("registration").as_record()
    WarrantyEvent.objects.bulk_create(
        [
            WarrantyEvent(warranty_id=pk, type=events.REGISTERED, to_status=WarrantyStatus.ACTIVE, **system)
            for pk in created
        ],
        batch_size=500,
    )
    return len(created)


@transaction.atomic
def register_external_purchase(
    *,
    installation: Installation,
    actor: Actor,
    product_name: str,
    purchased_at: datetime,
    proofs,
    store_name: str = "",
    serial_number: str = "",
    product_id: str = "",
    variant_id: str = "",
    product_type_id: str = "",
    category_id: str = "",
    price: Decimal | None = None,
    currency: str = "USD",
    now: datetime | None = None,
) -> Warranty:
    """A customer registers an item bought elsewhere with a proof of purchase; staff verify it."""
    now = now or clock_now()
    if not _is_customer(actor):
        raise PermissionDeniedError("Customers register their own purchases.")
    product_name = _text(product_name, 386, "productName")
    if not product_name:
        raise DomainError("REQUIRED", "Name the product.", "productName")
    store_name = _text(store_name, 200, "storeName")
    serial_number = _text(serial_number, 128, "serialNumber")
    if purchased_at > now:
        raise DomainError("INVALID", "A purchase cannot be in the future.", "purchasedAt")
    amount = _amount(price, "price") if price is not None else Decimal("0")
    if not proofs:
        raise DomainError(error_codes.PROOF_REQUIRED, "Add a photo or PDF of the receipt.", "proofs")
    checked = _check_files(proofs, limit=MAX_PROOFS, allowed=PROOF_TYPES, field="proofs")
    config = selectors.settings_for(installation)
    candidates, rows = selectors.terms_candidates(installation)
    item = policies.Item(product_id=product_id, category_id=category_id, product_type_id=product_type_id)
    terms, row, months = _terms_for(item, candidates, rows, config)
    warranty = Warranty.objects.create(
        installation=installation,
        source=WarrantySource.EXTERNAL,
        status=WarrantyStatus.PENDING_VERIFICATION,
        customer_user_id=actor.user_id,
        customer_email=(actor.email or "").lower(),
        product_name=product_name,
        product_id=product_id,
        variant_id=variant_id,
        product_type_id=product_type_id,
        category_id=category_id,
        unit_price=amount,
        currency=(currency or "USD").upper()[:3],
        serial_number=serial_number,
        store_name=store_name,
        purchased_at=purchased_at,
        starts_at=purchased_at,
        expires_at=policies.expires_at(starts_at=purchased_at, duration_months=months),
        terms_id=row.pk if row else None,
        terms_snapshot=selectors.snapshot(terms, row, months),
    )
    for upload, info in checked:
        proof = WarrantyProof(warranty=warranty, content_type=info.content_type, size=info.size)
        proof.file.save(info.name, upload, save=False)
        proof.save()
    events.record_warranty_event(
        warranty, type=events.REGISTERED, actor=actor, to_status=warranty.status, note=store_name
    )
    return warranty


@transaction.atomic
def verify_registration(
    *, warranty: Warranty, actor: Actor, approve: bool, note: str = "", duration_months: int | None = None
) -> Warranty:
    note = _text(note, MAX_TEXT, "note")
    warranty = _lock_warranty(warranty)
    if approve:
        if duration_months is not None:
            if not 0 < duration_months <= policies.MAX_DURATION_MONTHS:
                raise DomainError("OUT_OF_RANGE", "Months between 1 and 600.", "durationMonths")
            warranty.expires_at = policies.expires_at(
                starts_at=warranty.starts_at, duration_months=duration_months
            )
            warranty.terms_snapshot = {**warranty.terms_snapshot, "duration_months": duration_months}
        warranty.verification_note = note
        warranty.save(update_fields=["expires_at", "terms_snapshot", "verification_note"])
        apply_warranty_transition(warranty, "verify", actor=actor, note=note)
        event = "warranty_registration_verified"
    else:
        if not note:
            raise DomainError("REQUIRED", "Tell the customer why.", "note")
        warranty.verification_note = note
        warranty.save(update_fields=["verification_note"])
        apply_warranty_transition(warranty, "reject_registration", actor=actor, note=note)
        event = "warranty_registration_rejected"
    _notify(
        warranty.installation,
        event=event,
        email=warranty.customer_email,
        language=warranty.language,
        key=f"warranty:{warranty.pk}:{event}",
        subject_type="warranty",
        subject_id=warranty.pk,
        product=warranty.product_name,
        note=note,
    )
    return warranty


@transaction.atomic
def set_serial_number(*, warranty: Warranty, actor: Actor, serial_number: str) -> Warranty:
    serial_number = _text(serial_number, 128, "serialNumber")
    if not serial_number:
        raise DomainError("REQUIRED", "Enter the serial number.", "serialNumber")
    warranty = _lock_warranty(warranty)
    _check_owner(warranty, actor, "warranty")
    taken = (
        Warranty.objects.filter(
            installation=warranty.installation, product_id=warranty.product_id, serial_number=serial_number
        )
        .exclude(pk=warranty.pk)
        .exists()
    )
    if taken and warranty.product_id:
        raise DomainError(
            error_codes.SERIAL_TAKEN, "This serial number is registered already.", "serialNumber"
        )
    previous = warranty.serial_number
    warranty.serial_number = serial_number
    warranty.save(update_fields=["serial_number", "updated_at"])
    events.record_warranty_event(
        warranty, type=events.SERIAL_ADDED, actor=actor, note=serial_number, data={"previous": previous}
    )
    return warranty


@transaction.atomic
def offer_transfer(*, warranty: Warranty, actor: Actor, to_email: str) -> WarrantyTransfer:
    """The owner offers the warranty to another person (by email); it moves when they accept."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    to_email = (to_email or "").strip().lower()
    try:
        validate_email(to_email)
    except ValidationError:
        raise DomainError("INVALID", "Enter a valid email address.", "email") from None
    warranty = _lock_warranty(warranty)
    if not _is_customer(actor):
        raise PermissionDeniedError("The owner transfers a warranty.")
    _check_owner(warranty, actor, "warranty")
    if to_email in {warranty.customer_email.lower(), (actor.email or "").lower()}:
        raise DomainError(
            error_codes.TRANSFER_TO_SELF, "You cannot transfer a warranty to yourself.", "email"
        )
    if warranty.status != WarrantyStatus.ACTIVE:
        raise DomainError(
            error_codes.WARRANTY_NOT_ACTIVE, "Only an active warranty can be transferred.", "id"
        )
    # Each offer mails a stranger: a handful per customer per hour.
    enforce(
        TRANSFER_RATE,
        "warranty-transfer",
        str(warranty.installation_id),
        warranty.customer_email,
        field="email",
    )
    if warranty.transfers.filter(status=TransferStatus.PENDING).exists():
        raise DomainError(error_codes.TRANSFER_PENDING, "A transfer is already waiting to be accepted.", "id")
    transfer = WarrantyTransfer.objects.create(
        warranty=warranty,
        from_email=warranty.customer_email,
        to_email=to_email,
        token=secrets.token_urlsafe(32),
    )
    events.record_warranty_event(warranty, type=events.TRANSFER_OFFERED, actor=actor, data={"to": to_email})
    _notify(
        warranty.installation,
        event="warranty_transfer_offered",
        email=to_email,
        language=warranty.language,
        key=f"warranty-transfer:{transfer.pk}",
        subject_type="warranty",
        subject_id=warranty.pk,
        product=warranty.product_name,
        sender=warranty.customer_email,
        token=transfer.token,
    )
    return transfer


@transaction.atomic
def accept_transfer(*, token: str, actor: Actor, installation: Installation) -> Warranty:
    if actor.type != ActorType.CUSTOMER:
        raise PermissionDeniedError("Sign in to accept a warranty.")
    transfer = (
        WarrantyTransfer.objects.select_for_update()
        .filter(token=token or "", warranty__installation=installation, status=TransferStatus.PENDING)
        .first()
    )
    if transfer is None or transfer.to_email.lower() != (actor.email or "").lower():
        raise NotFoundError("Unknown or already used transfer.", "token")
    warranty = _lock_warranty(transfer.warranty)
    previous = warranty.customer_email
    warranty.customer_email = transfer.to_email
    warranty.customer_user_id = actor.user_id
    warranty.save(update_fields=["customer_email", "customer_user_id", "updated_at"])
    transfer.status = TransferStatus.ACCEPTED
    transfer.accepted_at = clock_now()
    transfer.accepted_by_user_id = actor.user_id
    transfer.save(update_fields=["status", "accepted_at", "accepted_by_user_id", "updated_at"])
    events.record_warranty_event(
        warranty, type=events.TRANSFERRED, actor=actor, data={"from": previous, "to": transfer.to_email}
    )
    return warranty


# --- claims -------------------------------------------------------------------------------------------------


@transaction.atomic
def create_claim(
    *,
    warranty: Warranty,
    actor: Actor,
    symptom: str,
    description: str = "",
    photos=(),
    override: bool = False,
    paid_repair: bool = False,
    now: datetime | None = None,
    idempotency_key: str = "",
) -> WarrantyClaim:
    """File a claim. Out of term or not covered is refused unless the customer asks for a paid repair
    (`paid_repair`) or staff override coverage of an issue in term (`override`). `idempotency_key` (a staff form's
    token) makes a re-submission answer the claim it filed, writing nothing (checked under the warranty's lock)."""
    now = now or clock_now()
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 64:
        raise DomainError("TOO_LONG", "At most 64 characters.", "idempotencyKey")
    description = _text(description, MAX_TEXT, "description")
    if override and not actor.is_staff:
        raise PermissionDeniedError("Only staff can override coverage.", "override")
    checked = _check_files(photos, limit=MAX_PHOTOS, allowed=PHOTO_TYPES, field="photos")
    warranty = _lock_warranty(warranty)
    _check_owner(warranty, actor, "warranty")
    installation = warranty.installation
    if idempotency_key:
        filed = WarrantyClaim.objects.filter(
            installation=installation, idempotency_key=idempotency_key
        ).first()
        if filed is not None:
            return filed
    if warranty.status != WarrantyStatus.ACTIVE:
        raise DomainError(error_codes.WARRANTY_NOT_ACTIVE, "This warranty is not active.", "warrantyId")
    found = selectors.symptom_catalogue(installation).get(symptom)
    if found is None or not found.is_active:
        raise DomainError(error_codes.UNKNOWN_SYMPTOM, "Choose a symptom from the list.", "symptom")
    if selectors.open_claim_of(warranty) is not None:
        raise DomainError(
            error_codes.CLAIM_ALREADY_OPEN, "A claim is already open for this item.", "warrantyId"
        )
    snap = warranty.terms_snapshot or {}
    result = policies.coverage(
        starts_at=warranty.starts_at,
        expires_at=warranty.expires_at,
        now=now,
        symptom=symptom,
        covered_issues=snap.get("covered_issues") or (),
        excluded_issues=snap.get("excluded_issues") or (),
        override=override,
    )
    if not result.covered and not paid_repair:
        code = (
            error_codes.WARRANTY_EXPIRED
            if result.coverage == Coverage.OUT_OF_TERM
            else error_codes.NOT_COVERED
        )
        raise DomainError(
            code,
            f"{result.reason} You can ask for a paid repair instead.",
            "warrantyId" if code == error_codes.WARRANTY_EXPIRED else "symptom",
        )
    claim = WarrantyClaim.objects.create(
        installation=installation,
        number=_next_number(installation, "WC"),
        warranty=warranty,
        symptom_code=symptom,
        description=description,
        coverage=result.coverage,
        customer_user_id=warranty.customer_user_id,
        customer_email=warranty.customer_email,
        language=warranty.language,
        currency=warranty.currency,
        idempotency_key=idempotency_key,
    )
    for upload, info in checked:
        photo = ClaimPhoto(claim=claim, content_type=info.content_type, size=info.size)
        photo.file.save(info.name, upload, save=False)
        photo.save()
    events.record_claim_event(
        claim,
        type=events.CLAIM_CREATED,
        actor=actor,
        to_status=claim.status,
        note=description,
        data={
            "symptom": symptom,
            "coverage": result.coverage,
            "photos": len(checked),
            "paid_repair": paid_repair,
        },
    )
    start_clock(
        installation=installation,
        subject_type=CLAIM_SUBJECT,
        subject_id=claim.pk,
        metric=DECISION_METRIC,
        target_minutes=DECISION_TARGET_MINUTES,
        started_at=now,
    )
    _notify(
        installation,
        event="warranty_claim_received",
        email=claim.customer_email,
        language=claim.language,
        key=f"wc:{claim.pk}:received",
        subject_type=CLAIM_SUBJECT,
        subject_id=claim.pk,
        reference=claim.number,
        product=warranty.product_name,
    )
    return claim


@transaction.atomic
def cancel_claim(*, claim: WarrantyClaim, actor: Actor, note: str = "") -> WarrantyClaim:
    note = _text(note, MAX_TEXT, "note")
    claim = _lock_claim(claim)
    _check_owner(claim, actor, "claim")
    apply_claim_transition(claim, "cancel", actor=actor, note=note)
    cancel_clocks(installation=claim.installation, subject_type=CLAIM_SUBJECT, subject_id=claim.pk)
    return claim


def _turnaround(installation: Installation, category_id: str) -> int:
    config = selectors.settings_for(installation)
    return policies.turnaround_days(
        category_id=category_id,
        by_category={str(k): int(v) for k, v in (config.turnaround_days_by_category or {}).items()},
        default_days=config.default_turnaround_days,
    )


def _open_repair(
    *,
    installation: Installation,
    actor: Actor,
    warranty: Warranty | None,
    claim: WarrantyClaim | None,
    order: Order | None,
    is_paid: bool,
    center: ServiceCenter | None,
    now: datetime,
    product_name: str,
    category_id: str,
    customer: tuple[str, str, str, str],
    return_request_id: int | None = None,
) -> RepairOrder:
    days = _turnaround(installation, category_id)
    user_id, email, language, currency = customer
    repair = RepairOrder.objects.create(
        installation=installation,
        number=_next_number(installation, "RO"),
        claim=claim,
        warranty=warranty,
        order=order,
        return_request_id=return_request_id,
        is_paid=is_paid,
        product_name=product_name,
        category_id=category_id,
        customer_user_id=user_id,
        customer_email=email,
        language=language,
        currency=currency,
        turnaround_days=days,
        promised_at=policies.promised_date(started_at=now, turnaround_days=days),
    )
    events.record_repair_event(
        repair,
        type=events.REPAIR_CREATED,
        actor=actor,
        to_status=repair.status,
        data={"paid": is_paid, "claim": claim.number if claim else None},
    )
    start_clock(
        installation=installation,
        subject_type=REPAIR_SUBJECT,
        subject_id=repair.pk,
        metric=TURNAROUND_METRIC,
        target_minutes=days * 24 * 60,
        started_at=now,
    )
    if center is not None:
        _assign(repair, center=center, technician=None, actor=actor)
    return repair


def _repair_for_claim(claim, actor, *, is_paid, center, now) -> RepairOrder:
    warranty = claim.warranty
    return _open_repair(
        installation=claim.installation,
        actor=actor,
        warranty=warranty,
        claim=claim,
        order=warranty.order,
        is_paid=is_paid,
        center=center,
        now=now,
        product_name=warranty.product_name,
        category_id=warranty.category_id,
        customer=(claim.customer_user_id, claim.customer_email, claim.language, claim.currency),
    )


DECISION_TRANSITIONS = {
    ClaimDecision.REPAIR: "decide_repair",
    ClaimDecision.PAID_REPAIR: "offer_paid_repair",
    ClaimDecision.REPLACE: "decide_replace",
    ClaimDecision.REFUND: "decide_refund",
    ClaimDecision.REJECT: "reject",
}


@transaction.atomic
def decide_claim(
    *,
    claim: WarrantyClaim,
    actor: Actor,
    decision: str,
    note: str = "",
    center: ServiceCenter | None = None,
    now: datetime | None = None,
) -> WarrantyClaim:
    """Staff decide: repair, replace, refund, reject (with a reason), or a paid repair (out of warranty)."""
    now = now or clock_now()
    note = _text(note, MAX_TEXT, "note")
    if decision not in DECISION_TRANSITIONS:
        raise DomainError("INVALID", "Decision: repair, replace, refund, reject or paid_repair.", "decision")
    claim = _lock_claim(claim)
    name = DECISION_TRANSITIONS[decision]
    ensure_claim(claim, name)
    covered = claim.coverage in (Coverage.COVERED, Coverage.OVERRIDDEN)
    if decision == ClaimDecision.REJECT and not note:
        raise DomainError("REQUIRED", "Give the reason for rejecting the claim.", "note")
    if decision in (ClaimDecision.REPAIR, ClaimDecision.REPLACE, ClaimDecision.REFUND) and not covered:
        raise DomainError(
            error_codes.NOT_COVERED, "Not covered: reject the claim or offer a paid repair.", "decision"
        )
    # From a repair only when the item proved unrepairable.
    if (
        claim.status == ClaimStatus.IN_REPAIR
        and claim.repair_orders.exclude(status=RepairStatus.UNREPAIRABLE).exists()
    ):
        raise DomainError(
            "INVALID_TRANSITION",
            "Replace or refund after the repair order is marked unrepairable.",
            "status",
        )
    plan = None
    if decision in (ClaimDecision.REPLACE, ClaimDecision.REFUND):
        plan = settlement.plan_for_claim(
            claim, decision
        )  # raises (nothing written) when Saleor cannot be asked
    claim.decision = decision
    claim.decision_note = note
    claim.decided_at = claim.decided_at or now
    if plan is not None:
        claim.refund_amount = plan.amount if decision == ClaimDecision.REFUND else Decimal("0")
    claim.save(update_fields=["decision", "decision_note", "decided_at", "refund_amount"])
    event = apply_claim_transition(claim, name, actor=actor, note=note, data={"decision": decision})
    stop_clock(
        installation=claim.installation,
        subject_type=CLAIM_SUBJECT,
        subject_id=claim.pk,
        metric=DECISION_METRIC,
        at=now,
    )
    if decision in (ClaimDecision.REPAIR, ClaimDecision.PAID_REPAIR):
        _repair_for_claim(claim, actor, is_paid=decision == ClaimDecision.PAID_REPAIR, center=center, now=now)
    if plan is not None:
        settlement.start(claim, plan, actor=actor)
    label = ClaimDecision(decision).label
    _order_note(
        claim.installation,
        claim.warranty.order,
        f"wc:{claim.pk}:note:{event.pk}",
        f"Warranty claim {claim.number} ({claim.warranty.product_name}): {label}. {note}".strip(),
    )
    _notify(
        claim.installation,
        event="warranty_claim_decided",
        email=claim.customer_email,
        language=claim.language,
        key=f"wc:{claim.pk}:decided:{event.pk}",
        subject_type=CLAIM_SUBJECT,
        subject_id=claim.pk,
        reference=claim.number,
        decision=decision,
        note=note,
    )
    return claim


@transaction.atomic
def settle_claim(*, claim: WarrantyClaim, actor: Actor, now: datetime | None = None) -> WarrantyClaim:
    """Every settlement of the claim succeeded in Saleor. Idempotent."""
    claim = _lock_claim(claim)
    if claim.status != ClaimStatus.SETTLING:
        return claim
    claim.resolved_at = now or clock_now()
    claim.save(update_fields=["resolved_at"])
    apply_claim_transition(claim, "settle", actor=actor)
    return claim


@transaction.atomic
def fail_claim_settlement(*, claim: WarrantyClaim, error: str) -> WarrantyClaim:
    claim = _lock_claim(claim)
    if claim.status == ClaimStatus.SETTLING:
        apply_claim_transition(claim, "fail_settlement", actor=Actor.saleor(), note=error[:2000])
    return claim


@transaction.atomic
def retry_claim_settlement(*, claim: WarrantyClaim, actor: Actor) -> WarrantyClaim:
    claim = _lock_claim(claim)
    apply_claim_transition(claim, "retry_settlement", actor=actor)
    settlement.retry_failed(claim=claim)
    return claim


# --- repair orders --------------------------------------------------------------------------------------


def _assign(
    repair: RepairOrder, *, center: ServiceCenter, technician: Technician | None, actor: Actor
) -> None:
    if center.installation_id != repair.installation_id:
        raise NotFoundError("Unknown service center.", "centerId")
    if not center.is_active:
        raise DomainError("INVALID", "This service center is closed.", "centerId")
    if center.category_ids and repair.category_id not in center.category_ids:
        raise DomainError(
            error_codes.CATEGORY_NOT_HANDLED, "This center does not repair this category.", "centerId"
        )
    if repair.center_id != center.pk:
        busy = RepairOrder.objects.filter(center=center, status__in=REPAIR_OPEN).exclude(pk=repair.pk).count()
        if busy >= center.capacity:
            raise DomainError(error_codes.NO_CAPACITY, "This center is at capacity.", "centerId")
    if technician is not None and technician.center_id != center.pk:
        raise DomainError("INVALID", "The technician works at another center.", "technicianId")
    if technician is not None and not technician.is_active and technician.pk != repair.technician_id:
        raise DomainError("INVALID", "This technician is no longer active.", "technicianId")
    repair.center = center
    repair.technician = technician
    repair.save(update_fields=["center", "technician", "updated_at"])
    events.record_repair_event(
        repair,
        type=events.ASSIGNED,
        actor=actor,
        note=center.name + (f" / {technician.name}" if technician else ""),
        data={"center": center.pk, "technician": technician.pk if technician else None},
    )


@transaction.atomic
def assign_repair(
    *, repair: RepairOrder, actor: Actor, center: ServiceCenter, technician: Technician | None = None
) -> RepairOrder:
    repair = _lock_repair(repair)
    if repair.status not in REPAIR_OPEN:
        raise DomainError("INVALID_TRANSITION", "This repair order is closed.", "status")
    ServiceCenter.objects.select_for_update().filter(pk=center.pk).first()  # serialise the capacity check
    _assign(repair, center=center, technician=technician, actor=actor)
    return repair


def _finish_claim(repair: RepairOrder, name: str, actor: Actor, note: str = "") -> None:
    if repair.claim_id is None:
        return
    claim = _lock_claim(repair.claim)
    if can_claim(claim, name):
        if name == "complete_repair":
            claim.resolved_at = clock_now()
            claim.save(update_fields=["resolved_at"])
        apply_claim_transition(claim, name, actor=actor, note=note, data={"repair_order": repair.number})


@transaction.atomic
def transition_repair(
    *, repair: RepairOrder, actor: Actor, transition: str, note: str = "", now: datetime | None = None
) -> RepairOrder:
    """Staff move a repair order along its states (quotes are answered by the customer)."""
    now = now or clock_now()
    note = _text(note, MAX_TEXT, "note")
    if transition not in STAFF_REPAIR_TRANSITIONS:
        raise DomainError("INVALID_TRANSITION", f"'{transition}' is not a staff transition.", "transition")
    repair = _lock_repair(repair)
    ensure_repair(repair, transition)
    if transition == "ship_back" and not repair.outbound_tracking:
        raise DomainError("REQUIRED", "Add the outbound tracking number first.", "outboundTracking")
    if transition == "start_repair" and repair.is_paid and repair.quote_status != QuoteStatus.ACCEPTED:
        raise DomainError(
            error_codes.QUOTE_REQUIRED,
            "A paid repair starts after the customer accepts the quote.",
            "transition",
        )
    apply_repair_transition(repair, transition, actor=actor, note=note)
    installation = repair.installation
    if transition == "receive":
        repair.received_at = now
        repair.save(update_fields=["received_at"])
    elif transition == "ship_back":
        _notify(
            installation,
            event="warranty_repair_shipped",
            email=repair.customer_email,
            language=repair.language,
            key=f"ro:{repair.pk}:shipped",
            subject_type=REPAIR_SUBJECT,
            subject_id=repair.pk,
            reference=repair.number,
            carrier=repair.outbound_carrier,
            tracking=repair.outbound_tracking,
        )
    elif transition == "complete":
        repair.completed_at = now
        repair.save(update_fields=["completed_at"])
        stop_clock(
            installation=installation,
            subject_type=REPAIR_SUBJECT,
            subject_id=repair.pk,
            metric=TURNAROUND_METRIC,
            at=now,
        )
        _finish_claim(repair, "complete_repair", actor, note)
    elif transition == "cancel":
        cancel_clocks(installation=installation, subject_type=REPAIR_SUBJECT, subject_id=repair.pk)
        _finish_claim(repair, "close", actor, note or "repair cancelled")
    elif transition == "mark_unrepairable":
        stop_clock(
            installation=installation,
            subject_type=REPAIR_SUBJECT,
            subject_id=repair.pk,
            metric=TURNAROUND_METRIC,
            at=now,
        )
        if repair.is_paid:
            _finish_claim(repair, "close", actor, note or "unrepairable")
    if repair.claim_id and transition in ("receive", "complete", "mark_unrepairable", "ship_back"):
        _order_note(
            installation,
            repair.order,
            f"ro:{repair.pk}:note:{transition}",
            f"Repair {repair.number}: {transition.replace('_', ' ')}. {note}".strip(),
        )
    return repair


def _check_editable(repair: RepairOrder) -> None:
    if repair.status not in REPAIR_OPEN or repair.status == RepairStatus.AWAITING_APPROVAL:
        raise DomainError(
            "INVALID_TRANSITION", f"Lines cannot change while the repair is {repair.status}.", "status"
        )


@transaction.atomic
def add_repair_line(
    *,
    repair: RepairOrder,
    actor: Actor,
    kind: str,
    description: str,
    quantity,
    unit_cost,
    covered: bool | None = None,
    sku: str = "",
) -> RepairLine:
    if kind not in RepairLineKind.values:
        raise DomainError("INVALID", "Kind: part or labour.", "kind")
    description = _text(description, 255, "description")
    if not description:
        raise DomainError("REQUIRED", "Describe the part or the work.", "description")
    cost = _amount(unit_cost, "unitCost")
    qty = _amount(quantity, "quantity")
    if qty == 0 or qty > 10000:
        raise DomainError("OUT_OF_RANGE", "The quantity must be positive.", "quantity")
    repair = _lock_repair(repair)
    _check_editable(repair)
    line = RepairLine.objects.create(
        repair_order=repair,
        kind=kind,
        description=description,
        sku=_text(sku, 255, "sku"),
        quantity=qty,
        unit_cost=cost,
        covered=(not repair.is_paid) if covered is None else covered,
    )
    events.record_repair_event(
        repair,
        type=events.LINE_ADDED,
        actor=actor,
        note=description,
        data={"kind": kind, "quantity": str(qty), "unit_cost": str(cost), "covered": line.covered},
    )
    return line


@transaction.atomic
def remove_repair_line(*, line: RepairLine, actor: Actor) -> RepairOrder:
    repair = _lock_repair(line.repair_order)
    _check_editable(repair)
    description = line.description
    line.delete()
    events.record_repair_event(repair, type=events.LINE_REMOVED, actor=actor, note=description)
    return repair


def totals_of(repair: RepairOrder, lines=None) -> policies.RepairTotals:
    rows = list(repair.lines.all()) if lines is None else lines
    return policies.repair_totals(
        [policies.Line(r.kind, r.quantity, r.unit_cost, r.covered) for r in rows],
        currency=repair.currency,
        paid_repair=repair.is_paid,
    )


@transaction.atomic
def send_quote(
    *, repair: RepairOrder, actor: Actor, amount=None, note: str = "", now: datetime | None = None
) -> RepairOrder:
    """After diagnosis: the customer is asked to accept what they would pay (the lines, or a given amount)."""
    now = now or clock_now()
    note = _text(note, MAX_TEXT, "note")
    explicit = _amount(amount, "amount") if amount is not None else None
    repair = _lock_repair(repair)
    ensure_repair(repair, "request_approval")
    total = explicit if explicit is not None else totals_of(repair).customer_pays
    if total <= 0:
        raise DomainError(error_codes.QUOTE_REQUIRED, "Add the parts and labour the customer pays.", "amount")
    if repair.order_id is None and repair.warranty_id and repair.warranty.order_id is None:
        raise DomainError(error_codes.NO_ORDER, "Paid repairs are billed through a Saleor channel.", "id")
    if not selectors.settings_for(repair.installation).repair_service_variant_id:
        raise DomainError(
            error_codes.REPAIR_VARIANT_NOT_SET,
            "Set the repair service variant in the warranty settings.",
            "amount",
        )
    repair.quote_amount = total
    repair.quote_status = QuoteStatus.PENDING
    repair.save(update_fields=["quote_amount", "quote_status"])
    apply_repair_transition(repair, "request_approval", actor=actor, note=note, data={"amount": str(total)})
    events.record_repair_event(repair, type=events.QUOTE_SENT, actor=actor, data={"amount": str(total)})
    pause_clocks(installation=repair.installation, subject_type=REPAIR_SUBJECT, subject_id=repair.pk, at=now)
    _notify(
        repair.installation,
        event="warranty_repair_quote",
        email=repair.customer_email,
        language=repair.language,
        key=f"ro:{repair.pk}:quote:{repair.quote_amount}",
        subject_type=REPAIR_SUBJECT,
        subject_id=repair.pk,
        reference=repair.number,
        amount=str(total),
        currency=repair.currency,
    )
    return repair


@transaction.atomic
def accept_quote(*, repair: RepairOrder, actor: Actor, now: datetime | None = None) -> RepairOrder:
    now = now or clock_now()
    repair = _lock_repair(repair)
    _check_owner(repair, actor, "repair order")
    ensure_repair(repair, "approve_quote")
    plan = settlement.plan_for_paid_repair(repair) if repair.quote_amount > 0 else None
    repair.quote_status = QuoteStatus.ACCEPTED
    repair.save(update_fields=["quote_status"])
    event = apply_repair_transition(
        repair, "approve_quote", actor=actor, data={"amount": str(repair.quote_amount)}
    )
    resume_clocks(installation=repair.installation, subject_type=REPAIR_SUBJECT, subject_id=repair.pk, at=now)
    if plan is not None:
        settlement.start_paid_repair(repair, plan, actor=actor)
    _order_note(
        repair.installation,
        repair.order,
        f"ro:{repair.pk}:note:{event.pk}",
        f"Repair {repair.number}: quote of {repair.quote_amount} {repair.currency} accepted by the customer.",
    )
    return repair


@transaction.atomic
def record_repair_payment(
    *, installation: Installation, saleor_order_id: str, at: datetime | None = None
) -> WarrantySettlement | None:
    """Saleor reports an order fully paid: if it is the draft order a paid repair was billed with, the customer has
    paid; record it once on the settlement and the repair's timeline (re-deliveries change nothing)."""
    if not saleor_order_id:
        return None
    row = (
        WarrantySettlement.objects.select_for_update(of=("self",))
        .select_related("repair_order")
        .filter(
            installation=installation, kind=SettlementKind.PAID_REPAIR, saleor_draft_order_id=saleor_order_id
        )
        .first()
    )
    if row is None or row.paid_at is not None:
        return None
    row.paid_at = at or clock_now()
    row.save(update_fields=["paid_at", "updated_at"])
    if row.repair_order is not None:
        events.record_repair_event(
            row.repair_order,
            type=events.PAYMENT_RECEIVED,
            actor=Actor.saleor(),
            data={"amount": str(row.amount), "currency": row.currency, "order": saleor_order_id},
        )
    return row


@transaction.atomic
def decline_quote(*, repair: RepairOrder, actor: Actor, note: str = "") -> RepairOrder:
    note = _text(note, MAX_TEXT, "note")
    repair = _lock_repair(repair)
    _check_owner(repair, actor, "repair order")
    ensure_repair(repair, "decline_quote")
    repair.quote_status = QuoteStatus.DECLINED
    repair.save(update_fields=["quote_status"])
    event = apply_repair_transition(repair, "decline_quote", actor=actor, note=note)
    cancel_clocks(installation=repair.installation, subject_type=REPAIR_SUBJECT, subject_id=repair.pk)
    _finish_claim(repair, "decline_quote", actor, note)
    _order_note(
        repair.installation,
        repair.order,
        f"ro:{repair.pk}:note:{event.pk}",
        f"Repair {repair.number}: quote declined by the customer; the item goes back unrepaired.",
    )
    return repair


@transaction.atomic
def set_repair_tracking(
    *, repair: RepairOrder, actor: Actor, direction: str, carrier: str, tracking_number: str
) -> RepairOrder:
    """Inbound (the customer sends the item) or outbound (the center ships it back, staff only)."""
    if direction not in ("inbound", "outbound"):
        raise DomainError("INVALID", "Direction: inbound or outbound.", "direction")
    carrier = _text(carrier, 64, "carrier")
    tracking_number = _text(tracking_number, 128, "trackingNumber")
    if not tracking_number:
        raise DomainError("REQUIRED", "Enter the tracking number.", "trackingNumber")
    repair = _lock_repair(repair)
    _check_owner(repair, actor, "repair order")
    if direction == "outbound" and _is_customer(actor):
        raise PermissionDeniedError("The service center ships items back.", "direction")
    if repair.status in (RepairStatus.COMPLETED,):
        raise DomainError("INVALID_TRANSITION", "This repair order is completed.", "status")
    setattr(repair, f"{direction}_carrier", carrier)
    setattr(repair, f"{direction}_tracking", tracking_number)
    repair.save(update_fields=[f"{direction}_carrier", f"{direction}_tracking", "updated_at"])
    events.record_repair_event(
        repair,
        type=events.TRACKING_ADDED,
        actor=actor,
        note=f"{carrier} {tracking_number}".strip(),
        data={"direction": direction},
    )
    return repair


@transaction.atomic
def convert_return_to_repair(*, return_request, actor: Actor, now: datetime | None = None) -> RepairOrder:
    """A return (returns capability) becomes a repair: the return is cancelled, a repair order opens for the
    first line's item, under its warranty when one is in force (a claim decided as repair), else paid."""
    from ..returns import actions as return_actions
    from ..returns.models import ReturnRequest
    from ..returns.state import can as return_can

    now = now or clock_now()
    request = ReturnRequest.objects.select_related("order", "installation").get(pk=return_request.pk)
    if RepairOrder.objects.filter(return_request_id=request.pk).exists():
        return RepairOrder.objects.get(return_request_id=request.pk)
    if not return_can(request, "cancel"):
        raise DomainError(
            "INVALID_TRANSITION", f"A {request.status} return cannot become a repair.", "status"
        )
    line = request.lines.select_related("order_line").first()
    if line is None:
        raise DomainError("INVALID", "The return has no lines.", "id")
    return_actions.cancel_return_request(request=request, actor=actor, note="Converted to a repair.")
    warranty = (
        Warranty.objects.filter(order_line=line.order_line, status=WarrantyStatus.ACTIVE)
        .exclude(claims__status__in=CLAIM_OPEN)
        .order_by("unit_index")
        .first()
    )
    claim = None
    covered = bool(warranty) and policies.in_term(
        starts_at=warranty.starts_at, expires_at=warranty.expires_at, now=now
    )
    if warranty is not None:
        claim = WarrantyClaim.objects.create(
            installation=request.installation,
            number=_next_number(request.installation, "WC"),
            warranty=warranty,
            symptom_code="other",
            description=f"From return {request.number}: {request.customer_comment}"[:MAX_TEXT],
            coverage=Coverage.COVERED if covered else Coverage.OUT_OF_TERM,
            customer_user_id=warranty.customer_user_id,
            customer_email=warranty.customer_email,
            language=warranty.language,
            currency=warranty.currency,
            decision=ClaimDecision.REPAIR if covered else ClaimDecision.PAID_REPAIR,
            decided_at=now,
        )
        events.record_claim_event(
            claim,
            type=events.CLAIM_CREATED,
            actor=actor,
            to_status=claim.status,
            data={"return_request": request.number},
        )
        apply_claim_transition(
            claim,
            "decide_repair" if covered else "offer_paid_repair",
            actor=actor,
            note=f"Converted from return {request.number}",
        )
    order_line = line.order_line
    repair = _open_repair(
        installation=request.installation,
        actor=actor,
        warranty=warranty,
        claim=claim,
        order=request.order,
        is_paid=not covered,
        center=None,
        now=now,
        product_name=order_line.product_name,
        category_id=order_line.category_id,
        customer=(request.customer_user_id, request.customer_email, request.language, request.currency),
        return_request_id=request.pk,
    )
    _order_note(
        request.installation,
        request.order,
        f"ro:{repair.pk}:note:converted",
        f"Return {request.number} converted into repair {repair.number}.",
    )
    return repair


# --- reminders ------------------------------------------------------------------------------------------


@transaction.atomic
def send_due_reminders(*, now: datetime | None = None, limit: int = 500) -> int:
    """Maintenance reminders through the notification hook (deduplicated per warranty and round)."""
    now = now or clock_now()
    from .care import guide_for

    rows = list(
        Warranty.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=WarrantyStatus.ACTIVE, next_reminder_at__lte=now)
        .select_related("installation")
        .order_by("next_reminder_at")[:limit]
    )
    from ..returns.models import ReturnWindow

    delivered = dict(
        ReturnWindow.objects.filter(
            order_line_id__in=[w.order_line_id for w in rows if w.order_line_id], delivered_at__isnull=False
        ).values_list("order_line_id", "delivered_at")
    )
    sent = 0
    guides_by_installation: dict[int, list] = {}
    configs: dict[int, WarrantySettings] = {}
    for warranty in rows:
        installation = warranty.installation
        if installation.pk not in guides_by_installation:
            guides_by_installation[installation.pk] = selectors.care_guides(installation)
            configs[installation.pk] = selectors.settings_for(installation)
        config = configs[installation.pk]
        guide = guide_for(
            guides_by_installation[installation.pk],
            product_type_id=warranty.product_type_id,
            product_type_name=warranty.product_type_name,
            category_id=warranty.category_id,
        )
        if guide is None or not config.reminders_enabled:
            warranty.next_reminder_at = None
            warranty.save(update_fields=["next_reminder_at"])
            continue
        interval = guide.reminder_interval_months or config.reminder_interval_months
        start = delivered.get(warranty.order_line_id) or warranty.starts_at
        due = policies.next_reminder(start=start, interval_months=interval, sent=warranty.reminders_sent)
        if due > now:
            # Delivered later than fulfilled: the reminders count from delivery.
            warranty.next_reminder_at = due
            warranty.save(update_fields=["next_reminder_at"])
            continue
        round_ = warranty.reminders_sent + 1
        zh = warranty.language == "zh-hans"
        _notify(
            installation,
            event="warranty_care_reminder",
            email=warranty.customer_email,
            language=warranty.language,
            key=f"warranty:{warranty.pk}:reminder:{round_}",
            subject_type="warranty",
            subject_id=warranty.pk,
            product=warranty.product_name,
            guide=guide.title_zh_hans if zh else guide.title_en,
            tips=" / ".join(s.get("title_zh_hans" if zh else "title_en", "") for s in guide.sections),
        )
        warranty.reminders_sent = round_
        warranty.next_reminder_at = policies.next_reminder(start=start, interval_months=interval, sent=round_)
        warranty.save(update_fields=["reminders_sent", "next_reminder_at"])
        events.record_warranty_event(
            warranty, type=events.REMINDER_SENT, actor=Actor.system("reminders"), data={"round": round_}
        )
        sent += 1
    return sent


# --- merchant configuration ---------------------------------------------------------------------------


def _codes(values, field: str) -> list[str]:
    values = [str(v).strip() for v in (values or []) if str(v).strip()]
    if len(values) > 100 or any(len(v) > 64 for v in values):
        raise DomainError("TOO_LONG", "At most 100 codes of 64 characters.", field)
    return list(dict.fromkeys(values))


@transaction.atomic
def save_terms(
    *,
    installation: Installation,
    actor: Actor,
    scope: str,
    target_id: str = "",
    name: str,
    duration_months: int,
    covered_issues=(),
    excluded_issues=(),
    remedies=None,
    max_repairs_before_replace: int = 2,
    text_en: str = "",
    text_zh_hans: str = "",
    is_active: bool = True,
) -> WarrantyTerms:
    if scope not in TermsScope.values:
        raise DomainError("INVALID", "Scope: product, category, product_type or default.", "scope")
    target_id = "" if scope == TermsScope.DEFAULT else (target_id or "").strip()
    if scope != TermsScope.DEFAULT and not target_id:
        raise DomainError("REQUIRED", "A Saleor id is required.", "targetId")
    if len(target_id) > 128:
        raise DomainError("TOO_LONG", "At most 128 characters.", "targetId")
    name = _text(name, 200, "name")
    if not name:
        raise DomainError("REQUIRED", "Name the terms.", "name")
    if not 0 < duration_months <= policies.MAX_DURATION_MONTHS:
        raise DomainError("OUT_OF_RANGE", "Months between 1 and 600.", "durationMonths")
    remedies = list(remedies) if remedies is not None else ["repair", "replace", "refund"]
    if not remedies or set(remedies) - {"repair", "replace", "refund"}:
        raise DomainError("INVALID", "Remedies: repair, replace, refund.", "remedies")
    if not 0 <= max_repairs_before_replace <= 20:
        raise DomainError("OUT_OF_RANGE", "Between 0 and 20.", "maxRepairsBeforeReplace")
    text_en, text_zh_hans = _text(text_en, 5000, "textEn"), _text(text_zh_hans, 5000, "textZhHans")
    if not text_en or not text_zh_hans:
        raise DomainError("REQUIRED", "Both the English and the Chinese text are required.", "textEn")
    row, _ = WarrantyTerms.objects.update_or_create(
        installation=installation,
        scope=scope,
        target_id=target_id,
        defaults={
            "name": name,
            "duration_months": duration_months,
            "covered_issues": _codes(covered_issues, "coveredIssues"),
            "excluded_issues": _codes(excluded_issues, "excludedIssues"),
            "remedies": list(dict.fromkeys(remedies)),
            "max_repairs_before_replace": max_repairs_before_replace,
            "text_en": text_en,
            "text_zh_hans": text_zh_hans,
            "is_active": is_active,
        },
    )
    return row


@transaction.atomic
def delete_terms(*, terms: WarrantyTerms, actor: Actor) -> None:
    terms.delete()  # warranties keep their snapshot


SETTINGS_FIELDS = (
    "duration_metadata_key",
    "duration_attribute_slug",
    "reminders_enabled",
    "reminder_interval_months",
    "repair_service_variant_id",
    "default_turnaround_days",
    "turnaround_days_by_category",
)


@transaction.atomic
def save_settings(*, installation: Installation, actor: Actor, **values) -> WarrantySettings:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError("INVALID", f"Unknown fields: {', '.join(sorted(unknown))}.")
    for name in ("duration_metadata_key", "duration_attribute_slug", "repair_service_variant_id"):
        if name in values:
            values[name] = _text(values[name] or "", 128, name)
    if "reminder_interval_months" in values and not 1 <= int(values["reminder_interval_months"]) <= 60:
        raise DomainError("OUT_OF_RANGE", "Months between 1 and 60.", "reminderIntervalMonths")
    if "default_turnaround_days" in values and not 1 <= int(values["default_turnaround_days"]) <= 365:
        raise DomainError("OUT_OF_RANGE", "Days between 1 and 365.", "defaultTurnaroundDays")
    by_category = values.get("turnaround_days_by_category")
    if by_category is not None and (
        not isinstance(by_category, dict)
        or any(not isinstance(v, int) or not 1 <= v <= 365 for v in by_category.values())
    ):
        raise DomainError(
            "OUT_OF_RANGE", "{category id: days between 1 and 365}.", "turnaroundDaysByCategory"
        )
    row, _ = WarrantySettings.objects.select_for_update().get_or_create(installation=installation)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


@transaction.atomic
def save_service_center(
    *,
    installation: Installation,
    actor: Actor,
    center: ServiceCenter | None = None,
    name: str,
    address: dict | None = None,
    latitude=None,
    longitude=None,
    opening_hours: dict | None = None,
    category_ids=(),
    capacity: int = 10,
    email: str = "",
    phone: str = "",
    is_active: bool = True,
) -> ServiceCenter:
    name = _text(name, 200, "name")
    if not name:
        raise DomainError("REQUIRED", "Name the service center.", "name")
    if not 0 <= capacity <= 10000:
        raise DomainError("OUT_OF_RANGE", "Capacity between 0 and 10000.", "capacity")
    for value, low, high, field in ((latitude, -90, 90, "latitude"), (longitude, -180, 180, "longitude")):
        if value is not None and not low <= Decimal(str(value)) <= high:
            raise DomainError("OUT_OF_RANGE", f"Between {low} and {high}.", field)
    address = {str(k): str(v) for k, v in (address or {}).items()}
    hours = {str(k): str(v) for k, v in (opening_hours or {}).items()}
    if any(len(v) > 256 for v in [*address.values(), *hours.values()]):
        raise DomainError("TOO_LONG", "Address and hours fields are at most 256 characters.", "address")
    row = center or ServiceCenter(installation=installation)
    row.name, row.address, row.opening_hours = name, address, hours
    row.latitude = Decimal(str(latitude)) if latitude is not None else None
    row.longitude = Decimal(str(longitude)) if longitude is not None else None
    row.category_ids = _codes(category_ids, "categoryIds") if category_ids else []
    row.capacity, row.email, row.phone, row.is_active = capacity, email, _text(phone, 64, "phone"), is_active
    row.save()
    _audit("service center saved", actor, center=row.pk, active=row.is_active)
    return row


@transaction.atomic
def save_technician(
    *,
    installation: Installation,
    actor: Actor,
    center: ServiceCenter,
    technician: Technician | None = None,
    name: str,
    email: str = "",
    skills=(),
    is_active: bool = True,
) -> Technician:
    name = _text(name, 200, "name")
    if not name:
        raise DomainError("REQUIRED", "Name the technician.", "name")
    if center.installation_id != installation.pk or (
        technician is not None and technician.installation_id != installation.pk
    ):
        raise NotFoundError("Unknown service center or technician.", "centerId")
    email = (email or "").strip()
    if email and ("@" not in email or len(email) > 254):
        raise DomainError("INVALID", "Enter a valid email address.", "email")
    row = technician or Technician(installation=installation)
    row.center, row.name, row.email = center, name, email
    row.skills, row.is_active = _codes(skills, "skills"), is_active
    row.save()
    _audit("technician saved", actor, technician=row.pk, center=center.pk, active=row.is_active)
    return row


@transaction.atomic
def set_technician_active(*, technician: Technician, actor: Actor, is_active: bool) -> Technician:
    """Deactivate (or bring back) a technician: open repair orders keep them, new assignments skip them."""
    technician = Technician.objects.select_for_update().get(pk=technician.pk)
    if technician.is_active != is_active:
        technician.is_active = is_active
        technician.save(update_fields=["is_active", "updated_at"])
        _audit("technician active set", actor, technician=technician.pk, active=is_active)
    return technician


@transaction.atomic
def save_care_guide(
    *,
    installation: Installation,
    actor: Actor,
    code: str,
    title_en: str,
    title_zh_hans: str,
    sections: list[dict],
    product_type_ids=(),
    category_ids=(),
    match_keywords=(),
    reminder_interval_months: int | None = None,
    is_active: bool = True,
) -> CareGuide:
    """Create or edit the guide `code` (the built-in guide's code overrides it); matched to a warranty by product
    type id, then category id, then keyword in the product type name."""
    from django.utils.text import slugify

    if not code or slugify(code) != code or len(code) > 64:
        raise DomainError("INVALID", "Codes are lowercase slugs (a-z, 0-9, -).", "code")
    title_en, title_zh_hans = _text(title_en, 200, "titleEn"), _text(title_zh_hans, 200, "titleZhHans")
    if not title_en or not title_zh_hans:
        raise DomainError("REQUIRED", "Both the English and the Chinese title are required.", "titleEn")
    clean = []
    for index, section in enumerate(sections or []):
        keys = ("topic", "title_en", "title_zh_hans", "body_en", "body_zh_hans")
        entry = {key: _text(str(section.get(key) or ""), 5000, f"sections.{index}.{key}") for key in keys}
        if not all(entry.values()):
            raise DomainError(
                "REQUIRED", "Each section needs a topic and English and Chinese texts.", f"sections.{index}"
            )
        clean.append(entry)
    if not clean:
        raise DomainError("REQUIRED", "Add at least one section.", "sections")
    if reminder_interval_months is not None and not 1 <= reminder_interval_months <= 60:
        raise DomainError("OUT_OF_RANGE", "Months between 1 and 60.", "reminderIntervalMonths")
    row, _ = CareGuide.objects.update_or_create(
        installation=installation,
        code=code,
        defaults={
            "title_en": title_en,
            "title_zh_hans": title_zh_hans,
            "sections": clean,
            "product_type_ids": _codes(product_type_ids, "productTypeIds"),
            "category_ids": _codes(category_ids, "categoryIds"),
            "match_keywords": _codes(match_keywords, "matchKeywords"),
            "reminder_interval_months": reminder_interval_months,
            "is_active": is_active,
        },
    )
    _audit("care guide saved", actor, code=row.code, active=row.is_active)
    return row


@transaction.atomic
def save_symptom(
    *,
    installation: Installation,
    actor: Actor,
    code: str,
    label_en: str,
    label_zh_hans: str,
    is_active: bool = True,
    position: int = 0,
) -> WarrantySymptom:
    from django.utils.text import slugify

    if not code or slugify(code) != code or len(code) > 64:
        raise DomainError("INVALID", "Codes are lowercase slugs (a-z, 0-9, -).", "code")
    label_en, label_zh_hans = _text(label_en, 200, "labelEn"), _text(label_zh_hans, 200, "labelZhHans")
    if not label_en or not label_zh_hans:
        raise DomainError("REQUIRED", "Both the English and the Chinese label are required.", "labelEn")
    row, _ = WarrantySymptom.objects.update_or_create(
        installation=installation,
        code=code,
        defaults={
            "label_en": label_en,
            "label_zh_hans": label_zh_hans,
            "is_active": is_active,
            "position": position,
        },
    )
    _audit("symptom saved", actor, code=row.code, active=row.is_active)
    return row
