"""GraphQL queries and mutations of the warranty capability."""

from __future__ import annotations

import graphene
from django.db.models import CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import Cast

from ...core.errors import DomainError
from ...core.time import now
from ...sla.models import SlaClock
from ...warranty import selectors
from ...warranty.care import guide_for
from ...warranty.models import RepairOrder as RepairOrderModel
from ...warranty.models import RepairStatus, WarrantyStatus
from ...warranty.models import ServiceCenter as ServiceCenterModel
from ...warranty.models import Warranty as WarrantyModel
from ...warranty.models import WarrantyClaim as WarrantyClaimModel
from ...warranty.models import WarrantyTerms as WarrantyTermsModel
from ..core.context import get_requestor
from ..core.guests import proven_order
from ..core.types import page_size
from .access import claim_for, pk_of, repair_for, staff, warranty_for
from .mutations.care_guide_save import CareGuideSave
from .mutations.common import enum_value
from .mutations.repair_order_assign import RepairOrderAssign
from .mutations.repair_order_create_from_return import RepairOrderCreateFromReturn
from .mutations.repair_order_line_add import RepairOrderLineAdd
from .mutations.repair_order_line_delete import RepairOrderLineDelete
from .mutations.repair_order_quote_accept import RepairOrderQuoteAccept
from .mutations.repair_order_quote_decline import RepairOrderQuoteDecline
from .mutations.repair_order_quote_send import RepairOrderQuoteSend
from .mutations.repair_order_set_tracking import RepairOrderSetTracking
from .mutations.repair_order_transition import RepairOrderTransition
from .mutations.service_center_save import ServiceCenterSave
from .mutations.technician_save import TechnicianSave
from .mutations.warranty_claim_cancel import WarrantyClaimCancel
from .mutations.warranty_claim_create import WarrantyClaimCreate
from .mutations.warranty_claim_decide import WarrantyClaimDecide
from .mutations.warranty_claim_retry_settlement import WarrantyClaimRetrySettlement
from .mutations.warranty_register_external import WarrantyRegisterExternal
from .mutations.warranty_registration_verify import WarrantyRegistrationVerify
from .mutations.warranty_set_serial_number import WarrantySetSerialNumber
from .mutations.warranty_settings_update import WarrantySettingsUpdate
from .mutations.warranty_symptom_save import WarrantySymptomSave
from .mutations.warranty_terms_delete import WarrantyTermsDelete
from .mutations.warranty_terms_save import WarrantyTermsSave
from .mutations.warranty_transfer_accept import WarrantyTransferAccept
from .mutations.warranty_transfer_create import WarrantyTransferCreate
from .types import (
    CareGuide,
    RepairBoardColumn,
    RepairOrder,
    RepairOrderStatusEnum,
    ServiceCenter,
    ServiceCenterSuggestion,
    Warranty,
    WarrantyClaim,
    WarrantyClaimStatusEnum,
    WarrantyCoverageEnum,
    WarrantySettings,
    WarrantyStatusEnum,
    WarrantySymptom,
    WarrantyTerms,
)

SLA_STATES = ("breached", "on_track", "met", "paused", "none")
# A customer's warranties are listed whole (a household's shoes, not a catalogue): a higher cap than lists'.
MAX_MY_WARRANTIES = 500


def _my_page(first: int | None) -> int:
    size = 50 if first is None else first
    if not 0 <= size <= MAX_MY_WARRANTIES:
        raise DomainError("OUT_OF_RANGE", f"`first` must be between 0 and {MAX_MY_WARRANTIES}.", "first")
    return size


