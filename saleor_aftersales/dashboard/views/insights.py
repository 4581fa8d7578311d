"""Insights: the period's KPIs with charts (Chart.js, vendored) and the open quality alerts to acknowledge."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ...core.errors import DomainError
from ...insights import actions as insights_actions
from ...insights import selectors as insights_selectors
from ...insights.models import AlertStatus
from ...installations.auth import Requestor
from .common import failure, form_error, params, shell, staff, success, with_trigger

PERMISSION = "MANAGE_ORDERS"
DEFAULT_DAYS = 30
ALERT_ROWS = 20


def insights_page(request: HttpRequest) -> HttpResponse:
    return shell(request, "insights")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _charts(data: dict, texts: dict, language: str) -> dict[str, str]:
    """Chart.js configs as JSON for `data-chart` attributes (charts.js draws them; no inline script, CSP)."""
    series = data["series"]
    labels = [row["period_start"].isoformat() for row in series]
    reason_label = "label_zh_hans" if language == "zh-hans" else "label_en"
    trend = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {"label": texts["requested_units"], "data": [r["requested_units"] for r in series]},
                {"label": texts["returned_units"], "data": [r["returned_units"] for r in series]},
            ],
        },
    }
    reasons = {
        "type": "bar",
        "options": {"indexAxis": "y"},
        "data": {
            "labels": [r[reason_label] for r in data["top_reasons"]],
            "datasets": [
                {
                    "label": texts["requested_units"],
                    "data": [r["requested_units"] for r in data["top_reasons"]],
                }
            ],
        },
    }
    mix = {
        "type": "doughnut",
        "data": {
            "labels": [r["resolution"] for r in data["resolution_mix"]],
            "datasets": [
                {"label": texts["requests"], "data": [r["requests"] for r in data["resolution_mix"]]}
            ],
        },
    }
    return {
        name: json.dumps(config) for name, config in (("trend", trend), ("reasons", reasons), ("mix", mix))
    }


def _more_figures(data: dict) -> list[tuple[str, str]]:
    """(text key, value) of the secondary figures: durations, SLA, loyalty and — once installed — cases, surveys."""
    durations = {row["metric"]: row for row in data["durations"]}

    def hours(value) -> str:
        return "—" if value is None else f"{value:.1f}"

    def percent(value) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    met = sum(row["met"] for row in data["sla"])
    breached = sum(row["breached"] for row in data["sla"])
    figures = [
        ("decision_p50", hours(durations["decision"]["p50_hours"])),
        ("refund_p90", hours(durations["refund"]["p90_hours"])),
        ("sla_attainment", percent(met / (met + breached) if met + breached else None)),
    ]
    loyalty = data["loyalty"]
    figures.append(("points_issued_redeemed", f"{loyalty['issued']} / {loyalty['redeemed']}"))
    for row in loyalty["liability"]:
        figures.append(("loyalty_liability", f"{row['liability']} {row['currency']}"))
    cases = data.get("cases") or {}
    if cases.get("available"):
        figures.append(("complaint_rate", percent(cases["complaint_rate"])))
        figures.append(("first_response_p50", hours(cases["first_response"]["p50_hours"])))
    satisfaction = data.get("satisfaction") or {}
    if satisfaction.get("available"):
        figures.append(("csat", percent(satisfaction["csat"])))
        figures.append(("nps", "—" if satisfaction["nps"] is None else f"{satisfaction['nps']:.0f}"))
    return figures


def render_insights(
    request: HttpRequest, requestor: Requestor, *, error: dict | None = None, trigger: dict | None = None
) -> HttpResponse:
    installation = requestor.installation
    values = params(request)
    today = timezone.now().date()
    start = _date(values.get("start")) or today - timedelta(days=DEFAULT_DAYS - 1)
    end = _date(values.get("end")) or today
    data = None
    try:
        filters = insights_selectors.clean_filters(
            installation, start=start, end=end, channel=values.get("channel", "")[:128], today=today
        )
        data = insights_selectors.overview(installation, filters)
    except DomainError as exc:
        error = error or form_error(exc)
    alerts = list(insights_selectors.alerts_for(installation, status=AlertStatus.OPEN)[:ALERT_ROWS])
    photos = insights_selectors.alert_photos(alerts)
    for alert in alerts:
        alert.photo_files = photos.get(alert.pk, [])
    context = {
        "t": request.texts,
        "data": data,
        "charts": _charts(data, request.texts, request.language) if data else {},
        "more_figures": [(request.texts[key], value) for key, value in _more_figures(data)] if data else [],
        "alerts": alerts,
        "start": start,
        "end": end,
        "error": error,
    }
    return with_trigger(render(request, "dashboard/insights.html", context), trigger)


@csrf_exempt
@require_GET
def insights_fragment(request: HttpRequest) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    return render_insights(request, requestor)


@csrf_exempt
@require_POST
def alert_acknowledge_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    requestor = staff(request, PERMISSION)
    if isinstance(requestor, HttpResponse):
        return requestor
    alert = insights_selectors.alerts_for(requestor.installation).filter(pk=pk).first()
    if alert is None:
        return HttpResponse(status=404)
    try:
        insights_actions.acknowledge_alert(
            alert=alert, actor=requestor.actor, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        return render_insights(request, requestor, error=form_error(exc), trigger=failure(exc))
    return render_insights(request, requestor, trigger=success(request.texts["acknowledged"], alert.label))
