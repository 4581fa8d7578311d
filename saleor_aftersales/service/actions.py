"""Every write of the service capability. Keyword-only, atomic; bad input raises DomainError before any write.

SLA clocks (subject "service_case"): `first_response` and `resolution` start when a case opens; a staff reply
stops `first_response` and the current `next_response` round; a customer message after a reply starts the next
round; waiting on the customer pauses every running clock and the customer's answer resumes them; resolving stops
them; closing cancels what is left. Targets come from `sla.selectors.target_for` (policy by priority and channel,
defaults 30 min / 4 h / 24 h).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from ..core.actors import Actor, ActorType
from ..core.errors import DomainError, NotFoundError, PermissionDeniedError
from ..core.i18n import normalize_language
from ..core.time import now as clock_now
from ..core.uploads import check_upload
from ..installations.models import Installation
from ..notifications.actions import notify
from ..orders.models import Order
from ..orders.selectors import customer_owns_order
from ..sla import actions as sla
from ..sla.models import ClockStatus, SlaClock
from ..sla.selectors import target_for, warning_minutes_for
from . import error_codes, events, policies
from .contact import email_digest, normalize_email, owns_case
from .models import (
    CaseChannel,
    CaseKind,
    CasePriority,
    CaseSequence,
    CaseStatus,
    CaseTag,
    LinkedType,
    MessageKind,
    ServiceAttachment,
    ServiceCase,
    ServiceMessage,
)
from .state import apply_transition, can, ensure_can

SUBJECT = "service_case"
MAX_SUBJECT = 200
MAX_BODY = 10_000
MAX_NOTE = 2000
MAX_ATTACHMENTS = 5
ATTACHMENT_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"]
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"


def _text(value: str | None, *, limit: int, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("REQUIRED", "This field is required.", field)
    if len(value) > limit:
        raise DomainError("TOO_LONG", f"At most {limit} characters.", field)
    return value


def _choice(value: str, choices, field: str) -> str:
    value = str(getattr(value, "value", value) or "")
    if value not in choices.values:
        raise DomainError("INVALID", f"One of: {', '.join(v for v in choices.values if v)}.", field)
    return value


def _is_customer(actor: Actor) -> bool:
    return actor.type in (ActorType.CUSTOMER, ActorType.GUEST)


def _lock(case: ServiceCase) -> ServiceCase:
    # Only the case row: locking the joined installation would serialise a whole shop.
    return ServiceCase.objects.select_for_update(of=("self",)).select_related("installation").get(pk=case.pk)


def _next_number(installation: Installation) -> str:
    sequence, _ = CaseSequence.objects.get_or_create(installation=installation)
    CaseSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    sequence.refresh_from_db()
    return f"C-{sequence.last_value:06d}"


def _create_case(*, installation: Installation, **fields) -> ServiceCase:
    return ServiceCase.objects.create(installation=installation, number=_next_number(installation), **fields)


def _check_attachments(files) -> list:
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        raise DomainError(error_codes.TOO_MANY_FILES, f"At most {MAX_ATTACHMENTS} files.", "attachments")
    return [(upload, check_upload(upload, field="attachments", allowed=ATTACHMENT_TYPES)) for upload in files]


def _store_attachments(message: ServiceMessage, checked: list) -> None:
    for upload, info in checked:
        ServiceAttachment.objects.create(
            case=message.case,
            message=message,
            file=upload,
            name=(info.name or "attachment")[:200],
            content_type=info.content_type,
            size=info.size,
        )


# SLA clocks -------------------------------------------------------------------------------------------------


def _targets(case: ServiceCase, metric: str) -> tuple[int, object, int]:
    base = policies.base_metric(metric)
    target, calendar = target_for(
        installation=case.installation,
        subject_type=SUBJECT,
        metric=base,
        priority=case.priority,
        channel=case.channel,
    )
    warning = warning_minutes_for(
        installation=case.installation,
        subject_type=SUBJECT,
        metric=base,
        priority=case.priority,
        channel=case.channel,
    )
    return target, calendar, warning


def _start(case: ServiceCase, metric: str, at: datetime) -> SlaClock:
    target, calendar, warning = _targets(case, metric)
    return sla.start_clock(
        installation=case.installation,
        subject_type=SUBJECT,
        subject_id=case.pk,
        metric=metric,
        target_minutes=target,
        started_at=at,
        calendar=calendar,
        warning_minutes=warning,
    )


def _stop(case: ServiceCase, metric: str, at: datetime) -> None:
    sla.stop_clock(
        installation=case.installation, subject_type=SUBJECT, subject_id=case.pk, metric=metric, at=at
    )


def _running_metrics(case: ServiceCase) -> list[str]:
    return list(
        SlaClock.objects.filter(
            installation=case.installation,
            subject_type=SUBJECT,
            subject_id=str(case.pk),
            status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED],
        ).values_list("metric", flat=True)
    )


def _pause(case: ServiceCase, at: datetime) -> None:
    sla.pause_clocks(installation=case.installation, subject_type=SUBJECT, subject_id=case.pk, at=at)


def _resume(case: ServiceCase, at: datetime) -> None:
    sla.resume_clocks(installation=case.installation, subject_type=SUBJECT, subject_id=case.pk, at=at)


def _start_next_response(case: ServiceCase, at: datetime) -> None:
    """A customer now waits for an answer: a new next_response round, unless one is already counting."""
    current = policies.next_response_metric(case.next_response_round)
    if case.next_response_round and current in _running_metrics(case):
        return
    case.next_response_round += 1
    case.save(update_fields=["next_response_round", "updated_at"])
    _start(case, policies.next_response_metric(case.next_response_round), at)


# Linked objects ---------------------------------------------------------------------------------------------


def _resolve_link(
    *,
    installation: Installation,
    linked_type: str,
    linked_id: str,
    actor: Actor,
    customer_user_id: str,
    email: str,
) -> tuple[str, str, Order | None]:
    linked_type = _choice(linked_type or "", LinkedType, "linkedType")
    linked_id = (linked_id or "").strip()
    if not linked_type:
        if linked_id:
            raise DomainError(error_codes.INVALID_LINK, "Say what the id refers to.", "linkedType")
        return "", "", None
    if not linked_id:
        raise DomainError("REQUIRED", "The id of the linked object.", "linkedId")
    who = {"user_id": customer_user_id, "email": email}
    if linked_type == LinkedType.ORDER:
        order = Order.objects.filter(installation=installation, saleor_id=linked_id).first()
        if order is None or (_is_customer(actor) and not customer_owns_order(order, **who)):
            raise NotFoundError("Unknown order.", "linkedId")
        return linked_type, linked_id, order
    if linked_type == LinkedType.RETURN_REQUEST:
        from ..returns.models import ReturnRequest
        from ..returns.selectors import customer_owns_request

        request = (
            ReturnRequest.objects.select_related("order")
            .filter(installation=installation, pk=int(linked_id) if linked_id.isdigit() else -1)
            .first()
        )
        if request is None or (_is_customer(actor) and not customer_owns_request(request, **who)):
            raise NotFoundError("Unknown return request.", "linkedId")
        return linked_type, str(request.pk), request.order
    # Warranty claims and repair orders belong to the warranty capability: kept as a reference by type + id.
    if len(linked_id) > 128:
        raise DomainError("TOO_LONG", "At most 128 characters.", "linkedId")
    return linked_type, linked_id, None


# Cases ------------------------------------------------------------------------------------------------------


@transaction.atomic
def open_case(
    *,
    installation: Installation,
    customer_email: str,
    customer_user_id: str = "",
    kind: str = "complaint",
    channel: str = "storefront",
    subject: str,
    body: str,
    priority: str = "normal",
    linked_type: str = "",
    linked_id: str = "",
    actor: Actor,
    customer_name: str = "",
    customer_phone: str = "",
    language: str | None = None,
    tags: Iterable[str] = (),
    attachments=(),
    triage: bool = True,
    idempotency_key: str = "",
) -> ServiceCase:
    """Open a case with its first message (the customer's words, or what staff logged from a call).

    Other capabilities call it too (e.g. surveys open a follow-up case after a low score). `idempotency_key` (a
    staff form's token) makes a re-submission answer the case it opened, writing nothing (unique per installation).
    """
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 64:
        raise DomainError("TOO_LONG", "At most 64 characters.", "idempotencyKey")
    if idempotency_key:
        opened = ServiceCase.objects.filter(
            installation=installation, idempotency_key=idempotency_key
        ).first()
        if opened is not None:
            return opened
    email = normalize_email(customer_email)
    if not email or "@" not in email or len(email) > 254:
        raise DomainError("INVALID", "A valid email address is required.", "customerEmail")
    kind = _choice(kind, CaseKind, "kind")
    channel = _choice(channel, CaseChannel, "channel")
    priority = _choice(priority, CasePriority, "priority")
    subject = _text(subject, limit=MAX_SUBJECT, field="subject")
    body = _text(body, limit=MAX_BODY, field="body")
    customer_name = _text(customer_name, limit=200, field="customerName", required=False)
    customer_phone = _text(customer_phone, limit=40, field="customerPhone", required=False)
    try:
        clean_tags = policies.normalize_tags(tags)
    except ValueError as exc:
        raise DomainError("INVALID", str(exc), "tags") from None
    linked_type, linked_id, order = _resolve_link(
        installation=installation,
        linked_type=linked_type,
        linked_id=linked_id,
        actor=actor,
        customer_user_id=customer_user_id,
        email=email,
    )
    checked = _check_attachments(attachments)
    intent, confidence = "", None
    if triage:
        from ..knowledge.triage import classify

        result = classify(f"{subject}\n{body}"[:2000], language=language)
        intent, confidence = result.intent, result.confidence
    now = clock_now()
    try:
        # A savepoint: a concurrent twin of this submission commits first, then this one answers its case.
        with transaction.atomic():
            case = _create_case(
                installation=installation,
                idempotency_key=idempotency_key,
                kind=kind,
                channel=channel,
                priority=priority,
                subject=subject,
                language=normalize_language(language or (order.language_code if order else None)),
                customer_user_id=customer_user_id or "",
                customer_email=email,
                customer_email_digest=email_digest(email),
                customer_name=customer_name,
                customer_phone=customer_phone,
                linked_type=linked_type,
                linked_id=linked_id,
                order=order,
                intent=intent,
                intent_confidence=confidence,
            )
    except IntegrityError:
        if not idempotency_key:
            raise
        return ServiceCase.objects.get(installation=installation, idempotency_key=idempotency_key)
    for tag in clean_tags:
        CaseTag.objects.create(case=case, tag=tag)
    events.record_event(
        case,
        type=events.CREATED,
        actor=actor,
        to_status=CaseStatus.NEW,
        data={"channel": channel, "kind": kind, "linked_type": linked_type, "linked_id": linked_id},
    )
    # A phone call logged by staff is the customer's message, written down by the clerk.
    message = ServiceMessage.objects.create(
        case=case,
        kind=MessageKind.CUSTOMER,
        author_type=str(actor.type),
        author_id=actor.user_id,
        author_email=actor.email if actor.is_staff else "",
        body=body,
    )
    _store_attachments(message, checked)
    case.last_message = case.last_public_message = message
    case.last_message_at = message.created_at
    case.save(update_fields=["last_message", "last_public_message", "last_message_at", "updated_at"])
    _start(case, FIRST_RESPONSE, now)
    _start(case, RESOLUTION, now)
    notify(
        installation=installation,
        event="case_opened",
        recipient_email=email,
        dedupe_key=f"case:{case.pk}:opened",
        language=case.language,
        context={"reference": case.number, "subject": subject},
        subject_type=SUBJECT,
        subject_id=case.pk,
    )
    return case


def _check_open_for_messages(case: ServiceCase) -> None:
    if case.status == CaseStatus.CLOSED:
        raise DomainError(error_codes.CASE_CLOSED, "This case is closed; open a new one.", "id")
    if case.erased_at is not None:
        raise DomainError(error_codes.ALREADY_ERASED, "This case's personal data was erased.", "id")


def check_access(case: ServiceCase, actor: Actor) -> None:
    """Customers act only on their own cases (same answer as a case that does not exist)."""
    if _is_customer(actor) and not owns_case(case, user_id=actor.user_id, email=actor.email):
        raise NotFoundError("Unknown service case.", "id")
    if actor.type == ActorType.GUEST and (actor.order_pk is None or case.order_id != actor.order_pk):
        # A guest proved one order (number + email): only cases linked to it.
        raise NotFoundError("Unknown service case.", "id")


@transaction.atomic
def add_message(
    *,
    case: ServiceCase,
    actor: Actor,
    body: str,
    internal: bool = False,
    attachments=(),
    wait_on_customer: bool = False,
) -> ServiceMessage:
    """A customer message, a staff reply (optionally then waiting on the customer) or an internal note."""
    check_access(case, actor)
    body = _text(body, limit=MAX_BODY, field="body")
    customer = _is_customer(actor)
    if customer and (internal or wait_on_customer):
        raise PermissionDeniedError("Only staff write internal notes or set the case waiting.", "internal")
    if internal and wait_on_customer:
        raise DomainError("INVALID", "An internal note does not reach the customer.", "waitOnCustomer")
    checked = _check_attachments(attachments)
    case = _lock(case)
    _check_open_for_messages(case)
    now = clock_now()
    if customer and case.status == CaseStatus.RESOLVED:
        if not policies.customer_may_reopen(resolved_at=case.resolved_at, now=now):
            raise DomainError(
                error_codes.REOPEN_WINDOW_PASSED, "This case was resolved too long ago; open a new one.", "id"
            )
        _reopen(case, actor=actor, at=now, note="customer replied")
    kind = MessageKind.NOTE if internal else (MessageKind.CUSTOMER if customer else MessageKind.REPLY)
    message = ServiceMessage.objects.create(
        case=case,
        kind=kind,
        author_type=str(actor.type),
        author_id=actor.user_id,
        author_email=actor.email if actor.is_staff else "",
        body=body,
    )
    _store_attachments(message, checked)
    case.last_message = message
    case.last_message_at = message.created_at
    fields = ["last_message", "last_message_at", "updated_at"]
    if kind != MessageKind.NOTE:
        case.last_public_message = message
        fields.append("last_public_message")
    if kind == MessageKind.CUSTOMER:
        if case.status == CaseStatus.WAITING_ON_CUSTOMER:
            apply_transition(case, "customer_replied", actor=actor)
            _resume(case, now)
        if case.first_response_at is not None:
            case.save(update_fields=fields)
            _start_next_response(case, now)
    elif kind == MessageKind.REPLY:
        if case.first_response_at is None:
            case.first_response_at = now
            fields.append("first_response_at")
            _stop(case, FIRST_RESPONSE, now)
        if case.next_response_round:
            _stop(case, policies.next_response_metric(case.next_response_round), now)
        if case.status == CaseStatus.NEW:
            apply_transition(case, "open", actor=actor)
        if wait_on_customer and can(case, "wait_on_customer"):
            apply_transition(case, "wait_on_customer", actor=actor)
            _pause(case, now)
    case.save(update_fields=fields)
    if kind == MessageKind.REPLY:
        notify(
            installation=case.installation,
            event="case_replied",
            recipient_email=case.customer_email,
            dedupe_key=f"case:{case.pk}:reply:{message.pk}",
            language=case.language,
            context={"reference": case.number, "subject": case.subject, "message": body[:500]},
            subject_type=SUBJECT,
            subject_id=case.pk,
        )
    return message


def _reopen(case: ServiceCase, *, actor: Actor, at: datetime, note: str = "") -> None:
    apply_transition(case, "reopen", actor=actor, note=note)
    case.reopen_count += 1
    case.resolved_at = None
    case.closed_at = None
    case.save(update_fields=["reopen_count", "resolved_at", "closed_at", "updated_at"])
    _start_next_response(case, at)
    # The matter is open again: a fresh resolution target counts from the reopening (round 2, 3, ...).
    _start(case, f"{RESOLUTION}:{case.reopen_count + 1}", at)


@transaction.atomic
def transition_case(*, case: ServiceCase, actor: Actor, transition: str, note: str = "") -> ServiceCase:
    """Staff move a case: open, wait_on_customer, resolve, close, reopen."""
    from .state import STAFF_TRANSITIONS

    note = _text(note, limit=MAX_NOTE, field="note", required=False)
    if transition not in STAFF_TRANSITIONS:
        raise DomainError("INVALID_TRANSITION", f"One of: {', '.join(STAFF_TRANSITIONS)}.", "transition")
    case = _lock(case)
    ensure_can(case, transition)
    now = clock_now()
    if transition == "reopen":
        _reopen(case, actor=actor, at=now, note=note)
        return case
    apply_transition(case, transition, actor=actor, note=note)
    if transition == "wait_on_customer":
        _pause(case, now)
    elif transition == "resolve":
        for metric in _running_metrics(case):
            _stop(case, metric, now)
        case.resolved_at = now
        case.save(update_fields=["resolved_at", "updated_at"])
        notify(
            installation=case.installation,
            event="case_resolved",
            recipient_email=case.customer_email,
            dedupe_key=f"case:{case.pk}:resolved:{case.reopen_count}",
            language=case.language,
            context={"reference": case.number, "subject": case.subject},
            subject_type=SUBJECT,
            subject_id=case.pk,
        )
    elif transition == "close":
        sla.cancel_clocks(installation=case.installation, subject_type=SUBJECT, subject_id=case.pk)
        case.closed_at = now
        case.save(update_fields=["closed_at", "updated_at"])
    return case


@transaction.atomic
def reopen_case(*, case: ServiceCase, actor: Actor, note: str = "") -> ServiceCase:
    """A customer reopens their resolved case (within the reopen window); staff may reopen any time."""
    check_access(case, actor)
    note = _text(note, limit=MAX_NOTE, field="note", required=False)
    case = _lock(case)
    if _is_customer(actor):
        if case.status == CaseStatus.CLOSED:
            raise DomainError(error_codes.CASE_CLOSED, "This case is closed; open a new one.", "id")
        ensure_can(case, "reopen")
        if not policies.customer_may_reopen(resolved_at=case.resolved_at, now=clock_now()):
            raise DomainError(
                error_codes.REOPEN_WINDOW_PASSED, "Resolved too long ago; open a new case.", "id"
            )
    ensure_can(case, "reopen")
    _reopen(case, actor=actor, at=clock_now(), note=note)
    return case


@transaction.atomic
def assign_case(
    *, case: ServiceCase, actor: Actor, assignee_user_id: str, assignee_email: str = ""
) -> ServiceCase:
    """Assign to a Saleor staff user (global User id + email), or unassign with an empty id."""
    assignee_user_id = _text(assignee_user_id, limit=128, field="assigneeId", required=False)
    assignee_email = _text(assignee_email, limit=254, field="assigneeEmail", required=False)
    if assignee_user_id:
        from ..core.ids import from_global_id

        try:
            kind, _pk = from_global_id(assignee_user_id)
        except ValueError:
            kind = ""
        if kind != "User":
            raise DomainError("INVALID", "A Saleor User id.", "assigneeId")
    case = _lock(case)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(error_codes.CASE_CLOSED, "This case is closed.", "id")
    previous = case.assignee_user_id
    case.assignee_user_id = assignee_user_id
    case.assignee_email = assignee_email if assignee_user_id else ""
    case.save(update_fields=["assignee_user_id", "assignee_email", "updated_at"])
    events.record_event(
        case,
        type=events.ASSIGNED,
        actor=actor,
        data={"from": previous, "to": assignee_user_id, "email": case.assignee_email},
    )
    return case


def _retarget(case: ServiceCase) -> None:
    for metric in _running_metrics(case):
        target, calendar, warning = _targets(case, metric)
        sla.retarget_clock(
            installation=case.installation,
            subject_type=SUBJECT,
            subject_id=case.pk,
            metric=metric,
            target_minutes=target,
            calendar=calendar,
            warning_minutes=warning,
        )


@transaction.atomic
def set_priority(*, case: ServiceCase, actor: Actor, priority: str, note: str = "") -> ServiceCase:
    """Change the priority; running clocks get the new priority's targets (counted from their start)."""
    priority = _choice(priority, CasePriority, "priority")
    case = _lock(case)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(error_codes.CASE_CLOSED, "This case is closed.", "id")
    if case.priority == priority:
        return case
    previous = case.priority
    case.priority = priority
    case.save(update_fields=["priority", "updated_at"])
    events.record_event(
        case, type=events.PRIORITY_CHANGED, actor=actor, note=note, data={"from": previous, "to": priority}
    )
    _retarget(case)
    return case


@transaction.atomic
def set_tags(*, case: ServiceCase, actor: Actor, tags: Iterable[str]) -> ServiceCase:
    try:
        wanted = policies.normalize_tags(tags)
    except ValueError as exc:
        raise DomainError("INVALID", str(exc), "tags") from None
    case = _lock(case)
    current = list(CaseTag.objects.filter(case=case).order_by("id").values_list("tag", flat=True))
    if current == wanted:
        return case
    CaseTag.objects.filter(case=case).exclude(tag__in=wanted).delete()
    for tag in wanted:
        CaseTag.objects.get_or_create(case=case, tag=tag)
    case.save(update_fields=["updated_at"])
    events.record_event(case, type=events.TAGS_CHANGED, actor=actor, data={"from": current, "to": wanted})
    return case


# Escalation (registered into the SLA engine from apps.ready) ----------------------------------------------------


@transaction.atomic
def escalate_case(*, case: ServiceCase, metric: str) -> ServiceCase:
    """A case clock breached: record it, then apply the installation's rule (default: raise the priority)."""
    from .models import EscalationRule

    actor = Actor.system("sla")
    case = _lock(case)
    events.record_event(case, type=events.SLA_BREACHED, actor=actor, data={"metric": metric})
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        return case
    rules = {
        rule.metric: rule
        for rule in EscalationRule.objects.filter(
            installation=case.installation, metric__in=[policies.base_metric(metric), ""]
        )
    }
    rule = rules.get(policies.base_metric(metric)) or rules.get("")
    raise_priority = rule.raise_priority if rule is not None else True
    changes: dict = {"metric": metric}
    if raise_priority:
        new_priority = policies.raised_priority(case.priority)
        if new_priority != case.priority:
            changes["priority"] = [case.priority, new_priority]
            case.priority = new_priority
    if rule is not None and rule.reassign_to_user_id and rule.reassign_to_user_id != case.assignee_user_id:
        changes["assignee"] = [case.assignee_user_id, rule.reassign_to_user_id]
        case.assignee_user_id = rule.reassign_to_user_id
        case.assignee_email = rule.reassign_to_email
    case.save(update_fields=["priority", "assignee_user_id", "assignee_email", "updated_at"])
    events.record_event(case, type=events.ESCALATED, actor=actor, data=changes)
    if "priority" in changes:
        _retarget_others(case, breached_metric=metric)
    recipient = (rule.notify_email if rule is not None else "") or case.assignee_email
    if recipient:
        notify(
            installation=case.installation,
            event="case_sla_breached",
            recipient_email=recipient,
            dedupe_key=f"case:{case.pk}:breach:{metric}",
            language="en",
            context={
                "reference": case.number,
                "subject": case.subject,
                "metric": policies.base_metric(metric),
            },
            subject_type=SUBJECT,
            subject_id=case.pk,
        )
    return case


def _retarget_others(case: ServiceCase, *, breached_metric: str) -> None:
    for metric in _running_metrics(case):
        if metric == breached_metric:
            continue
        target, calendar, warning = _targets(case, metric)
        sla.retarget_clock(
            installation=case.installation,
            subject_type=SUBJECT,
            subject_id=case.pk,
            metric=metric,
            target_minutes=target,
            calendar=calendar,
            warning_minutes=warning,
        )


@transaction.atomic
def warn_case(*, case: ServiceCase, metric: str) -> None:
    """A case clock is about to breach: a timeline row and a note to the assignee."""
    events.record_event(case, type=events.SLA_WARNING, actor=Actor.system("sla"), data={"metric": metric})
    if case.assignee_email:
        notify(
            installation=case.installation,
            event="case_sla_warning",
            recipient_email=case.assignee_email,
            dedupe_key=f"case:{case.pk}:warning:{metric}",
            language="en",
            context={
                "reference": case.number,
                "subject": case.subject,
                "metric": policies.base_metric(metric),
            },
            subject_type=SUBJECT,
            subject_id=case.pk,
        )


@transaction.atomic
def save_escalation_rule(
    *,
    installation: Installation,
    metric: str = "",
    raise_priority: bool = True,
    reassign_to_user_id: str = "",
    reassign_to_email: str = "",
    notify_email: str = "",
):
    from .models import EscalationRule

    metric = (metric or "").strip()
    if metric and metric not in (FIRST_RESPONSE, "next_response", RESOLUTION):
        raise DomainError("INVALID", "first_response, next_response, resolution or empty (any).", "metric")
    if reassign_to_user_id:
        from ..core.ids import from_global_id

        try:
            kind, _ = from_global_id(reassign_to_user_id)
        except ValueError:
            kind = ""
        if kind != "User":
            raise DomainError("INVALID", "A Saleor User id.", "reassignToId")
    for value, field in ((reassign_to_email, "reassignToEmail"), (notify_email, "notifyEmail")):
        if value and ("@" not in value or len(value) > 254):
            raise DomainError("INVALID", "A valid email address.", field)
    rule, _ = EscalationRule.objects.update_or_create(
        installation=installation,
        metric=metric,
        defaults={
            "raise_priority": raise_priority,
            "reassign_to_user_id": reassign_to_user_id or "",
            "reassign_to_email": reassign_to_email or "",
            "notify_email": notify_email or "",
        },
    )
    return rule


# Personal data --------------------------------------------------------------------------------------------------

ERASED_TEXT = "[erased]"


@transaction.atomic
def erase_customer_data(*, installation: Installation, email: str, user_id: str = "", actor: Actor) -> dict:
    """Erase what identifies a customer (see `personal_data`); idempotent; returns counts per kind."""
    from django.db.models import Q

    from ..notifications.models import Notification
    from ..orders.models import Customer
    from ..returns.models import ReturnRequest
    from .personal_data import cases_of

    email = normalize_email(email)
    if not email and not user_id:
        raise DomainError("REQUIRED", "An email or a Saleor user id.", "email")
    now = clock_now()
    cases = list(cases_of(installation, email=email, user_id=user_id).select_for_update(of=("self",)))
    if not email:
        email = next((normalize_email(c.customer_email) for c in cases if c.customer_email), "")
    counts = {"cases": 0, "messages": 0, "attachments": 0, "notifications": 0, "returns": 0, "customers": 0}
    for case in cases:
        for attachment in ServiceAttachment.objects.filter(case=case):
            attachment.file.delete(save=False)
            attachment.delete()
            counts["attachments"] += 1
        counts["messages"] += ServiceMessage.objects.filter(case=case).count()
        for message in ServiceMessage.objects.filter(case=case):
            message.body = ERASED_TEXT
            message.save(update_fields=["body"])
        if case.erased_at is None:
            counts["cases"] += 1
        case.customer_email = ""
        case.customer_name = ""
        case.customer_phone = ""
        case.customer_email_digest = ""
        case.customer_user_id = ""
        case.subject = ERASED_TEXT
        case.erased_at = case.erased_at or now
        case.save()
        events.record_event(case, type=events.ERASED, actor=actor)
    if email:
        counts["notifications"] = Notification.objects.filter(
            installation=installation, recipient_email__iexact=email
        ).update(recipient_email="erased@invalid", context={})
        who = Q(customer_email__iexact=email) | (Q(customer_user_id=user_id) if user_id else Q(pk__in=[]))
        counts["returns"] = (
            ReturnRequest.objects.filter(who, installation=installation)
            .exclude(customer_comment="")
            .update(customer_comment="")
        )
        counts["customers"] = Customer.objects.filter(installation=installation, email__iexact=email).update(
            first_name="", last_name=""
        )
    return counts


def rotate_encryption_keys(*, batch_size: int = 500) -> int:
    """Re-encrypt every encrypted case column with the newest key (FIELD_ENCRYPTION_KEYS[0]); returns rows."""
    total = 0
    for model, fields in (
        (ServiceCase, ["customer_email", "customer_name", "customer_phone"]),
        (ServiceMessage, ["body"]),
    ):
        last = 0
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update().filter(pk__gt=last).order_by("pk")[:batch_size]  # type: ignore[attr-defined]
                )
                if not rows:
                    break
                for row in rows:
                    row.save(
                        update_fields=fields
                    )  # reads decrypt with any key, writes encrypt with the first
                last = rows[-1].pk
                total += len(rows)
    return total
