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

import time
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


def written_keys(account: Account, keys: list[str]) -> set[str]:
    """Which of `keys` the account's ledger has already (one plain statement)."""
    if not keys:
        return set()
    rows = _execute(
        f'SELECT "idempotency_key" FROM {_ENTRY} WHERE "account_id" = %s AND "idempotency_key" IN ({_marks(len(keys))})',
        [account.pk, *keys],
    )
    return {row[0] for row in rows}


def existing_entry(account: Account, key: str) -> LedgerEntry | None:
    return LedgerEntry.objects.filter(account=account, idempotency_key=key).first()


def _execute(sql: str, params: Sequence[Any]) -> list[tuple]:
    if not _prepares():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    started = time.monotonic()
    try:
        with _prepared_cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        if connection.queries_logged:  # as Django's debug cursor logs (the statement with its values)
            connection.queries_log.append(
                {"sql": connection.ops.compose_sql(sql, params), "time": f"{time.monotonic() - started:.3f}"}
            )


def fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    """A hot-path read of the loyalty capability (prepared on PostgreSQL like the ledger's own statements)."""
    return _execute(sql, params)


def _prepares() -> bool:
    """Hot-path statements run as server-side prepared statements on PostgreSQL (psycopg 3): parsing and
    planning these CTEs cost the server more than running them. LOYALTY_PREPARED_STATEMENTS = False turns it
    off (e.g. behind a transaction-mode pooler that cannot keep prepared statements)."""
    from django.conf import settings

    return (
        connection.vendor == "postgresql"
        and _PREPARING is not None
        and bool(getattr(settings, "LOYALTY_PREPARED_STATEMENTS", True))
    )


try:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class _PreparingCursor(ServerBindingCursor):  # type: ignore[misc, valid-type]
        """Server-side binding, and always prepared (psycopg keeps a per-connection cache of them)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):  # type: ignore[no-untyped-def]
            return super().execute(query, params, prepare=True, binary=binary)

    _PREPARING: type | None = _PreparingCursor
except ImportError:  # psycopg 2 or no PostgreSQL driver: plain cursors
    _PREPARING = None


def _prepared_cursor() -> Any:
    """A cursor like connection.cursor() (Django's error translation and execute wrappers; _execute logs the
    statement) whose statements are prepared on the server."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        if connection.connection.prepare_threshold is None:
            # Django turns automatic preparation off (None also refuses prepare=True); Django's own cursors
            # bind client-side and never prepare, so this enables it for _PreparingCursor only.
            connection.connection.prepare_threshold = 2**31 - 1
        raw = _PREPARING(connection.connection)  # type: ignore[misc]
    return connection.make_cursor(raw)


def _dt(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


db_datetime = _dt


_CONVERTERS: dict[tuple[str, type[Model]], list[tuple[Any, list]]] = {}


def _converters(model: type[Model]) -> list[tuple[Any, list]]:
    """(column expression, converters) per concrete field of `model` for this backend (schema metadata only)."""
    key = (connection.vendor, model)
    if key not in _CONVERTERS:
        found = []
        for field in model._meta.concrete_fields:
            col = field.get_col(model._meta.db_table)
            found.append((col, connection.ops.get_db_converters(col) + field.get_db_converters(connection)))
        _CONVERTERS[key] = found
    return _CONVERTERS[key]


def _from_row(model: type[Model], values: Sequence[Any]) -> Any:
    """A model instance from a row of its concrete columns, with the backend's converters (as the ORM does)."""
    converted = []
    for (col, converters), value in zip(_converters(model), values, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in model._meta.concrete_fields], converted)


def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


_LOCK_COLUMNS = (
    f"SELECT {_columns(Account, 'a')}, {_columns(Programme, 'p')}, "
    f'(SELECT e."id" FROM {_ENTRY} e WHERE e."account_id" = a."id" AND e."idempotency_key" = %s)'
)
_LOCK_FROM = (
    f' FROM {_ACCOUNT} a LEFT JOIN {_PROGRAMME} p ON p."installation_id" = a."installation_id" '
    'AND p."channel_slug" = a."channel_slug" WHERE '
)


