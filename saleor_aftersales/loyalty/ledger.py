"""Ledger mechanics: the only code that writes entries, lots, allocations and the cached balances.

Every function here expects the caller to hold the account's row lock (`lock_account`) inside a transaction,
and is idempotent per `key` (a second call with the same key returns the first entry and changes nothing).

Invariants kept here (and checked by tests/loyalty/test_ledger_state_machine.py):
- account.available_points == sum(entry.available_delta); account.pending_points == sum(entry.pending_delta);
- pending == sum(remaining of pending lots); max(available, 0) == sum(remaining of available lots);
- per lot: remaining + consumed + expired + reversed == points, reversal_applied <= points.
A reversal of points that were already spent leaves a debt (negative available); new points pay it off first
(DEBT_SETTLED entries consume lots FEFO without changing the balance).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Sum

from ..core.actors import Actor
from . import policies
from .models import Account, Allocation, EntryKind, LedgerEntry, Lot, LotSource, LotStatus


def lock_account(account_id: int) -> Account:
    return Account.objects.select_for_update().get(pk=account_id)


def existing_entry(account: Account, key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(account=account, idempotency_key=key).first()


def _write(
    account: Account,
    kind: str,
    key: str,
    *,
    actor: Actor,
    available: int = 0,
    pending: int = 0,
    note: str = "",
    lot: Lot | None = None,
    action: str = "",
    reference: str = "",
    order_saleor_id: str = "",
    order_line_saleor_id: str = "",
    data: dict | None = None,
    save_account: bool = True,
) -> LedgerEntry:
    entry = LedgerEntry.objects.create(
        installation_id=account.installation_id,
        account=account,
        type=kind,
        points=available + pending,
        available_delta=available,
        pending_delta=pending,
        idempotency_key=key,
        action=action,
        reference=reference,
        order_saleor_id=order_saleor_id or (lot.order_saleor_id if lot else ""),
        order_line_saleor_id=order_line_saleor_id or (lot.order_line_saleor_id if lot else ""),
        lot=lot,
        note=note,
        data=data or {},
        **actor.as_record(),
    )
    if available or pending:
        account.available_points += available
        account.pending_points += pending
        if save_account:
            account.save(update_fields=["available_points", "pending_points", "updated_at"])
    return entry


def _close_status(lot: Lot, reason: str) -> None:
    if lot.remaining > 0:
        lot.status = LotStatus.AVAILABLE if lot.released_at else LotStatus.PENDING
    else:
        lot.status = reason


def add_lot(
    account: Account,
    *,
    key: str,
    source: str,
    points: int,
    now: datetime,
    expiry_days: int,
    actor: Actor,
    pending: bool = False,
    release_at: datetime | None = None,
    base_amount: Decimal = Decimal("0"),
    order_saleor_id: str = "",
    order_line_saleor_id: str = "",
    line_quantity: int = 0,
    action: str = "",
    reference: str = "",
    note: str = "",
    checked: bool = False,
) -> LedgerEntry:
    """New points in a lot of their own: pending (purchases, until release_at) or available at once.

    `checked`: the caller already looked the key up under the lock (saves a query on the hot path).
    """
    found = None if checked else existing_entry(account, key)
    if found is not None:
        return found
    lot = Lot.objects.create(
        account=account,
        source=source,
        status=LotStatus.PENDING if pending else LotStatus.AVAILABLE,
        points=points,
        remaining=points,
        base_amount=base_amount,
        order_saleor_id=order_saleor_id,
        order_line_saleor_id=order_line_saleor_id,
        line_quantity=line_quantity,
        earned_at=now,
        release_at=release_at if pending else None,
        released_at=None if pending else now,
        expires_at=None if pending else now + timedelta(days=expiry_days),
    )
    debt_before = account.available_points < 0
    entry = _write(
        account,
        EntryKind.EARN_PENDING
        if pending
        else (EntryKind.ADJUST if source == LotSource.ADJUSTMENT else EntryKind.EARN),
        key,
        actor=actor,
        available=0 if pending else points,
        pending=points if pending else 0,
        lot=lot,
        action=action,
        reference=reference,
        note=note,
    )
    if debt_before and not pending:
        settle_debt(account, now=now, actor=actor)
    return entry


def add_pending_lots(
    account: Account, items: list[dict], *, now: datetime, release_at: datetime | None, actor: Actor
) -> list[LedgerEntry]:
    """Many pending purchase lots at once (one order's lines): 3 queries whatever the number of lines.

    Each item: key, points, base_amount, order_saleor_id, order_line_saleor_id, line_quantity, reference. The caller
    has checked the keys under the lock; the unique (account, key) constraint still guards against duplicates.
    """
    if not items:
        return []
    lots = Lot.objects.bulk_create(
        [
            Lot(
                account=account,
                source=LotSource.PURCHASE,
                status=LotStatus.PENDING,
                points=item["points"],
                remaining=item["points"],
                base_amount=item["base_amount"],
                order_saleor_id=item["order_saleor_id"],
                order_line_saleor_id=item["order_line_saleor_id"],
                line_quantity=item["line_quantity"],
                earned_at=now,
                release_at=release_at,
            )
            for item in items
        ]
    )
    record = actor.as_record()
    entries = LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                installation_id=account.installation_id,
                account=account,
                type=EntryKind.EARN_PENDING,
                points=item["points"],
                pending_delta=item["points"],
                idempotency_key=item["key"],
                reference=item.get("reference", ""),
                order_saleor_id=item["order_saleor_id"],
                order_line_saleor_id=item["order_line_saleor_id"],
                lot=lot,
                **record,
            )
            for item, lot in zip(items, lots, strict=True)
        ]
    )
    account.pending_points += sum(item["points"] for item in items)
    account.save(update_fields=["pending_points", "updated_at"])
    return entries


def release_lot(
    account: Account, lot: Lot, *, now: datetime, expiry_days: int, actor: Actor
) -> LedgerEntry | None:
    """A pending lot becomes available; its own expiry starts now."""
    key = f"release:{lot.pk}"
    if lot.status != LotStatus.PENDING or lot.released_at is not None:
        return None
    lot.released_at = now
    lot.expires_at = now + timedelta(days=expiry_days)
    released = lot.remaining
    _close_status(lot, LotStatus.REVERSED)
    lot.save(update_fields=["released_at", "expires_at", "status"])
    debt_before = account.available_points < 0
    entry = _write(
        account, EntryKind.RELEASE, key, actor=actor, available=released, pending=-released, lot=lot
    )
    if debt_before and released:
        settle_debt(account, now=now, actor=actor)
    return entry


FEFO_BATCH = 100


def spendable_lots(account: Account, *, now: datetime, points: int, actor: Actor) -> list[Lot]:
    """Available lots first-expiring first, after expiring the ones past their date (one query when the first
    batch covers `points`)."""
    qs = Lot.objects.filter(account=account, status=LotStatus.AVAILABLE, remaining__gt=0).order_by(
        "expires_at", "earned_at", "id"
    )
    lots = list(qs[:FEFO_BATCH])
    if len(lots) == FEFO_BATCH and sum(lot.remaining for lot in lots) < points:
        lots = list(qs)
    live = []
    for lot in lots:
        if lot.expires_at is not None and lot.expires_at <= now:
            expire_lot(account, lot, now=now, actor=actor)
        else:
            live.append(lot)
    return live


def consume(
    account: Account,
    points: int,
    *,
    key: str,
    now: datetime,
    actor: Actor,
    kind: str = EntryKind.REDEEM,
    reference: str = "",
    order_saleor_id: str = "",
    note: str = "",
    lots: list[Lot] | None = None,
    checked: bool = False,
) -> LedgerEntry:
    """Take `points` from the available lots FEFO, recording which lots paid (Allocation rows).

    `lots`: from `spendable_lots` when the caller already fetched them (and checked the balance).
    """
    found = None if checked else existing_entry(account, key)
    if found is not None:
        return found
    if lots is None:
        lots = spendable_lots(account, now=now, points=points, actor=actor)
    by_id = {lot.pk: lot for lot in lots}
    plan = policies.plan_consumption(
        (
            policies.LotForRedemption(
                lot_id=lot.pk, remaining=lot.remaining, expires_at=lot.expires_at, earned_at=lot.earned_at
            )
            for lot in lots
        ),
        points,
    )
    entry = _write(
        account,
        kind,
        key,
        actor=actor,
        available=0 if kind == EntryKind.DEBT_SETTLED else -points,
        reference=reference,
        order_saleor_id=order_saleor_id,
        note=note,
        data={"points": points} if kind == EntryKind.DEBT_SETTLED else None,
    )
    allocations = []
    for lot_id, take in plan:
        lot = by_id[lot_id]
        lot.remaining -= take
        lot.consumed += take
        _close_status(lot, LotStatus.CONSUMED)
        allocations.append(Allocation(entry=entry, lot=lot, points=take))
    Lot.objects.bulk_update([by_id[lot_id] for lot_id, _ in plan], ["remaining", "consumed", "status"])
    Allocation.objects.bulk_create(allocations)
    return entry


def settle_debt(account: Account, *, now: datetime, actor: Actor) -> LedgerEntry | None:
    """Make the lots match a negative or reduced balance: consume the surplus FEFO (balance unchanged)."""
    backed = (
        Lot.objects.filter(account=account, status=LotStatus.AVAILABLE).aggregate(total=Sum("remaining"))[
            "total"
        ]
        or 0
    )
    surplus = backed - max(account.available_points, 0)
    if surplus <= 0:
        return None
    count = LedgerEntry.objects.filter(account=account, type=EntryKind.DEBT_SETTLED).count()
    # Expired-but-not-yet-swept lots are included: the debt is real whichever lot pays it.
    lots = list(
        Lot.objects.filter(account=account, status=LotStatus.AVAILABLE, remaining__gt=0).order_by(
            "expires_at", "earned_at", "id"
        )
    )
    entry = _write(
        account,
        EntryKind.DEBT_SETTLED,
        f"debt:{count + 1}",
        actor=actor,
        data={"points": surplus},
        note="New points paid off a negative balance.",
    )
    left = surplus
    touched, allocations = [], []
    for lot in lots:
        if left <= 0:
            break
        take = min(lot.remaining, left)
        lot.remaining -= take
        lot.consumed += take
        _close_status(lot, LotStatus.CONSUMED)
        touched.append(lot)
        allocations.append(Allocation(entry=entry, lot=lot, points=take))
        left -= take
    Lot.objects.bulk_update(touched, ["remaining", "consumed", "status"])
    Allocation.objects.bulk_create(allocations)
    return entry


def reverse_lot(
    account: Account, lot: Lot, points: int, *, key: str, now: datetime, actor: Actor, note: str = ""
) -> LedgerEntry | None:
    """Reverse `points` of what `lot` earned: from what is left first, then (spent points) as a debt.

    Points of the lot that already expired are not charged again. `reversal_applied` never exceeds the lot.
    """
    found = existing_entry(account, key)
    if found is not None:
        return found
    points = min(points, lot.points - lot.reversal_applied)
    if points <= 0:
        return None
    take = min(points, lot.remaining)
    owed = 0
    if lot.status != LotStatus.PENDING:
        owed = min(points - take, max(lot.consumed - lot.clawed_back, 0))
    lot.remaining -= take
    lot.reversed += take
    lot.clawed_back += owed
    lot.reversal_applied += points
    _close_status(lot, LotStatus.REVERSED)
    lot.save(update_fields=["remaining", "reversed", "clawed_back", "reversal_applied", "status"])
    pending = lot.released_at is None
    entry = _write(
        account,
        EntryKind.REVERSE,
        key,
        actor=actor,
        available=0 if pending else -(take + owed),
        pending=-take if pending else 0,
        lot=lot,
        note=note,
        data={"reversed": points, "from_balance": take, "owed": owed, "forfeited": points - take - owed},
    )
    if owed:
        settle_debt(account, now=now, actor=actor)
    return entry


def restore_allocations(
    account: Account,
    redemption: LedgerEntry,
    *,
    key: str,
    now: datetime,
    actor: Actor,
    note: str = "",
) -> LedgerEntry | None:
    """Give back the points of a redemption to the very lots that paid it, with their original expiry."""
    found = existing_entry(account, key)
    if found is not None:
        return found
    allocations = list(redemption.allocations.select_related("lot"))
    total = 0
    lots = []
    for allocation in allocations:
        back = allocation.points - allocation.restored
        if back <= 0:
            continue
        lot = allocation.lot
        lot.remaining += back
        lot.consumed -= back
        lot.status = LotStatus.AVAILABLE
        allocation.restored += back
        total += back
        lots.append(lot)
    if total == 0:
        return None
    Lot.objects.bulk_update(lots, ["remaining", "consumed", "status"])
    Allocation.objects.bulk_update(allocations, ["restored"])
    debt_before = account.available_points < 0
    entry = _write(
        account,
        EntryKind.RESTORE,
        key,
        actor=actor,
        available=total,
        reference=redemption.reference,
        order_saleor_id=redemption.order_saleor_id,
        note=note,
        data={"redemption": redemption.pk},
    )
    # A restored lot past its expiry expires now (the restore must not extend it).
    for lot in lots:
        if lot.expires_at is not None and lot.expires_at <= now:
            expire_lot(account, lot, now=now, actor=actor)
    if debt_before:
        settle_debt(account, now=now, actor=actor)
    return entry


def expire_lot(account: Account, lot: Lot, *, now: datetime, actor: Actor) -> LedgerEntry | None:
    if lot.status != LotStatus.AVAILABLE or lot.remaining <= 0:
        return None
    count = lot.expired
    gone = lot.remaining
    lot.expired += gone
    lot.remaining = 0
    lot.status = LotStatus.EXPIRED
    lot.save(update_fields=["expired", "remaining", "status"])
    return _write(
        account, EntryKind.EXPIRE, f"expire:{lot.pk}:{count}", actor=actor, available=-gone, lot=lot
    )


def expire_due(account: Account, *, now: datetime, actor: Actor) -> int:
    lots = Lot.objects.filter(
        account=account, status=LotStatus.AVAILABLE, remaining__gt=0, expires_at__lte=now
    )
    return sum(1 for lot in lots if expire_lot(account, lot, now=now, actor=actor) is not None)