def _filter_sla(qs, state: str | None, subject_type: str):
    if not state:
        return qs
    if state not in SLA_STATES:
        raise DomainError("INVALID", f"slaState: {', '.join(SLA_STATES)}.", "slaState")
    clocks = SlaClock.objects.filter(subject_type=subject_type, subject_id=OuterRef("pk_text"))
    current = now()
    conditions = {
        "breached": Q(status="breached") | Q(status="running", due_at__lt=current),
        "on_track": Q(status="running", due_at__gte=current),
        "met": Q(status="met"),
        "paused": Q(status="paused"),
    }
    qs = qs.annotate(pk_text=Cast("pk", CharField()))
    if state == "none":
        return qs.exclude(Exists(clocks.filter(status__in=["running", "breached", "met", "paused"])))
    return qs.filter(Exists(clocks.filter(conditions[state])))


class WarrantyClaimFilterInput(graphene.InputObjectType):
    statuses = graphene.List(graphene.NonNull(WarrantyClaimStatusEnum))
    coverage = graphene.List(graphene.NonNull(WarrantyCoverageEnum))
    symptom = graphene.String()
    sla_state = graphene.String(description="breached, on_track, met, paused or none")
    customer = graphene.String(description="Customer email or Saleor user id.")
    created_after = graphene.DateTime()
    created_before = graphene.DateTime()


class RepairOrderFilterInput(graphene.InputObjectType):
    statuses = graphene.List(graphene.NonNull(RepairOrderStatusEnum))
    center_id = graphene.ID()
    technician_id = graphene.ID()
    unassigned = graphene.Boolean()
    is_paid = graphene.Boolean()
    category_id = graphene.ID()
    sla_state = graphene.String(description="breached, on_track, met, paused or none")
    promised_before = graphene.DateTime()


def _claims_queue(qs, filters: dict, search: str | None):
    if filters.get("statuses"):
        qs = qs.filter(status__in=[enum_value(s) for s in filters["statuses"]])
    if filters.get("coverage"):
        qs = qs.filter(coverage__in=[enum_value(s) for s in filters["coverage"]])
    if filters.get("symptom"):
        qs = qs.filter(symptom_code=filters["symptom"])
    if filters.get("customer"):
        value = filters["customer"].strip()
        qs = qs.filter(Q(customer_email__iexact=value) | Q(customer_user_id=value))
    if filters.get("created_after"):
        qs = qs.filter(created_at__gte=filters["created_after"])
    if filters.get("created_before"):
        qs = qs.filter(created_at__lte=filters["created_before"])
    qs = _filter_sla(qs, filters.get("sla_state"), "warranty_claim")
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(number__iexact=term)
            | Q(customer_email__icontains=term)
            | Q(warranty__serial_number__iexact=term)
            | Q(warranty__order__number=term)
        )
    return qs


def _repairs_queue(qs, filters: dict, search: str | None):
    if filters.get("statuses"):
        qs = qs.filter(status__in=[enum_value(s) for s in filters["statuses"]])
    if filters.get("center_id"):
        qs = qs.filter(center_id=pk_of(filters["center_id"], "ServiceCenter", "centerId"))
    if filters.get("technician_id"):
        qs = qs.filter(technician_id=pk_of(filters["technician_id"], "Technician", "technicianId"))
    if filters.get("unassigned"):
        qs = qs.filter(center__isnull=True)
    if filters.get("is_paid") is not None:
        qs = qs.filter(is_paid=filters["is_paid"])
    if filters.get("category_id"):
        qs = qs.filter(category_id=filters["category_id"])
    if filters.get("promised_before"):
        qs = qs.filter(promised_at__lte=filters["promised_before"])
    qs = _filter_sla(qs, filters.get("sla_state"), "repair_order")
    if search:
        term = search.strip()
        qs = qs.filter(
            Q(number__iexact=term)
            | Q(customer_email__icontains=term)
            | Q(inbound_tracking__iexact=term)
            | Q(outbound_tracking__iexact=term)
        )
    return qs