@dataclass
class Locked:
    """What a write needs, read in one statement under the account's row lock."""

    account: Account
    programme: Programme | None
    existing_entry_id: int | None
    # With `due_at`: whether an available lot with points left is past its expiry (it must expire first).
    lots_past_due: bool = False

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
    due_at: datetime | None = None,
) -> Locked | None:
    """Lock the account (by id, or the member by Saleor user id in a channel) and read, in the same statement,
    its programme and the ledger entry already written under `key` (None when there is no such account).

    `due_at`: also tell whether an available lot is past its expiry at that time (redemption). Only time makes
    a lot past due (a restore that brings back a past-due lot expires it in the same transaction), so this
    read is exact even when the statement waited for the lock."""
    n_account = len(Account._meta.concrete_fields)
    n_programme = len(Programme._meta.concrete_fields)
    if account_id is not None:
        where, params = 'a."id" = %s', [account_id]
    else:
        where = 'a."installation_id" = %s AND a."channel_slug" = %s AND a."user_id" = %s'
        params = [installation_id, channel_slug, user_id]
    due, due_params = "", []
    if due_at is not None:
        due = (
            f', EXISTS (SELECT 1 FROM {_LOT} d WHERE d."account_id" = a."id" AND d."status" = %s '
            'AND d."remaining" > 0 AND d."expires_at" <= %s)'
        )
        due_params = [LotStatus.AVAILABLE.value, _dt(due_at)]
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    rows = _execute(
        f'{_LOCK_COLUMNS}{due}{_LOCK_FROM}{where} ORDER BY a."id" LIMIT 1{lock}', [key, *due_params, *params]
    )
    if not rows:
        return None
    row = rows[0]
    account = _from_row(Account, row[:n_account])
    programme_row = row[n_account : n_account + n_programme]
    programme = _from_row(Programme, programme_row) if programme_row[0] is not None else None
    n = n_account + n_programme
    return Locked(
        account=account, programme=programme, existing_entry_id=row[n], lots_past_due=bool(due and row[n + 1])
    )


_ACCOUNT_NEW_COLUMNS = (
    "created_at", "updated_at", "installation_id", "channel_slug", "email", "user_id", "available_points",
    "pending_points", "language",
)  # fmt: skip


def _account_returning() -> str:
    return ", ".join(f'"{f.column}"' for f in Account._meta.concrete_fields)


def open_account(
    *, installation_id: int, channel_slug: str, email: str, user_id: str, language: str
) -> tuple[Programme, Account | None] | None:
    """First points of a member: the channel's active programme and a new account for the email, in one
    statement on PostgreSQL (two elsewhere). None without an active programme (nothing is created then);
    (programme, None) when an account with that email exists already (the caller locks it).

    The new row is invisible to other transactions until commit, and a concurrent insert of the same email
    waits for this one (unique constraint), so it is as good as locked.
    """
    n_programme = len(Programme._meta.concrete_fields)
    created = _dt(timezone.now())
    values = [created, created, installation_id, channel_slug, email, user_id, 0, 0, language]
    insert = f"INSERT INTO {_ACCOUNT} ({_names(_ACCOUNT_NEW_COLUMNS)})"
    programme_sql = (
        f"SELECT {_columns(Programme, 'p')} FROM {_PROGRAMME} p "
        'WHERE p."installation_id" = %s AND p."channel_slug" = %s AND p."is_active"'
    )
    if connection.vendor == "postgresql":
        rows = _execute(
            f"WITH p AS ({programme_sql}), n AS ({insert} SELECT {_marks(len(values))} "
            f"WHERE EXISTS (SELECT 1 FROM p) ON CONFLICT DO NOTHING RETURNING {_account_returning()}) "
            f"SELECT {_columns(Programme, 'p')}, {_columns(Account, 'n')} FROM p LEFT JOIN n ON TRUE",
            [installation_id, channel_slug, *values],
        )
        if not rows:
            return None
        programme = _from_row(Programme, rows[0][:n_programme])
        account_row = rows[0][n_programme:]
    else:
        found = _execute(programme_sql, [installation_id, channel_slug])
        if not found:
            return None
        programme = _from_row(Programme, found[0])
        inserted = _execute(
            f"{insert} VALUES ({_marks(len(values))}) ON CONFLICT DO NOTHING RETURNING {_account_returning()}",
            values,
        )
        account_row = inserted[0] if inserted else (None,)
    if account_row[0] is None:
        return programme, None
    return programme, _from_row(Account, account_row)


