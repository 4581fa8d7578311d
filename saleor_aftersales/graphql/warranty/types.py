"""GraphQL types of the warranty capability."""

from __future__ import annotations

import graphene
from graphene_federation import key

from ...core.i18n import normalize_language, pick
from ...core.ids import to_global_id
from ...core.time import now
from ...sla.selectors import sla_state
from ...warranty import error_codes, policies
from ...warranty import events as warranty_events
from ...warranty.actions import totals_of
from ...warranty.care import guide_for
from ...warranty.models import (
    ClaimDecision,
    ClaimStatus,
    Coverage,
    QuoteStatus,
    RepairStatus,
    WarrantySource,
    WarrantyStatus,
)
from ...warranty.models import RepairOrder as RepairOrderModel
from ...warranty.models import Warranty as WarrantyModel
from ...warranty.state import REPAIR_TRANSITIONS
from ..core.context import get_loader, get_requestor
from ..core.entities import reference_resolver
from ..core.errors import error_code_enum, error_type
from ..core.types import Money, TimelineEvent, choices_enum, money
from .dataloaders import (
    CareGuidesByInstallationIdLoader,
    ClaimByIdLoader,
    ClaimEventsByClaimIdLoader,
    ClaimPhotosByClaimIdLoader,
    ClaimsByWarrantyIdLoader,
    CompletedRepairCountByWarrantyIdLoader,
    OpenClaimsByWarrantyIdLoader,
    ProofsByWarrantyIdLoader,
    RepairEventsByRepairIdLoader,
    RepairLinesByRepairIdLoader,
    RepairOrdersByClaimIdLoader,
    ServiceCenterByIdLoader,
    SettlementsByClaimIdLoader,
    SettlementsByRepairIdLoader,
    SlaClocksByClaimIdLoader,
    SlaClocksByRepairIdLoader,
    SymptomCatalogueByInstallationIdLoader,
    TechnicianByIdLoader,
    TechniciansByCenterIdLoader,
    WarrantyByIdLoader,
    WarrantyEventsByWarrantyIdLoader,
)

WarrantyErrorCode = error_code_enum("WarrantyErrorCode", error_codes.ALL)
WarrantyError = error_type("WarrantyError", WarrantyErrorCode)


WarrantyStatusEnum = choices_enum("WarrantyStatusEnum", WarrantyStatus.values)
WarrantySourceEnum = choices_enum("WarrantySourceEnum", WarrantySource.values)
WarrantyClaimStatusEnum = choices_enum("WarrantyClaimStatusEnum", ClaimStatus.values)
WarrantyCoverageEnum = choices_enum("WarrantyCoverageEnum", Coverage.values)
WarrantyClaimDecisionEnum = choices_enum("WarrantyClaimDecisionEnum", ClaimDecision.values)
RepairOrderStatusEnum = choices_enum("RepairOrderStatusEnum", RepairStatus.values)
RepairQuoteStatusEnum = choices_enum("RepairQuoteStatusEnum", QuoteStatus.values)
RepairOrderTransitionEnum = choices_enum("RepairOrderTransitionEnum", list(REPAIR_TRANSITIONS))

# Events whose note is for staff only.
INTERNAL_NOTES = {"fail_settlement", "retry_settlement", "settlement_started", "assigned"}


def request_now(info):
    """One clock reading per request (lists of hundreds of warranties ask for days left each)."""
    context = info.context
    value = getattr(context, "_warranty_now", None)
    if value is None:
        value = now()
        context._warranty_now = value
    return value


def language_of(info, language=None, fallback: str = "en") -> str:
    header = info.context.headers.get("Accept-Language", "")[:7]
    return normalize_language(language or header or fallback)


def _timeline(info, rows, *, language: str, type_prefix: str):
    staff = get_requestor(info).is_staff
    return [
        TimelineEvent(
            id=to_global_id(type_prefix, row.pk),
            type=row.type,
            created_at=row.created_at,
            actor_type=row.actor_type,
            actor_email=row.actor_email if staff else None,
            from_status=row.from_status or None,
            to_status=row.to_status or None,
            note=(row.note or None) if staff or row.type not in INTERNAL_NOTES else None,
            message=pick(warranty_events.TIMELINE_TEXTS.get(row.type), language, row.type),
        )
        for row in rows
    ]