class WarrantyQueries(graphene.ObjectType):
    warranty_symptoms = graphene.List(
        graphene.NonNull(WarrantySymptom),
        required=True,
        description="The symptom catalogue claims choose from.",
    )
    my_warranties = graphene.List(
        graphene.NonNull(Warranty),
        required=True,
        first=graphene.Int(default_value=50),
        statuses=graphene.List(graphene.NonNull(WarrantyStatusEnum)),
        description="The signed-in customer's warranties (days left, terms, open claims), newest first.",
    )
    guest_warranties = graphene.List(
        graphene.NonNull(Warranty),
        required=True,
        order_number=graphene.String(required=True),
        email=graphene.String(required=True),
        description="A guest's warranties registered from one order (its number and email), newest first.",
    )
    warranty = graphene.Field(Warranty, id=graphene.ID(required=True))
    my_warranty_claims = graphene.List(
        graphene.NonNull(WarrantyClaim), required=True, first=graphene.Int(default_value=50)
    )
    warranty_claim = graphene.Field(
        WarrantyClaim,
        id=graphene.ID(required=True),
        order_number=graphene.String(description="Guests: the order's number."),
        email=graphene.String(description="Guests: the order's email."),
    )
    my_repair_orders = graphene.List(
        graphene.NonNull(RepairOrder), required=True, first=graphene.Int(default_value=50)
    )
    repair_order = graphene.Field(RepairOrder, id=graphene.ID(required=True))
    care_guide = graphene.Field(
        CareGuide,
        product_type_id=graphene.ID(),
        product_type_name=graphene.String(),
        category_id=graphene.ID(),
        code=graphene.String(),
        description="The care guide of a product type (by product type id, category id, name keyword, or code).",
    )
    care_guides = graphene.List(graphene.NonNull(CareGuide), required=True)
    warranties = graphene.List(
        graphene.NonNull(Warranty),
        required=True,
        first=graphene.Int(default_value=50),
        statuses=graphene.List(graphene.NonNull(WarrantyStatusEnum)),
        order_id=graphene.ID(),
        customer=graphene.String(),
        search=graphene.String(description="Serial number, product name or order number."),
        description="Staff: warranties, e.g. registrations awaiting verification. Requires MANAGE_ORDERS.",
    )
    warranty_claims = graphene.List(
        graphene.NonNull(WarrantyClaim),
        required=True,
        first=graphene.Int(default_value=50),
        filter=WarrantyClaimFilterInput(),
        search=graphene.String(),
        description="The staff claim queue, oldest first. Requires MANAGE_ORDERS.",
    )
    repair_orders = graphene.List(
        graphene.NonNull(RepairOrder),
        required=True,
        first=graphene.Int(default_value=50),
        filter=RepairOrderFilterInput(),
        search=graphene.String(),
        description="The staff repair queue, earliest promise first. Requires MANAGE_ORDERS.",
    )
    repair_board = graphene.List(
        graphene.NonNull(RepairBoardColumn),
        required=True,
        center_id=graphene.ID(),
        per_column=graphene.Int(default_value=20),
        description="Open repair orders by state (optionally of one center), with counts. Requires MANAGE_ORDERS.",
    )
    service_centers = graphene.List(graphene.NonNull(ServiceCenter), required=True)
    service_center_suggestions = graphene.List(
        graphene.NonNull(ServiceCenterSuggestion),
        required=True,
        repair_order_id=graphene.ID(),
        category_id=graphene.ID(),
        latitude=graphene.Float(),
        longitude=graphene.Float(),
        description="Centers that handle the category and have capacity, nearest first. Requires MANAGE_ORDERS.",
    )
    warranty_terms = graphene.List(graphene.NonNull(WarrantyTerms), required=True)
    warranty_settings = graphene.Field(WarrantySettings, required=True)

    @staticmethod
    def resolve_warranty_symptoms(_root, info):
        requestor = get_requestor(info)
        catalogue = selectors.symptom_catalogue(requestor.require_installation())
        rows = sorted(catalogue.values(), key=lambda s: (s.position, s.code))
        return rows if requestor.is_staff else [s for s in rows if s.is_active]

    @staticmethod
    def resolve_my_warranties(_root, info, first=50, statuses=None):
        requestor = get_requestor(info)
        installation = requestor.require_customer()
        qs = selectors.customer_warranties(
            installation, user_id=requestor.actor.user_id, email=requestor.actor.email
        )
        if statuses:
            qs = qs.filter(status__in=[enum_value(s) for s in statuses])
        else:
            qs = qs.exclude(status__in=[WarrantyStatus.VOIDED, WarrantyStatus.REJECTED])
        return list(qs.select_related("order", "order_line").order_by("-starts_at", "-id")[: _my_page(first)])

    @staticmethod
    def resolve_guest_warranties(_root, info, order_number, email):
        installation = get_requestor(info).require_installation()
        order = proven_order(info, installation, order_number=order_number, email=email)
        qs = selectors.guest_warranties(installation, order).exclude(
            status__in=[WarrantyStatus.VOIDED, WarrantyStatus.REJECTED]
        )
        return list(
            qs.select_related("order", "order_line").order_by("-starts_at", "-id")[:MAX_MY_WARRANTIES]
        )

    @staticmethod
    def resolve_warranty(_root, info, id):
        return warranty_for(info, id)[0]

    @staticmethod
    def resolve_my_warranty_claims(_root, info, first=50):
        requestor = get_requestor(info)
        installation = requestor.require_customer()
        qs = selectors.customer_claims(
            installation, user_id=requestor.actor.user_id, email=requestor.actor.email
        )
        return list(qs.order_by("-created_at", "-id")[: page_size(first)])

    @staticmethod
    def resolve_warranty_claim(_root, info, id, order_number=None, email=None):
        return claim_for(info, id, order_number=order_number, email=email)[0]

    @staticmethod
    def resolve_my_repair_orders(_root, info, first=50):
        requestor = get_requestor(info)
        installation = requestor.require_customer()
        qs = selectors.customer_repairs(
            installation, user_id=requestor.actor.user_id, email=requestor.actor.email
        )
        return list(qs.order_by("-created_at", "-id")[: page_size(first)])

    @staticmethod
    def resolve_repair_order(_root, info, id):
        return repair_for(info, id)[0]

    @staticmethod
    def resolve_care_guide(
        _root, info, product_type_id=None, product_type_name=None, code=None, category_id=None
    ):
        guides = selectors.care_guides(get_requestor(info).require_installation())
        if code:
            return next((g for g in guides if g.code == code), None)
        return guide_for(
            guides,
            product_type_id=product_type_id or "",
            product_type_name=product_type_name or "",
            category_id=category_id or "",
        )

    @staticmethod
    def resolve_care_guides(_root, info):
        return selectors.care_guides(get_requestor(info).require_installation())

    @staticmethod
    def resolve_warranties(_root, info, first=50, statuses=None, order_id=None, customer=None, search=None):
        installation = staff(info)
        qs = WarrantyModel.objects.filter(installation=installation).select_related("order", "order_line")
        if statuses:
            qs = qs.filter(status__in=[enum_value(s) for s in statuses])
        if order_id:
            qs = qs.filter(order__saleor_id=order_id)
        if customer:
            qs = qs.filter(Q(customer_email__iexact=customer.strip()) | Q(customer_user_id=customer.strip()))
        if search:
            term = search.strip()
            qs = qs.filter(
                Q(serial_number__iexact=term) | Q(product_name__icontains=term) | Q(order__number=term)
            )
        return list(qs.order_by("created_at", "id")[: page_size(first)])

    @staticmethod
    def resolve_warranty_claims(_root, info, first=50, filter=None, search=None):
        installation = staff(info)
        qs = _claims_queue(
            WarrantyClaimModel.objects.filter(installation=installation), dict(filter or {}), search
        )
        return list(qs.order_by("created_at", "id")[: page_size(first)])

    @staticmethod
    def resolve_repair_orders(_root, info, first=50, filter=None, search=None):
        installation = staff(info)
        qs = _repairs_queue(
            RepairOrderModel.objects.filter(installation=installation), dict(filter or {}), search
        )
        return list(qs.order_by("promised_at", "id")[: page_size(first)])

    @staticmethod
    def resolve_repair_board(_root, info, center_id=None, per_column=20):
        installation = staff(info)
        per_column = page_size(per_column)
        from ...warranty.state import REPAIR_OPEN

        qs = RepairOrderModel.objects.filter(installation=installation, status__in=REPAIR_OPEN)
        if center_id:
            qs = qs.filter(center_id=pk_of(center_id, "ServiceCenter", "centerId"))
        counts = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
        columns: dict[str, list] = {status: [] for status in REPAIR_OPEN}
        for row in qs.order_by("promised_at", "id")[: per_column * len(REPAIR_OPEN)]:
            if len(columns[row.status]) < per_column:
                columns[row.status].append(row)
        return [
            RepairBoardColumn(
                status=RepairStatus(status).value, count=counts.get(status, 0), repair_orders=rows
            )
            for status, rows in columns.items()
        ]

    @staticmethod
    def resolve_service_centers(_root, info):
        return list(ServiceCenterModel.objects.filter(installation=staff(info)))

    @staticmethod
    def resolve_service_center_suggestions(
        _root, info, repair_order_id=None, category_id=None, latitude=None, longitude=None
    ):
        installation = staff(info)
        if repair_order_id:
            category_id = repair_for(info, repair_order_id, "repairOrderId")[0].category_id
        return [
            ServiceCenterSuggestion(center=center, distance_km=s.distance_km, free_capacity=s.free_capacity)
            for center, s in selectors.suggested_centers(
                installation, category_id=category_id or "", latitude=latitude, longitude=longitude
            )
        ]

    @staticmethod
    def resolve_warranty_terms(_root, info):
        return list(WarrantyTermsModel.objects.filter(installation=staff(info)))

    @staticmethod
    def resolve_warranty_settings(_root, info):
        return selectors.settings_for(staff(info))