_ENTRY_COLUMNS = (
    "created_at", "type", "actor_type", "actor_id", "actor_email", "actor_name", "from_status", "to_status",
    "note", "data", "installation_id", "account_id", "points", "available_delta", "pending_delta",
    "idempotency_key", "action", "reference", "order_saleor_id", "order_line_saleor_id", "lot_id",
)  # fmt: skip
_LOT_COLUMNS = (
    "account_id", "source", "status", "points", "remaining", "consumed", "expired", "reversed",
    "reversal_applied", "clawed_back", "base_amount", "order_saleor_id", "order_line_saleor_id",
    "line_quantity", "earned_at", "release_at", "released_at", "expires_at", "expiry_notified_at",
)  # fmt: skip


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def _entry_params(entry: LedgerEntry) -> list[Any]:
    """Every entry column but the last (lot_id), in _ENTRY_COLUMNS order."""
    data = LedgerEntry._meta.get_field("data").get_db_prep_save(entry.data, connection)
    return [
        _dt(entry.created_at), entry.type, entry.actor_type, entry.actor_id, entry.actor_email,
        entry.actor_name, entry.from_status, entry.to_status, entry.note, data, entry.installation_id,
        entry.account_id, entry.points, entry.available_delta, entry.pending_delta, entry.idempotency_key,
        entry.action, entry.reference, entry.order_saleor_id, entry.order_line_saleor_id,
    ]  # fmt: skip


def _lot_params(lot: Lot) -> list[Any]:
    base = connection.ops.adapt_decimalfield_value(lot.base_amount, 20, 3)
    return [
        lot.account_id, lot.source, lot.status, lot.points, lot.remaining, lot.consumed, lot.expired,
        lot.reversed, lot.reversal_applied, lot.clawed_back, base, lot.order_saleor_id,
        lot.order_line_saleor_id, lot.line_quantity, _dt(lot.earned_at), _dt(lot.release_at),
        _dt(lot.released_at), _dt(lot.expires_at), _dt(lot.expiry_notified_at),
    ]  # fmt: skip


_LOT_INSERT = f"INSERT INTO {_LOT} ({_names(_LOT_COLUMNS)}) VALUES ({_marks(len(_LOT_COLUMNS))})"
_ENTRY_INSERT = f"INSERT INTO {_ENTRY} ({_names(_ENTRY_COLUMNS)})"
_BALANCE_UPDATE = (
    f'UPDATE {_ACCOUNT} SET "available_points" = "available_points" + %s, '
    '"pending_points" = "pending_points" + %s, "updated_at" = %s WHERE "id" = %s'
)


def _take_update(plan: list[tuple[int, int]]) -> tuple[str, list[Any]]:
    """One UPDATE consuming the planned points of each lot (a lot emptied by it becomes consumed)."""
    taken = 'CASE "id" ' + " ".join("WHEN %s THEN %s" for _ in plan) + " END"
    pairs = [value for lot_id, take in plan for value in (lot_id, take)]
    ids = [lot_id for lot_id, _ in plan]
    sql = (
        f'UPDATE {_LOT} SET "remaining" = "remaining" - {taken}, "consumed" = "consumed" + {taken}, '
        f'"status" = CASE WHEN "remaining" = {taken} THEN %s ELSE "status" END '
        f'WHERE "id" IN ({_marks(len(ids))})'
    )
    return sql, [*pairs, *pairs, *pairs, LotStatus.CONSUMED.value, *ids]