def _pick_sla(clocks) -> str:
    if not clocks:
        return "none"
    running = [c for c in clocks if c.status in ("running", "paused")] or sorted(
        clocks, key=lambda c: c.started_at
    )[-1:]
    return sla_state(running[0], now())


class WarrantySymptom(graphene.ObjectType):
    code = graphene.String(required=True)
    label = graphene.String(required=True, language=graphene.String())
    label_en = graphene.String(required=True)
    label_zh_hans = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_label(root, info, language=None):
        return root.label(language_of(info, language))


class WarrantyTermsSnapshot(graphene.ObjectType):
    """The terms the customer was promised at registration."""

    name = graphene.String(required=True)
    duration_months = graphene.Int(required=True)
    covered_issues = graphene.List(graphene.NonNull(graphene.String), required=True)
    excluded_issues = graphene.List(graphene.NonNull(graphene.String), required=True)
    remedies = graphene.List(graphene.NonNull(graphene.String), required=True)
    text = graphene.String(required=True, language=graphene.String())
    text_en = graphene.String(required=True)
    text_zh_hans = graphene.String(required=True)

    @staticmethod
    def resolve_text(root, info, language=None):
        lang = language_of(info, language, root.get("_language", "en"))
        return root.get("text_zh_hans" if lang == "zh-hans" else "text_en") or ""

    @staticmethod
    def _get(name):
        return lambda root, _info: root.get(name) or ([] if name.endswith(("issues", "remedies")) else "")


for _name in (
    "name",
    "duration_months",
    "covered_issues",
    "excluded_issues",
    "remedies",
    "text_en",
    "text_zh_hans",
):
    setattr(WarrantyTermsSnapshot, f"resolve_{_name}", staticmethod(WarrantyTermsSnapshot._get(_name)))


class CareGuideSection(graphene.ObjectType):
    topic = graphene.String(required=True, description="cleaning, conditioning, storage, sole_care, ...")
    title = graphene.String(required=True)
    body = graphene.String(required=True)


class CareGuide(graphene.ObjectType):
    code = graphene.String(required=True)
    title = graphene.String(required=True, language=graphene.String())
    title_en = graphene.String(required=True)
    title_zh_hans = graphene.String(required=True)
    product_type_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    category_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    match_keywords = graphene.List(graphene.NonNull(graphene.String), required=True)
    reminder_interval_months = graphene.Int()
    sections = graphene.List(graphene.NonNull(CareGuideSection), required=True, language=graphene.String())

    @staticmethod
    def resolve_title(root, info, language=None):
        return root.title_zh_hans if language_of(info, language) == "zh-hans" else root.title_en

    @staticmethod
    def resolve_sections(root, info, language=None):
        zh = language_of(info, language) == "zh-hans"
        return [
            CareGuideSection(
                topic=s.get("topic", ""),
                title=s.get("title_zh_hans" if zh else "title_en", ""),
                body=s.get("body_zh_hans" if zh else "body_en", ""),
            )
            for s in root.sections
        ]


