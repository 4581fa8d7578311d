"""Rollups: incremental refresh, idempotency, and agreement with a direct SQL computation on generated data."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from saleor_aftersales.insights import selectors
from saleor_aftersales.insights.models import DailyReasonRollup, DailyRollup, RollupState
from saleor_aftersales.insights.rollups import refresh_rollups
from saleor_aftersales.returns.models import ReturnRequest

from .factories import at, order, return_request

NOW = at(28, 12)
STATUSES = ["requested", "approved", "rejected", "in_transit", "received", "resolved", "cancelled"]
REASONS = [
    ("quality-defect", "quality"),
    ("wrong-size", "no_reason"),
    ("wrong-item", "logistics"),
    ("other", "other"),
]


def _overview(installation, start: date, end: date, **filters):
    with time_machine.travel(NOW, tick=False):
        cleaned = selectors.clean_filters(installation, start=start, end=end, today=NOW.date(), **filters)
        return selectors.overview(installation, cleaned)


def test_incremental_refresh_sees_changes_and_only_touched_days(installation):
    with time_machine.travel(at(3), tick=False):
        o, (line,) = order(installation, lines=[("V1", "P1", "C1", "10.00", 5)], fulfilled_at=at(2, 9))
        request = return_request(
            installation,
            o,
            created_at=at(3),
            status="requested",
            lines=[(line, 2, "wrong-size", "no_reason", 0)],
        )
    with time_machine.travel(at(4), tick=False):
        first = refresh_rollups(installation)
    assert first.last_days_recomputed == 3  # 11-02 .. 11-04
    assert _overview(installation, date(2026, 11, 1), date(2026, 11, 27))["totals"]["returned_units"] == 0

    with time_machine.travel(at(5), tick=False):
        ReturnRequest.objects.filter(pk=request.pk).update(status="approved", updated_at=at(5))
        request.lines.update(approved_quantity=2)
    with time_machine.travel(at(6), tick=False):
        second = refresh_rollups(installation)
    data = _overview(installation, date(2026, 11, 1), date(2026, 11, 27))

    assert second.last_days_recomputed == 1  # only the request's day
    assert data["totals"]["returned_units"] == 2
    assert data["totals"]["return_rate"] == pytest.approx(0.4)
    assert RollupState.objects.get(installation=installation).refreshed_at == at(6)


def test_refresh_twice_gives_the_same_rows(installation):
    o, (line,) = order(installation, lines=[("V1", "P1", "C1", "10.00", 5)], fulfilled_at=at(2, 9))
    return_request(
        installation, o, created_at=at(3), status="approved", lines=[(line, 1, "wrong-size", "no_reason", 1)]
    )
    with time_machine.travel(at(4), tick=False):
        refresh_rollups(installation)
        snapshot = sorted(
            DailyReasonRollup.objects.values_list("grain", "day", "returned_units", "requested_units")
        )
        refresh_rollups(installation, full=True)

    assert (
        sorted(DailyReasonRollup.objects.values_list("grain", "day", "returned_units", "requested_units"))
        == snapshot
    )
    # total + variant rows, on the shipping day and on the day of the return request
    assert DailyRollup.objects.filter(installation=installation).count() == 4


def test_other_installations_are_not_counted(installation):
    from saleor_aftersales.installations.models import Installation

    other = Installation.objects.create(
        saleor_api_url="https://other.example.com/graphql/", app_id="x", auth_token="t"
    )
    order(other, lines=[("V9", "P9", "C9", "10.00", 7)], fulfilled_at=at(2, 9))
    order(installation, lines=[("V1", "P1", "C1", "10.00", 5)], fulfilled_at=at(2, 9))
    with time_machine.travel(at(4), tick=False):
        refresh_rollups(installation)
        refresh_rollups(other)

    assert _overview(installation, date(2026, 11, 1), date(2026, 11, 3))["totals"]["fulfilled_units"] == 5


def _generate(installation, seed: int = 7):
    rng = random.Random(seed)
    variants = [(f"V{i}", f"P{i // 2}", f"C{i % 3}") for i in range(8)]
    for n in range(40):
        picked = rng.sample(variants, rng.randint(1, 3))
        shipped = at(rng.randint(1, 20), rng.randint(0, 23))
        o, lines = order(
            installation,
            lines=[(v, p, c, f"{rng.randint(5, 80)}.00", rng.randint(1, 6)) for v, p, c in picked],
            fulfilled_at=shipped,
            channel=rng.choice(["web", "cn"]),
        )
        for _ in range(rng.randint(0, 2)):
            status = rng.choice(STATUSES)
            chosen = rng.sample(lines, rng.randint(1, len(lines)))
            specs = []
            for line in chosen:
                qty = rng.randint(1, line.quantity)
                code, category = rng.choice(REASONS)
                approved = 0 if status in ("requested", "rejected") else rng.randint(0, qty)
                specs.append((line, qty, code, category, approved))
            return_request(
                installation, o, created_at=shipped + timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 23)),
                status=status, lines=specs, refund_amount=Decimal(rng.randint(0, 200)),
                decided_after_hours=rng.choice([None, 2, 30]),
            )  # fmt: skip


SQL_FULFILLED = """
SELECT COALESCE(SUM(ol.quantity_fulfilled), 0)
FROM orders_orderline ol JOIN orders_order o ON o.id = ol.order_id
WHERE o.installation_id = %s AND ol.variant_id LIKE %s AND o.channel_slug LIKE %s
  AND (SELECT MIN(f.fulfilled_at) FROM orders_fulfillmentline fl JOIN orders_fulfillment f ON f.id = fl.fulfillment_id
       WHERE fl.order_line_id = ol.id AND f.status = 'FULFILLED') >= %s
  AND (SELECT MIN(f.fulfilled_at) FROM orders_fulfillmentline fl JOIN orders_fulfillment f ON f.id = fl.fulfillment_id
       WHERE fl.order_line_id = ol.id AND f.status = 'FULFILLED') < %s
