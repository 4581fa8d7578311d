"""The `warrantySetSerialNumber` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ..access import warranty_for
from ..types import Warranty
from .common import errors_field


class WarrantySetSerialNumber(BaseMutation):
    warranty = graphene.Field(Warranty)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        serial_number = graphene.String(required=True)

    class Meta:
        description = "Add or correct the serial number (the owner or staff)."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        warranty, actor = warranty_for(info, data["id"])
        warranty = actions.set_serial_number(
            warranty=warranty, actor=actor, serial_number=data["serial_number"]
        )
        return cls(warranty=warranty)