class WarrantyProofFile(graphene.ObjectType):
    id = graphene.ID(required=True)
    url = graphene.String(required=True)
    content_type = graphene.String(required=True)
    size = graphene.Int(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("WarrantyFile", root.pk)

    @staticmethod
    def resolve_url(root, info):
        return info.context.build_absolute_uri(root.file.url)


class WarrantySettlement(graphene.ObjectType):
    kind = graphene.String(required=True, description="replacement, refund or paid_repair.")
    status = graphene.String(required=True, description="pending, succeeded or failed.")
    amount = graphene.Field(Money, required=True)
    error = graphene.String()
    saleor_draft_order_id = graphene.ID()
    saleor_granted_refund_id = graphene.ID()
    paid_at = graphene.DateTime(
        description="Paid repairs: when Saleor reported the billed draft order fully paid."
    )

    @staticmethod
    def resolve_amount(root, _info):
        return money(root.amount, root.currency)

    @staticmethod
    def resolve_error(root, info):
        return root.error if get_requestor(info).is_staff else None


@key("id")
class Warranty(graphene.ObjectType):
    id = graphene.ID(required=True)
    status = graphene.Field(WarrantyStatusEnum, required=True)
    source = graphene.Field(WarrantySourceEnum, required=True)
    order_id = graphene.ID(description="The Saleor order (null when bought elsewhere).")
    order_number = graphene.String()
    order_line_id = graphene.ID()
    product_name = graphene.String(required=True)
    variant_name = graphene.String(required=True)
    sku = graphene.String(required=True)
    product_id = graphene.ID()
    variant_id = graphene.ID()
    product_type_id = graphene.ID()
    category_id = graphene.ID()
    unit_price = graphene.Field(Money, required=True)
    serial_number = graphene.String()
    customer_email = graphene.String(required=True)
    store_name = graphene.String()
    purchased_at = graphene.DateTime()
    starts_at = graphene.DateTime(required=True)
    expires_at = graphene.DateTime(required=True)
    days_left = graphene.Int(required=True, description="Whole days until expiry (0 once expired).")
    is_in_term = graphene.Boolean(required=True)
    terms = graphene.Field(WarrantyTermsSnapshot, required=True)
    open_claims = graphene.List(graphene.NonNull(lambda: WarrantyClaim), required=True)
    claims = graphene.List(graphene.NonNull(lambda: WarrantyClaim), required=True)
    care_guide = graphene.Field(CareGuide)
    next_reminder_at = graphene.DateTime()
    proofs = graphene.List(graphene.NonNull(WarrantyProofFile), required=True)
    timeline = graphene.List(graphene.NonNull(TimelineEvent), required=True, language=graphene.String())
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("Warranty", root.pk)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_source(root, _info):
        return str(root.source)

    @staticmethod
    def resolve_order_id(root, _info):
        return root.order.saleor_id if root.order_id else None

    @staticmethod
    def resolve_order_number(root, _info):
        return root.order.number if root.order_id else None

    @staticmethod
    def resolve_order_line_id(root, _info):
        # Lists select the order line with the warranty, so this reads no row.
        return root.order_line.saleor_id if root.order_line_id else None

    @staticmethod
    def resolve_unit_price(root, _info):
        return money(root.unit_price, root.currency)

    @staticmethod
    def resolve_serial_number(root, _info):
        return root.serial_number or None

    @staticmethod
    def resolve_days_left(root, info):
        return policies.days_left(expires_at=root.expires_at, now=request_now(info))

    @staticmethod
    def resolve_is_in_term(root, info):
        return root.status == WarrantyStatus.ACTIVE and policies.in_term(
            starts_at=root.starts_at, expires_at=root.expires_at, now=request_now(info)
        )

    @staticmethod
    def resolve_terms(root, _info):
        return {**(root.terms_snapshot or {}), "_language": root.language}

    @staticmethod
    def resolve_open_claims(root, info):
        return get_loader(info, OpenClaimsByWarrantyIdLoader).load(root.pk)

    @staticmethod
    def resolve_claims(root, info):
        return get_loader(info, ClaimsByWarrantyIdLoader).load(root.pk)

    @staticmethod
    def resolve_care_guide(root, info):
        return (
            get_loader(info, CareGuidesByInstallationIdLoader)
            .load(root.installation_id)
            .then(
                lambda guides: guide_for(
                    guides,
                    product_type_id=root.product_type_id,
                    product_type_name=root.product_type_name,
                    category_id=root.category_id,
                )
            )
        )

    @staticmethod
    def resolve_proofs(root, info):
        return get_loader(info, ProofsByWarrantyIdLoader).load(root.pk)

    @staticmethod
    def resolve_timeline(root, info, language=None):
        lang = language_of(info, language, root.language)
        return (
            get_loader(info, WarrantyEventsByWarrantyIdLoader)
            .load(root.pk)
            .then(lambda rows: _timeline(info, rows, language=lang, type_prefix="WarrantyEvent"))
        )

    @classmethod
    def is_type_of(cls, root, info):
        return isinstance(root, (cls, WarrantyModel))

    @staticmethod
    def _resolve_reference(entity, info):
        from .dataloaders import VisibleWarrantyByPkLoader

        return reference_resolver("Warranty", VisibleWarrantyByPkLoader)(entity, info)


class WarrantyClaim(graphene.ObjectType):
    id = graphene.ID(required=True)
    number = graphene.String(required=True)
    status = graphene.Field(WarrantyClaimStatusEnum, required=True)
    coverage = graphene.Field(WarrantyCoverageEnum, required=True)
    decision = graphene.Field(WarrantyClaimDecisionEnum)
    decision_note = graphene.String()
    symptom_code = graphene.String(required=True)
    symptom = graphene.Field(WarrantySymptom)
    suggested_decision = graphene.Field(
        WarrantyClaimDecisionEnum,
        description="Staff: what the terms' repair-or-replace rule suggests (paid repair when not covered).",
    )
    description = graphene.String()
    customer_email = graphene.String(required=True)
    refund_amount = graphene.Field(Money, required=True)
    warranty = graphene.Field(Warranty, required=True)
    photos = graphene.List(graphene.NonNull(WarrantyProofFile), required=True)
    repair_orders = graphene.List(graphene.NonNull(lambda: RepairOrder), required=True)
    settlements = graphene.List(graphene.NonNull(WarrantySettlement), required=True)
    sla_state = graphene.String(description="Staff: on_track, at_risk, breached, met, paused or none.")
    timeline = graphene.List(graphene.NonNull(TimelineEvent), required=True, language=graphene.String())
    created_at = graphene.DateTime(required=True)
    decided_at = graphene.DateTime()
    resolved_at = graphene.DateTime()

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("WarrantyClaim", root.pk)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_coverage(root, _info):
        return str(root.coverage)

    @staticmethod
    def resolve_decision(root, _info):
        return str(root.decision) if root.decision else None

    @staticmethod
    def resolve_symptom(root, info):
        return (
            get_loader(info, SymptomCatalogueByInstallationIdLoader)
            .load(root.installation_id)
            .then(lambda catalogue: catalogue.get(root.symptom_code))
        )

    @staticmethod
    def resolve_refund_amount(root, _info):
        return money(root.refund_amount, root.currency)

    @staticmethod
    def resolve_suggested_decision(root, info):
        if not get_requestor(info).is_staff:
            return None
        if root.coverage not in (Coverage.COVERED, Coverage.OVERRIDDEN):
            return ClaimDecision.PAID_REPAIR.value

        def suggest(pair):
            warranty, repairs = pair
            snap = warranty.terms_snapshot or {}
            terms = policies.Terms(
                remedies=tuple(snap.get("remedies") or ("repair", "replace", "refund")),
                max_repairs_before_replace=int(snap.get("max_repairs_before_replace", 2)),
            )
            return policies.preferred_remedy(terms, previous_repairs=repairs)

        from promise import Promise

        return Promise.all(
            [
                get_loader(info, WarrantyByIdLoader).load(root.warranty_id),
                get_loader(info, CompletedRepairCountByWarrantyIdLoader).load(root.warranty_id),
            ]
        ).then(suggest)

    @staticmethod
    def resolve_warranty(root, info):
        return get_loader(info, WarrantyByIdLoader).load(root.warranty_id)

    @staticmethod
    def resolve_photos(root, info):
        return get_loader(info, ClaimPhotosByClaimIdLoader).load(root.pk)

    @staticmethod
    def resolve_repair_orders(root, info):
        return get_loader(info, RepairOrdersByClaimIdLoader).load(root.pk)

    @staticmethod
    def resolve_settlements(root, info):
        return get_loader(info, SettlementsByClaimIdLoader).load(root.pk)

    @staticmethod
    def resolve_sla_state(root, info):
        if not get_requestor(info).is_staff:
            return None
        return get_loader(info, SlaClocksByClaimIdLoader).load(root.pk).then(_pick_sla)

    @staticmethod
    def resolve_timeline(root, info, language=None):
        lang = language_of(info, language, root.language)
        return (
            get_loader(info, ClaimEventsByClaimIdLoader)
            .load(root.pk)
            .then(lambda rows: _timeline(info, rows, language=lang, type_prefix="ClaimEvent"))
        )


class Technician(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    email = graphene.String()
    skills = graphene.List(graphene.NonNull(graphene.String), required=True)
    is_active = graphene.Boolean(required=True)
    center_id = graphene.ID(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("Technician", root.pk)

    @staticmethod
    def resolve_center_id(root, _info):
        return to_global_id("ServiceCenter", root.center_id)


class ServiceCenter(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    address = graphene.JSONString(required=True)
    latitude = graphene.Float()
    longitude = graphene.Float()
    opening_hours = graphene.JSONString(required=True)
    category_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
    capacity = graphene.Int(required=True)
    email = graphene.String()
    phone = graphene.String()
    is_active = graphene.Boolean(required=True)
    technicians = graphene.List(graphene.NonNull(Technician), required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("ServiceCenter", root.pk)

    @staticmethod
    def resolve_latitude(root, _info):
        return float(root.latitude) if root.latitude is not None else None

    @staticmethod
    def resolve_longitude(root, _info):
        return float(root.longitude) if root.longitude is not None else None

    @staticmethod
    def resolve_technicians(root, info):
        return get_loader(info, TechniciansByCenterIdLoader).load(root.pk)


class ServiceCenterSuggestion(graphene.ObjectType):
    center = graphene.Field(ServiceCenter, required=True)
    distance_km = graphene.Float()
    free_capacity = graphene.Int(required=True)


class RepairLine(graphene.ObjectType):
    id = graphene.ID(required=True)
    kind = graphene.String(required=True, description="part or labour.")
    description = graphene.String(required=True)
    sku = graphene.String()
    quantity = graphene.Decimal(required=True, description="Units, or hours of labour.")
    unit_cost = graphene.Field(Money, required=True)
    total = graphene.Field(Money, required=True)
    covered = graphene.Boolean(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("RepairLine", root.pk)

    @staticmethod
    def resolve_unit_cost(root, _info):
        return money(root.unit_cost, root.currency)

    @staticmethod
    def resolve_total(root, _info):
        from ...core.money import quantize

        return money(quantize(root.unit_cost * root.quantity, root.currency), root.currency)


class RepairTotals(graphene.ObjectType):
    parts = graphene.Field(Money, required=True)
    labour = graphene.Field(Money, required=True)
    total = graphene.Field(Money, required=True)
    customer_pays = graphene.Field(Money, required=True)


@key("id")
class RepairOrder(graphene.ObjectType):
    id = graphene.ID(required=True)
    number = graphene.String(required=True)
    status = graphene.Field(RepairOrderStatusEnum, required=True)
    is_paid = graphene.Boolean(required=True, description="The customer pays (out of warranty).")
    product_name = graphene.String(required=True)
    category_id = graphene.ID()
    customer_email = graphene.String(required=True)
    claim = graphene.Field(WarrantyClaim)
    warranty = graphene.Field(Warranty)
    center = graphene.Field(ServiceCenter)
    technician = graphene.Field(Technician)
    diagnosis = graphene.String()
    quote_status = graphene.Field(RepairQuoteStatusEnum, required=True)
    quote = graphene.Field(Money, required=True)
    lines = graphene.List(graphene.NonNull(RepairLine), required=True)
    totals = graphene.Field(RepairTotals, required=True)
    inbound_carrier = graphene.String()
    inbound_tracking = graphene.String()
    outbound_carrier = graphene.String()
    outbound_tracking = graphene.String()
    turnaround_days = graphene.Int(required=True)
    promised_at = graphene.DateTime(description="The promised completion date shown to the customer.")
    sla_state = graphene.String(description="Staff: on_track, at_risk, breached, met, paused or none.")
    settlements = graphene.List(graphene.NonNull(WarrantySettlement), required=True)
    timeline = graphene.List(graphene.NonNull(TimelineEvent), required=True, language=graphene.String())
    created_at = graphene.DateTime(required=True)
    received_at = graphene.DateTime()
    completed_at = graphene.DateTime()

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("RepairOrder", root.pk)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_quote_status(root, _info):
        return str(root.quote_status)

    @staticmethod
    def resolve_quote(root, _info):
        return money(root.quote_amount, root.currency)

    @staticmethod
    def resolve_claim(root, info):
        return get_loader(info, ClaimByIdLoader).load(root.claim_id) if root.claim_id else None

    @staticmethod
    def resolve_warranty(root, info):
        return get_loader(info, WarrantyByIdLoader).load(root.warranty_id) if root.warranty_id else None

    @staticmethod
    def resolve_center(root, info):
        return get_loader(info, ServiceCenterByIdLoader).load(root.center_id) if root.center_id else None

    @staticmethod
    def resolve_technician(root, info):
        return get_loader(info, TechnicianByIdLoader).load(root.technician_id) if root.technician_id else None

    @staticmethod
    def _lines(root, info):
        def annotate(lines):
            for line in lines:
                line.currency = root.currency
            return lines

        return get_loader(info, RepairLinesByRepairIdLoader).load(root.pk).then(annotate)

    @staticmethod
    def resolve_lines(root, info):
        return RepairOrder._lines(root, info)

    @staticmethod
    def resolve_totals(root, info):
        def build(lines):
            totals = totals_of(root, lines)
            currency = root.currency
            return RepairTotals(
                parts=money(totals.parts, currency),
                labour=money(totals.labour, currency),
                total=money(totals.total, currency),
                customer_pays=money(totals.customer_pays, currency),
            )

        return RepairOrder._lines(root, info).then(build)

    @staticmethod
    def resolve_sla_state(root, info):
        if not get_requestor(info).is_staff:
            return None
        return get_loader(info, SlaClocksByRepairIdLoader).load(root.pk).then(_pick_sla)

    @staticmethod
    def resolve_settlements(root, info):
        return get_loader(info, SettlementsByRepairIdLoader).load(root.pk)

    @staticmethod
    def resolve_timeline(root, info, language=None):
        lang = language_of(info, language, root.language)
        return (
            get_loader(info, RepairEventsByRepairIdLoader)
            .load(root.pk)
            .then(lambda rows: _timeline(info, rows, language=lang, type_prefix="RepairEvent"))
        )

    @classmethod
    def is_type_of(cls, root, info):
        return isinstance(root, (cls, RepairOrderModel))

    @staticmethod
    def _resolve_reference(entity, info):
        from .dataloaders import VisibleRepairOrderByPkLoader

        return reference_resolver("RepairOrder", VisibleRepairOrderByPkLoader)(entity, info)


class RepairBoardColumn(graphene.ObjectType):
    status = graphene.Field(RepairOrderStatusEnum, required=True)
    count = graphene.Int(required=True)
    repair_orders = graphene.List(graphene.NonNull(RepairOrder), required=True)


class WarrantyTerms(graphene.ObjectType):
    id = graphene.ID(required=True)
    scope = graphene.String(required=True)
    target_id = graphene.ID()
    name = graphene.String(required=True)
    duration_months = graphene.Int(required=True)
    covered_issues = graphene.List(graphene.NonNull(graphene.String), required=True)
    excluded_issues = graphene.List(graphene.NonNull(graphene.String), required=True)
    remedies = graphene.List(graphene.NonNull(graphene.String), required=True)
    max_repairs_before_replace = graphene.Int(required=True)
    text_en = graphene.String(required=True)
    text_zh_hans = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("WarrantyTerms", root.pk)


class WarrantySettings(graphene.ObjectType):
    duration_metadata_key = graphene.String(required=True)
    duration_attribute_slug = graphene.String(required=True)
    reminders_enabled = graphene.Boolean(required=True)
    reminder_interval_months = graphene.Int(required=True)
    repair_service_variant_id = graphene.String(required=True)
    default_turnaround_days = graphene.Int(required=True)
    turnaround_days_by_category = graphene.JSONString(required=True)


class WarrantyTransfer(graphene.ObjectType):
    id = graphene.ID(required=True)
    to_email = graphene.String(required=True)
    status = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("WarrantyTransfer", root.pk)
