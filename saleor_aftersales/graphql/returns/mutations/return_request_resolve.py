import graphene

from ....returns import actions
from ...core.mutations import BaseMutation
from ..access import pk_of, request_for_requestor
from ..types import ReturnError, ReturnRequest, ReturnResolutionEnum
from .common import enum_value


class ReturnExchangePriceInput(graphene.InputObjectType):
    line_id = graphene.ID(required=True)
    unit_price = graphene.Decimal(required=True)


class ReturnRequestResolve(BaseMutation):
    return_request = graphene.Field(ReturnRequest)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        id = graphene.ID(required=True)
        resolution = graphene.Argument(ReturnResolutionEnum, description="Override the customer's wish.")
        exchange_prices = graphene.List(
            graphene.NonNull(ReturnExchangePriceInput), description="Unit price of each replacement variant."
        )

    class Meta:
        description = "Settle a request in Saleor (refund, store credit, exchange, replacement), exactly once. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, **data):
        request, actor = request_for_requestor(info, data["id"], staff_only=True)
        prices = {
            pk_of(item["line_id"], "ReturnLine", "exchangePrices"): item["unit_price"]
            for item in data.get("exchange_prices") or []
        }
        resolution = data.get("resolution")
        request = actions.resolve_return_request(
            request=request,
            actor=actor,
            resolution=enum_value(resolution) if resolution else None,
            exchange_unit_prices=prices or None,
        )
        return cls(return_request=request)
