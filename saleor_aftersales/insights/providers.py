"""Cross-domain KPI sources of the overview: one small provider function per source.

Each provider takes a `KpiWindow` (installation, period bounds, channel, series granularity, now) and answers a
chart-ready dict with `available` (False when its domain is not installed here). Returns KPIs come from the rollups
(`selectors.overview`); loyalty reads its ledger (`loyalty_kpis`); service cases, satisfaction surveys and repairs
read the models of the service and warranty capabilities *only if they can be imported* — the model and the field
names each provider reads are declared once in a `Source` below, so wiring a capability is editing one line.

Definitions:
- first response / resolution time of a case: from its creation to `first_response_at` / `resolved_at`, p50/p90 in
  hours (cases opened in the period; open ones are not counted yet);
- complaint rate: complaint cases opened in the period / orders fulfilled in the period;
- CSAT: share of CSAT answers of 4 or 5 (on 1..5); NPS: % promoters (9-10) - % detractors (0-6) on 0..10;
- repair completion time: from the repair order's creation to its completion; repair cost: the cost of the repairs
  completed in the period (their lines: quantity x unit cost, parts and labour), per currency.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from ..core.money import quantize
from ..installations.models import Installation
from ..orders.models import Order
from . import kpis
from .loyalty_kpis import loyalty_kpis


@dataclass(frozen=True)
class KpiWindow:
    installation: Installation
    start: datetime  # aware UTC, inclusive
    end: datetime  # exclusive
    channel: str
    granularity: str
    now: datetime


@dataclass(frozen=True)
class Source:
    """Where a provider reads: `module.model`, and the names of the fields it needs (ORM paths)."""

    module: str
    model: str
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # marker values, e.g. the complaint kind

    def load(self):
        """The model class, or None while its capability is not part of this build."""
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            if exc.name is not None and self.module.startswith(exc.name):
                return None
            raise
        return getattr(module, self.model, None)


# The service capability (cases, surveys) and the warranty capability (repair orders) are merged separately; these
# are the names their models are expected to have. Adjust here when wiring them.
CASES = Source(
    "saleor_aftersales.service.models",
    "ServiceCase",
    fields={
        "created": "created_at",
        "first_response": "first_response_at",
        "resolved": "resolved_at",
        "kind": "kind",
        "channel": "order__channel_slug",
    },
    values={"complaint": "complaint"},
)
# One answer row per survey: a CSAT score (1-5) and an optional NPS score (0-10) in their own columns.
SURVEYS = Source(
    "saleor_aftersales.surveys.models",
    "SurveyResponse",
    fields={"submitted": "created_at", "csat": "csat", "nps": "nps", "channel": ""},
)
# A repair order's cost is the sum of its lines (parts and labour): quantity x unit cost.
REPAIRS = Source(
    "saleor_aftersales.warranty.models",
    "RepairOrder",
    fields={
        "created": "created_at",
        "completed": "completed_at",
        "cost": "lines__unit_cost",
        "cost_quantity": "lines__quantity",
        "currency": "currency",
        "channel": "order__channel_slug",
    },
)


# ------------------------------------------------------------------------------------------------- helpers
def duration_summary(queryset: QuerySet, since: str, until: str) -> dict[str, Any]:
    """count, p50_hours and p90_hours of `until - since` over the rows where `until` is set, in one query.

    Cumulative counts at each histogram edge (kpis.BUCKET_EDGES_HOURS) come from the database; the percentiles
    interpolate inside a bucket, exactly like the rollups' durations.
    """
    took = ExpressionWrapper(F(until) - F(since), output_field=DurationField())
    done = Q(**{f"{until}__isnull": False})
    edges = {
        f"upto_{index}": Count("pk", filter=done & Q(took__lte=timedelta(hours=edge)))
        for index, edge in enumerate(kpis.BUCKET_EDGES_HOURS)
    }
    row = queryset.annotate(took=took).aggregate(done=Count("pk", filter=done), **edges)
    cumulative = [row[f"upto_{index}"] for index in range(len(kpis.BUCKET_EDGES_HOURS))] + [row["done"]]
    histogram = [count - (cumulative[index - 1] if index else 0) for index, count in enumerate(cumulative)]
    return {
        "count": row["done"],
        "p50_hours": kpis.histogram_percentile(histogram, 50),
        "p90_hours": kpis.histogram_percentile(histogram, 90),
    }


def _scoped(model, source: Source, window: KpiWindow) -> QuerySet:
    """Rows of the installation (`fields["installation"]`, default `installation`, may go through a relation)."""
    return model.objects.filter(**{source.fields.get("installation", "installation"): window.installation})


def _in_window(queryset: QuerySet, name: str, window: KpiWindow) -> QuerySet:
    return queryset.filter(**{f"{name}__gte": window.start, f"{name}__lt": window.end})


def _channel(queryset: QuerySet, source: Source, window: KpiWindow) -> QuerySet:
    path = source.fields.get("channel")
    if window.channel and path:
        return queryset.filter(**{path: window.channel})
    return queryset


def _fulfilled_orders(window: KpiWindow) -> int:
    orders = _in_window(Order.objects.filter(installation=window.installation), "fulfilled_at", window)
    if window.channel:
        orders = orders.filter(channel_slug=window.channel)
    return orders.count()


EMPTY_DURATION = {"count": 0, "p50_hours": None, "p90_hours": None}


# ----------------------------------------------------------------------------------------------- providers
def loyalty_provider(window: KpiWindow) -> dict[str, Any]:
    return {
        "available": True,
        **loyalty_kpis(
            window.installation,
            start=window.start,
            end=window.end,
            channel=window.channel,
            granularity=window.granularity,
            now=window.now,
        ),
    }


def cases_provider(window: KpiWindow, source: Source = CASES) -> dict[str, Any]:
    model = source.load()
    if model is None:
        return {
            "available": False, "opened": 0, "complaints": 0, "fulfilled_orders": 0, "complaint_rate": None,
            "first_response": EMPTY_DURATION, "resolution": EMPTY_DURATION,
        }  # fmt: skip
    f = source.fields
    cases = _channel(_in_window(_scoped(model, source, window), f["created"], window), source, window)
    counts = cases.aggregate(
        opened=Count("pk"), complaints=Count("pk", filter=Q(**{f["kind"]: source.values["complaint"]}))
    )
    fulfilled = _fulfilled_orders(window)
    return {
        "available": True,
        "opened": counts["opened"],
        "complaints": counts["complaints"],
        "fulfilled_orders": fulfilled,
        "complaint_rate": kpis.rate(counts["complaints"], fulfilled),
        "first_response": duration_summary(cases, f["created"], f["first_response"]),
        "resolution": duration_summary(cases, f["created"], f["resolved"]),
    }


def satisfaction_provider(window: KpiWindow, source: Source = SURVEYS) -> dict[str, Any]:
    """CSAT (share of 4-5) and NPS (promoters - detractors) of the answers submitted in the window, with a trend.

    One grouped query per score column: (day, score) -> count, so the cost does not grow with the answers.
    """
    model = source.load()
    if model is None:
        return {"available": False, "csat_responses": 0, "csat": None, "nps_responses": 0, "nps": None,
                "series": []}  # fmt: skip
    f = source.fields
    answers = _channel(
        _in_window(_scoped(model, source, window), f["submitted"], window),
        source,
        window,
    )
    totals: dict[str, dict[int, int]] = {"csat": defaultdict(int), "nps": defaultdict(int)}
    periods: dict[Any, dict[str, dict[int, int]]] = defaultdict(
        lambda: {"csat": defaultdict(int), "nps": defaultdict(int)}
    )
    for kind in ("csat", "nps"):
        column = f[kind]
        for row in (
            answers.filter(**{f"{column}__isnull": False})
            .annotate(day=TruncDate(f["submitted"]))
            .values("day", column)
            .annotate(n=Count("pk"))
        ):
            score = int(row[column])
            totals[kind][score] += row["n"]
            periods[kpis.period_start(row["day"], window.granularity)][kind][score] += row["n"]
    return {
        "available": True,
        "csat_responses": sum(totals["csat"].values()),
        "csat": kpis.csat(totals["csat"]),
        "nps_responses": sum(totals["nps"].values()),
        "nps": kpis.nps(totals["nps"]),
        "series": [
            {
                "period_start": start,
                "csat_responses": sum(values["csat"].values()),
                "csat": kpis.csat(values["csat"]),
                "nps_responses": sum(values["nps"].values()),
                "nps": kpis.nps(values["nps"]),
            }
            for start, values in sorted(periods.items())
        ],
    }


def repairs_provider(window: KpiWindow, source: Source = REPAIRS) -> dict[str, Any]:
    model = source.load()
    if model is None:
        return {"available": False, "completed": 0, "completion": EMPTY_DURATION, "cost": []}
    f = source.fields
    done = _channel(_in_window(_scoped(model, source, window), f["completed"], window), source, window)
    if f.get("cost_quantity"):
        amount = Sum(
            ExpressionWrapper(
                F(f["cost_quantity"]) * F(f["cost"]),
                output_field=DecimalField(max_digits=30, decimal_places=6),
            )
        )
    else:
        amount = Sum(f["cost"])
    cost = [
        {
            "currency": row[f["currency"]],
            "repairs": row["repairs"],
            "amount": quantize(row["amount"] or Decimal("0"), row[f["currency"]]),
        }
        for row in done.values(f["currency"])
        .annotate(repairs=Count("pk", distinct=True), amount=amount)
        .order_by(f["currency"])
    ]
    summary = duration_summary(done, f["created"], f["completed"])
    return {"available": True, "completed": summary["count"], "completion": summary, "cost": cost}


Provider = Callable[[KpiWindow], dict[str, Any]]
PROVIDERS: dict[str, Provider] = {
    "loyalty": loyalty_provider,
    "cases": cases_provider,
    "satisfaction": satisfaction_provider,
    "repairs": repairs_provider,
}


def cross_domain_kpis(window: KpiWindow) -> dict[str, dict[str, Any]]:
    """Every provider's section of the overview, by name."""
    return {name: provider(window) for name, provider in PROVIDERS.items()}
