"""Ledger mechanics: the only code that writes entries, lots, allocations and the cached balances.

Every function here expects the caller to hold the account's row lock (`lock_account`) inside a transaction,
and is idempotent per `key` (a second call with the same key returns the first entry and changes nothing).

Invariants kept here (and checked by tests/loyalty/test_ledger_state_machine.py):
- account.available_points == sum(entry.available_delta); account.pending_points == sum(entry.pending_delta);
- pending == sum(remaining of pending lots); max(available, 0) == sum(remaining of available lots);
- per lot: remaining + consumed + expired + reversed == points, reversal_applied <= points.
A reversal of points that were already spent leaves a debt (negative available); new points pay it off first
(DEBT_SETTLED entries consume lots FEFO without changing the balance).

Hot path (earn, redeem, claim): the writes below are plain parameterised statements (portable SQL, RETURNING on
both PostgreSQL and SQLite >= 3.35) instead of ORM calls, because the ORM's query compilation cost more than the
database work (about 0.5 ms CPU per statement); `lock_for_write` reads the account, its programme and the
idempotency key in one statement under the row lock. Rare paths (reversal, restore, expiry) still use the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model, Sum
from django.utils import timezone

from ..core.actors import Actor
from . import policies
from .models import Account, Allocation, EntryKind, LedgerEntry, Lot, LotSource, LotStatus, Programme

_ACCOUNT = Account._meta.db_table
_PROGRAMME = Programme._meta.db_table
_ENTRY = LedgerEntry._meta.db_table
_LOT = Lot._meta.db_table
_ALLOCATION = Allocation._meta.db_table
_EMPTY_DATA: dict = {}


def lock_account(account_id: int) -> Account:
    return Account.objects.select_for_update().get(pk=account_id)


def existing_entry(account: Account, key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(account=account, idempotency_key=key).first()


def _execute(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _dt(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _from_row(model: type[Model], values: Sequence[Any]) -> Any:
    """A model instance from a row of its concrete columns, with the backend's converters (as the ORM does)."""
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        col = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(col) + field.get_db_converters(connection):
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


@dataclass
class Locked:
    """What a write needs, read in one statement under the account's row lock."""

    account: Account
    programme: Programme | None
    existing_entry_id: int | None

    def existing(self) -> LedgerEntry | None:
        if self.existing_entry_id is None:
            return None
        return LedgerEntry.objects.get(pk=self.existing_entry_id)


def lock_for_write(
    *,
    key: str,
    account_id: int | None = None,
    installation_id: int | None = None,
    channel_slug: str = "",
    user_id: str = "",
) -> Locked | None:
    """Lock the account (by id, or the member by Saleor user id in a channel) and read, in the same statement,
    its programme and the ledger entry already written under `key` (None when there is no such account)."""
    n_account = len(Account._meta.concrete_fields)
    n_programme = len(Programme._meta.concrete_fields)
    if account_id is not None:
        where, params = 'a."id" = %s', [account_id]
    else:
        where = 'a."installation_id" = %s AND a."channel_slug" = %s AND a."user_id" = %s'
        params = [installation_id, channel_slug, user_id]
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    rows = _execute(
        f"SELECT {_columns(Account, 'a')}, {_columns(Programme, 'p')}, "
        f'(SELECT e."id" FROM {_ENTRY} e WHERE e."account_id" = a."id" AND e."idempotency_key" = %s) '
        f'FROM {_ACCOUNT} a LEFT JOIN {_PROGRAMME} p ON p."installation_id" = a."installation_id" '
        f'AND p."channel_slug" = a."channel_slug" WHERE {where} ORDER BY a."id" LIMIT 1{lock}',
        [key, *params],
    )
    if not rows:
        return None
    row = rows[0]
    account = _from_row(Account, row[:n_account])
    programme_row = row[n_account : n_account + n_programme]
    programme = _from_row(Programme, programme_row) if programme_row[0] is not None else None
    return Locked(account=account, programme=programme, existing_entry_id=row[-1])


_ENTRY_INSERT = (
    f'INSERT INTO {_ENTRY} ("created_at", "type", "actor_type", "actor_id", "actor_email", "actor_name", '
    '"from_status", "to_status", "note", "data", "installation_id", "account_id", "points", "available_delta", '
    '"pending_delta", "idempotency_key", "action", "reference", "order_saleor_id", "order_line_saleor_id", '
    '"lot_id") VALUES (%s, %s, %s, %s, %s, %s, \'\', \'\', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) '
    'RETURNING "id"'
)

_LOT_INSERT = (
    f'INSERT INTO {_LOT} ("account_id", "source", "status", "points", "remaining", "consumed", "expired", '
    '"reversed", "reversal_applied", "clawed_back", "base_amount", "order_saleor_id", "order_line_saleor_id", '
    '"line_quantity", "earned_at", "release_at", "released_at", "expires_at", "expiry_notified_at") '
    "VALUES (%s, %s, %s, %s, %s, 0, 0, 0, 0, 0, %s, %s, %s, %s, %s, %s, %s, %s, NULL) RETURNING \"id\""
)