"""
SQL_RETURNED = """
SELECT COALESCE(SUM(rl.approved_quantity), 0)
FROM returns_returnline rl JOIN returns_returnrequest r ON r.id = rl.request_id
JOIN orders_orderline ol ON ol.id = rl.order_line_id
WHERE r.installation_id = %s AND ol.variant_id LIKE %s AND r.channel_slug LIKE %s
  AND r.created_at >= %s AND r.created_at < %s AND r.status NOT IN ('requested', 'rejected', 'cancelled')
"""
SQL_REQUESTED = """
SELECT COALESCE(SUM(rl.quantity), 0)
FROM returns_returnline rl JOIN returns_returnrequest r ON r.id = rl.request_id
JOIN orders_orderline ol ON ol.id = rl.order_line_id
WHERE r.installation_id = %s AND ol.variant_id LIKE %s AND r.channel_slug LIKE %s
  AND r.created_at >= %s AND r.created_at < %s AND r.status <> 'cancelled'
"""


def _sql_rate(installation, start: date, end: date, variant: str = "%", channel: str = "%"):
    adapt = connection.ops.adapt_datetimefield_value  # SQLite compares stored text; match its format
    since = adapt(at(start.day, month=start.month))
    until = adapt(at(end.day, month=end.month) + timedelta(days=1))
    with connection.cursor() as cursor:
        cursor.execute(SQL_FULFILLED, [installation.pk, variant, channel, since, until])
        fulfilled = cursor.fetchone()[0]
        args = [installation.pk, variant, channel, since, until]
        cursor.execute(SQL_RETURNED, args)
        returned = cursor.fetchone()[0]
        cursor.execute(SQL_REQUESTED, args)
        requested = cursor.fetchone()[0]
    return fulfilled, returned, requested


@pytest.mark.parametrize(
    "start,end,variant,channel",
    [
        (date(2026, 11, 1), date(2026, 11, 27), "", ""),
        (date(2026, 11, 5), date(2026, 11, 15), "", "web"),
        (date(2026, 11, 1), date(2026, 11, 27), "V3", ""),
        (date(2026, 11, 8), date(2026, 11, 20), "V5", "cn"),
    ],
)
def test_rates_agree_with_direct_sql(installation, start, end, variant, channel):
    _generate(installation)
    with time_machine.travel(NOW, tick=False):
        refresh_rollups(installation)

    data = _overview(installation, start, end, variant_id=variant, channel=channel)
    fulfilled, returned, requested = _sql_rate(installation, start, end, variant or "%", channel or "%")

    assert fulfilled > 0 and requested > 0  # the generated set exercises the filter
    assert data["totals"]["fulfilled_units"] == fulfilled
    assert data["totals"]["returned_units"] == returned
    assert data["totals"]["requested_units"] == requested
    assert data["totals"]["return_rate"] == pytest.approx(returned / fulfilled)


@pytest.mark.postgres_only
def test_a_second_refresh_skips_while_one_runs(transactional_db, installation):
    import threading

    from django.db import connections, transaction

    order(installation, lines=[("V1", "P1", "C1", "10.00", 5)], fulfilled_at=at(2, 9))
    refresh_rollups(installation)
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        with transaction.atomic():
            RollupState.objects.select_for_update().get(installation=installation)
            locked.set()
            release.wait(10)
        connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    locked.wait(10)
    try:
        skipped = refresh_rollups(installation, full=True)
    finally:
        release.set()
        holder.join()

    assert skipped is None
    assert DailyRollup.objects.filter(installation=installation).count() == 2
    assert refresh_rollups(installation, full=True) is not None


def _generate_rich(installation, seed: int = 11):
    """Orders with supplier attributes, partial fulfillments and settled requests paying refunds and credit."""
    from saleor_aftersales.insights.models import InsightsSettings

    InsightsSettings.objects.create(
        installation=installation,
        supplier_attribute="supplier",
        defect_reason_categories=["quality", "logistics"],
    )
    rng = random.Random(seed)
    variants = [
        (f"V{i}", f"P{i // 2}", f"C{i % 3}", {"supplier": [f"s{i % 3}"]} if i % 4 else {}) for i in range(8)
    ]
    for _n in range(30):
        picked = rng.sample(variants, rng.randint(1, 4))
        shipped = at(rng.randint(1, 20), rng.randint(0, 23))
        o, lines = order(
            installation,
            lines=[(v, p, c, f"{rng.randint(5, 80)}.{rng.choice(['00', '33', '99'])}", rng.randint(1, 6), attrs)
                   for v, p, c, attrs in picked],
            fulfilled_at=shipped,
            channel=rng.choice(["web", "cn"]),
        )  # fmt: skip
        for _ in range(rng.randint(0, 3)):
            status = rng.choice(STATUSES)
            chosen = rng.sample(lines, rng.randint(1, len(lines)))
            specs = []
            for line in chosen:
                qty = rng.randint(1, line.quantity)
                code, category = rng.choice(REASONS)
                approved = 0 if status in ("requested", "rejected") else rng.randint(0, qty)
                specs.append((line, qty, code, category, approved))
            return_request(
                installation, o, created_at=shipped + timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 23)),
                status=status, lines=specs, resolution=rng.choice(["refund", "store_credit", "exchange"]),
                refund_amount=Decimal(rng.randint(0, 20000)) / 100, store_credit_amount=Decimal(rng.randint(0, 999)) / 7,
                decided_after_hours=rng.choice([None, 0.5, 2, 30, 200]),
                received_after_hours=rng.choice([None, 48, 96]), resolved_after_hours=rng.choice([None, 1, 100, 2000]),
                auto_approved=rng.random() < 0.3,
            )  # fmt: skip


def _rows(model):
    skip = {"id"}
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
    return sorted(
        (tuple(str(getattr(row, n)) if n.endswith(("amount", "revenue")) else getattr(row, n) for n in names)
         for row in model.objects.all()),
        key=repr,
    )  # fmt: skip


@pytest.mark.postgres_only
def test_sql_rebuild_matches_the_python_rebuild_row_for_row(installation):
    from saleor_aftersales.insights.rollups import rebuild_days

    _generate_rich(installation)
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(28)]
    with time_machine.travel(NOW, tick=False):
        rebuild_days(installation, days, engine="python")
        python_facts, python_reasons = _rows(DailyRollup), _rows(DailyReasonRollup)
        rebuild_days(installation, days, engine="sql")
        sql_facts, sql_reasons = _rows(DailyRollup), _rows(DailyReasonRollup)

    assert len(python_facts) > 100 and len(python_reasons) > 100
    assert any(row for row in python_facts if "s1" in row)  # the supplier dimension is exercised
    # Refunds split over lines with fractions of a cent (the rounding and remainder rules are exercised).
    assert any(r % Decimal("0.01") for r in DailyRollup.objects.values_list("refund_amount", flat=True))
    assert DailyRollup.objects.filter(store_credit_amount__gt=0, grain="variant").count() > 5
    assert sql_facts == python_facts
    assert sql_reasons == python_reasons


SQL_REQUEST_FIGURES = """
SELECT COUNT(*),
       COALESCE(SUM(CASE WHEN r.status NOT IN ('requested', 'rejected') THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.status = 'rejected' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.status = 'resolved' THEN r.refund_amount ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN r.status = 'resolved' THEN r.store_credit_amount ELSE 0 END), 0)
