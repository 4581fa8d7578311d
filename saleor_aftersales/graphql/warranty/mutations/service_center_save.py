"""The `serviceCenterSave` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import center_for, staff
from ..types import ServiceCenter
from .common import errors_field
from .inputs import ServiceCenterInput


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
