"""Merchant configuration: terms, settings, symptoms, service centers, technicians, care guides (MANAGE_ORDERS)."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ....warranty.models import WarrantyTerms as WarrantyTermsModel
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import center_for, pk_of, staff, technician_for
from ..types import CareGuide, ServiceCenter, Technician, WarrantySettings, WarrantySymptom, WarrantyTerms
from .common import errors_field


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


class WarrantyTermsSave(BaseMutation):
    terms = graphene.Field(WarrantyTerms)
    errors = errors_field()

    class Arguments:
        input = WarrantyTermsInput(required=True)

    class Meta:
        description = "Create or update the terms of a scope + target. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, input):
        installation = staff(info)
        terms = actions.save_terms(
            installation=installation,
            actor=get_requestor(info).actor,
            scope=getattr(input["scope"], "value", input["scope"]),
            target_id=input.get("target_id") or "",
            name=input["name"],
            duration_months=input["duration_months"],
            covered_issues=input.get("covered_issues") or [],
            excluded_issues=input.get("excluded_issues") or [],
            remedies=input.get("remedies"),
            max_repairs_before_replace=input.get("max_repairs_before_replace")
            if input.get("max_repairs_before_replace") is not None
            else 2,
            text_en=input["text_en"],
            text_zh_hans=input["text_zh_hans"],
            is_active=input.get("is_active") if input.get("is_active") is not None else True,
        )
        return cls(terms=terms)


class WarrantyTermsDelete(BaseMutation):
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Delete terms (registered warranties keep their snapshot). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, id):
        installation = staff(info)
        row = WarrantyTermsModel.objects.filter(
            installation=installation, pk=pk_of(id, "WarrantyTerms", "id")
        ).first()
        if row is None:
            from ....core.errors import NotFoundError

            raise NotFoundError("Unknown terms.", "id")
        actions.delete_terms(terms=row, actor=get_requestor(info).actor)
        return cls()


class WarrantySettingsInput(graphene.InputObjectType):
    duration_metadata_key = graphene.String(description="Product metadata key holding the months.")
    duration_attribute_slug = graphene.String(description="Product attribute whose value is the months.")
    reminders_enabled = graphene.Boolean()
    reminder_interval_months = graphene.Int()
    repair_service_variant_id = graphene.ID(description="The Saleor variant billed for paid repairs.")
    default_turnaround_days = graphene.Int()
    turnaround_days_by_category = graphene.JSONString(description='{"<category id>": days}')


class WarrantySettingsUpdate(BaseMutation):
    settings = graphene.Field(WarrantySettings)
    errors = errors_field()

    class Arguments:
        input = WarrantySettingsInput(required=True)

    class Meta:
        description = "Update the warranty settings of the installation. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, input):
        installation = staff(info)
        values = {k: v for k, v in input.items() if v is not None}
        row = actions.save_settings(installation=installation, actor=get_requestor(info).actor, **values)
        return cls(settings=row)


class WarrantySymptomSave(BaseMutation):
    symptom = graphene.Field(WarrantySymptom)
    errors = errors_field()

    class Arguments:
        code = graphene.String(required=True)
        label_en = graphene.String(required=True)
        label_zh_hans = graphene.String(required=True)
        is_active = graphene.Boolean(default_value=True)
        position = graphene.Int(default_value=0)

    class Meta:
        description = "Add or override a symptom of the catalogue. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = staff(info)
        row = actions.save_symptom(installation=installation, actor=get_requestor(info).actor, **data)
        from ....warranty.symptoms import Symptom

        return cls(symptom=Symptom(row.code, row.label_en, row.label_zh_hans, row.is_active, row.position))


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


class ServiceCenterSave(BaseMutation):
    service_center = graphene.Field(ServiceCenter)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(description="Omit to create.")
        input = ServiceCenterInput(required=True)

    class Meta:
        description = "Create or update a service center of the repair network. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, input, id=None):
        installation = staff(info)
        center = center_for(installation, id, "id") if id else None
        row = actions.save_service_center(
            installation=installation,
            actor=get_requestor(info).actor,
            center=center,
            name=input["name"],
            address=input.get("address"),
            latitude=input.get("latitude"),
            longitude=input.get("longitude"),
            opening_hours=input.get("opening_hours"),
            category_ids=input.get("category_ids") or [],
            capacity=input.get("capacity") if input.get("capacity") is not None else 10,
            email=input.get("email") or "",
            phone=input.get("phone") or "",
            is_active=input.get("is_active") if input.get("is_active") is not None else True,
        )
        return cls(service_center=row)


class TechnicianSave(BaseMutation):
    technician = graphene.Field(Technician)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(description="Omit to create.")
        center_id = graphene.ID(required=True)
        name = graphene.String(required=True)
        email = graphene.String()
        skills = graphene.List(graphene.NonNull(graphene.String))
        is_active = graphene.Boolean(default_value=True)

    class Meta:
        description = "Create or update a technician of a service center. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = staff(info)
        technician = technician_for(installation, data["id"], "id") if data.get("id") else None
        row = actions.save_technician(
            installation=installation,
            actor=get_requestor(info).actor,
            center=center_for(installation, data["center_id"]),
            technician=technician,
            name=data["name"],
            email=data.get("email") or "",
            skills=data.get("skills") or [],
            is_active=data.get("is_active", True),
        )
        return cls(technician=row)


class CareGuideSectionInput(graphene.InputObjectType):
    topic = graphene.String(required=True)
    title_en = graphene.String(required=True)
    title_zh_hans = graphene.String(required=True)
    body_en = graphene.String(required=True)
    body_zh_hans = graphene.String(required=True)


class CareGuideSave(BaseMutation):
    care_guide = graphene.Field(CareGuide)
    errors = errors_field()

    class Arguments:
        code = graphene.String(required=True, description="Same code as a built-in guide overrides it.")
        title_en = graphene.String(required=True)
        title_zh_hans = graphene.String(required=True)
        sections = graphene.List(graphene.NonNull(CareGuideSectionInput), required=True)
        product_type_ids = graphene.List(graphene.NonNull(graphene.ID))
        match_keywords = graphene.List(graphene.NonNull(graphene.String))
        reminder_interval_months = graphene.Int()
        is_active = graphene.Boolean(default_value=True)

    class Meta:
        description = "Create or edit a care guide for product types (en + zh-Hans). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = staff(info)
        row = actions.save_care_guide(
            installation=installation,
            actor=get_requestor(info).actor,
            code=data["code"],
            title_en=data["title_en"],
            title_zh_hans=data["title_zh_hans"],
            sections=[dict(s) for s in data["sections"]],
            product_type_ids=data.get("product_type_ids") or [],
            match_keywords=data.get("match_keywords") or [],
            reminder_interval_months=data.get("reminder_interval_months"),
            is_active=data.get("is_active", True),
        )
        from ....warranty.care import guides

        return cls(care_guide=next(g for g in guides([row]) if g.code == row.code) if row.is_active else None)
