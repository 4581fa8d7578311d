"""Input objects and enums shared by the warranty mutations."""

from __future__ import annotations

import graphene

from ...core.types import Upload


class WarrantyRegisterExternalInput(graphene.InputObjectType):
    product_name = graphene.String(required=True)
    purchased_at = graphene.DateTime(required=True)
    store_name = graphene.String()
    serial_number = graphene.String()
    product_id = graphene.ID()
    variant_id = graphene.ID()
    product_type_id = graphene.ID()
    category_id = graphene.ID()
    price = graphene.Decimal()
    currency = graphene.String()
    proofs = graphene.List(
        graphene.NonNull(Upload), required=True, description="Receipt: JPEG, PNG, WebP or PDF."
    )


class WarrantyClaimCreateInput(graphene.InputObjectType):
    warranty_id = graphene.ID(required=True)
    symptom = graphene.String(required=True, description="A code from `warrantySymptoms`.")
    description = graphene.String()
    photos = graphene.List(graphene.NonNull(Upload), description="JPEG, PNG or WebP, multipart upload.")
    paid_repair = graphene.Boolean(
        default_value=False, description="Out of warranty or not covered: ask for a paid repair with a quote."
    )
    override = graphene.Boolean(default_value=False, description="Staff: cover an issue the terms exclude.")
    idempotency_key = graphene.String(
        description="Client-chosen (e.g. a UUID per submit): a retry with the same key answers the first result and "
        "creates nothing."
    )
    order_number = graphene.String(
        description="Guests: the number of the order the warranty was registered from."
    )
    email = graphene.String(description="Guests: the email the order was placed with.")


class RepairLineKindEnum(graphene.Enum):
    PART = "part"
    LABOUR = "labour"


class RepairTrackingDirectionEnum(graphene.Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class WarrantyTermsScopeEnum(graphene.Enum):
    PRODUCT = "product"
    CATEGORY = "category"
    PRODUCT_TYPE = "product_type"
    DEFAULT = "default"


class WarrantyTermsInput(graphene.InputObjectType):
    scope = WarrantyTermsScopeEnum(required=True)
    target_id = graphene.ID(description="Saleor product / category / product type id (not for DEFAULT).")
    name = graphene.String(required=True)
    duration_months = graphene.Int(required=True)
    covered_issues = graphene.List(graphene.NonNull(graphene.String), description="Symptom codes covered.")
    excluded_issues = graphene.List(graphene.NonNull(graphene.String), description="Symptom codes excluded.")
    remedies = graphene.List(
        graphene.NonNull(graphene.String), description="repair, replace, refund in order."
    )
    max_repairs_before_replace = graphene.Int()
    text_en = graphene.String(required=True)
    text_zh_hans = graphene.String(required=True)
    is_active = graphene.Boolean()


class WarrantySettingsInput(graphene.InputObjectType):
    duration_metadata_key = graphene.String(description="Product metadata key holding the months.")
    duration_attribute_slug = graphene.String(description="Product attribute whose value is the months.")
    reminders_enabled = graphene.Boolean()
    reminder_interval_months = graphene.Int()
    repair_service_variant_id = graphene.ID(description="The Saleor variant billed for paid repairs.")
    default_turnaround_days = graphene.Int()
    turnaround_days_by_category = graphene.JSONString(description='{"<category id>": days}')


class ServiceCenterInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    address = graphene.JSONString()
    latitude = graphene.Float()
    longitude = graphene.Float()
    opening_hours = graphene.JSONString(description='{"mon": "09:00-18:00", ...}')
    category_ids = graphene.List(
        graphene.NonNull(graphene.ID), description="Categories handled; empty = all."
    )
    capacity = graphene.Int()
    email = graphene.String()
    phone = graphene.String()
    is_active = graphene.Boolean()


class CareGuideSectionInput(graphene.InputObjectType):
    topic = graphene.String(required=True)
    title_en = graphene.String(required=True)
    title_zh_hans = graphene.String(required=True)
    body_en = graphene.String(required=True)
    body_zh_hans = graphene.String(required=True)
