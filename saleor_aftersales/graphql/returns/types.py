"""GraphQL types of the returns capability."""

from __future__ import annotations

import graphene
from graphene_federation import key

from ...core.i18n import normalize_language, pick
from ...core.ids import to_global_id
from ...core.time import now
from ...returns import error_codes
from ...returns import events as return_events
from ...returns.actions import WHY
from ...returns.models import RequestKind, Resolution, ReturnStatus
from ...returns.models import ReturnRequest as ReturnRequestModel
from ...sla.selectors import sla_state
from ..core.context import get_loader, get_requestor
from ..core.entities import reference_resolver
from ..core.errors import error_code_enum, error_type
from ..core.types import Money, TimelineEvent, choices_enum, money
from .dataloaders import (
    ReasonCatalogueByInstallationIdLoader,
    ReturnEventsByRequestIdLoader,
    ReturnLinesByRequestIdLoader,
    ReturnPhotosByRequestIdLoader,
    SettlementsByRequestIdLoader,
    SlaClocksByRequestIdLoader,
)

ReturnErrorCode = error_code_enum("ReturnErrorCode", error_codes.ALL)
ReturnError = error_type("ReturnError", ReturnErrorCode)


ReturnStatusEnum = choices_enum("ReturnStatusEnum", ReturnStatus.values)
ReturnKindEnum = choices_enum("ReturnKindEnum", RequestKind.values)
ReturnResolutionEnum = choices_enum("ReturnResolutionEnum", Resolution.values)


# Events whose note is for staff only (Saleor's error texts, settlement details).
INTERNAL_NOTES = {"fail_settlement", "retry_settlement", "settlement_started", "resolve"}


def _language(info, language=None) -> str:
    return normalize_language(language or info.context.headers.get("Accept-Language", "en")[:5])


class ReturnReason(graphene.ObjectType):
    code = graphene.String(required=True)
    parent_code = graphene.String()
    category = graphene.String(required=True, description="quality, no_reason, logistics or other.")
    label = graphene.String(
        required=True, language=graphene.String(), description="In `language` or Accept-Language."
    )
    label_en = graphene.String(required=True)
    label_zh_hans = graphene.String(required=True)
    saleor_reason = graphene.String(required=True, description="The per-line reason text sent to Saleor.")
    requires_evidence = graphene.Boolean(required=True)
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_label(root, info, language=None):
        return root.label(_language(info, language))

    @staticmethod
    def resolve_saleor_reason(root, _info):
        return root.saleor_text


class ReturnLineEligibility(graphene.ObjectType):
    order_line_id = graphene.ID(required=True, description="Saleor OrderLine id.")
    product_name = graphene.String(required=True)
    variant_name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    returnable_quantity = graphene.Int(required=True)
    deadline = graphene.DateTime()
    allowed_reasons = graphene.List(graphene.NonNull(graphene.String), required=True)
    allowed_resolutions = graphene.List(graphene.NonNull(ReturnResolutionEnum), required=True)
    not_returnable_code = graphene.String(description="Why the line cannot be returned (null when it can).")
    not_returnable_message = graphene.String()


class ReturnEligibility(graphene.ObjectType):
    order_id = graphene.ID(required=True)
    order_number = graphene.String(required=True)
    lines = graphene.List(graphene.NonNull(ReturnLineEligibility), required=True)

    @classmethod
    def of(cls, order, results) -> ReturnEligibility:
        """From returns.selectors.order_eligibility / orders_eligibility output for one order."""
        return cls(
            order_id=order.saleor_id,
            order_number=order.number,
            lines=[
                ReturnLineEligibility(
                    order_line_id=line.saleor_id,
                    product_name=line.product_name,
                    variant_name=line.variant_name,
                    quantity=line.quantity,
                    returnable_quantity=result.returnable_quantity,
                    deadline=result.deadline,
                    allowed_reasons=list(result.allowed_reason_codes),
                    allowed_resolutions=list(result.allowed_resolutions),
                    not_returnable_code=result.not_returnable_code,
                    not_returnable_message=WHY.get(result.not_returnable_code)
                    if result.not_returnable_code
                    else None,
                )
                for line, result in results
            ],
        )


