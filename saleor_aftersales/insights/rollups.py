"""Daily rollups of sales and returns, refreshed incrementally by a beat task.

A refresh finds the days touched since the last watermark (orders updated, return requests created/updated, return
events written), then rebuilds each touched day from the domain tables: delete that day's rows, insert fresh ones.
Rebuilding a whole day is idempotent, so two overlapping runs or a run after a crash give the same rows; the new
watermark is taken a little before the refresh started so that a transaction committing during the refresh is
seen by the next one.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Min, Q, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform

from ..core.time import now as clock_now
from ..installations.models import Installation
from ..orders.models import Fulfillment, Order, OrderLine
from ..returns.models import Resolution, ReturnEvent, ReturnLine, ReturnRequest, ReturnStatus
from . import kpis, rollups_sql
from .models import DailyReasonRollup, DailyRollup, Grain, InsightsSettings, RollupState

logger = logging.getLogger(__name__)

WATERMARK_OVERLAP = timedelta(minutes=5)
# Fulfillments that shipped goods. Saleor moves returned/replaced units out of FULFILLED into new fulfillments;
# OrderLine.quantity_fulfilled keeps the shipped count, so we take the larger of the two.
SHIPPED_STATUS = "FULFILLED"
NOT_RETURNED = (ReturnStatus.CANCELLED,)
UNDECIDED = (ReturnStatus.REQUESTED, ReturnStatus.REJECTED, ReturnStatus.CANCELLED)
MONEY_SETTLED = (ReturnStatus.RESOLVED,)
REFUND_RESOLUTIONS = (Resolution.REFUND, Resolution.STORE_CREDIT)
DAYS_PER_PASS = 31  # Python engine (memory per pass)
SQL_DAYS_PER_PASS = 92  # SQL engine: fewer scans of the line tables
BATCH = 5000


def settings_for(installation: Installation) -> InsightsSettings:
    found = InsightsSettings.objects.filter(installation=installation).first()
    return found or InsightsSettings(installation=installation)


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return start, end


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _ranges(days: Iterable[date], longest: int = DAYS_PER_PASS) -> Iterator[tuple[date, date]]:
    """Consecutive runs of days, at most `longest` long (bounded memory per pass)."""
    ordered = sorted(set(days))
    if not ordered:
        return
    start = previous = ordered[0]
    for day in ordered[1:]:
        if day == previous + timedelta(days=1) and (day - start).days < longest:
            previous = day
            continue
        yield start, previous
        start = previous = day
    yield start, previous


def _supplier(value: object) -> str:
    """The first value of the supplier attribute (the mirror stores attributes as {slug: [value slugs]})."""
    return str(value) if value else ""


# ----------------------------------------------------------------------------------------------------- cells
@dataclass
class _FactsCell:
    """A DailyRollup row: what shipped, and what came back, of one key on one day."""

    fulfilled_units: int = 0
    order_lines: int = 0
    revenue: Decimal = Decimal("0")
    requests: int = 0
    approved_requests: int = 0
    rejected_requests: int = 0
    auto_approved_requests: int = 0
    return_lines: int = 0
    requested_units: int = 0
    returned_units: int = 0
    defect_units: int = 0
    refund_amount: Decimal = Decimal("0")
    store_credit_amount: Decimal = Decimal("0")
    decision: list[int] = field(default_factory=kpis.empty_histogram)
    receipt: list[int] = field(default_factory=kpis.empty_histogram)
    refund: list[int] = field(default_factory=kpis.empty_histogram)
    names: tuple[str, ...] = ()


@dataclass
class _BreakdownCell:
    """A DailyReasonRollup row: return lines of one key by reason and resolution."""

    requests: int = 0
    lines: int = 0
    requested_units: int = 0
    returned_units: int = 0
    refund_amount: Decimal = Decimal("0")
    store_credit_amount: Decimal = Decimal("0")
    names: tuple[str, ...] = ()


def _keys(day, channel, currency, product_id, variant_id, sku, category_id, supplier) -> tuple[tuple, tuple]:
    """The `total` and the `variant` key of a fact."""
    return (
        (Grain.TOTAL, day, channel, currency, "", "", "", "", ""),
        (Grain.VARIANT, day, channel, currency, product_id, variant_id, sku, category_id, supplier),
    )


# ----------------------------------------------------------------------------------------------------- sales
def _add_sales(
    facts: dict[tuple, _FactsCell], installation: Installation, first: date, last: date, supplier_attr: str
) -> None:
    start, end = _day_bounds(first, last)
    # Orders with a shipment in the range, by their fulfillments or (without fulfillment rows) the order's date.
    shipped_orders = Fulfillment.objects.filter(
        order__installation=installation, status=SHIPPED_STATUS, fulfilled_at__gte=start, fulfilled_at__lt=end
    ).values("order_id")
    orders = Order.objects.filter(installation=installation).filter(
        Q(pk__in=shipped_orders) | Q(fulfilled_at__gte=start, fulfilled_at__lt=end)
    )
    fields = [
        "order__channel_slug",
        "order__currency",
        "order__fulfilled_at",
        "product_id",
        "variant_id",
        "sku",
        "product_name",
        "variant_name",
        "category_id",
        "category_name",
        "quantity_fulfilled",
        "unit_price_gross",
        "first_shipped_at",
        "shipped_units",
    ]
    lines = OrderLine.objects.filter(order__in=orders).annotate(
        first_shipped_at=Min(
            "fulfillment_lines__fulfillment__fulfilled_at",
            filter=Q(fulfillment_lines__fulfillment__status=SHIPPED_STATUS),
        ),
        shipped_units=Sum(
            "fulfillment_lines__quantity", filter=Q(fulfillment_lines__fulfillment__status=SHIPPED_STATUS)
        ),
    )
    if supplier_attr:
        lines = lines.annotate(
            supplier_value=KeyTextTransform("0", KeyTransform(supplier_attr, "product_attributes"))
        )
        fields.append("supplier_value")
    for row in lines.values_list(*fields).iterator(chunk_size=BATCH):
        channel, currency, order_fulfilled_at, product_id, variant_id, sku = row[:6]
        product_name, variant_name, category_id, category_name, qty_fulfilled, price = row[6:12]
        first_shipped_at, shipped_units = row[12:14]
        supplier = _supplier(row[14]) if supplier_attr else ""
        shipped_at = first_shipped_at or order_fulfilled_at
        if shipped_at is None:
            continue
        day = _utc_day(shipped_at)
        if not first <= day <= last:
            continue
        units = max(qty_fulfilled or 0, shipped_units or 0)
        if units <= 0:
            continue
        value = (price or Decimal("0")) * units
        for key in _keys(day, channel, currency, product_id, variant_id, sku, category_id, supplier):
            cell = facts[key]
            cell.fulfilled_units += units
            cell.order_lines += 1
            cell.revenue += value
            if key[0] == Grain.VARIANT and not cell.names:
                cell.names = (product_name, variant_name, category_name)


# --------------------------------------------------------------------------------------------------- returns
_RETURN_FIELDS = [
    "request_id",
    "request__created_at",
    "request__channel_slug",
    "request__currency",
    "request__status",
    "request__resolution",
    "request__auto_approved",
    "request__decided_at",
    "request__received_at",
    "request__resolved_at",
    "request__refund_amount",
    "request__store_credit_amount",
    "quantity",
    "approved_quantity",
    "reason_code",
    "reason_category",
    "order_line__product_id",
    "order_line__variant_id",
    "order_line__sku",
    "order_line__product_name",
    "order_line__variant_name",
    "order_line__category_id",
    "order_line__category_name",
    "order_line__unit_price_gross",
]


def _hours(later: datetime | None, earlier: datetime) -> float | None:
    if later is None:
        return None
    return (later - earlier).total_seconds() / 3600


def _request_groups(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    """Rows ordered by request -> one list per request (all its lines, so refunds can be spread over them)."""
    group: list[tuple] = []
    for row in rows:
        if group and group[0][0] != row[0]:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def _add_returns(
    facts: dict[tuple, _FactsCell],
    breakdown: dict[tuple, _BreakdownCell],
    installation: Installation,
    first: date,
    last: date,
    cfg: InsightsSettings,
) -> None:
    start, end = _day_bounds(first, last)
    supplier_attr = cfg.supplier_attribute
    defect_categories = set(cfg.defect_reason_categories or ["quality"])
    fields = list(_RETURN_FIELDS)
    lines = ReturnLine.objects.filter(
        request__installation=installation, request__created_at__gte=start, request__created_at__lt=end
    ).order_by("request_id", "id")
    if supplier_attr:
        lines = lines.annotate(
            supplier_value=KeyTextTransform(
                "0", KeyTransform(supplier_attr, "order_line__product_attributes")
            )
        )
        fields.append("supplier_value")
    for group in _request_groups(lines.values_list(*fields).iterator(chunk_size=BATCH)):
        head = group[0]
        (_rid, created_at, channel, currency, status, resolution, auto_approved) = head[:7]
        decided_at, received_at, resolved_at, refund_total, credit_total = head[7:12]
        if status in NOT_RETURNED:
            continue
        day = _utc_day(created_at)
        settled = status in MONEY_SETTLED
        weights = [(row[23] or Decimal("0")) * (row[13] or row[12]) for row in group]
        refunds = kpis.allocate(refund_total if settled else Decimal("0"), weights)
        credits = kpis.allocate(credit_total if settled else Decimal("0"), weights)
        hours = (
            (kpis.bucket_of(h) if (h := _hours(decided_at, created_at)) is not None else None),
            (kpis.bucket_of(h) if (h := _hours(received_at, created_at)) is not None else None),
            (
                kpis.bucket_of(h)
                if resolution in REFUND_RESOLUTIONS and (h := _hours(resolved_at, created_at)) is not None
                else None
            ),
        )
        approved = status not in UNDECIDED
        counted: set[tuple] = set()  # a request counts once per key (on the first of its lines there)
        for index, row in enumerate(group):
            quantity, approved_quantity, reason_code, reason_category = row[12:16]
            product_id, variant_id, sku, product_name, variant_name, category_id, category_name = row[16:23]
            supplier = _supplier(row[24]) if supplier_attr else ""
            returned = approved_quantity if approved else 0
            for key in _keys(day, channel, currency, product_id, variant_id, sku, category_id, supplier):
                cell = facts[key]
                if key not in counted:
                    counted.add(key)
                    cell.requests += 1
                    cell.approved_requests += int(approved)
                    cell.rejected_requests += int(status == ReturnStatus.REJECTED)
                    cell.auto_approved_requests += int(bool(auto_approved))
                cell.return_lines += 1
                cell.requested_units += quantity
                cell.returned_units += returned
                cell.defect_units += quantity if reason_category in defect_categories else 0
                cell.refund_amount += refunds[index]
                cell.store_credit_amount += credits[index]
                for histogram, bucket in zip((cell.decision, cell.receipt, cell.refund), hours, strict=True):
                    if bucket is not None:
                        histogram[bucket] += 1
                if key[0] == Grain.VARIANT and not cell.names:
                    cell.names = (product_name, variant_name, category_name)
                split = (*key, reason_code, reason_category, resolution)
                part = breakdown[split]
                # Once per request and key (on its first line there), so resolution mixes add up to requests.
                if (*key, "breakdown") not in counted:
                    counted.add((*key, "breakdown"))
                    part.requests += 1
                part.lines += 1
                part.requested_units += quantity
                part.returned_units += returned
                part.refund_amount += refunds[index]
                part.store_credit_amount += credits[index]
                if key[0] == Grain.VARIANT and not part.names:
                    part.names = (product_name, variant_name, category_name)


def _dimensions(installation: Installation, key: tuple, names: tuple[str, ...]) -> dict:
    grain, day, channel, currency, product_id, variant_id, sku, category_id, supplier = key[:9]
    names = names or ("", "", "")
    return {
        "installation_id": installation.pk,
        "grain": str(grain),
        "day": day,
        "channel_slug": channel,
        "currency": currency,
        "product_id": product_id,
        "variant_id": variant_id,
        "sku": sku,
        "product_name": names[0][:386],
        "variant_name": names[1][:255],
        "category_id": category_id,
        "category_name": names[2][:255],
        "supplier": supplier[:255],
    }


def day_rows(installation: Installation, first: date, last: date, cfg: InsightsSettings) -> tuple[list, list]:
    """(DailyRollup rows, DailyReasonRollup rows) of the days first..last, as column dicts."""
    facts: dict[tuple, _FactsCell] = defaultdict(_FactsCell)
    breakdown: dict[tuple, _BreakdownCell] = defaultdict(_BreakdownCell)
    _add_sales(facts, installation, first, last, cfg.supplier_attribute)
    _add_returns(facts, breakdown, installation, first, last, cfg)
    sales = [
        {
            **_dimensions(installation, key, c.names),
            "fulfilled_units": c.fulfilled_units,
            "order_lines": c.order_lines,
            "revenue": c.revenue,
            "requests": c.requests,
            "approved_requests": c.approved_requests,
            "rejected_requests": c.rejected_requests,
            "auto_approved_requests": c.auto_approved_requests,
            "return_lines": c.return_lines,
            "requested_units": c.requested_units,
            "returned_units": c.returned_units,
            "defect_units": c.defect_units,
            "refund_amount": c.refund_amount,
            "store_credit_amount": c.store_credit_amount,
            "decision_hours": c.decision,
            "receipt_hours": c.receipt,
            "refund_hours": c.refund,
        }
        for key, c in facts.items()
    ]
    returns = [
        {
            **_dimensions(installation, key, c.names),
            "reason_code": key[9],
            "reason_category": key[10],
            "resolution": key[11],
            "requests": c.requests,
            "lines": c.lines,
            "requested_units": c.requested_units,
            "returned_units": c.returned_units,
            "refund_amount": c.refund_amount,
            "store_credit_amount": c.store_credit_amount,
        }
        for key, c in breakdown.items()
    ]
    return sales, returns


# --------------------------------------------------------------------------------------------------- refresh
def _insert(model, rows: list[dict]) -> None:
    """bulk_create, or COPY on PostgreSQL: a full rebuild writes about as many rows as there are return lines."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return
    from psycopg.types.json import Jsonb

    names = list(rows[0])
    fields = {f.attname: f for f in model._meta.concrete_fields}
    json_names = {n for n in names if fields[n].get_internal_type() == "JSONField"}
    columns = ", ".join(connection.ops.quote_name(fields[n].column) for n in names)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([Jsonb(row[n]) if n in json_names else row[n] for n in names])


