"""GraphQL types of insights. Most are read straight from the selectors' dicts (graphene resolves dict keys)."""

from __future__ import annotations

from decimal import Decimal

import graphene

from ...core.ids import to_global_id
from ...insights import error_codes
from ...insights.models import AlertComparison, AlertLevel, AlertStatus, SimulationStatus
from ..core.context import get_loader
from ..core.errors import error_code_enum, error_type
from ..core.types import Money, TimelineEvent, choices_enum, money
from .dataloaders import AlertEventsByAlertIdLoader

InsightsErrorCode = error_code_enum("InsightsErrorCode", error_codes.ALL)
InsightsError = error_type("InsightsError", InsightsErrorCode)


QualityAlertLevelEnum = choices_enum("QualityAlertLevelEnum", AlertLevel.values)
QualityAlertStatusEnum = choices_enum("QualityAlertStatusEnum", AlertStatus.values)
QualityAlertComparisonEnum = choices_enum("QualityAlertComparisonEnum", AlertComparison.values)
PolicySimulationStatusEnum = choices_enum("PolicySimulationStatusEnum", SimulationStatus.values)


class InsightsFilterInput(graphene.InputObjectType):
    start = graphene.Date(required=True, description="First day (UTC) of the period.")
    end = graphene.Date(required=True, description="Last day (UTC), inclusive; at most 731 days after start.")
    channel = graphene.String(description="Channel slug.")
    currency = graphene.String()
    product_id = graphene.ID(description="Saleor Product id.")
    variant_id = graphene.ID(description="Saleor ProductVariant id.")
    category_id = graphene.ID(description="Saleor Category id.")


class InsightsPeriod(graphene.ObjectType):
    start = graphene.Date(required=True)
    end = graphene.Date(required=True)
    days = graphene.Int(required=True)


class InsightsStaleness(graphene.ObjectType):
    refreshed_at = graphene.DateTime(description="When the rollups were last refreshed; null = never.")
    watermark = graphene.DateTime(description="Every change before this moment is included.")


class InsightsTotals(graphene.ObjectType):
    fulfilled_units = graphene.Int(required=True)
    requests = graphene.Int(required=True)
    approved_requests = graphene.Int(required=True)
    rejected_requests = graphene.Int(required=True)
    auto_approved_requests = graphene.Int(required=True)
    lines = graphene.Int(required=True)
    requested_units = graphene.Int(required=True)
    returned_units = graphene.Int(required=True)
    return_rate = graphene.Float(
        description="Returned units / fulfilled units; null without fulfilled units."
    )
    request_rate = graphene.Float(description="Requested units / fulfilled units.")
    approval_rate = graphene.Float(description="Approved / (approved + rejected) requests.")


def _money_field(name: str):
    def resolve(root, _info):
        return money(root[name], root["currency"])

    return graphene.Field(Money, required=True, resolver=resolve)


class InsightsMoney(graphene.ObjectType):
    currency = graphene.String(required=True)
    revenue = _money_field("revenue")
    refund_amount = _money_field("refund_amount")
    store_credit_amount = _money_field("store_credit_amount")
    refund_share_of_revenue = graphene.Float()


class InsightsResolutionShare(graphene.ObjectType):
    resolution = graphene.String(required=True)
    returned_units = graphene.Int(required=True)
    unit_share = graphene.Float(required=True)
    requests = graphene.Int(required=True)
    request_share = graphene.Float(required=True)


class InsightsReasonShare(graphene.ObjectType):
    code = graphene.String(required=True)
    category = graphene.String(required=True)
    label = graphene.String(required=True, language=graphene.String())
    requested_units = graphene.Int(required=True)
    returned_units = graphene.Int(required=True)
    share = graphene.Float(required=True, description="Share of requested units.")

    @staticmethod
    def resolve_label(root, _info, language=None):
        return root["label_zh_hans"] if language == "zh-hans" else root["label_en"]


