"""The `warrantyTermsDelete` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ....warranty.models import WarrantyTerms as WarrantyTermsModel
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import pk_of, staff
from .common import errors_field


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
