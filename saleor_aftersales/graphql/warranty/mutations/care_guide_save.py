"""The `careGuideSave` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import staff
from ..types import CareGuide
from .common import errors_field
from .inputs import CareGuideSectionInput


class CareGuideSave(BaseMutation):
    care_guide = graphene.Field(CareGuide)
    errors = errors_field()

    class Arguments:
        code = graphene.String(required=True, description="Same code as a built-in guide overrides it.")
        title_en = graphene.String(required=True)
        title_zh_hans = graphene.String(required=True)
        sections = graphene.List(graphene.NonNull(CareGuideSectionInput), required=True)
        product_type_ids = graphene.List(graphene.NonNull(graphene.ID))
        category_ids = graphene.List(graphene.NonNull(graphene.ID))
        match_keywords = graphene.List(graphene.NonNull(graphene.String))
        reminder_interval_months = graphene.Int()
        is_active = graphene.Boolean(default_value=True)

    class Meta:
        description = "Create or edit a care guide for product types or categories (en + zh-Hans). Requires MANAGE_ORDERS."

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
            category_ids=data.get("category_ids") or [],
            match_keywords=data.get("match_keywords") or [],
            reminder_interval_months=data.get("reminder_interval_months"),
            is_active=data.get("is_active", True),
        )
        from ....warranty.care import guides

        return cls(care_guide=next(g for g in guides([row]) if g.code == row.code) if row.is_active else None)
