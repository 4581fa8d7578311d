"""Every write of insights: settings, alert acknowledgement, simulations, the weekly digest."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count

from ..core.actors import Actor
from ..core.errors import DomainError, ErrorDetail
from ..core.money import quantize
from ..core.time import now as clock_now
from ..installations.models import Installation
from ..notifications.actions import notify
from ..orders.models import Customer
from ..returns import selectors as return_selectors
from ..returns.models import ReturnLine, ReturnPhoto, ReturnRequest
from . import error_codes, simulator
from .events import record_alert_event, record_run_event
from .models import AlertStatus, InsightsSettings, QualityAlert, SimulationRun, SimulationStatus

logger = logging.getLogger(__name__)

SETTINGS_LIMITS = {
    "recent_window_days": (7, 180),
    "baseline_days": (14, 730),
    "min_units": (1, 100000),
    "min_defects": (1, 100000),
}
PROGRESS_EVERY = 2000
BATCH = 5000
DIGEST_EVENT = "insights_quality_digest"


# -------------------------------------------------------------------------------------------------- settings
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@transaction.atomic
def update_insights_settings(
    *, installation: Installation, actor: Actor, values: dict[str, Any]
) -> InsightsSettings:
    problems: list[ErrorDetail] = []
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name == "digest_emails":
            emails = [str(e).strip().lower() for e in value if str(e).strip()]
            for email in emails:
                try:
                    validate_email(email)
                except ValidationError:
                    problems.append(
                        ErrorDetail(error_codes.INVALID_EMAIL, f"Not an email: {email}.", "digestEmails")
                    )
            cleaned[name] = list(dict.fromkeys(emails))
        elif name == "digest_language":
            if value not in ("en", "zh-hans"):
                problems.append(ErrorDetail("INVALID", "en or zh-hans.", "digestLanguage"))
            cleaned[name] = value
        elif name in SETTINGS_LIMITS:
            low, high = SETTINGS_LIMITS[name]
            if not low <= int(value) <= high:
                problems.append(ErrorDetail("OUT_OF_RANGE", f"Between {low} and {high}.", _camel(name)))
            cleaned[name] = int(value)
        elif name == "alpha":
            if not Decimal("0") < Decimal(str(value)) <= Decimal("0.2"):
                problems.append(ErrorDetail("OUT_OF_RANGE", "A false discovery rate in (0, 0.2].", "alpha"))
            cleaned[name] = Decimal(str(value))
        elif name == "min_lift":
            if not Decimal("1") <= Decimal(str(value)) <= Decimal("100"):
                problems.append(ErrorDetail("OUT_OF_RANGE", "Between 1 and 100.", "minLift"))
            cleaned[name] = Decimal(str(value))
        elif name == "defect_reason_categories":
            allowed = {"quality", "logistics", "no_reason", "other"}
            if not value or any(v not in allowed for v in value):
                problems.append(
                    ErrorDetail("INVALID", f"A non-empty list of {sorted(allowed)}.", _camel(name))
                )
            cleaned[name] = list(value)
        elif name == "supplier_attribute":
            cleaned[name] = str(value).strip()[:128]
        else:
            problems.append(ErrorDetail("INVALID", f"Unknown setting {name}.", _camel(name)))
    if problems:
        raise DomainError.many(problems)
    row, _ = InsightsSettings.objects.select_for_update().get_or_create(installation=installation)
    supplier_changed = (
        "supplier_attribute" in cleaned and cleaned["supplier_attribute"] != row.supplier_attribute
    )
    for name, value in cleaned.items():
        setattr(row, name, value)
    row.save()
    if supplier_changed:
        # The supplier is a rollup dimension: rebuild every day with the new attribute.
        from .tasks import refresh_rollups_task

        transaction.on_commit(lambda: refresh_rollups_task.delay(installation.pk, full=True))
    logger.info("insights settings updated", extra={"installation": installation.pk, "by": actor.email})
    return row


# ---------------------------------------------------------------------------------------------------- alerts
@transaction.atomic
def acknowledge_alert(*, alert: QualityAlert, actor: Actor, note: str = "") -> QualityAlert:
    alert = QualityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.ACKNOWLEDGED:
        raise DomainError(error_codes.ALREADY_ACKNOWLEDGED, "This alert is already acknowledged.", "id")
    previous = alert.status
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = clock_now()
    alert.acknowledged_by = actor.email or actor.user_id or actor.name
    alert.acknowledge_note = note[:2000]
    alert.save(
        update_fields=["status", "acknowledged_at", "acknowledged_by", "acknowledge_note", "updated_at"]
    )
    record_alert_event(
        alert,
        type="acknowledged",
        actor=actor,
        from_status=previous,
        to_status=alert.status,
        note=note[:2000],
    )
    return alert


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def send_weekly_digest(*, installation: Installation, today: date) -> int:
    """Email the week's new alerts (and the count still open) to the configured staff; one email per address
    and ISO week (the dedupe key makes a second run a no-op). Returns how many notifications were recorded."""
    cfg = InsightsSettings.objects.filter(installation=installation).first()
    if cfg is None or not cfg.digest_emails:
        return 0
    since = today - timedelta(days=7)
    new = list(
        QualityAlert.objects.filter(installation=installation, created_at__date__gte=since).order_by(
            "-p_value"
        )
    )
    open_count = QualityAlert.objects.filter(installation=installation, status=AlertStatus.OPEN).count()
    if not new and not open_count:
        return 0
    week = _iso_week(today - timedelta(days=1))
    lines = "\n".join(
        f"- [{a.level}] {a.label or a.key}: {a.defects}/{a.units} defect returns "
        f"({a.rate:.1%} vs {a.expected_rate:.1%} expected, {a.comparison})"
        for a in sorted(new, key=lambda a: a.adjusted_p_value)[:20]
    )
    sent = 0
    with transaction.atomic():
        for email in cfg.digest_emails:
            if notify(
                installation=installation,
                event=DIGEST_EVENT,
                recipient_email=email,
                dedupe_key=f"insights-digest:{week}:{email}",
                language=cfg.digest_language,
                context={
                    "week": week,
                    "new_alerts": len(new),
                    "open_alerts": open_count,
                    "alert_lines": lines,
                },
                subject_type="insights_digest",
                subject_id=week,
            ):
                sent += 1
    return sent


# ----------------------------------------------------------------------------------------------- simulations
@transaction.atomic
def start_simulation(
    *,
    installation: Installation,
    actor: Actor,
    months: int,
    changes: dict[str, Any],
    channel: str = "",
    return_label_cost: Any = None,
    credit_uptake_per_bonus_point: Any = None,
) -> SimulationRun:
    """Record a run (validated proposal, period) and enqueue the replay after commit."""
    problems: list[ErrorDetail] = []
    if not isinstance(months, int) or not 1 <= months <= simulator.MAX_MONTHS:
        problems.append(
            ErrorDetail(error_codes.INVALID_PERIOD, f"Between 1 and {simulator.MAX_MONTHS} months.", "months")
        )
    try:
        proposal = simulator.clean_proposal(
            changes,
            return_label_cost=return_label_cost,
            credit_uptake_per_bonus_point=credit_uptake_per_bonus_point,
        )
    except DomainError as exc:
        problems.extend(exc.details)
    if problems:
        raise DomainError.many(problems)
    end = clock_now()
    run = SimulationRun.objects.create(
        installation=installation,
        channel_slug=channel.strip(),
        months=months,
        proposal=proposal.as_json(),
        period_start=end - timedelta(days=round(months * 30.44)),
        period_end=end,
        requested_by=actor.email or actor.user_id or actor.name,
    )
    record_run_event(run, type="started", actor=actor, to_status=run.status)
    from .tasks import run_simulation_task

    transaction.on_commit(lambda: run_simulation_task.delay(run.pk))
    return run


_LINE_FACTS = (
    "request_id",
    "quantity",
    "reason_code",
    "reason_category",
    "order_line__quantity",
    "order_line__quantity_fulfilled",
    "order_line__unit_price_gross",
    "order_line__product_id",
    "order_line__category_id",
    "order_line__product_type_id",
    "order_line__product_metadata",
    "order_line__return_window__fulfilled_at",
    "order_line__return_window__delivered_at",
    "order_line__order__fulfilled_at",
)
_REQUEST_FACTS = (
    "id",
    "created_at",
    "kind",
    "resolution",
    "currency",
    "channel_slug",
    "customer_user_id",
    "customer_email",
    "order__shipping_gross",
)


def _stream_cases(base, trusted: set[str]) -> Iterator[tuple[str, simulator.RequestCase]]:
    """(channel, case) per request of `base` in (created_at, id) order, streamed as plain rows.

    Two server-side cursors in the same order (requests; their lines) are merged, plus one grouped query for the
    photo counts: a constant number of queries whatever the period, and no model instances.
    """
    order = ("created_at", "id")
    photos = dict(
        ReturnPhoto.objects.filter(request__in=base.values("pk"))
        .values("request_id")
        .annotate(n=Count("id"))
        .values_list("request_id", "n")
    )
    line_rows = (
        ReturnLine.objects.filter(request__in=base.values("pk"))
        .order_by("request__created_at", "request_id", "id")
        .values_list(*_LINE_FACTS)
        .iterator(chunk_size=BATCH)
    )
    pending = next(line_rows, None)
    for pk, created_at, kind, resolution, currency, channel, user_id, email, shipping in (
        base.order_by(*order).values_list(*_REQUEST_FACTS).iterator(chunk_size=BATCH)
    ):
        lines = []
        while pending is not None and pending[0] == pk:
            (
                _request_id, quantity, code, category, bought, fulfilled, price, product, category_id, product_type,
                metadata, window_fulfilled_at, delivered_at, order_fulfilled_at,
            ) = pending  # fmt: skip
            lines.append(
                simulator.LineCase(
                    quantity=quantity,
                    order_quantity=bought,
                    order_quantity_fulfilled=fulfilled or bought,
                    unit_price=price,
                    reason_code=code,
                    reason_category=category,
                    product_id=product,
                    category_id=category_id,
                    product_type_id=product_type,
                    product_metadata=metadata or {},
                    fulfilled_at=window_fulfilled_at or order_fulfilled_at,
                    delivered_at=delivered_at,
                )
            )
            pending = next(line_rows, None)
        case = simulator.RequestCase(
            created_at=created_at,
            kind=kind,
            resolution=resolution,
            currency=currency,
            customer=user_id or email.lower(),
            trusted_customer=bool(user_id and user_id in trusted),
            photo_count=photos.get(pk, 0),
            order_shipping=shipping,
            lines=tuple(lines),
        )
        yield channel, case


def report_progress(run: SimulationRun, processed: int) -> None:
    """What the dashboard polls while the task runs (its own autocommit write, outside the replay)."""
    SimulationRun.objects.filter(pk=run.pk).update(processed_requests=processed)


def run_simulation(*, run_id: int) -> SimulationRun | None:
    """The replay (from the task). Idempotent: a finished run is left alone; a rerun starts from the beginning."""
    with transaction.atomic():
        run = SimulationRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (SimulationStatus.SUCCEEDED, SimulationStatus.FAILED):
            return run
        previous = run.status
        run.status = SimulationStatus.RUNNING
        run.started_at = clock_now()
        run.processed_requests = 0
        base = ReturnRequest.objects.filter(
            installation=run.installation, created_at__gte=run.period_start, created_at__lt=run.period_end
        )
        if run.channel_slug:
            base = base.filter(channel_slug=run.channel_slug)
        run.total_requests = base.count()
        run.save()
        record_run_event(run, type="running", actor=Actor.system("insights.simulator"), from_status=previous,
                         to_status=run.status)  # fmt: skip
    try:
        result = _replay(run, base)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the run for the merchant to see
        logger.exception("policy simulation failed", extra={"run": run.pk})
        with transaction.atomic():
            SimulationRun.objects.filter(pk=run.pk).update(
                status=SimulationStatus.FAILED, error=str(exc)[:2000], finished_at=clock_now()
            )
            run.refresh_from_db()
            record_run_event(run, type="failed", actor=Actor.system("insights.simulator"),
                             from_status=SimulationStatus.RUNNING, to_status=run.status, note=str(exc)[:500])  # fmt: skip
        return run
    with transaction.atomic():
        run.refresh_from_db()
        run.result = result
        run.status = SimulationStatus.SUCCEEDED
        run.processed_requests = run.total_requests
        run.finished_at = clock_now()
        run.save()
        record_run_event(run, type="succeeded", actor=Actor.system("insights.simulator"),
                         from_status=SimulationStatus.RUNNING, to_status=run.status)  # fmt: skip
    return run


def _replay(run: SimulationRun, base) -> dict[str, Any]:
    installation = run.installation
    proposal = simulator.Proposal.from_json(run.proposal)
    trusted = {
        c.saleor_id
        for c in Customer.objects.filter(installation=installation, metadata__aftersales_trusted="true").only(
            "saleor_id"
        )
    }
    replays: dict[tuple[str, str], tuple[simulator.Replay, simulator.Replay]] = {}
    policy_cache: dict[str, tuple] = {}

    def replays_for(channel: str, currency: str) -> tuple[simulator.Replay, simulator.Replay]:
        key = (channel, currency)
        if key not in replays:
            if channel not in policy_cache:
                row = return_selectors.policy_row(installation, channel)
                policy_cache[channel] = (return_selectors.terms_of(row), return_selectors.rules_of(row))
            terms, rules = policy_cache[channel]
            replays[key] = (
                simulator.Replay(terms, rules, terms.store_credit_bonus_percent, proposal),
                simulator.Replay(
                    simulator.propose(terms, proposal), rules, terms.store_credit_bonus_percent, proposal
                ),
            )
        return replays[key]

    processed = 0
    for channel, case in _stream_cases(base, trusted):
        current, proposed = replays_for(channel, case.currency)
        current.judge(case)
        proposed.judge(case)
        processed += 1
        if processed % PROGRESS_EVERY == 0:
            report_progress(run, processed)
    report_progress(run, processed)
    by_currency: dict[str, list[tuple[simulator.Replay, simulator.Replay]]] = defaultdict(list)
    for (_channel, currency), pair in replays.items():
        by_currency[currency].append(pair)
    results = []
    for currency, pairs in sorted(by_currency.items()):
        current = _sum_outcomes([p[0].outcome for p in pairs])
        proposed = _sum_outcomes([p[1].outcome for p in pairs])
        actual = _actual(base.filter(currency=currency), currency)
        results.append(
            {"currency": currency, **simulator.compare(current, proposed, currency), "actual": actual}
        )
    return {
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "requests": processed,
        "by_currency": results,
        "assumptions": simulator.ASSUMPTIONS,
    }


def _sum_outcomes(outcomes: list[simulator.Outcome]) -> simulator.Outcome:
    total = simulator.Outcome()
    for outcome in outcomes:
        for name in simulator.Outcome.__dataclass_fields__:
            if name == "refusals":
                for code, count in outcome.refusals.items():
                    total.refusals[code] += count
            else:
                setattr(total, name, getattr(total, name) + getattr(outcome, name))
    return total


def _actual(requests, currency: str) -> dict[str, Any]:
    """What really happened in the period (for reference next to the replay of the current policy)."""
    from django.db.models import Q, Sum

    from ..returns.models import ReturnStatus

    figures = requests.aggregate(
        requests=Count("id"),
        rejected=Count("id", filter=Q(status=ReturnStatus.REJECTED)),
        refunds=Sum("refund_amount", filter=Q(status=ReturnStatus.RESOLVED)),
        credit=Sum("store_credit_amount", filter=Q(status=ReturnStatus.RESOLVED)),
    )
    return {
        "requests": figures["requests"] or 0,
        "rejected_requests": figures["rejected"] or 0,
        "cash_refunds": str(quantize(figures["refunds"] or Decimal("0"), currency)),
        "store_credit_issued": str(quantize(figures["credit"] or Decimal("0"), currency)),
    }
