"""Writes to the outbox: enqueue, dispatch (one attempt), retry, cancel."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from ..core.metrics import OUTBOX_ATTEMPTS
from ..core.time import now
from ..installations.models import Installation
from ..saleor_client.client import SaleorClient
from ..saleor_client.errors import SaleorError, SaleorMutationError
from . import registry
from .models import OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)


def client_for(installation: Installation, *, retries: int | None = None) -> SaleorClient:
    return SaleorClient(installation.saleor_api_url, installation.auth_token, retries=retries)


def enqueue(
    *,
    installation: Installation,
    idempotency_key: str,
    operation: str,
    variables: dict,
    subject_type: str = "",
    subject_id: str | int = "",
    on_success: str = "",
    on_failure: str = "",
    max_attempts: int | None = None,
) -> OutboxMessage:
    """Record a call to Saleor; the same key returns the existing row (so it is never sent twice).

    Call inside the transaction that makes the domain decision; the dispatch is scheduled on commit.
    """
    if on_success:
        registry.callback(on_success)
    if on_failure:
        registry.callback(on_failure)
    existing = OutboxMessage.objects.filter(
        installation=installation, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                installation=installation,
                idempotency_key=idempotency_key,
                operation=operation,
                variables=variables,
                subject_type=subject_type,
                subject_id=str(subject_id),
                on_success=on_success,
                on_failure=on_failure,
                max_attempts=max_attempts or settings.OUTBOX_MAX_ATTEMPTS,
                next_attempt_at=now(),
            )
    except IntegrityError:
        return OutboxMessage.objects.get(installation=installation, idempotency_key=idempotency_key)
    from .tasks import dispatch_outbox_message

    transaction.on_commit(lambda: dispatch_outbox_message.delay(message.pk))
    return message


def _lease(message_id: int) -> OutboxMessage | None:
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .select_related("installation")
            .filter(pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now())
            .first()
        )
        if message is None:
            return None
        message.status = OutboxStatus.IN_FLIGHT
        message.attempts += 1
        message.leased_until = now() + LEASE
        message.save(update_fields=["status", "attempts", "leased_until", "updated_at"])
        return message


def _record_success(message: OutboxMessage, result: dict) -> None:
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status == OutboxStatus.SUCCEEDED:
            return
        locked.status = OutboxStatus.SUCCEEDED
        locked.result = result
        locked.outcome_unknown = False
        locked.last_error = ""
        locked.succeeded_at = now()
        locked.leased_until = None
        locked.save()
        if locked.on_success:
            registry.callback(locked.on_success)(locked, result)
    OUTBOX_ATTEMPTS.labels(message.operation, "succeeded").inc()


def _record_failure(message: OutboxMessage, error: SaleorError) -> None:
    # Saleor refused the mutation with typed errors: resending the same input cannot succeed.
    # Anything else (timeouts, 5xx, a revoked token the merchant can fix) is retried until exhausted.
    definitive = isinstance(error, SaleorMutationError)
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        locked.last_error = str(error)[:2000]
        locked.leased_until = None
        if error.ambiguous:
            locked.outcome_unknown = True
        exhausted = locked.attempts >= locked.max_attempts
        if definitive or exhausted:
            locked.status = OutboxStatus.FAILED
            locked.failed_at = now()
            locked.save()
            if locked.on_failure:
                registry.callback(locked.on_failure)(locked, {"error": str(error)})
            outcome = "failed"
        else:
            locked.status = OutboxStatus.PENDING
            delay = settings.OUTBOX_BACKOFF_SECONDS * (2 ** max(locked.attempts - 1, 0))
            locked.next_attempt_at = now() + timedelta(seconds=min(delay, 3600))
            locked.save()
            outcome = "retry"
    OUTBOX_ATTEMPTS.labels(message.operation, outcome).inc()
    logger.warning(
        "outbox attempt failed",
        extra={
            "operation": message.operation,
            "key": message.idempotency_key,
            "outcome": outcome,
            "error": str(error),
        },
    )


def dispatch(message_id: int) -> OutboxMessage | None:
    """Make one attempt at a due message. Safe to call concurrently and repeatedly."""
    message = _lease(message_id)
    if message is None:
        return None
    # No transport-level resend: after a timeout/5xx the mutation may have taken effect, so the next attempt
    # goes through the reconciler (outcome_unknown) instead of blindly sending it again.
    client = client_for(message.installation, retries=0)
    try:
        result: dict | None = None
        if message.outcome_unknown:
            reconcile = registry.reconciler(message.operation)
            if reconcile is not None:
                result = reconcile(client, message)
        if result is None:
            result = client.execute(message.operation, message.variables)
    except SaleorError as exc:
        _record_failure(message, exc)
    else:
        _record_success(message, result)
    message.refresh_from_db()
    return message


def release_stale_leases() -> int:
    """A worker died mid-call: its message goes back to pending, outcome unknown."""
    return OutboxMessage.objects.filter(status=OutboxStatus.IN_FLIGHT, leased_until__lt=now()).update(
        status=OutboxStatus.PENDING, outcome_unknown=True, leased_until=None
    )


def due_message_ids(limit: int = 500) -> list[int]:
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def dispatch_due(limit: int = 500) -> int:
    release_stale_leases()
    count = 0
    for message_id in due_message_ids(limit):
        if dispatch(message_id) is not None:
            count += 1
    return count


def retry_failed(*, message: OutboxMessage) -> OutboxMessage:
    """Staff asked to try a failed call again (after fixing the cause in Saleor)."""
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != OutboxStatus.FAILED:
            return locked
        locked.status = OutboxStatus.PENDING
        locked.max_attempts = locked.attempts + settings.OUTBOX_MAX_ATTEMPTS
        locked.next_attempt_at = now()
        locked.failed_at = None
        locked.save()
    from .tasks import dispatch_outbox_message

    transaction.on_commit(lambda: dispatch_outbox_message.delay(locked.pk))
    return locked
