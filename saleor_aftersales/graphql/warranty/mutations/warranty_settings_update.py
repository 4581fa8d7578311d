"""The `warrantySettingsUpdate` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import staff
from ..types import WarrantySettings
from .common import errors_field
from .inputs import WarrantySettingsInput


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
