"""Pure KPI arithmetic: rates, shares, duration histograms and their percentiles, multiple-testing control.

No ORM and no clock here (tested without a database). Definitions used across insights:
- fulfilled units: per order line, max(OrderLine.quantity_fulfilled, units in its FULFILLED fulfillments), dated by
  the line's first FULFILLED fulfillment (else the order's fulfilled_at);
- requested units: units in return requests that were not cancelled;
- returned units: approved units of requests that were approved (not pending, rejected or cancelled);
- return rate = returned units / fulfilled units of the same period (returns dated by request, sales by shipment);
- refund amount: refunds of resolved requests, spread over their lines by line value;
- durations: from the request's creation to decided_at / received_at / resolved_at (refund: resolutions refund and
  store credit only), kept as histograms so percentiles come from the rollup without raw rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

# Upper edges of the duration buckets in hours; a last open-ended bucket holds everything longer than 60 days.
# Dense where SLAs live (hours to a few days); percentiles interpolate linearly inside a bucket.
BUCKET_EDGES_HOURS: tuple[float, ...] = (
    1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720, 1440,
)  # fmt: skip
BUCKETS = len(BUCKET_EDGES_HOURS) + 1


def empty_histogram() -> list[int]:
    return [0] * BUCKETS


def bucket_of(hours: float) -> int:
    """Index of the bucket holding a duration: bucket i covers (edge[i-1], edge[i]]; negatives count as 0."""
    hours = max(hours, 0.0)
    index = bisect_right(BUCKET_EDGES_HOURS, hours)
    if index > 0 and BUCKET_EDGES_HOURS[index - 1] == hours:
        index -= 1
    return index


def merge_histograms(histograms: Iterable[Sequence[int]]) -> list[int]:
    merged = empty_histogram()
    for histogram in histograms:
        for index, count in enumerate(histogram or ()):
            merged[index] += count
    return merged


def histogram_percentile(histogram: Sequence[int], q: float) -> float | None:
    """The q-th percentile (0-100) assuming durations spread evenly inside each bucket; None when empty.

    The open-ended last bucket answers its lower edge (a floor: "at least 60 days").
    """
    total = sum(histogram)
    if total == 0:
        return None
    rank = total * q / 100
    seen = 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            low = BUCKET_EDGES_HOURS[index - 1] if index > 0 else 0.0
            if index >= len(BUCKET_EDGES_HOURS):
                return float(low)
            high = BUCKET_EDGES_HOURS[index]
            return float(low + (high - low) * (rank - seen) / count)
        seen += count
    return float(BUCKET_EDGES_HOURS[-1])


def rate(numerator: int | Decimal, denominator: int | Decimal) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by (never a misleading 0)."""
    if not denominator:
        return None
    return float(Decimal(numerator) / Decimal(denominator))


def shares(counts: dict[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {key: (value / total if total else 0.0) for key, value in counts.items()}


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Adjusted p-values (q-values) of the Benjamini–Hochberg step-up procedure, in input order.

    An alert is raised when its adjusted value is below the chosen false discovery rate, so that among many SKUs
    tested each sweep, at most that share of the alerts are expected to be false.
    """
    count = len(p_values)
    if count == 0:
        return []
    order = sorted(range(count), key=lambda i: p_values[i])
    adjusted = [1.0] * count
    running = 1.0
    for rank in range(count, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * count / rank)
        adjusted[index] = min(running, 1.0)
    return adjusted


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split an amount over weights (line values), exact to the last unit: the last share takes the remainder."""
    if not weights:
        return []
    total = sum(weights, Decimal("0"))
    if total <= 0:
        parts = [Decimal("0")] * len(weights)
        parts[-1] = amount
        return parts
    parts = [(amount * weight / total).quantize(Decimal("0.001")) for weight in weights[:-1]]
    parts.append(amount - sum(parts, Decimal("0")))
    return parts


def granularity_for(days: int) -> str:
    if days <= 62:
        return "day"
    if days <= 366:
        return "week"
    return "month"


def period_start(day: date, granularity: str) -> date:
    """The first day of the series bucket holding `day` (weeks start on Monday)."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def next_period(day: date, granularity: str) -> date:
    if granularity == "week":
        return day + timedelta(days=7)
    if granularity == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def csat(counts_by_score: dict[int, int]) -> float | None:
    """Customer satisfaction: share of answers of 4 or 5 on a 1..5 scale; None without answers."""
    return rate(sum(n for score, n in counts_by_score.items() if score >= 4), sum(counts_by_score.values()))


def nps(counts_by_score: dict[int, int]) -> float | None:
    """Net promoter score on 0..10 answers: % promoters (9-10) - % detractors (0-6), from -100 to 100."""
    total = sum(counts_by_score.values())
    if not total:
        return None
    promoters = sum(n for score, n in counts_by_score.items() if score >= 9)
    detractors = sum(n for score, n in counts_by_score.items() if score <= 6)
    return float(Decimal(100 * (promoters - detractors)) / Decimal(total))
