"""The `warrantyRegisterExternal` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import Warranty
from .common import errors_field
from .inputs import WarrantyRegisterExternalInput


class WarrantyRegisterExternal(BaseMutation):
    warranty = graphene.Field(Warranty)
    errors = errors_field()

    class Arguments:
        input = WarrantyRegisterExternalInput(required=True)

    class Meta:
        description = "Register an item bought elsewhere with a proof of purchase (staff verify it)."

    @classmethod
    def perform_mutation(cls, root, info, input):
        requestor = get_requestor(info)
        installation = requestor.require_customer()
        warranty = actions.register_external_purchase(
            installation=installation,
            actor=requestor.actor,
            product_name=input["product_name"],
            purchased_at=input["purchased_at"],
            proofs=input.get("proofs") or [],
            store_name=input.get("store_name") or "",
            serial_number=input.get("serial_number") or "",
            product_id=input.get("product_id") or "",
            variant_id=input.get("variant_id") or "",
            product_type_id=input.get("product_type_id") or "",
            category_id=input.get("category_id") or "",
            price=input.get("price"),
            currency=input.get("currency") or "USD",
        )
        return cls(warranty=warranty)
