import graphene

from ....returns import actions
from ...core.mutations import BaseMutation
from ..access import pk_of, request_for_requestor
from ..types import ReturnError, ReturnRequest
from .common import enum_value

ReturnItemConditionEnum = graphene.Enum(
    "ReturnItemConditionEnum", [("UNOPENED", "unopened"), ("OPENED", "opened"), ("DAMAGED", "damaged")]
)


class ReturnLineInspectionInput(graphene.InputObjectType):
    line_id = graphene.ID(required=True)
    condition = graphene.Field(ReturnItemConditionEnum, required=True)
    restock = graphene.Boolean(required=True)
    note = graphene.String(description="The inspector's note (internal).")


class ReturnRequestInspect(BaseMutation):
    return_request = graphene.Field(ReturnRequest)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        id = graphene.ID(required=True)
        lines = graphene.List(graphene.NonNull(ReturnLineInspectionInput), required=True)

    class Meta:
        description = "Record the inspection of received lines. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["id"], staff_only=True)
        inspections = [
            actions.Inspection(
                line_id=pk_of(item["line_id"], "ReturnLine", "lines"),
                condition=enum_value(item["condition"]),
                restock=item["restock"],
                note=item.get("note") or "",
            )
            for item in data["lines"]
        ]
        return cls(
            return_request=actions.inspect_return_request(
                request=request, actor=actor, inspections=inspections
            )
        )