class InsightsDuration(graphene.ObjectType):
    metric = graphene.String(
        required=True, description="decision, receipt or refund (from the request's creation)."
    )
    count = graphene.Int(required=True, description="Return lines measured (line-weighted).")
    p50_hours = graphene.Float()
    p90_hours = graphene.Float()


class InsightsSeriesPoint(graphene.ObjectType):
    period_start = graphene.Date(required=True)
    fulfilled_units = graphene.Int(required=True)
    requested_units = graphene.Int(required=True)
    returned_units = graphene.Int(required=True)
    return_rate = graphene.Float()
    refund_amount = graphene.Decimal(required=True)


class InsightsProduct(graphene.ObjectType):
    variant_id = graphene.ID(required=True)
    product_id = graphene.ID(required=True)
    sku = graphene.String(required=True)
    product_name = graphene.String(required=True)
    variant_name = graphene.String(required=True)
    category_id = graphene.ID(required=True)
    category_name = graphene.String(required=True)
    fulfilled_units = graphene.Int(required=True)
    requested_units = graphene.Int(required=True)
    returned_units = graphene.Int(required=True)
    defect_units = graphene.Int(required=True)
    return_rate = graphene.Float()
    refund_amount = graphene.Decimal(required=True)


class InsightsSlaAttainment(graphene.ObjectType):
    subject_type = graphene.String(required=True)
    metric = graphene.String(required=True)
    met = graphene.Int(required=True)
    breached = graphene.Int(required=True, description="Breached, or still running past due.")
    open = graphene.Int(required=True)
    attainment = graphene.Float(description="met / (met + breached).")
    stopped = graphene.Int(required=True, description="Clocks stopped (the step was done).")
    p50_hours = graphene.Float(description="Median time from start to stop of stopped clocks.")
    p90_hours = graphene.Float()


class InsightsLoyaltyLiability(graphene.ObjectType):
    channel = graphene.String(required=True)
    currency = graphene.String(required=True)
    available_points = graphene.Int(required=True)
    pending_points = graphene.Int(required=True)
    expiring_30d_points = graphene.Int(
        required=True, description="Available points in lots expiring within 30 days."
    )
    point_value = graphene.Decimal(required=True)
    liability = _money_field("liability")
    liability_net_of_breakage = _money_field("liability_net_of_breakage")


class InsightsLoyaltySeriesPoint(graphene.ObjectType):
    period_start = graphene.Date(required=True)
    issued = graphene.Int(required=True)
    redeemed = graphene.Int(required=True)
    expired = graphene.Int(required=True)


class InsightsLoyalty(graphene.ObjectType):
    available = graphene.Boolean(required=True)
    issued = graphene.Int(
        required=True, description="Points earned in the period (incl. pending, + adjustments)."
    )
    redeemed = graphene.Int(required=True, description="Points spent in the period, net of restored ones.")
    expired = graphene.Int(required=True)
    reversed = graphene.Int(required=True, description="Points taken back after refunds or cancellations.")
    adjusted_down = graphene.Int(required=True)
    net_issued = graphene.Int(required=True)
    redemption_rate = graphene.Float(description="redeemed / issued.")
    breakage_rate = graphene.Float(description="expired / (expired + redeemed) in the period.")
    trailing_12m_breakage_rate = graphene.Float(required=True)
    liability = graphene.List(
        graphene.NonNull(InsightsLoyaltyLiability), required=True, description="As of now."
    )
    series = graphene.List(graphene.NonNull(InsightsLoyaltySeriesPoint), required=True)


class InsightsTiming(graphene.ObjectType):
    count = graphene.Int(required=True, description="Items measured (the step was done).")
    p50_hours = graphene.Float()
    p90_hours = graphene.Float()


