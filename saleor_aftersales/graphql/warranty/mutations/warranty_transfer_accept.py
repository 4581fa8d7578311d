"""The `warrantyTransferAccept` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import Warranty
from .common import errors_field


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