class ReturnRequestLine(graphene.ObjectType):
    id = graphene.ID(required=True)
    order_line_id = graphene.ID(required=True)
    product_name = graphene.String(required=True)
    variant_name = graphene.String(required=True)
    sku = graphene.String(required=True)
    thumbnail_url = graphene.String()
    unit_price = graphene.Field(Money, required=True)
    quantity = graphene.Int(required=True)
    reason = graphene.Field(ReturnReason)
    reason_code = graphene.String(required=True)
    comment = graphene.String()
    approved_quantity = graphene.Int(required=True)
    received_quantity = graphene.Int(required=True)
    condition = graphene.String()
    restock = graphene.Boolean()
    inspector_note = graphene.String()
    exchange_variant_id = graphene.ID()

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ReturnLine", root.pk)

    @staticmethod
    def resolve_order_line_id(root, _info):
        return root.order_line.saleor_id

    @staticmethod
    def resolve_product_name(root, _info):
        return root.order_line.product_name

    @staticmethod
    def resolve_variant_name(root, _info):
        return root.order_line.variant_name

    @staticmethod
    def resolve_sku(root, _info):
        return root.order_line.sku

    @staticmethod
    def resolve_thumbnail_url(root, _info):
        return root.order_line.thumbnail_url or None

    @staticmethod
    def resolve_unit_price(root, _info):
        return money(root.order_line.unit_price_gross, root.request_currency)

    @staticmethod
    def resolve_reason(root, info):
        return (
            get_loader(info, ReasonCatalogueByInstallationIdLoader)
            .load(root.installation_id)
            .then(lambda catalogue: catalogue.get(root.reason_code))
        )

    @staticmethod
    def resolve_inspector_note(root, info):
        # The inspector's note is internal.
        return root.inspector_note if get_requestor(info).is_staff else None