class InsightsCases(graphene.ObjectType):
    available = graphene.Boolean(
        required=True, description="False while the service-case capability is not installed."
    )
    opened = graphene.Int(required=True, description="Cases opened in the period.")
    complaints = graphene.Int(required=True, description="Complaint cases opened in the period.")
    fulfilled_orders = graphene.Int(required=True, description="Orders fulfilled in the period.")
    complaint_rate = graphene.Float(description="complaints / fulfilled orders.")
    first_response = graphene.Field(
        InsightsTiming, required=True, description="From opening to the first staff reply."
    )
    resolution = graphene.Field(InsightsTiming, required=True, description="From opening to resolution.")


class InsightsSatisfactionPoint(graphene.ObjectType):
    period_start = graphene.Date(required=True)
    csat_responses = graphene.Int(required=True)
    csat = graphene.Float()
    nps_responses = graphene.Int(required=True)
    nps = graphene.Float()


class InsightsSatisfaction(graphene.ObjectType):
    available = graphene.Boolean(required=True, description="False while surveys are not installed.")
    csat_responses = graphene.Int(required=True)
    csat = graphene.Float(description="Share of CSAT answers of 4 or 5 (1..5 scale).")
    nps_responses = graphene.Int(required=True)
    nps = graphene.Float(description="% promoters (9-10) - % detractors (0-6), -100..100.")
    series = graphene.List(graphene.NonNull(InsightsSatisfactionPoint), required=True)


class InsightsRepairCost(graphene.ObjectType):
    currency = graphene.String(required=True)
    repairs = graphene.Int(required=True)
    amount = _money_field("amount")


class InsightsRepairs(graphene.ObjectType):
    available = graphene.Boolean(
        required=True, description="False while the warranty/repair capability is not installed."
    )
    completed = graphene.Int(required=True, description="Repairs completed in the period.")
    completion = graphene.Field(
        InsightsTiming, required=True, description="From the repair order's creation to completion."
    )
    cost = graphene.List(graphene.NonNull(InsightsRepairCost), required=True)


class InsightsOverview(graphene.ObjectType):
    period = graphene.Field(InsightsPeriod, required=True)
    granularity = graphene.String(required=True, description="day, week or month (of `series`).")
    staleness = graphene.Field(InsightsStaleness, required=True)
    totals = graphene.Field(InsightsTotals, required=True)
    money = graphene.List(graphene.NonNull(InsightsMoney), required=True)
    resolution_mix = graphene.List(graphene.NonNull(InsightsResolutionShare), required=True)
    top_reasons = graphene.List(graphene.NonNull(InsightsReasonShare), required=True)
    durations = graphene.List(graphene.NonNull(InsightsDuration), required=True)
    series = graphene.List(graphene.NonNull(InsightsSeriesPoint), required=True)
    top_products = graphene.List(graphene.NonNull(InsightsProduct), required=True)
    sla = graphene.List(graphene.NonNull(InsightsSlaAttainment), required=True)
    loyalty = graphene.Field(InsightsLoyalty, required=True)
    cases = graphene.Field(InsightsCases, required=True)
    satisfaction = graphene.Field(InsightsSatisfaction, required=True, description="CSAT and NPS trends.")
    repairs = graphene.Field(InsightsRepairs, required=True)


# ----------------------------------------------------------------------------------------------------- alerts
class QualityAlertReason(graphene.ObjectType):
    code = graphene.String(required=True)
    units = graphene.Int(required=True)
    lines = graphene.Int(required=True)


class QualityAlertComment(graphene.ObjectType):
    request = graphene.String(required=True, description="RMA number.")
    reason = graphene.String(required=True)
    comment = graphene.String(required=True)


class QualityAlertSku(graphene.ObjectType):
    variant_id = graphene.ID(required=True)
    sku = graphene.String(required=True)
    units = graphene.Int(required=True)