class WarrantyMutations(graphene.ObjectType):
    warranty_register_external = WarrantyRegisterExternal.Field()
    warranty_registration_verify = WarrantyRegistrationVerify.Field()
    warranty_set_serial_number = WarrantySetSerialNumber.Field()
    warranty_transfer_create = WarrantyTransferCreate.Field()
    warranty_transfer_accept = WarrantyTransferAccept.Field()
    warranty_claim_create = WarrantyClaimCreate.Field()
    warranty_claim_cancel = WarrantyClaimCancel.Field()
    warranty_claim_decide = WarrantyClaimDecide.Field()
    warranty_claim_retry_settlement = WarrantyClaimRetrySettlement.Field()
    repair_order_transition = RepairOrderTransition.Field()
    repair_order_assign = RepairOrderAssign.Field()
    repair_order_line_add = RepairOrderLineAdd.Field()
    repair_order_line_delete = RepairOrderLineDelete.Field()
    repair_order_quote_send = RepairOrderQuoteSend.Field()
    repair_order_quote_accept = RepairOrderQuoteAccept.Field()
    repair_order_quote_decline = RepairOrderQuoteDecline.Field()
    repair_order_set_tracking = RepairOrderSetTracking.Field()
    repair_order_create_from_return = RepairOrderCreateFromReturn.Field()
    warranty_terms_save = WarrantyTermsSave.Field()
    warranty_terms_delete = WarrantyTermsDelete.Field()
    warranty_settings_update = WarrantySettingsUpdate.Field()
    warranty_symptom_save = WarrantySymptomSave.Field()
    service_center_save = ServiceCenterSave.Field()
    technician_save = TechnicianSave.Field()
    care_guide_save = CareGuideSave.Field()
