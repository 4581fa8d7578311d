"""Reads of insights: the KPI overview (from the rollups), product tables, alerts, simulations.

`overview(installation, filters, now=)` returns plain dicts and lists (chart-ready) used by GraphQL, the CSV export
and the dashboard's Insights page alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet, Sum

from ..core.errors import DomainError, ErrorDetail
from ..core.ids import from_global_id
from ..core.money import quantize
from ..core.time import now as clock_now
from ..installations.models import Installation
from ..orders.models import OrderLine
from ..returns import reasons as return_reasons
from ..returns.models import ReturnPhoto, ReturnReason
from ..sla.models import ClockStatus, SlaClock
from . import error_codes, kpis, providers
from .models import (
    AlertStatus,
    DailyReasonRollup,
    DailyRollup,
    Grain,
    QualityAlert,
    RollupState,
    SimulationRun,
)

MAX_PERIOD_DAYS = 731
TOP_LIMIT = 10
DURATION_METRICS = ("decision", "receipt", "refund")


@dataclass(frozen=True)
class KpiFilters:
    start: date
    end: date  # inclusive
    channel: str = ""
    currency: str = ""
    product_id: str = ""
    variant_id: str = ""
    category_id: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def by_product(self) -> bool:
        return bool(self.product_id or self.variant_id or self.category_id)

    def bounds(self) -> tuple[datetime, datetime]:
        start = datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        return start, start + timedelta(days=self.days)


def clean_filters(
    installation: Installation,
    *,
    start: date | None,
    end: date | None,
    channel: str = "",
    currency: str = "",
    product_id: str = "",
    variant_id: str = "",
    category_id: str = "",
    today: date,
) -> KpiFilters:
    """Validate a KPI query: a period of 1..731 days not starting in the future; known product/variant/category."""
    problems: list[ErrorDetail] = []
    if start is None or end is None:
        problems.append(
            ErrorDetail(error_codes.INVALID_PERIOD, "Give both a start and an end date.", "start")
        )
    elif end < start:
        problems.append(ErrorDetail(error_codes.INVALID_PERIOD, "The end is before the start.", "end"))
    elif (end - start).days + 1 > MAX_PERIOD_DAYS:
        problems.append(
            ErrorDetail(error_codes.INVALID_PERIOD, f"A period is at most {MAX_PERIOD_DAYS} days.", "end")
        )
    elif start > today:
        problems.append(ErrorDetail(error_codes.INVALID_PERIOD, "The period starts in the future.", "start"))
    lines = OrderLine.objects.filter(order__installation=installation)
    for value, column, code, name in (
        (product_id, "product_id", error_codes.UNKNOWN_PRODUCT, "productId"),
        (variant_id, "variant_id", error_codes.UNKNOWN_VARIANT, "variantId"),
        (category_id, "category_id", error_codes.UNKNOWN_CATEGORY, "categoryId"),
    ):
        if value and not lines.filter(**{column: value}).exists():
            problems.append(ErrorDetail(code, f"No order of this shop contains {name} {value}.", name))
    if problems:
        raise DomainError.many(problems)
    assert start is not None and end is not None
    return KpiFilters(
        start=start,
        end=end,
        channel=channel.strip(),
        currency=currency.strip().upper(),
        product_id=product_id,
        variant_id=variant_id,
        category_id=category_id,
    )


def _scoped(model, installation: Installation, filters: KpiFilters) -> QuerySet:
    qs = model.objects.filter(installation=installation, day__gte=filters.start, day__lte=filters.end)
    if filters.by_product:
        qs = qs.filter(grain=Grain.VARIANT)
        if filters.product_id:
            qs = qs.filter(product_id=filters.product_id)
        if filters.variant_id:
            qs = qs.filter(variant_id=filters.variant_id)
        if filters.category_id:
            qs = qs.filter(category_id=filters.category_id)
    else:
        qs = qs.filter(grain=Grain.TOTAL)
    if filters.channel:
        qs = qs.filter(channel_slug=filters.channel)
    if filters.currency:
        qs = qs.filter(currency=filters.currency)
    return qs


def daily_rows(installation: Installation, filters: KpiFilters) -> QuerySet[DailyRollup]:
    return _scoped(DailyRollup, installation, filters)


def reason_rows(installation: Installation, filters: KpiFilters) -> QuerySet[DailyReasonRollup]:
    return _scoped(DailyReasonRollup, installation, filters)


def staleness(installation: Installation) -> dict[str, Any]:
    state = RollupState.objects.filter(installation=installation).first()
    return {
        "refreshed_at": state.refreshed_at if state else None,
        "watermark": state.watermark if state else None,
    }


def _reason_labels(installation: Installation) -> dict[str, return_reasons.Reason]:
    return return_reasons.merge_catalogue(ReturnReason.objects.filter(installation=installation))


_FACT_SUMS = {
    "fulfilled_units": Sum("fulfilled_units"),
    "requests": Sum("requests"),
    "approved_requests": Sum("approved_requests"),
    "rejected_requests": Sum("rejected_requests"),
    "auto_approved_requests": Sum("auto_approved_requests"),
    "return_lines": Sum("return_lines"),
    "requested_units": Sum("requested_units"),
    "returned_units": Sum("returned_units"),
}


def overview(installation: Installation, filters: KpiFilters) -> dict[str, Any]:
    """Every KPI of the period, chart-ready. Reads the rollups only (plus SLA clocks and the loyalty ledger)."""
    facts = daily_rows(installation, filters)
    returns = reason_rows(installation, filters)
    granularity = kpis.granularity_for(filters.days)

    # One grouped read per day (and currency) of the facts feeds totals, money, the series and the durations.
    totals: dict[str, int] = defaultdict(int)
    money: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"revenue": Decimal("0"), "refund_amount": Decimal("0"), "store_credit_amount": Decimal("0")}
    )
    series_by_start: dict[date, dict[str, Any]] = defaultdict(
        lambda: {
            "fulfilled_units": 0,
            "returned_units": 0,
            "requested_units": 0,
            "refund_amount": Decimal("0"),
        }
    )
    for row in facts.values("day", "currency").annotate(
        **_FACT_SUMS,
        revenue_sum=Sum("revenue"),
        refund=Sum("refund_amount"),
        credit=Sum("store_credit_amount"),
    ):
        for name in _FACT_SUMS:
            totals[name] += row[name] or 0
        for name, column in (
            ("revenue", "revenue_sum"),
            ("refund_amount", "refund"),
            ("store_credit_amount", "credit"),
        ):
            money[row["currency"]][name] += row[column] or Decimal("0")
        bucket = series_by_start[kpis.period_start(row["day"], granularity)]
        for name in ("fulfilled_units", "returned_units", "requested_units"):
            bucket[name] += row[name] or 0
        bucket["refund_amount"] += row["refund"] or Decimal("0")
    # Histograms are JSON lists, summed here: `total`-grain rows are one per day and channel.
    histograms: dict[str, list[int]] = {metric: kpis.empty_histogram() for metric in DURATION_METRICS}
    for decision, receipt, refund in facts.filter(return_lines__gt=0).values_list(
        "decision_hours", "receipt_hours", "refund_hours"
    ):
        for metric, histogram in (("decision", decision), ("receipt", receipt), ("refund", refund)):
            target = histograms[metric]
            for index, count in enumerate(histogram or ()):
                target[index] += count
    fulfilled = totals["fulfilled_units"]

    by_reason: dict[tuple[str, str], int] = defaultdict(int)
    by_reason_requested: dict[tuple[str, str], int] = defaultdict(int)
    by_resolution_units: dict[str, int] = defaultdict(int)
    by_resolution_requests: dict[str, int] = defaultdict(int)
    for row in returns.values("reason_code", "reason_category", "resolution").annotate(
        returned=Sum("returned_units"), requested=Sum("requested_units"), request_count=Sum("requests")
    ):
        reason = (row["reason_code"], row["reason_category"])
        by_reason[reason] += row["returned"] or 0
        by_reason_requested[reason] += row["requested"] or 0
        by_resolution_units[row["resolution"]] += row["returned"] or 0
        by_resolution_requests[row["resolution"]] += row["request_count"] or 0

    series = []
    cursor = kpis.period_start(filters.start, granularity)
    while cursor <= filters.end:
        point = series_by_start.get(cursor) or {
            "fulfilled_units": 0, "returned_units": 0, "requested_units": 0, "refund_amount": Decimal("0"),
        }  # fmt: skip
        series.append(
            {
                "period_start": cursor,
                "fulfilled_units": point["fulfilled_units"],
                "requested_units": point["requested_units"],
                "returned_units": point["returned_units"],
                "return_rate": kpis.rate(point["returned_units"], point["fulfilled_units"]),
                "refund_amount": quantize(point["refund_amount"], filters.currency),
            }
        )
        cursor = kpis.next_period(cursor, granularity)

    labels = _reason_labels(installation)
    reason_total = sum(by_reason_requested.values())
    top_reasons = sorted(
        (
            {
                "code": code,
                "category": category,
                "label_en": labels[code].label_en if code in labels else code,
                "label_zh_hans": labels[code].label_zh_hans if code in labels else code,
                "requested_units": by_reason_requested[(code, category)],
                "returned_units": units,
                "share": (by_reason_requested[(code, category)] / reason_total) if reason_total else 0.0,
            }
            for (code, category), units in by_reason.items()
        ),
        key=lambda r: (-r["requested_units"], r["code"]),
    )[:TOP_LIMIT]
    unit_shares = kpis.shares(dict(by_resolution_units))
    request_shares = kpis.shares(dict(by_resolution_requests))
    resolution_mix = sorted(
        (
            {
                "resolution": resolution,
                "returned_units": by_resolution_units[resolution],
                "unit_share": unit_shares[resolution],
                "requests": by_resolution_requests[resolution],
                "request_share": request_shares[resolution],
            }
            for resolution in by_resolution_units
        ),
        key=lambda r: (-r["returned_units"], r["resolution"]),
    )
    money_rows = [
        {
            "currency": currency,
            "revenue": quantize(values["revenue"], currency),
            "refund_amount": quantize(values["refund_amount"], currency),
            "store_credit_amount": quantize(values["store_credit_amount"], currency),
            "refund_share_of_revenue": kpis.rate(values["refund_amount"], values["revenue"]),
        }
        for currency, values in sorted(money.items())
    ]
    return {
        "period": {"start": filters.start, "end": filters.end, "days": filters.days},
        "granularity": granularity,
        "staleness": staleness(installation),
        "totals": {
            "fulfilled_units": fulfilled,
            "requests": totals["requests"],
            "approved_requests": totals["approved_requests"],
            "rejected_requests": totals["rejected_requests"],
            "auto_approved_requests": totals["auto_approved_requests"],
            "lines": totals["return_lines"],
            "requested_units": totals["requested_units"],
            "returned_units": totals["returned_units"],
            "return_rate": kpis.rate(totals["returned_units"], fulfilled),
            "request_rate": kpis.rate(totals["requested_units"], fulfilled),
            "approval_rate": kpis.rate(
                totals["approved_requests"], totals["approved_requests"] + totals["rejected_requests"]
            ),
        },
        "money": money_rows,
        "resolution_mix": resolution_mix,
        "top_reasons": top_reasons,
        "durations": [
            {
                "metric": metric,
                "count": sum(histograms[metric]),
                "p50_hours": kpis.histogram_percentile(histograms[metric], 50),
                "p90_hours": kpis.histogram_percentile(histograms[metric], 90),
            }
            for metric in DURATION_METRICS
        ],
        "series": series,
        "top_products": [] if filters.variant_id else top_products(installation, filters),
        "sla": sla_attainment(installation, filters),
        # Cross-domain KPIs (loyalty, cases, satisfaction, repairs) follow the period and channel; product filters
        # do not apply to them. One provider per source (providers.py).
        **providers.cross_domain_kpis(
            providers.KpiWindow(
                installation=installation,
                start=filters.bounds()[0],
                end=filters.bounds()[1],
                channel=filters.channel,
                granularity=granularity,
                now=clock_now(),
            )
        ),
    }


def _variant_rows(model, installation: Installation, filters: KpiFilters) -> QuerySet:
    """`variant`-grain rows of the period, whatever the product filters (top lists and tables need them)."""
    qs = model.objects.filter(
        installation=installation, grain=Grain.VARIANT, day__gte=filters.start, day__lte=filters.end
    )
    for column in ("product_id", "variant_id", "category_id"):
        if getattr(filters, column):
            qs = qs.filter(**{column: getattr(filters, column)})
    if filters.channel:
        qs = qs.filter(channel_slug=filters.channel)
    if filters.currency:
        qs = qs.filter(currency=filters.currency)
    return qs


_PRODUCT_NAMES = (
    "product_id",
    "sku",
    "product_name",
    "variant_name",
    "category_id",
    "category_name",
    "supplier",
)


def _product_rows(
    installation: Installation, filters: KpiFilters, variant_ids: list[str] | None = None
) -> list[dict]:
    facts = _variant_rows(DailyRollup, installation, filters)
    grouped = facts.values("variant_id").annotate(
        fulfilled=Sum("fulfilled_units"),
        revenue_sum=Sum("revenue"),
        returned=Sum("returned_units"),
        requested=Sum("requested_units"),
        defects=Sum("defect_units"),
        refund=Sum("refund_amount"),
    )
    if variant_ids is None:
        rows = list(grouped.order_by("-returned", "-requested", "variant_id"))
    else:
        rows = list(
            grouped.filter(variant_id__in=variant_ids).order_by("-returned", "-requested", "variant_id")
        )
    return rows


def _with_names(installation: Installation, filters: KpiFilters, rows: list[dict]) -> list[dict]:
    wanted = [row["variant_id"] for row in rows]
    # One row per variant: names are the same on every day of a variant (Max just picks one).
    names = {
        info["variant_id"]: info
        for info in _variant_rows(DailyRollup, installation, filters)
        .filter(variant_id__in=wanted)
        .values("variant_id")
        .annotate(**{f"{name}_": Max(name) for name in _PRODUCT_NAMES})
    }
    result = []
    for row in rows:
        info = names.get(row["variant_id"], {})
        units = row["fulfilled"] or 0
        result.append(
            {
                "variant_id": row["variant_id"],
                **{name: info.get(f"{name}_", "") for name in _PRODUCT_NAMES},
                "fulfilled_units": units,
                "revenue": quantize(row["revenue_sum"] or Decimal("0"), filters.currency),
                "requested_units": row["requested"] or 0,
                "returned_units": row["returned"] or 0,
                "defect_units": row["defects"] or 0,
                "return_rate": kpis.rate(row["returned"] or 0, units),
                "refund_amount": quantize(row["refund"] or Decimal("0"), filters.currency),
            }
        )
    return result


def top_products(installation: Installation, filters: KpiFilters, limit: int = TOP_LIMIT) -> list[dict]:
    """The variants with most returned units in the period, with their fulfilled units and return rate."""
    facts = _variant_rows(DailyRollup, installation, filters)
    top = list(
        facts.values("variant_id")
        .annotate(returned=Sum("returned_units"), requested=Sum("requested_units"))
        .filter(Q(returned__gt=0) | Q(requested__gt=0))
        .order_by("-returned", "-requested", "variant_id")
        .values_list("variant_id", flat=True)[:limit]
    )
    if not top:
        return []
    rows = _product_rows(installation, filters, variant_ids=top)
    return _with_names(installation, filters, rows)


def sla_attainment(installation: Installation, filters: KpiFilters) -> list[dict]:
    """Per (subject, metric) — e.g. return_request/decision, service_case/first_response, repair_order/turnaround —
    of the clocks started in the period: met, breached (including running past due), attainment = met / (met +
    breached), and p50/p90 of the time from start to stop of the stopped ones (wall-clock hours; this is how case
    first-response/resolution and repair turnaround times are read). Channels are not recorded on clocks, so the
    channel filter does not apply here."""
    start, end = filters.bounds()
    current = clock_now()
    # Cumulative counts at each bucket edge, in the same grouped query (percentiles without fetching clocks).
    took = ExpressionWrapper(F("stopped_at") - F("started_at"), output_field=DurationField())
    edges = {
        f"upto_{index}": Count("id", filter=Q(stopped_at__isnull=False, took__lte=timedelta(hours=edge)))
        for index, edge in enumerate(kpis.BUCKET_EDGES_HOURS)
    }
    rows = (
        SlaClock.objects.filter(installation=installation, started_at__gte=start, started_at__lt=end)
        .annotate(took=took)
        .values("subject_type", "metric")
        .annotate(
            met=Count("id", filter=Q(status=ClockStatus.MET)),
            breached=Count(
                "id",
                filter=Q(status=ClockStatus.BREACHED) | Q(status=ClockStatus.RUNNING, due_at__lt=current),
            ),
            open=Count(
                "id",
                filter=Q(status__in=[ClockStatus.RUNNING, ClockStatus.PAUSED])
                & ~Q(status=ClockStatus.RUNNING, due_at__lt=current),
            ),
            stopped=Count("id", filter=Q(stopped_at__isnull=False)),
            **edges,
        )
        .order_by("subject_type", "metric")
    )
    result = []
    for row in rows:
        cumulative = [row[f"upto_{index}"] for index in range(len(kpis.BUCKET_EDGES_HOURS))] + [
            row["stopped"]
        ]
        histogram = [
            count - (cumulative[index - 1] if index else 0) for index, count in enumerate(cumulative)
        ]
        result.append(
            {
                "subject_type": row["subject_type"],
                "metric": row["metric"],
                "met": row["met"],
                "breached": row["breached"],
                "open": row["open"],
                "attainment": kpis.rate(row["met"], row["met"] + row["breached"]),
                "stopped": row["stopped"],
                "p50_hours": kpis.histogram_percentile(histogram, 50),
                "p90_hours": kpis.histogram_percentile(histogram, 90),
            }
        )
    return result


def product_table(installation: Installation, filters: KpiFilters) -> list[dict]:
    """Every variant with sales or returns in the period (CSV export): units, returns, rate, refunds."""
    return _with_names(installation, filters, _product_rows(installation, filters))


# ---------------------------------------------------------------------------------------------------- alerts
def alerts_for(installation: Installation, *, status: str | None = None) -> QuerySet[QualityAlert]:
    qs = QualityAlert.objects.filter(installation=installation)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def alert_photos(alerts: list[QualityAlert]) -> dict[int, list[ReturnPhoto]]:
    """The evidence photos of some alerts (one query for all of them), by alert pk, in evidence order."""
    wanted: dict[int, list[int]] = {}
    for alert in alerts:
        pks = []
        for global_id in (alert.evidence or {}).get("photo_ids", []):
            try:
                _type, pk = from_global_id(global_id)
                pks.append(int(pk))
            except ValueError:
                continue
        wanted[alert.pk] = pks
    every = {pk for pks in wanted.values() for pk in pks}
    found = {
        photo.pk: photo
        for photo in ReturnPhoto.objects.filter(
            pk__in=every, request__installation_id__in={a.installation_id for a in alerts}
        )
    } if every else {}  # fmt: skip
    return {alert_pk: [found[pk] for pk in pks if pk in found] for alert_pk, pks in wanted.items()}


def open_alert_count(installation: Installation) -> int:
    return QualityAlert.objects.filter(installation=installation, status=AlertStatus.OPEN).count()


# ----------------------------------------------------------------------------------------------- simulations
def simulations_for(installation: Installation) -> QuerySet[SimulationRun]:
    return SimulationRun.objects.filter(installation=installation).order_by("-created_at", "-id")


def simulation_result(run: SimulationRun) -> dict[str, Any]:
    """A run as the dashboard shows it: status, progress, and (when done) current vs proposed figures."""
    return {
        "id": run.pk,
        "status": run.status,
        "progress": run.progress,
        "processed_requests": run.processed_requests,
        "total_requests": run.total_requests,
        "months": run.months,
        "channel": run.channel_slug,
        "proposal": run.proposal,
        "result": run.result or None,
        "error": run.error,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }
