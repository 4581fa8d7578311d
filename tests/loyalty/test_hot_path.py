"""Acceptance point 10 (guard): the earn and redeem hot paths stay at a constant, small number of statements,
whatever the account's history, and still keep the cached balance equal to the ledger."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_aftersales.core.actors import Actor
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.loyalty import actions
from saleor_aftersales.loyalty.models import Account, LedgerEntry, Lot
from saleor_aftersales.notifications.models import Notification
from saleor_aftersales.orders.models import OrderLine

from .factories import CHANNEL, CUSTOMER_ID, EMAIL, NOW, fulfill, gid, make_order, make_programme
from .invariants import assert_ledger_consistent

SYSTEM = Actor.system("test")


def statements(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.parametrize("history", [1, 60])
def test_earn_and_redeem_statements_are_constant(installation, history):
    make_programme(installation, survey_completed_points=10)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )

    def earn(n):
        return actions.award_action_points(
            installation=installation,
            customer_email=EMAIL,
            customer_user_id=CUSTOMER_ID,
            action="survey_completed",
            reference=f"s-{n}",
            actor=SYSTEM,
            channel_slug=CHANNEL,
        )

    for n in range(history):
        earn(n)
        actions.redeem_points(account=account, points=3, idempotency_key=f"h-{n}", actor=SYSTEM)

    earn_sql = statements(lambda: earn("x"))
    redeem_sql = statements(
        lambda: actions.redeem_points(account=account, points=15, idempotency_key="r-x", actor=SYSTEM)
    )
    again_sql = statements(lambda: earn("x"))  # a re-delivery: the locked read finds the entry

    # PostgreSQL: one locked read, one write statement (entry + lot + balance, or FEFO plan + entry + balance +
    # lots + provenance); SQLite reads the lots FEFO and runs the same writes as separate statements.
    if connection.vendor == "postgresql":
        assert (len(earn_sql), len(redeem_sql)) == (2, 2), (earn_sql, redeem_sql)
    else:
        assert (len(earn_sql), len(redeem_sql)) == (4, 6), (earn_sql, redeem_sql)
    assert len(again_sql) == 2
    account.refresh_from_db()
    assert account.available_points == history * 7 + 10 - 15
    assert_ledger_consistent(account)


def _tiered_programme(installation):
    programme = make_programme(installation)
    for code, threshold, multiplier in (("base", 0, "1.5"), ("gold", 1000, "2")):
        actions.save_tier(
            programme=programme,
            code=code,
            values={
                "name_en": code,
                "name_zh_hans": code,
                "threshold": Decimal(threshold),
                "multiplier": Decimal(multiplier),
            },
        )
    actions.set_earn_rule(
        programme=programme, scope="category", target_id=gid("Category", 1), multiplier=Decimal("3")
    )
    return programme


def test_first_paid_order_of_a_new_customer_opens_the_account_in_few_statements(installation):
    _tiered_programme(installation)
    order = make_order(
        installation,
        lines=((Decimal("10.00"), 1), (Decimal("20.00"), 1), (Decimal("30.00"), 1)),
        category_id=gid("Category", 1),
    )

    sql = statements(lambda: actions.earn_for_order(order=order, actor=SYSTEM, now=NOW))

    account = Account.objects.get(installation=installation, email=EMAIL)
    assert account.user_id == CUSTOMER_ID
    # base tier (threshold 0) x1.5 and the category rule x3 on each line: 45 + 90 + 135.
    assert account.pending_points == 270
    assert sorted(Lot.objects.filter(account=account).values_list("points", flat=True)) == [45, 90, 135]
    assert_ledger_consistent(account)
    # lock by user id (none), programme + new account, lines, rules + tiers, lots + entries + balance,
    # notification, merchant webhook endpoints; SQLite reads the programme and creates the account apart and
    # writes lots, entries and the balance separately.
    expected = 7 if connection.vendor == "postgresql" else 10
    assert len(sql) == expected, sql
    # A re-delivery writes nothing.
    again = statements(lambda: actions.earn_for_order(order=order, actor=SYSTEM, now=NOW))
    assert actions.earn_for_order(order=order, actor=SYSTEM, now=NOW) == []
    assert len(again) == 3  # locked read, lines, idempotency keys
    assert Notification.objects.filter(event="loyalty_points_earned").count() == 1
    assert LedgerEntry.objects.filter(account=account).count() == 3


def test_known_member_order_statements_do_not_grow_with_history(installation):
    _tiered_programme(installation)
    actions.earn_for_order(order=make_order(installation), actor=SYSTEM, now=NOW)  # the member's first order
    counts = []
    for n in range(3):
        for _ in range(n * 10):
            actions.earn_for_order(order=make_order(installation), actor=SYSTEM, now=NOW)
        order = make_order(installation)
        counts.append(
            len(statements(lambda order=order: actions.earn_for_order(order=order, actor=SYSTEM, now=NOW)))
        )
    # Locked read (account + programme), lines, idempotency keys, rules + tiers, the rolling 12-month tier
    # amount, the write, notification, endpoints; SQLite: the write is 3 statements.
    assert counts == ([8, 8, 8] if connection.vendor == "postgresql" else [10, 10, 10])
    account = Account.objects.get(installation=installation, email=EMAIL)
    assert_ledger_consistent(account)


def test_order_under_the_email_of_a_guest_account_earns_on_that_account(installation):
    make_programme(installation)
    actions.earn_for_order(order=make_order(installation, user_id=""), actor=SYSTEM, now=NOW)
    guest = Account.objects.get(installation=installation, email=EMAIL)
    assert (guest.user_id, guest.pending_points) == ("", 100)

    actions.earn_for_order(order=make_order(installation), actor=SYSTEM, now=NOW)

    assert Account.objects.filter(installation=installation).count() == 1
    guest.refresh_from_db()
    assert (guest.user_id, guest.pending_points) == (CUSTOMER_ID, 200)
    assert_ledger_consistent(guest)


def test_no_active_programme_creates_no_account(installation):
    make_programme(installation, is_active=False)
    assert actions.earn_for_order(order=make_order(installation), actor=SYSTEM, now=NOW) == []
    assert not Account.objects.filter(installation=installation).exists()


def test_fulfilled_order_vests_when_its_window_closes(installation):
    make_programme(installation)
    order = make_order(installation, fulfilled_at=NOW)
    fulfilled = make_order(installation, email="other@example.com", user_id=gid("User", 2))
    # Fulfilled through a FULFILLED fulfillment only (the mirror's line quantities not updated yet).
    fulfill(fulfilled)
    OrderLine.objects.filter(order=fulfilled).update(quantity_fulfilled=0)

    (entry,) = actions.earn_for_order(order=order, actor=SYSTEM, now=NOW)
    (other,) = actions.earn_for_order(order=fulfilled, actor=SYSTEM, now=NOW)

    assert entry.lot.release_at == actions.release_time(order, now=NOW) is not None
    assert other.lot.release_at == actions.release_time(fulfilled, now=NOW) is not None
    unfulfilled = make_order(installation, email="third@example.com", user_id=gid("User", 3))
    (pending,) = actions.earn_for_order(order=unfulfilled, actor=SYSTEM, now=NOW)
    assert pending.lot.release_at is None


def _lot(account, points, *, expires_in_days, earned_days_ago=0):
    from saleor_aftersales.loyalty import ledger

    locked = ledger.lock_account(account.pk)
    ledger.add_lot(
        locked,
        key=f"lot:{Lot.objects.count()}",
        source="action",
        points=points,
        now=NOW - timedelta(days=earned_days_ago),
        expiry_days=expires_in_days + earned_days_ago,
        actor=SYSTEM,
    )


def test_redeem_takes_lots_first_expiring_first_and_records_which_paid(installation):
    make_programme(installation)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    for points, days in ((10, 300), (10, 30), (10, 200), (10, 30)):
        _lot(account, points, expires_in_days=days)
    order = list(
        Lot.objects.filter(account=account)
        .order_by("expires_at", "earned_at", "id")
        .values_list("id", flat=True)
    )

    entry = actions.redeem_points(account=account, points=25, idempotency_key="r", actor=SYSTEM, now=NOW)

    assert [(a.lot_id, a.points) for a in entry.allocations.order_by("id")] == [
        (order[0], 10),
        (order[1], 10),
        (order[2], 5),
    ]
    assert {lot.pk: lot.status for lot in Lot.objects.filter(account=account)} == {
        order[0]: "consumed",
        order[1]: "consumed",
        order[2]: "available",
        order[3]: "available",
    }
    assert entry.available_delta == -25 and entry.type == "redeem"
    assert_ledger_consistent(account)
    # The same key again: the first entry, nothing written.
    again = actions.redeem_points(account=account, points=25, idempotency_key="r", actor=SYSTEM, now=NOW)
    assert again.pk == entry.pk
    account.refresh_from_db()
    assert account.available_points == 15


def test_redeem_expires_past_due_lots_first_then_refuses_what_is_left_short(installation):
    make_programme(installation)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    _lot(account, 30, expires_in_days=-1, earned_days_ago=100)  # past its expiry, not swept yet
    _lot(account, 10, expires_in_days=100)

    with pytest.raises(DomainError) as error:
        actions.redeem_points(account=account, points=20, idempotency_key="r", actor=SYSTEM, now=NOW)
    assert error.value.code == "INSUFFICIENT_POINTS"

    entry = actions.redeem_points(account=account, points=10, idempotency_key="r2", actor=SYSTEM, now=NOW)
    account.refresh_from_db()
    assert (account.available_points, entry.available_delta) == (0, -10)
    assert LedgerEntry.objects.filter(account=account, type="expire").count() == 1
    assert_ledger_consistent(account)


def test_redeem_beyond_the_first_fefo_batch_of_lots(installation):
    from saleor_aftersales.loyalty import ledger

    make_programme(installation)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )
    for n in range(ledger.FEFO_BATCH + 5):
        _lot(account, 1, expires_in_days=100 + n)

    entry = actions.redeem_points(
        account=account, points=ledger.FEFO_BATCH + 3, idempotency_key="r", actor=SYSTEM, now=NOW
    )

    assert entry.allocations.count() == ledger.FEFO_BATCH + 3
    account.refresh_from_db()
    assert account.available_points == 2
    assert_ledger_consistent(account)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side prepared statements: PostgreSQL")
def test_hot_path_statements_are_prepared_on_the_server_unless_turned_off(installation, settings):
    make_programme(installation, survey_completed_points=10)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )

    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cursor.fetchall()}

    def earn_and_redeem(n):
        actions.award_action_points(
            installation=installation,
            customer_email=EMAIL,
            customer_user_id=CUSTOMER_ID,
            action="survey_completed",
            reference=f"p-{n}",
            actor=SYSTEM,
            channel_slug=CHANNEL,
        )
        actions.redeem_points(account=account, points=4, idempotency_key=f"p-{n}", actor=SYSTEM)

    before = prepared()
    earn_and_redeem(1)
    new = prepared() - before
    assert any("loyalty_allocation" in sql for sql in new)  # the redemption CTE
    assert any("FOR UPDATE OF a" in sql for sql in new)  # the locked read

    settings.LOYALTY_PREPARED_STATEMENTS = False
    unprepared = prepared()
    earn_and_redeem(2)
    assert prepared() == unprepared
    account.refresh_from_db()
    assert account.available_points == 12
    assert_ledger_consistent(account)
