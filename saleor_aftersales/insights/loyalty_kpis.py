"""Loyalty KPIs: points issued vs redeemed, expiry and breakage, and the outstanding liability.

Read straight from the loyalty ledger (append-only entries, lots): volumes are orders of magnitude below return lines,
and each figure is one grouped query. Definitions:
- issued: points earned in the period (pending purchase points and action rewards, plus positive adjustments);
- redeemed: points spent in the period minus redeemed points restored; expired / reversed likewise;
- breakage rate: expired / (expired + redeemed) in the period — the share of points that left without being used;
- liability (as of now, not of the period): unspent points (available + pending) x the programme's point value, and
  the same net of expected breakage (liability x (1 - breakage rate of the last 12 months));
- expiring soon: available points in lots expiring within 30 days.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import TruncDate

from ..core.money import quantize
from ..installations.models import Installation
from ..loyalty.models import Account, EntryKind, LedgerEntry, Lot, LotStatus, Programme
from . import kpis

ISSUE_KINDS = (EntryKind.EARN_PENDING, EntryKind.EARN)
EXPIRING_WITHIN = timedelta(days=30)


def _flows(entries) -> dict[str, int]:
    sums = entries.aggregate(
        issued=Sum("points", filter=Q(type__in=ISSUE_KINDS) | Q(type=EntryKind.ADJUST, points__gt=0)),
        redeemed=Sum("points", filter=Q(type=EntryKind.REDEEM)),
        restored=Sum("points", filter=Q(type=EntryKind.RESTORE)),
        expired=Sum("points", filter=Q(type=EntryKind.EXPIRE)),
        reversed=Sum("points", filter=Q(type=EntryKind.REVERSE)),
        adjusted_down=Sum("points", filter=Q(type=EntryKind.ADJUST, points__lt=0)),
    )
    return {
        "issued": sums["issued"] or 0,
        "redeemed": -(sums["redeemed"] or 0) - (sums["restored"] or 0),
        "expired": -(sums["expired"] or 0),
        "reversed": -(sums["reversed"] or 0),
        "adjusted_down": -(sums["adjusted_down"] or 0),
    }


def loyalty_kpis(
    installation: Installation,
    *,
    start: datetime,
    end: datetime,
    channel: str,
    granularity: str,
    now: datetime,
) -> dict[str, Any]:
    """`start`/`end`: the period's bounds (end exclusive), aware UTC."""
    entries = LedgerEntry.objects.filter(installation=installation)
    accounts = Account.objects.filter(installation=installation)
    programmes = Programme.objects.filter(installation=installation)
    if channel:
        entries = entries.filter(account__channel_slug=channel)
        accounts = accounts.filter(channel_slug=channel)
        programmes = programmes.filter(channel_slug=channel)
    period = _flows(entries.filter(created_at__gte=start, created_at__lt=end))
    last_year = _flows(entries.filter(created_at__gte=now - timedelta(days=365), created_at__lt=now))
    breakage = kpis.rate(period["expired"], period["expired"] + period["redeemed"])
    trailing_breakage = kpis.rate(last_year["expired"], last_year["expired"] + last_year["redeemed"]) or 0.0

    series: dict[Any, dict[str, int]] = defaultdict(lambda: {"issued": 0, "redeemed": 0, "expired": 0})
    for row in (
        entries.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at"))
        .values("day", "type")
        .annotate(points=Sum("points"))
    ):
        bucket = series[kpis.period_start(row["day"], granularity)]
        if row["type"] in ISSUE_KINDS:
            bucket["issued"] += row["points"] or 0
        elif row["type"] in (EntryKind.REDEEM, EntryKind.RESTORE):
            bucket["redeemed"] -= row["points"] or 0
        elif row["type"] == EntryKind.EXPIRE:
            bucket["expired"] -= row["points"] or 0

    liability = []
    outstanding = {
        row["channel_slug"]: row
        for row in accounts.values("channel_slug").annotate(
            available=Sum("available_points"), pending=Sum("pending_points")
        )
    }
    expiring = dict(
        Lot.objects.filter(
            account__installation=installation,
            status=LotStatus.AVAILABLE,
            expires_at__gte=now,
            expires_at__lt=now + EXPIRING_WITHIN,
        )
        .filter(**({"account__channel_slug": channel} if channel else {}))
        .values("account__channel_slug")
        .annotate(points=Sum("remaining"))
        .values_list("account__channel_slug", "points")
    )
    for programme in programmes.order_by("channel_slug"):
        row = outstanding.get(programme.channel_slug, {})
        available = max(row.get("available") or 0, 0)
        pending = max(row.get("pending") or 0, 0)
        value = Decimal(available + pending) * programme.point_value
        liability.append(
            {
                "channel": programme.channel_slug,
                "currency": programme.currency,
                "available_points": available,
                "pending_points": pending,
                "expiring_30d_points": expiring.get(programme.channel_slug) or 0,
                "point_value": programme.point_value,
                "liability": quantize(value, programme.currency),
                "liability_net_of_breakage": quantize(
                    value * (Decimal(1) - Decimal(str(trailing_breakage))), programme.currency
                ),
            }
        )
    return {
        **period,
        "net_issued": period["issued"]
        - period["redeemed"]
        - period["expired"]
        - period["reversed"]
        - period["adjusted_down"],
        "redemption_rate": kpis.rate(period["redeemed"], period["issued"]),
        "breakage_rate": breakage,
        "trailing_12m_breakage_rate": trailing_breakage,
        "liability": liability,
        "series": [{"period_start": day, **values} for day, values in sorted(series.items())],
    }