def _record(
    account: Account,
    entry: LedgerEntry,
    *,
    new_lot: Lot | None = None,
    plan: list[tuple[int, int]] | None = None,
) -> LedgerEntry:
    """Write one ledger entry with what goes with it: the new lot it creates, the change of the cached balance,
    the lots it consumes (`plan`: [(lot id, points)]) and their provenance rows.

    PostgreSQL: one statement (data-modifying CTEs); elsewhere the same statements one after the other.
    The PostgreSQL statement writes nothing if an entry with the same key exists (checked with the statement's
    own snapshot, taken after the account lock was granted, so a concurrent same-key writer that held the lock
    is seen); the entry already written is returned then.
    """
    available, pending = entry.available_delta, entry.pending_delta
    before = (account.available_points, account.pending_points, account.updated_at)
    account.available_points += available
    account.pending_points += pending
    account.updated_at = timezone.now()
    balance = [available, pending, _dt(account.updated_at), account.pk]
    entry_params = _entry_params(entry)
    entry_values = _marks(len(_ENTRY_COLUMNS) - 1)
    if connection.vendor == "postgresql":
        unwritten = f'NOT EXISTS (SELECT 1 FROM {_ENTRY} WHERE "account_id" = %s AND "idempotency_key" = %s)'
        key = [account.pk, entry.idempotency_key]
        parts, params = [], []
        if new_lot is not None:
            parts.append(
                f"l AS (INSERT INTO {_LOT} ({_names(_LOT_COLUMNS)}) SELECT {_marks(len(_LOT_COLUMNS))} "
                f'WHERE {unwritten} RETURNING "id")'
            )
            params += [*_lot_params(new_lot), *key]
            parts.append(f'e AS ({_ENTRY_INSERT} SELECT {entry_values}, l."id" FROM l RETURNING "id")')
            params += entry_params
        else:
            parts.append(f'e AS ({_ENTRY_INSERT} SELECT {entry_values}, %s WHERE {unwritten} RETURNING "id")')
            params += [*entry_params, entry.lot_id, *key]
        written = " AND EXISTS (SELECT 1 FROM e)"
        if available or pending:
            parts.append(f"a AS ({_BALANCE_UPDATE}{written})")
            params += balance
        if plan:
            take_sql, take_params = _take_update(plan)
            parts.append(f"t AS ({take_sql}{written})")
            params += take_params
            rows = ", ".join("(%s::bigint, %s::integer)" for _ in plan)
            parts.append(
                f'x AS (INSERT INTO {_ALLOCATION} ("entry_id", "lot_id", "points", "restored") '
                f'SELECT e."id", v.lot_id, v.points, 0 FROM e, (VALUES {rows}) AS v (lot_id, points))'
            )
            params += [value for lot_id, take in plan for value in (lot_id, take)]
        select = 'SELECT e."id", l."id" FROM e, l' if new_lot is not None else 'SELECT e."id", NULL FROM e'
        rows_back = _execute(f"WITH {', '.join(parts)} {select}", params)
        if not rows_back:
            account.available_points, account.pending_points, account.updated_at = before
            return LedgerEntry.objects.get(account_id=account.pk, idempotency_key=entry.idempotency_key)
        entry.pk, lot_id = rows_back[0]
        if new_lot is not None:
            new_lot.pk = lot_id
    else:
        if new_lot is not None:
            new_lot.pk = _execute(f'{_LOT_INSERT} RETURNING "id"', _lot_params(new_lot))[0][0]
            entry.lot_id = new_lot.pk
        entry.pk = _execute(
            f'{_ENTRY_INSERT} VALUES ({entry_values}, %s) RETURNING "id"', [*entry_params, entry.lot_id]
        )[0][0]
        if available or pending:
            _execute(_BALANCE_UPDATE, balance)
        if plan:
            _execute(*_take_update(plan))
            _execute(
                f'INSERT INTO {_ALLOCATION} ("entry_id", "lot_id", "points", "restored") VALUES '
                + ", ".join("(%s, %s, %s, 0)" for _ in plan),
                [value for lot_id, take in plan for value in (entry.pk, lot_id, take)],
            )
    if new_lot is not None:
        new_lot._state.adding = False
        entry.lot = new_lot
    entry._state.adding = False
    return entry


