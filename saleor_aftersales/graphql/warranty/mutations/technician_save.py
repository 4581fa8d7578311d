"""The `technicianSave` mutation."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..access import center_for, staff, technician_for
from ..types import Technician
from .common import errors_field


class TechnicianSave(BaseMutation):
    technician = graphene.Field(Technician)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(description="Omit to create.")
        center_id = graphene.ID(required=True)
        name = graphene.String(required=True)
        email = graphene.String()
        skills = graphene.List(graphene.NonNull(graphene.String))
        is_active = graphene.Boolean(default_value=True)

    class Meta:
        description = "Create or update a technician of a service center. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        installation = staff(info)
        technician = technician_for(installation, data["id"], "id") if data.get("id") else None
        row = actions.save_technician(
            installation=installation,
            actor=get_requestor(info).actor,
            center=center_for(installation, data["center_id"]),
            technician=technician,
            name=data["name"],
            email=data.get("email") or "",
            skills=data.get("skills") or [],
            is_active=data.get("is_active", True),
        )
        return cls(technician=row)
