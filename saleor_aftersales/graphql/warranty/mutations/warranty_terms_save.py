"""The `warrantyTermsSave` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import staff
from ..types import WarrantyTerms
from .common import errors_field
from .inputs import WarrantyTermsInput


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
