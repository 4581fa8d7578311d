"""Customer and staff mutations on warranties: external registration + verification, serial, transfer."""

from __future__ import annotations

import graphene

from ....core.errors import PermissionDeniedError
from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ...core.types import Upload
from ..access import warranty_for
from ..types import Warranty, WarrantyTransfer
from .common import errors_field


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


class WarrantyRegistrationVerify(BaseMutation):
    warranty = graphene.Field(Warranty)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        approve = graphene.Boolean(required=True)
        note = graphene.String(description="Required when rejecting: the reason shown to the customer.")
        duration_months = graphene.Int(description="Override the duration from the terms.")

    class Meta:
        description = "Verify (or reject) a registration of an item bought elsewhere. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        warranty, actor = warranty_for(info, data["id"], staff_only=True)
        warranty = actions.verify_registration(
            warranty=warranty,
            actor=actor,
            approve=data["approve"],
            note=data.get("note") or "",
            duration_months=data.get("duration_months"),
        )
        return cls(warranty=warranty)


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


class WarrantyTransferCreate(BaseMutation):
    transfer = graphene.Field(WarrantyTransfer)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        email = graphene.String(required=True, description="The receiver's email.")

    class Meta:
        description = "Offer the warranty to another person; it moves when they accept (the owner only)."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        warranty, actor = warranty_for(info, data["id"])
        if actor.is_staff:
            raise PermissionDeniedError("The owner transfers a warranty.")
        transfer = actions.offer_transfer(warranty=warranty, actor=actor, to_email=data["email"])
        return cls(transfer=transfer)


class WarrantyTransferAccept(BaseMutation):
    warranty = graphene.Field(Warranty)
    errors = errors_field()

    class Arguments:
        token = graphene.String(required=True, description="The code from the transfer email.")

    class Meta:
        description = "Accept a warranty transferred to the signed-in customer's email."

    @classmethod
    def perform_mutation(cls, root, info, token):
        requestor = get_requestor(info)
        installation = requestor.require_customer()
        warranty = actions.accept_transfer(token=token, actor=requestor.actor, installation=installation)
        return cls(warranty=warranty)
