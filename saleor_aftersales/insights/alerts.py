"""Quality alerts: which SKUs, categories and suppliers see a significant jump of defect returns.

The test (stated for merchants, see stats.py): in the recent window (default the last 28 complete days) a key shipped
`n` units and `k` units came back for a defect reason (reason categories in InsightsSettings, default "quality").
Under the null hypothesis each unit is returned for a defect with probability p0, taken from
- its own baseline: the same key in the preceding `baseline_days` (default 182), when that baseline shipped at least
  `min_units`; and, for SKUs,
- its category: the other SKUs of the same category in the recent window (same min volume).
Each comparison is a one-sided exact binomial test P(X >= k | n, p0). Many keys are tested every sweep, so p-values
are adjusted with Benjamini–Hochberg across every test of the sweep that had enough volume, and an alert needs an
adjusted p below `alpha` (a false discovery rate, default 5 %), at least `min_defects` defect units and a lift of at
least `min_lift` x p0. Rates read from the daily rollups; returns are dated by request and units by shipment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, Sum

from ..core.actors import Actor
from ..core.ids import to_global_id
from ..installations.models import Installation
from ..returns.models import ReturnLine, ReturnPhoto, ReturnStatus
from . import kpis
from .events import record_alert_event
from .models import AlertComparison, AlertLevel, AlertStatus, DailyRollup, Grain, QualityAlert
from .rollups import settings_for
from .stats import defect_rate_alert

LEVEL_COLUMNS = {
    AlertLevel.SKU: "variant_id",
    AlertLevel.CATEGORY: "category_id",
    AlertLevel.SUPPLIER: "supplier",
}
SAMPLE_COMMENTS = 5
SAMPLE_PHOTOS = 10


@dataclass(frozen=True)
class Windows:
    recent_start: date
    recent_end: date
    baseline_start: date
    baseline_end: date


def windows_for(today: date, *, recent_days: int, baseline_days: int) -> Windows:
    """Complete days only: the recent window ends yesterday."""
    recent_end = today - timedelta(days=1)
    recent_start = recent_end - timedelta(days=recent_days - 1)
    baseline_end = recent_start - timedelta(days=1)
    return Windows(recent_start, recent_end, baseline_end - timedelta(days=baseline_days - 1), baseline_end)


@dataclass
class _Counts:
    units: int = 0
    defects: int = 0
    base_units: int = 0
    base_defects: int = 0
    category: str = ""
    label: str = ""


@dataclass(frozen=True)
class Test:
    level: str
    key: str
    comparison: str
    units: int
    defects: int
    expected_rate: float
    p_value: float
    passes_gates: bool  # volume, minimum defects and lift (everything except significance)
    lift: float
    rate: float


def _counts(installation: Installation, level: str, w: Windows) -> dict[str, _Counts]:
    column = LEVEL_COLUMNS[level]
    recent = Q(day__gte=w.recent_start, day__lte=w.recent_end)
    baseline = Q(day__gte=w.baseline_start, day__lte=w.baseline_end)
    span = Q(day__gte=w.baseline_start, day__lte=w.recent_end)
    counts: dict[str, _Counts] = defaultdict(_Counts)
    sales = DailyRollup.objects.filter(span, installation=installation, grain=Grain.VARIANT).exclude(
        **{column: ""}
    )
    # Defects are the rollup's defect_units: requested units whose reason category the settings count as defects.
    labels = {
        AlertLevel.SKU: ("category_id", "sku", "product_name", "variant_name"),
        AlertLevel.CATEGORY: ("category_name",),
        AlertLevel.SUPPLIER: (),
    }[level]
    for row in sales.values(column).annotate(
        units=Sum("fulfilled_units", filter=recent),
        base=Sum("fulfilled_units", filter=baseline),
        defects=Sum("defect_units", filter=recent),
        base_defects=Sum("defect_units", filter=baseline),
        **{name: Max(name) for name in labels},
    ):
        entry = counts[row[column]]
        entry.units, entry.base_units = row["units"] or 0, row["base"] or 0
        entry.defects, entry.base_defects = row["defects"] or 0, row["base_defects"] or 0
        if level == AlertLevel.SKU:
            entry.category = row["category_id"]
            name = " / ".join(part for part in (row["product_name"], row["variant_name"]) if part)
            entry.label = f"{row['sku']} {name}".strip()
        elif level == AlertLevel.CATEGORY:
            entry.label = row["category_name"]
        else:
            entry.label = row[column]
    return counts


def _test(level: str, key: str, comparison: str, units: int, defects: int, p0: float, cfg) -> Test:
    decision = defect_rate_alert(
        defects=min(defects, units),
        units=units,
        baseline_rate=p0,
        alpha=1.0,  # significance is decided after the Benjamini–Hochberg adjustment
        min_units=cfg.min_units,
        min_defects=cfg.min_defects,
        min_lift=float(cfg.min_lift),
    )
    return Test(
        level, key, comparison, units, min(defects, units), decision.expected_rate, decision.p_value,
        decision.alert, decision.lift, decision.rate,
    )  # fmt: skip


def run_tests(installation: Installation, w: Windows) -> tuple[list[Test], dict[tuple[str, str], str]]:
    """Every test with enough volume on both sides (the family Benjamini–Hochberg adjusts over), and the labels
    of the keys tested."""
    cfg = settings_for(installation)
    labels: dict[tuple[str, str], str] = {}
    levels = [AlertLevel.SKU, AlertLevel.CATEGORY] + ([AlertLevel.SUPPLIER] if cfg.supplier_attribute else [])
    tests: list[Test] = []
    sku_counts: dict[str, _Counts] = {}
    for level in levels:
        counts = _counts(installation, level, w)
        labels.update({(level, key): c.label for key, c in counts.items()})
        if level == AlertLevel.SKU:
            sku_counts = counts
        for key, c in counts.items():
            if c.units < cfg.min_units:
                continue
            if c.base_units >= cfg.min_units:
                p0 = c.base_defects / c.base_units
                tests.append(_test(level, key, AlertComparison.BASELINE, c.units, c.defects, p0, cfg))
    # SKU vs the rest of its category in the same window.
    by_category: dict[str, list[_Counts]] = defaultdict(list)
    for c in sku_counts.values():
        if c.category:
            by_category[c.category].append(c)
    for key, c in sku_counts.items():
        if c.units < cfg.min_units or not c.category:
            continue
        peers = by_category[c.category]
        other_units = sum(p.units for p in peers) - c.units
        other_defects = sum(p.defects for p in peers) - c.defects
        if other_units >= cfg.min_units:
            tests.append(
                _test(
                    AlertLevel.SKU,
                    key,
                    AlertComparison.CATEGORY,
                    c.units,
                    c.defects,
                    other_defects / other_units,
                    cfg,
                )  # fmt: skip
            )
    return tests, labels


def _evidence(installation: Installation, level: str, key: str, w: Windows, categories: list[str]) -> dict:
    cfg = settings_for(installation)
    since = datetime(w.recent_start.year, w.recent_start.month, w.recent_start.day, tzinfo=UTC)
    until = datetime(w.recent_end.year, w.recent_end.month, w.recent_end.day, tzinfo=UTC) + timedelta(days=1)
    lines = ReturnLine.objects.filter(
        request__installation=installation,
        request__created_at__gte=since,
        request__created_at__lt=until,
        reason_category__in=categories,
    ).exclude(request__status=ReturnStatus.CANCELLED)
    if level == AlertLevel.SKU:
        lines = lines.filter(order_line__variant_id=key)
    elif level == AlertLevel.CATEGORY:
        lines = lines.filter(order_line__category_id=key)
    else:
        lines = lines.filter(**{f"order_line__product_attributes__{cfg.supplier_attribute}__0": key})
    reasons = [
        {"code": row["reason_code"], "units": row["units"], "lines": row["lines"]}
        for row in lines.values("reason_code")
        .annotate(units=Sum("quantity"), lines=Count("id"))
        .order_by("-units", "reason_code")
    ]
    comments = []
    for line in (
        lines.exclude(Q(comment="") & Q(request__customer_comment=""))
        .select_related("request")
        .order_by("-request__created_at", "-id")[:SAMPLE_COMMENTS]
    ):
        comments.append(
            {
                "request": line.request.number,
                "reason": line.reason_code,
                "comment": (line.comment or line.request.customer_comment)[:500],
            }
        )
    photos = list(
        ReturnPhoto.objects.filter(Q(line__in=lines) | Q(request__lines__in=lines, line__isnull=True))
        .order_by("-id")
        .values_list("id", flat=True)
        .distinct()[:SAMPLE_PHOTOS]
    )
    top_skus = []
    if level != AlertLevel.SKU:
        top_skus = [
            {
                "variant_id": row["order_line__variant_id"],
                "sku": row["order_line__sku"],
                "units": row["units"],
            }
            for row in lines.values("order_line__variant_id", "order_line__sku")
            .annotate(units=Sum("quantity"))
            .order_by("-units", "order_line__variant_id")[:5]
        ]
    requests = list(
        lines.order_by("-request__created_at").values_list("request__number", flat=True).distinct()[:20]
    )
    return {
        "reasons": reasons,
        "sample_comments": comments,
        "photo_ids": [to_global_id("ReturnPhoto", pk) for pk in photos],
        "requests": requests,
        "top_skus": top_skus,
    }


def sweep_quality_alerts(
    installation: Installation, *, today: date, actor: Actor | None = None
) -> list[QualityAlert]:
    """Test every SKU/category/supplier and raise (or refresh) alerts; idempotent for a given day."""
    actor = actor or Actor.system("insights.quality_sweep")
    cfg = settings_for(installation)
    w = windows_for(today, recent_days=cfg.recent_window_days, baseline_days=cfg.baseline_days)
    tests, labels = run_tests(installation, w)
    adjusted = kpis.benjamini_hochberg([t.p_value for t in tests])
    best: dict[tuple[str, str], tuple[Test, float]] = {}
    for test, q_value in zip(tests, adjusted, strict=True):
        if not test.passes_gates or q_value >= float(cfg.alpha):
            continue
        current = best.get((test.level, test.key))
        if current is None or q_value < current[1]:
            best[(test.level, test.key)] = (test, q_value)
    raised = []
    for (level, key), (test, q_value) in sorted(best.items()):
        alert = _raise(installation, test, q_value, w, labels.get((level, key), ""), cfg, actor)
        if alert is not None:
            raised.append(alert)
    return raised


@transaction.atomic
def _raise(installation, test: Test, q_value: float, w: Windows, label: str, cfg, actor: Actor):
    figures = {
        "label": label[:512],
        "comparison": test.comparison,
        "window_start": w.recent_start,
        "window_end": w.recent_end,
        "units": test.units,
        "defects": test.defects,
        "rate": test.rate,
        "expected_rate": test.expected_rate,
        "lift": test.lift,
        "p_value": test.p_value,
        "adjusted_p_value": q_value,
        "evidence": _evidence(
            installation, test.level, test.key, w, list(cfg.defect_reason_categories or ["quality"])
        ),
    }
    latest = (
        QualityAlert.objects.select_for_update()
        .filter(installation=installation, level=test.level, key=test.key)
        .order_by("-window_end", "-id")
        .first()
    )
    if latest is not None and latest.window_end >= w.recent_start:
        # The same episode: keep one alert and refresh it while open; an acknowledged one stays quiet.
        if latest.status == AlertStatus.ACKNOWLEDGED:
            return None
        for name, value in figures.items():
            setattr(latest, name, value)
        latest.save()
        record_alert_event(latest, type="refreshed", actor=actor, data={"window_end": str(w.recent_end)})
        return latest
    alert = QualityAlert.objects.create(installation=installation, level=test.level, key=test.key, **figures)
    record_alert_event(alert, type="raised", actor=actor, to_status=AlertStatus.OPEN)
    return alert


def describe(alert: QualityAlert) -> dict[str, Any]:
    return {
        "level": alert.level,
        "key": alert.key,
        "label": alert.label,
        "comparison": alert.comparison,
        "rate": alert.rate,
        "expected_rate": alert.expected_rate,
        "units": alert.units,
        "defects": alert.defects,
    }