def _insert_lot(lot: Lot) -> Lot:
    base = connection.ops.adapt_decimalfield_value(lot.base_amount, 20, 3)
    lot.pk = _execute(
        _LOT_INSERT,
        [
            lot.account_id,
            lot.source,
            lot.status,
            lot.points,
            lot.remaining,
            base,
            lot.order_saleor_id,
            lot.order_line_saleor_id,
            lot.line_quantity,
            _dt(lot.earned_at),
            _dt(lot.release_at),
            _dt(lot.released_at),
            _dt(lot.expires_at),
        ],
    )[0][0]
    lot._state.adding = False
    return lot


def _insert_entry(entry: LedgerEntry) -> LedgerEntry:
    data_field = LedgerEntry._meta.get_field("data")
    entry.pk = _execute(
        _ENTRY_INSERT,
        [
            _dt(entry.created_at),
            entry.type,
            entry.actor_type,
            entry.actor_id,
            entry.actor_email,
            entry.actor_name,
            entry.note,
            data_field.get_db_prep_save(entry.data, connection),
            entry.installation_id,
            entry.account_id,
            entry.points,
            entry.available_delta,
            entry.pending_delta,
            entry.idempotency_key,
            entry.action,
            entry.reference,
            entry.order_saleor_id,
            entry.order_line_saleor_id,
            entry.lot_id,
        ],
    )[0][0]
    entry._state.adding = False
    return entry


def _bump_balance(account: Account, *, available: int, pending: int) -> None:
    """Add to the cached balance (relative, under the lock) and keep the in-memory row in step."""
    account.available_points += available
    account.pending_points += pending
    account.updated_at = timezone.now()
    _execute(
        f'UPDATE {_ACCOUNT} SET "available_points" = "available_points" + %s, '
        '"pending_points" = "pending_points" + %s, "updated_at" = %s WHERE "id" = %s',
        [available, pending, _dt(account.updated_at), account.pk],
    )


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
) -> LedgerEntry:
    entry = _insert_entry(
        LedgerEntry(
            created_at=timezone.now(),
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
            data=data or _EMPTY_DATA,
            **actor.as_record(),
        )
    )
    if available or pending:
        _bump_balance(account, available=available, pending=pending)
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
    lot = _insert_lot(
        Lot(
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
    _bump_balance(account, available=0, pending=sum(item["points"] for item in items))
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


@dataclass(frozen=True)
class Spendable:
    lot_id: int
    remaining: int


_FEFO_SQL = (
    f'SELECT "id", "remaining", ("expires_at" IS NOT NULL AND "expires_at" <= %s) FROM {_LOT} '
    'WHERE "account_id" = %s AND "status" = %s AND "remaining" > 0 '
    'ORDER BY ("expires_at" IS NULL), "expires_at", "earned_at", "id"'
)


def _fefo_rows(account: Account, *, now: datetime, points: int) -> list[tuple]:
    params = [_dt(now), account.pk, LotStatus.AVAILABLE.value]
    rows = _execute(_FEFO_SQL + " LIMIT %s", [*params, FEFO_BATCH])
    if len(rows) == FEFO_BATCH and sum(row[1] for row in rows) < points:
        rows = _execute(_FEFO_SQL, params)
    return rows


def spendable_lots(account: Account, *, now: datetime, points: int, actor: Actor) -> list[Spendable]:
    """Available lots first-expiring first (policies.fefo's order, in SQL), after expiring the ones past their
    date: one statement when the first batch covers `points`."""
    rows = _fefo_rows(account, now=now, points=points)
    past = [row[0] for row in rows if row[2]]
    if past:
        for lot in Lot.objects.filter(pk__in=past).order_by("id"):
            expire_lot(account, lot, now=now, actor=actor)
    return [Spendable(lot_id=row[0], remaining=row[1]) for row in rows if not row[2]]


def _take_from_lots(entry: LedgerEntry, plan: list[tuple[int, int]]) -> None:
    """Consume the planned points from each lot and record the provenance rows: two statements in all."""
    if not plan:
        return
    cases = " ".join("WHEN %s THEN %s" for _ in plan)
    taken = f'CASE "id" {cases} END'
    pairs = [value for lot_id, take in plan for value in (lot_id, take)]
    ids = [lot_id for lot_id, _ in plan]
    _execute(
        f'UPDATE {_LOT} SET "remaining" = "remaining" - {taken}, "consumed" = "consumed" + {taken}, '
        f'"status" = CASE WHEN "remaining" = {taken} THEN %s ELSE "status" END '
        f'WHERE "id" IN ({", ".join("%s" for _ in ids)})',
        [*pairs, *pairs, *pairs, LotStatus.CONSUMED.value, *ids],
    )
    _execute(
        f'INSERT INTO {_ALLOCATION} ("entry_id", "lot_id", "points", "restored") VALUES '
        + ", ".join("(%s, %s, %s, 0)" for _ in plan),
        [value for lot_id, take in plan for value in (entry.pk, lot_id, take)],
    )


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
    lots: list[Spendable] | None = None,
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
    plan = policies.take_in_order([(lot.lot_id, lot.remaining) for lot in lots], points)
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
    _take_from_lots(entry, plan)
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
    rows = _fefo_rows(account, now=now, points=surplus)
    entry = _write(
        account,
        EntryKind.DEBT_SETTLED,
        f"debt:{count + 1}",
        actor=actor,
        data={"points": surplus},
        note="New points paid off a negative balance.",
    )
    _take_from_lots(entry, policies.take_in_order([(row[0], row[1]) for row in rows], surplus))
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