def _sql_params(first: date, last: date, cfg: InsightsSettings) -> dict:
    start, end = _day_bounds(first, last)
    return {
        "start": start,
        "end": end,
        "settled": list(MONEY_SETTLED),
        "refund_resolutions": list(REFUND_RESOLUTIONS),
        "not_returned": list(NOT_RETURNED),
        "undecided": list(UNDECIDED),
        "rejected": ReturnStatus.REJECTED,
        "defects": list(cfg.defect_reason_categories or ["quality"]),
    }


def rebuild_days(installation: Installation, days: Iterable[date], *, engine: str | None = None) -> int:
    """Recompute the rollup rows of the given days from the domain tables; returns how many days were rebuilt.

    engine: "sql" (set-based INSERT ... SELECT, PostgreSQL; the default there) or "python" (row by row; SQLite,
    and the reference the SQL is tested against).
    """
    engine = engine or ("sql" if connection.vendor == "postgresql" else "python")
    cfg = settings_for(installation)
    count = 0
    for first, last in _ranges(days, SQL_DAYS_PER_PASS if engine == "sql" else DAYS_PER_PASS):
        with transaction.atomic():
            DailyRollup.objects.filter(installation=installation, day__gte=first, day__lte=last).delete()
            DailyReasonRollup.objects.filter(
                installation=installation, day__gte=first, day__lte=last
            ).delete()
            if engine == "sql":
                rollups_sql.insert_days(installation, first, last, cfg, params=_sql_params(first, last, cfg))
            else:
                sales, returns = day_rows(installation, first, last, cfg)
                _insert(DailyRollup, sales)
                _insert(DailyReasonRollup, returns)
        count += (last - first).days + 1
    return count