_REDEEM_SQL = (
    # The FEFO plan in SQL (policies.fefo's order; the first FEFO_BATCH lots), then, only when it covers the
    # points and the key is unwritten (this statement's snapshot is taken after the lock was granted): the
    # entry, the balance, the consumed lots and their provenance. Every part sees the lots as they were.
    'WITH f AS (SELECT "id", "remaining", SUM("remaining") OVER ('
    'ORDER BY ("expires_at" IS NULL), "expires_at", "earned_at", "id") AS "upto" '
    f'FROM {_LOT} WHERE "account_id" = %s AND "status" = %s AND "remaining" > 0 '
    'ORDER BY ("expires_at" IS NULL), "expires_at", "earned_at", "id" LIMIT %s), '
    'plan AS (SELECT "id", LEAST("remaining", %s - ("upto" - "remaining")) AS "take", "upto" FROM f '
    'WHERE "upto" - "remaining" < %s), '
    'ok AS (SELECT 1 WHERE (SELECT COALESCE(SUM("take"), 0) FROM plan) = %s '
    f'AND NOT EXISTS (SELECT 1 FROM {_ENTRY} WHERE "account_id" = %s AND "idempotency_key" = %s)), '
    f'e AS ({_ENTRY_INSERT} SELECT {_marks(len(_ENTRY_COLUMNS) - 1)}, NULL FROM ok RETURNING "id"), '
    f"b AS ({_BALANCE_UPDATE} AND EXISTS (SELECT 1 FROM e)), "
    f'c AS (UPDATE {_LOT} l SET "remaining" = l."remaining" - plan."take", '
    '"consumed" = l."consumed" + plan."take", '
    '"status" = CASE WHEN l."remaining" = plan."take" THEN %s ELSE l."status" END '
    'FROM plan WHERE l."id" = plan."id" AND EXISTS (SELECT 1 FROM e)), '
    f'x AS (INSERT INTO {_ALLOCATION} ("entry_id", "lot_id", "points", "restored") '
    'SELECT e."id", plan."id", plan."take", 0 FROM e, plan ORDER BY plan."upto") '
    'SELECT e."id" FROM e'
)


def redeem_fefo(
    account: Account,
    points: int,
    *,
    key: str,
    actor: Actor,
    reference: str = "",
    order_saleor_id: str = "",
) -> LedgerEntry | None:
    """`consume` in one statement (PostgreSQL) for an account with no lot past its expiry (Locked.lots_past_due)
    and a checked balance. None when it wrote nothing (another backend, the first FEFO_BATCH lots do not cover
    `points`, or the key was written meanwhile): the caller takes the general path then."""
    if connection.vendor != "postgresql":
        return None
    entry = LedgerEntry(
        created_at=timezone.now(),
        installation_id=account.installation_id,
        account=account,
        type=EntryKind.REDEEM,
        points=-points,
        available_delta=-points,
        pending_delta=0,
        idempotency_key=key,
        reference=reference,
        order_saleor_id=order_saleor_id,
        data=_EMPTY_DATA,
        **actor.as_record(),
    )
    updated = timezone.now()
    rows = _execute(
        _REDEEM_SQL,
        [
            account.pk, LotStatus.AVAILABLE.value, FEFO_BATCH, points, points, points, account.pk, key,
            *_entry_params(entry), -points, 0, _dt(updated), account.pk, LotStatus.CONSUMED.value,
        ],
    )  # fmt: skip
    if not rows:
        return None
    entry.pk = rows[0][0]
    entry._state.adding = False
    account.available_points -= points
    account.updated_at = updated
    return entry