FROM returns_returnrequest r
WHERE r.installation_id = %s AND r.created_at >= %s AND r.created_at < %s AND r.status <> 'cancelled'
"""
SQL_REVENUE = """
SELECT COALESCE(SUM(ol.unit_price_gross * ol.quantity_fulfilled), 0)
FROM orders_orderline ol JOIN orders_order o ON o.id = ol.order_id
WHERE o.installation_id = %s AND o.fulfilled_at >= %s AND o.fulfilled_at < %s
"""
SQL_DEFECTS = """
SELECT COALESCE(SUM(rl.quantity), 0)
FROM returns_returnline rl JOIN returns_returnrequest r ON r.id = rl.request_id
WHERE r.installation_id = %s AND r.created_at >= %s AND r.created_at < %s AND r.status <> 'cancelled'
  AND rl.reason_category IN ('quality', 'logistics')
"""


@pytest.mark.parametrize(
    "start,end", [(date(2026, 11, 1), date(2026, 11, 27)), (date(2026, 11, 6), date(2026, 11, 12))]
)
def test_money_requests_and_defects_agree_with_direct_sql(installation, start, end):
    from saleor_aftersales.core.money import quantize

    _generate_rich(installation)
    with time_machine.travel(NOW, tick=False):
        refresh_rollups(installation)
    adapt = connection.ops.adapt_datetimefield_value
    args = [installation.pk, adapt(at(start.day)), adapt(at(end.day) + timedelta(days=1))]
    with connection.cursor() as cursor:
        cursor.execute(SQL_REQUEST_FIGURES, args)
        requests, approved, rejected, refunds, credit = cursor.fetchone()
        cursor.execute(SQL_REVENUE, args)
        (revenue,) = cursor.fetchone()
        cursor.execute(SQL_DEFECTS, args)
        (defects,) = cursor.fetchone()

    data = _overview(installation, start, end)
    (usd,) = data["money"]
    assert requests > 5 and refunds > 0 and credit > 0  # the generated set exercises every figure
    assert (data["totals"]["requests"], data["totals"]["approved_requests"]) == (requests, approved)
    assert data["totals"]["rejected_requests"] == rejected
    assert usd["refund_amount"] == quantize(refunds, "USD")
    assert usd["store_credit_amount"] == quantize(credit, "USD")
    assert usd["revenue"] == quantize(revenue, "USD")
    assert usd["refund_share_of_revenue"] == pytest.approx(float(Decimal(refunds) / Decimal(revenue)))
    assert (
        sum(
            p["defect_units"]
            for p in selectors.product_table(installation, _filters(installation, start, end))
        )
        == defects
    )


def _filters(installation, start, end):
    return selectors.clean_filters(installation, start=start, end=end, today=NOW.date())