def _all_days(installation: Installation) -> set[date]:
    moments: list[datetime | None] = []
    moments += (
        Fulfillment.objects.filter(order__installation=installation, status=SHIPPED_STATUS)
        .aggregate(first=Min("fulfilled_at"))
        .values()
    )
    moments += Order.objects.filter(installation=installation).aggregate(first=Min("fulfilled_at")).values()
    moments += (
        ReturnRequest.objects.filter(installation=installation).aggregate(first=Min("created_at")).values()
    )
    known = [m for m in moments if m is not None]
    if not known:
        return set()
    first = _utc_day(min(known))
    last = _utc_day(clock_now())
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def touched_days(installation: Installation, since: datetime) -> set[date]:
    """Days whose rollup rows may have changed since `since`."""
    days: set[date] = set()
    changed_orders = Order.objects.filter(installation=installation, updated_at__gte=since)
    for moment in Fulfillment.objects.filter(order__in=changed_orders).values_list("fulfilled_at", flat=True):
        if moment:
            days.add(_utc_day(moment))
    for moment in changed_orders.values_list("fulfilled_at", flat=True):
        if moment:
            days.add(_utc_day(moment))
    changed_requests = ReturnRequest.objects.filter(installation=installation).filter(
        Q(updated_at__gte=since)
        | Q(pk__in=ReturnEvent.objects.filter(created_at__gte=since).values("request_id"))
    )
    for moment in changed_requests.values_list("created_at", flat=True):
        days.add(_utc_day(moment))
    return days