class ReturnPhoto(graphene.ObjectType):
    id = graphene.ID(required=True)
    url = graphene.String(required=True)
    content_type = graphene.String(required=True)
    size = graphene.Int(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ReturnPhoto", root.pk)

    @staticmethod
    def resolve_url(root, info):
        return info.context.build_absolute_uri(root.file.url)


class ReturnSettlement(graphene.ObjectType):
    kind = graphene.String(required=True)
    status = graphene.String(required=True, description="pending, succeeded or failed.")
    amount = graphene.Field(Money, required=True)
    error = graphene.String()
    saleor_granted_refund_id = graphene.ID()
    saleor_gift_card_id = graphene.ID()
    saleor_draft_order_id = graphene.ID()

    @staticmethod
    def resolve_amount(root, _info):
        return money(root.amount, root.currency)


@key("id")
class ReturnRequest(graphene.ObjectType):
    id = graphene.ID(required=True)
    number = graphene.String(required=True, description="Human-readable RMA number.")
    kind = graphene.Field(ReturnKindEnum, required=True)
    status = graphene.Field(ReturnStatusEnum, required=True)
    resolution = graphene.Field(ReturnResolutionEnum, required=True)
    order_id = graphene.ID(required=True)
    order_number = graphene.String(required=True)
    channel = graphene.String(required=True)
    customer_email = graphene.String(required=True)
    comment = graphene.String()
    decision_note = graphene.String()
    auto_approved = graphene.Boolean(required=True)
    carrier = graphene.String()
    tracking_number = graphene.String()
    pickup_address = graphene.JSONString()
    pickup_window_start = graphene.DateTime()
    pickup_window_end = graphene.DateTime()
    refund_amount = graphene.Field(Money, required=True)
    store_credit_amount = graphene.Field(Money, required=True)
    exchange_difference = graphene.Field(Money, required=True, description="Positive: the customer pays.")
    created_at = graphene.DateTime(required=True)
    decided_at = graphene.DateTime()
    received_at = graphene.DateTime()
    resolved_at = graphene.DateTime()
    next_step_due_at = graphene.DateTime(description="When the next step is promised.")
    sla_state = graphene.String(
        description="Staff: on_track, at_risk, breached, met or none (running clock first)."
    )
    lines = graphene.List(graphene.NonNull(ReturnRequestLine), required=True)
    photos = graphene.List(graphene.NonNull(ReturnPhoto), required=True)
    timeline = graphene.List(graphene.NonNull(TimelineEvent), required=True, language=graphene.String())
    settlements = graphene.List(graphene.NonNull(ReturnSettlement), required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ReturnRequest", root.pk)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_kind(root, _info):
        return str(root.kind)

    @staticmethod
    def resolve_resolution(root, _info):
        return str(root.resolution)

    @staticmethod
    def resolve_order_id(root, _info):
        return root.order.saleor_id

    @staticmethod
    def resolve_order_number(root, _info):
        return root.order.number

    @staticmethod
    def resolve_channel(root, _info):
        return root.channel_slug

    @staticmethod
    def resolve_comment(root, _info):
        return root.customer_comment

    @staticmethod
    def resolve_refund_amount(root, _info):
        return money(root.refund_amount, root.currency)

    @staticmethod
    def resolve_store_credit_amount(root, _info):
        return money(root.store_credit_amount, root.currency)

    @staticmethod
    def resolve_exchange_difference(root, _info):
        return money(root.exchange_difference, root.currency)

    @staticmethod
    def resolve_lines(root, info):
        def annotate(lines):
            for line in lines:
                line.request_currency = root.currency
                line.installation_id = root.installation_id
            return lines

        return get_loader(info, ReturnLinesByRequestIdLoader).load(root.pk).then(annotate)

    @staticmethod
    def resolve_photos(root, info):
        return get_loader(info, ReturnPhotosByRequestIdLoader).load(root.pk)

    @staticmethod
    def resolve_settlements(root, info):
        return get_loader(info, SettlementsByRequestIdLoader).load(root.pk)

    @staticmethod
    def resolve_sla_state(root, info):
        if not get_requestor(info).is_staff:
            return None

        def pick_state(clocks):
            if not clocks:
                return "none"
            running = [c for c in clocks if c.status == "running"] or sorted(
                clocks, key=lambda c: c.started_at
            )[-1:]
            return sla_state(running[0], now())

        return get_loader(info, SlaClocksByRequestIdLoader).load(root.pk).then(pick_state)

    @staticmethod
    def resolve_timeline(root, info, language=None):
        lang = _language(info, language or root.language)
        staff = get_requestor(info).is_staff

        def build(rows):
            return [
                TimelineEvent(
                    id=to_global_id("ReturnEvent", row.pk),
                    type=row.type,
                    created_at=row.created_at,
                    actor_type=row.actor_type,
                    actor_email=row.actor_email if staff else None,
                    from_status=row.from_status or None,
                    to_status=row.to_status or None,
                    note=(row.note or None) if staff or row.type not in INTERNAL_NOTES else None,
                    message=pick(return_events.TIMELINE_TEXTS.get(row.type), lang, row.type),
                )
                for row in rows
                if staff or row.type != return_events.LINE_INSPECTED
            ]

        return get_loader(info, ReturnEventsByRequestIdLoader).load(root.pk).then(build)

    @classmethod
    def is_type_of(cls, root, info):
        # `_entities` hands back our model row, which the _Entity union must recognise as this type.
        return isinstance(root, (cls, ReturnRequestModel))

    @staticmethod
    def _resolve_reference(entity, info):
        from .dataloaders import VisibleReturnRequestByPkLoader

        return reference_resolver("ReturnRequest", VisibleReturnRequestByPkLoader)(entity, info)


class ReturnPolicyRule(graphene.ObjectType):
    id = graphene.ID(required=True)
    scope = graphene.String(required=True)
    target_id = graphene.ID(required=True)
    window_days = graphene.Int()
    no_reason_days = graphene.Int()
    quality_window_days = graphene.Int()
    final_sale = graphene.Boolean()
    non_returnable = graphene.Boolean()
    restocking_fee_percent = graphene.Decimal()
    offered_resolutions = graphene.List(graphene.NonNull(graphene.String))

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ReturnPolicyRule", root.pk)


class ReturnPolicy(graphene.ObjectType):
    id = graphene.ID(required=True)
    channel = graphene.String(required=True, description="Empty: every channel without its own policy.")
    window_days = graphene.Int(required=True)
    window_starts = graphene.String(required=True)
    no_reason_days = graphene.Int(required=True)
    quality_window_days = graphene.Int(required=True)
    final_sale = graphene.Boolean(required=True)
    non_returnable = graphene.Boolean(required=True)
    shipping_payers = graphene.JSONString(required=True)
    refund_shipping_for_categories = graphene.List(graphene.NonNull(graphene.String), required=True)
    return_shipping_fee = graphene.Decimal(required=True)
    restocking_fee_percent = graphene.Decimal(required=True)
    evidence_required_reasons = graphene.List(graphene.NonNull(graphene.String), required=True)
    offered_resolutions = graphene.List(graphene.NonNull(graphene.String), required=True)
    store_credit_bonus_percent = graphene.Decimal(required=True)
    max_requests_per_customer = graphene.Int()
    abuse_period_days = graphene.Int(required=True)
    auto_approve_max_value = graphene.Decimal()
    auto_approve_trusted_customers = graphene.Boolean(required=True)
    auto_approve_defects_with_photos = graphene.Boolean(required=True)
    decision_sla_hours = graphene.Int(required=True)
    refund_sla_hours = graphene.Int(required=True)
    rules = graphene.List(graphene.NonNull(ReturnPolicyRule), required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ReturnPolicy", root.pk)

    @staticmethod
    def resolve_channel(root, _info):
        return root.channel_slug

    @staticmethod
    def resolve_rules(root, _info):
        return list(root.rules.all())
