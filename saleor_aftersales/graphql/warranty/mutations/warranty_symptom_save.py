"""The `warrantySymptomSave` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import staff
from ..types import WarrantySymptom
from .common import errors_field


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
