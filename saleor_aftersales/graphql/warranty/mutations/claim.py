"""Claim mutations: file (customer, with photos), cancel, decide (staff), retry settlement (staff)."""

from __future__ import annotations

import graphene

from ....warranty import actions
from ...core.mutations import BaseMutation
from ...core.types import Upload
from ..access import center_for, claim_for, warranty_for
from ..types import WarrantyClaim, WarrantyClaimDecisionEnum
from .common import enum_value, errors_field


class WarrantyClaimCreateInput(graphene.InputObjectType):
    warranty_id = graphene.ID(required=True)
    symptom = graphene.String(required=True, description="A code from `warrantySymptoms`.")
    description = graphene.String()
    photos = graphene.List(graphene.NonNull(Upload), description="JPEG, PNG or WebP, multipart upload.")
    paid_repair = graphene.Boolean(
        default_value=False, description="Out of warranty or not covered: ask for a paid repair with a quote."
    )
    override = graphene.Boolean(default_value=False, description="Staff: cover an issue the terms exclude.")


class WarrantyClaimCreate(BaseMutation):
    claim = graphene.Field(WarrantyClaim)
    errors = errors_field()

    class Arguments:
        input = WarrantyClaimCreateInput(required=True)

    class Meta:
        description = "File a claim against a warranty (coverage is checked: in term, covered issue)."

    @classmethod
    def perform_mutation(cls, root, info, input):
        warranty, actor = warranty_for(info, input["warranty_id"], "warrantyId")
        claim = actions.create_claim(
            warranty=warranty,
            actor=actor,
            symptom=input["symptom"],
            description=input.get("description") or "",
            photos=input.get("photos") or [],
            override=bool(input.get("override")),
            paid_repair=bool(input.get("paid_repair")),
        )
        return cls(claim=claim)


class WarrantyClaimCancel(BaseMutation):
    claim = graphene.Field(WarrantyClaim)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        note = graphene.String()

    class Meta:
        description = "Withdraw a claim before it is decided."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        claim, actor = claim_for(info, data["id"])
        return cls(claim=actions.cancel_claim(claim=claim, actor=actor, note=data.get("note") or ""))


class WarrantyClaimDecide(BaseMutation):
    claim = graphene.Field(WarrantyClaim)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)
        decision = WarrantyClaimDecisionEnum(required=True)
        note = graphene.String(description="Required for REJECT: the reason.")
        center_id = graphene.ID(description="Repairs: assign a service center at once.")

    class Meta:
        description = (
            "Decide a claim: repair, replace, refund, reject or paid repair. Requires MANAGE_ORDERS."
        )

    @classmethod
    def perform_mutation(cls, root, info, **data):
        claim, actor = claim_for(info, data["id"], staff_only=True)
        center = center_for(claim.installation, data["center_id"]) if data.get("center_id") else None
        claim = actions.decide_claim(
            claim=claim,
            actor=actor,
            decision=enum_value(data["decision"]),
            note=data.get("note") or "",
            center=center,
        )
        return cls(claim=claim)


class WarrantyClaimRetrySettlement(BaseMutation):
    claim = graphene.Field(WarrantyClaim)
    errors = errors_field()

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Send failed Saleor calls again (same idempotency keys). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        claim, actor = claim_for(info, data["id"], staff_only=True)
        return cls(claim=actions.retry_claim_settlement(claim=claim, actor=actor))