def _bump_balance(account: Account, *, available: int, pending: int) -> None:
    """Add to the cached balance (relative, under the lock) and keep the in-memory row in step."""
    account.available_points += available
    account.pending_points += pending
    account.updated_at = timezone.now()
    _execute(_BALANCE_UPDATE, [available, pending, _dt(account.updated_at), account.pk])


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
    new_lot: bool = False,
    plan: list[tuple[int, int]] | None = None,
) -> LedgerEntry:
    """One entry (and, with `new_lot`, the lot it creates; with `plan`, the lots it consumes)."""
    entry = LedgerEntry(
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
        lot=None if new_lot else lot,
        note=note,
        data=data or _EMPTY_DATA,
        **actor.as_record(),
    )
    return _record(account, entry, new_lot=lot if new_lot else None, plan=plan)


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
    lot = Lot(
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
        new_lot=True,
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
    """Many pending purchase lots at once (one order's lines): one statement on PostgreSQL (3 elsewhere) whatever
    the number of lines.

    Each item: key, points, base_amount, order_saleor_id, order_line_saleor_id, line_quantity, reference. The caller
    has checked the keys under the lock; the unique (account, key) constraint still guards against duplicates.
    """
    if not items:
        return []
    lots = [
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
    lot_row = f"({_marks(len(_LOT_COLUMNS))})"
    lot_insert = f"INSERT INTO {_LOT} ({_names(_LOT_COLUMNS)}) VALUES {', '.join([lot_row] * len(lots))}"
    lot_params = [value for lot in lots for value in _lot_params(lot)]
    record = actor.as_record()
    created = timezone.now()
    entries = [
        LedgerEntry(
            created_at=created,
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
            data=_EMPTY_DATA,
            **record,
        )
        for item, lot in zip(items, lots, strict=True)
    ]
    pending = sum(item["points"] for item in items)
    # RETURNING order is not guaranteed: new ids are mapped back by order line and by key.
    if connection.vendor == "postgresql":
        # One statement: the lots, their entries (each joined to its lot by order line) and the balance.
        params = _entry_params(entries[0])
        per_row = {"points", "pending_delta", "idempotency_key", "reference", "order_line_saleor_id"}
        shared = ", ".join(
            'l."points"' if c in ("points", "pending_delta") else
            'v."key"' if c == "idempotency_key" else
            'v."reference"' if c == "reference" else
            'l."order_line_saleor_id"' if c == "order_line_saleor_id" else "%s"
            for c in _ENTRY_COLUMNS[:-1]
        )  # fmt: skip
        shared_params = [
            value for column, value in zip(_ENTRY_COLUMNS, params, strict=False) if column not in per_row
        ]
        keyed = ", ".join(["(%s, %s, %s)"] * len(entries))
        account.pending_points += pending
        account.updated_at = timezone.now()
        rows = _execute(
            f'WITH l AS ({lot_insert} RETURNING "id", "points", "order_line_saleor_id"), '
            f'e AS ({_ENTRY_INSERT} SELECT {shared}, l."id" FROM l JOIN (VALUES {keyed}) '
            'AS v ("line", "key", "reference") ON v."line" = l."order_line_saleor_id" '
            'RETURNING "id", "idempotency_key"), '
            f"b AS ({_BALANCE_UPDATE}) "
            'SELECT 0, "id", "order_line_saleor_id" FROM l UNION ALL SELECT 1, "id", "idempotency_key" FROM e',
            [
                *lot_params,
                *shared_params,
                *[v for e in entries for v in (e.order_line_saleor_id, e.idempotency_key, e.reference)],
                0,
                pending,
                _dt(account.updated_at),
                account.pk,
            ],
        )
        lot_ids = {name: pk for kind, pk, name in rows if kind == 0}
        entry_ids = {name: pk for kind, pk, name in rows if kind == 1}
    else:
        returned = _execute(f'{lot_insert} RETURNING "id", "order_line_saleor_id"', lot_params)
        lot_ids = {line_id: pk for pk, line_id in returned}
        for entry, lot in zip(entries, lots, strict=True):
            entry.lot_id = lot_ids[lot.order_line_saleor_id]
        entry_row = f"({_marks(len(_ENTRY_COLUMNS))})"
        returned = _execute(
            f'{_ENTRY_INSERT} VALUES {", ".join([entry_row] * len(entries))} RETURNING "id", "idempotency_key"',
            [value for entry in entries for value in (*_entry_params(entry), entry.lot_id)],
        )
        entry_ids = {key: pk for pk, key in returned}
        _bump_balance(account, available=0, pending=pending)
    for entry, lot in zip(entries, lots, strict=True):
        lot.pk = lot_ids[lot.order_line_saleor_id]
        lot._state.adding = False
        entry.lot = lot
        entry.pk = entry_ids[entry.idempotency_key]
        entry._state.adding = False
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
    return _write(
        account,
        kind,
        key,
        actor=actor,
        available=0 if kind == EntryKind.DEBT_SETTLED else -points,
        reference=reference,
        order_saleor_id=order_saleor_id,
        note=note,
        data={"points": points} if kind == EntryKind.DEBT_SETTLED else None,
        plan=plan,
    )


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
    return _write(
        account,
        EntryKind.DEBT_SETTLED,
        f"debt:{count + 1}",
        actor=actor,
        data={"points": surplus},
        note="New points paid off a negative balance.",
        plan=policies.take_in_order([(row[0], row[1]) for row in rows], surplus),
    )


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