class QualityAlertEvidence(graphene.ObjectType):
    reasons = graphene.List(graphene.NonNull(QualityAlertReason), required=True)
    sample_comments = graphene.List(graphene.NonNull(QualityAlertComment), required=True)
    photo_ids = graphene.List(graphene.NonNull(graphene.ID), required=True, description="ReturnPhoto ids.")
    requests = graphene.List(graphene.NonNull(graphene.String), required=True, description="RMA numbers.")
    top_skus = graphene.List(graphene.NonNull(QualityAlertSku), required=True)


class QualityAlert(graphene.ObjectType):
    id = graphene.ID(required=True)
    level = graphene.Field(QualityAlertLevelEnum, required=True)
    key = graphene.String(required=True, description="Variant id, category id or supplier name.")
    label = graphene.String(required=True)
    comparison = graphene.Field(QualityAlertComparisonEnum, required=True)
    status = graphene.Field(QualityAlertStatusEnum, required=True)
    window_start = graphene.Date(required=True)
    window_end = graphene.Date(required=True)
    units = graphene.Int(required=True)
    defects = graphene.Int(required=True)
    rate = graphene.Float(required=True)
    expected_rate = graphene.Float(required=True)
    lift = graphene.Float(required=True)
    p_value = graphene.Float(required=True, description="One-sided exact binomial test.")
    adjusted_p_value = graphene.Float(required=True, description="Benjamini–Hochberg across the sweep.")
    evidence = graphene.Field(QualityAlertEvidence, required=True)
    created_at = graphene.DateTime(required=True)
    acknowledged_at = graphene.DateTime()
    acknowledged_by = graphene.String()
    acknowledge_note = graphene.String()
    timeline = graphene.List(graphene.NonNull(TimelineEvent), required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("QualityAlert", root.pk)

    @staticmethod
    def resolve_level(root, _info):
        return str(root.level)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_comparison(root, _info):
        return str(root.comparison)

    @staticmethod
    def resolve_evidence(root, _info):
        evidence = root.evidence or {}
        return {key: evidence.get(key) or [] for key in QualityAlertEvidence._meta.fields}

    @staticmethod
    def resolve_timeline(root, info):
        return (
            get_loader(info, AlertEventsByAlertIdLoader)
            .load(root.pk)
            .then(
                lambda rows: [
                    TimelineEvent(
                        id=to_global_id("QualityAlertEvent", row.pk),
                        type=row.type,
                        created_at=row.created_at,
                        actor_type=row.actor_type,
                        actor_email=row.actor_email or None,
                        from_status=row.from_status or None,
                        to_status=row.to_status or None,
                        note=row.note or None,
                        message=row.type.replace("_", " ").capitalize(),
                    )
                    for row in rows
                ]
            )
        )


# ------------------------------------------------------------------------------------------------ simulations
class PolicySimulationRefusal(graphene.ObjectType):
    code = graphene.String(required=True)
    count = graphene.Int(required=True)


class PolicySimulationFigures(graphene.ObjectType):
    requests = graphene.Int(required=True)
    accepted_requests = graphene.Int(required=True)
    rejected_requests = graphene.Int(required=True)
    auto_approved_requests = graphene.Int(required=True)
    requested_units = graphene.Int(required=True)
    accepted_units = graphene.Int(required=True)
    refund_requests = graphene.Float(
        required=True, description="Expected count (store-credit uptake is a share)."
    )
    store_credit_requests = graphene.Float(required=True)
    exchange_requests = graphene.Int(required=True)
    other_requests = graphene.Int(required=True)
    requested_value = graphene.Field(Money, required=True)
    accepted_value = graphene.Field(Money, required=True)
    cash_refunds = graphene.Field(Money, required=True)
    store_credit_issued = graphene.Field(Money, required=True)
    store_credit_bonus = graphene.Field(Money, required=True)
    exchange_value = graphene.Field(Money, required=True)
    restocking_fees = graphene.Field(Money, required=True)
    shipping_fees = graphene.Field(Money, required=True)
    fees_collected = graphene.Field(Money, required=True)
    shipping_cost = graphene.Field(Money, required=True)
    shipping_refunded = graphene.Field(Money, required=True)
    retained_revenue = graphene.Field(Money, required=True)
    refusals = graphene.List(graphene.NonNull(PolicySimulationRefusal), required=True)


MONEY_FIGURES = [
    name
    for name, field in PolicySimulationFigures._meta.fields.items()
    if getattr(field.type, "of_type", None) is Money
]


def figures(data: dict, currency: str) -> dict:
    shaped = dict(data)
    for name in MONEY_FIGURES:
        shaped[name] = money(Decimal(data.get(name, "0")), currency)
    shaped["refusals"] = [
        {"code": code, "count": count} for code, count in (data.get("refusals") or {}).items()
    ]
    return shaped


class PolicySimulationActual(graphene.ObjectType):
    requests = graphene.Int(required=True)
    rejected_requests = graphene.Int(required=True)
    cash_refunds = graphene.Field(Money, required=True)
    store_credit_issued = graphene.Field(Money, required=True)


class PolicySimulationCurrencyResult(graphene.ObjectType):
    currency = graphene.String(required=True)
    current = graphene.Field(
        PolicySimulationFigures, required=True, description="Replay under today's policy."
    )
    proposed = graphene.Field(PolicySimulationFigures, required=True)
    delta = graphene.Field(PolicySimulationFigures, required=True, description="proposed - current.")
    actual = graphene.Field(PolicySimulationActual, required=True, description="What really happened.")

    @staticmethod
    def resolve_current(root, _info):
        return figures(root["current"], root["currency"])

    @staticmethod
    def resolve_proposed(root, _info):
        return figures(root["proposed"], root["currency"])

    @staticmethod
    def resolve_delta(root, _info):
        return figures({**root["delta"], "refusals": {}}, root["currency"])

    @staticmethod
    def resolve_actual(root, _info):
        actual = root["actual"]
        return {
            **actual,
            "cash_refunds": money(Decimal(actual["cash_refunds"]), root["currency"]),
            "store_credit_issued": money(Decimal(actual["store_credit_issued"]), root["currency"]),
        }


class PolicySimulation(graphene.ObjectType):
    id = graphene.ID(required=True)
    status = graphene.Field(PolicySimulationStatusEnum, required=True)
    progress = graphene.Float(required=True, description="0..1")
    processed_requests = graphene.Int(required=True)
    total_requests = graphene.Int(required=True)
    months = graphene.Int(required=True)
    channel = graphene.String(required=True)
    proposal = graphene.JSONString(required=True, description="The validated proposal and cost assumptions.")
    period_start = graphene.DateTime(required=True)
    period_end = graphene.DateTime(required=True)
    results = graphene.List(graphene.NonNull(PolicySimulationCurrencyResult), required=True)
    assumptions = graphene.List(graphene.NonNull(graphene.String), required=True)
    error = graphene.String()
    requested_by = graphene.String()
    created_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("PolicySimulation", root.pk)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_channel(root, _info):
        return root.channel_slug

    @staticmethod
    def resolve_results(root, _info):
        return (root.result or {}).get("by_currency") or []

    @staticmethod
    def resolve_assumptions(root, _info):
        return (root.result or {}).get("assumptions") or []

    @staticmethod
    def resolve_error(root, _info):
        return root.error or None


class InsightsSettings(graphene.ObjectType):
    digest_emails = graphene.List(graphene.NonNull(graphene.String), required=True)
    digest_language = graphene.String(required=True)
    supplier_attribute = graphene.String(
        required=True, description="Product attribute slug naming the supplier."
    )
    defect_reason_categories = graphene.List(graphene.NonNull(graphene.String), required=True)
    recent_window_days = graphene.Int(required=True)
    baseline_days = graphene.Int(required=True)
    alpha = graphene.Float(required=True, description="False discovery rate of the alert sweep.")
    min_units = graphene.Int(required=True)
    min_defects = graphene.Int(required=True)
    min_lift = graphene.Float(required=True)