def refresh_rollups(installation: Installation, *, full: bool = False) -> RollupState | None:
    """Bring the rollups of one installation up to date (the beat task calls this; safe to run twice).

    One refresh per installation at a time: the state row is locked for the whole refresh, and a refresh that finds
    it locked returns None at once (the running one covers its changes, or the next beat does) — two interleaved
    delete + insert of the same day would otherwise double its rows.
    """
    RollupState.objects.get_or_create(installation=installation)
    with transaction.atomic():
        state = (
            RollupState.objects.select_for_update(skip_locked=True).filter(installation=installation).first()
        )
        if state is None:
            logger.info(
                "insights rollups: a refresh is already running", extra={"installation": installation.pk}
            )
            return None
        started = clock_now()
        timer = time.perf_counter()
        if full or state.watermark is None:
            days = _all_days(installation)
            DailyRollup.objects.filter(installation=installation).delete()
            DailyReasonRollup.objects.filter(installation=installation).delete()
        else:
            days = touched_days(installation, state.watermark)
        rebuilt = rebuild_days(installation, days)
        state.watermark = started - WATERMARK_OVERLAP
        state.refreshed_at = clock_now()
        state.last_days_recomputed = rebuilt
        state.last_duration_ms = int((time.perf_counter() - timer) * 1000)
        state.save()
    logger.info(
        "insights rollups refreshed",
        extra={"installation": installation.pk, "days": rebuilt, "ms": state.last_duration_ms},
    )
    return state
