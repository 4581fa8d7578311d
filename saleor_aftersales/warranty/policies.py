"""Pure warranty rules: which terms apply, when a warranty expires, whether a claim is covered, which service
center to suggest, what a repair costs. No ORM and no clock: callers pass plain data and `now`."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from ..core.money import quantize

PRODUCT, CATEGORY, PRODUCT_TYPE, DEFAULT = "product", "category", "product_type", "default"
SPECIFICITY = {PRODUCT: 0, CATEGORY: 1, PRODUCT_TYPE: 2, DEFAULT: 3}

COVERED, OUT_OF_TERM, NOT_COVERED, OVERRIDDEN = "covered", "out_of_term", "not_covered", "overridden"
MAX_DURATION_MONTHS = 600


@dataclass(frozen=True)
class Terms:
    scope: str = DEFAULT
    target_id: str = ""
    duration_months: int = 12
    covered_issues: tuple[str, ...] = ()
    excluded_issues: tuple[str, ...] = ()
    remedies: tuple[str, ...] = ("repair", "replace", "refund")
    max_repairs_before_replace: int = 2
    key: object = None  # the row's pk, carried through


@dataclass(frozen=True)
class Item:
    product_id: str = ""
    category_id: str = ""
    product_type_id: str = ""
    metadata: dict = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)


def applicable_terms(candidates: list[Terms], item: Item) -> Terms | None:
    """The most specific active terms for an item: product, then category, then product type, then default."""
    wanted = {PRODUCT: item.product_id, CATEGORY: item.category_id, PRODUCT_TYPE: item.product_type_id}
    best: Terms | None = None
    for terms in candidates:
        if terms.scope == DEFAULT:
            matches = True
        else:
            matches = bool(terms.target_id) and wanted.get(terms.scope) == terms.target_id
        if matches and (best is None or SPECIFICITY[terms.scope] < SPECIFICITY[best.scope]):
            best = terms
    return best


def _months(value) -> int | None:
    try:
        months = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return months if 0 < months <= MAX_DURATION_MONTHS else None


def duration_from_product(item: Item, *, metadata_key: str = "", attribute_slug: str = "") -> int | None:
    """Months read from a product metadata key or attribute (value slug like "24" or "24-months")."""
    if metadata_key and metadata_key in (item.metadata or {}):
        months = _months(item.metadata[metadata_key])
        if months:
            return months
    if attribute_slug:
        for value in (item.attributes or {}).get(attribute_slug) or []:
            months = _months(str(value).split("-")[0])
            if months:
                return months
    return None


def add_months(start: datetime, months: int) -> datetime:
    """The same day `months` later (clamped to the month's last day), same time of day and zone."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def expires_at(*, starts_at: datetime, duration_months: int) -> datetime:
    return add_months(starts_at, duration_months)


def days_left(*, expires_at: datetime, now: datetime) -> int:
    """Whole days until expiry (0 on the last day and after)."""
    if now >= expires_at:
        return 0
    return math.ceil((expires_at - now) / timedelta(days=1))


def in_term(*, starts_at: datetime, expires_at: datetime, now: datetime) -> bool:
    return starts_at <= now < expires_at


@dataclass(frozen=True)
class CoverageResult:
    coverage: str
    covered: bool
    reason: str = ""


def coverage(
    *,
    starts_at: datetime,
    expires_at: datetime,
    now: datetime,
    symptom: str,
    covered_issues: tuple[str, ...] | list[str],
    excluded_issues: tuple[str, ...] | list[str],
    override: bool = False,
) -> CoverageResult:
    """In term and a covered, not excluded issue -> covered; staff may override a not-covered issue in term."""
    if not in_term(starts_at=starts_at, expires_at=expires_at, now=now):
        return CoverageResult(OUT_OF_TERM, False, "The warranty is not in force.")
    listed = symptom in set(covered_issues) if covered_issues else True
    if symptom in set(excluded_issues) or not listed:
        if override:
            return CoverageResult(OVERRIDDEN, True, "Covered by staff override.")
        return CoverageResult(NOT_COVERED, False, "This issue is not covered by the warranty.")
    return CoverageResult(COVERED, True)


def preferred_remedy(terms: Terms, *, previous_repairs: int) -> str:
    """Repair first while repairs stay under the limit; then the next remedy the terms allow."""
    remedies = list(terms.remedies) or ["repair"]
    if "repair" in remedies and previous_repairs >= terms.max_repairs_before_replace:
        remedies = [r for r in remedies if r != "repair"] or ["repair"]
    return remedies[0]


@dataclass(frozen=True)
class Center:
    key: object
    category_ids: tuple[str, ...]
    capacity: int
    open_orders: int
    latitude: float | None = None
    longitude: float | None = None
    is_active: bool = True


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Suggestion:
    key: object
    distance_km: float | None
    free_capacity: int


def suggest_centers(
    centers: list[Center], *, category_id: str, latitude: float | None = None, longitude: float | None = None
) -> list[Suggestion]:
    """Active centers that handle the category and have free capacity, nearest first, then the least loaded."""
    result = []
    for center in centers:
        if not center.is_active or center.open_orders >= center.capacity:
            continue
        if center.category_ids and category_id not in center.category_ids:
            continue
        distance = None
        if None not in (latitude, longitude, center.latitude, center.longitude):
            distance = distance_km(latitude, longitude, center.latitude, center.longitude)  # type: ignore[arg-type]
        result.append(Suggestion(center.key, distance, center.capacity - center.open_orders))
    return sorted(
        result, key=lambda s: (s.distance_km is None, s.distance_km or 0.0, -s.free_capacity, str(s.key))
    )


@dataclass(frozen=True)
class Line:
    kind: str
    quantity: Decimal
    unit_cost: Decimal
    covered: bool


@dataclass(frozen=True)
class RepairTotals:
    parts: Decimal
    labour: Decimal
    total: Decimal
    customer_pays: Decimal


def repair_totals(lines: list[Line], *, currency: str, paid_repair: bool) -> RepairTotals:
    """Parts and labour in Decimal; under warranty the customer pays only lines marked not covered."""
    parts = sum((line.quantity * line.unit_cost for line in lines if line.kind == "part"), Decimal("0"))
    labour = sum((line.quantity * line.unit_cost for line in lines if line.kind == "labour"), Decimal("0"))
    payable = sum(
        (line.quantity * line.unit_cost for line in lines if paid_repair or not line.covered), Decimal("0")
    )
    return RepairTotals(
        quantize(parts, currency),
        quantize(labour, currency),
        quantize(parts + labour, currency),
        quantize(payable, currency),
    )


def promised_date(*, started_at: datetime, turnaround_days: int) -> datetime:
    return started_at + timedelta(days=turnaround_days)


def turnaround_days(*, category_id: str, by_category: dict[str, int], default_days: int) -> int:
    days = by_category.get(category_id) if category_id else None
    return int(days) if days else default_days


def next_reminder(*, start: datetime, interval_months: int, sent: int) -> datetime:
    """The (sent+1)-th maintenance reminder after `start` (delivery, else fulfillment)."""
    return add_months(start, interval_months * (sent + 1))
