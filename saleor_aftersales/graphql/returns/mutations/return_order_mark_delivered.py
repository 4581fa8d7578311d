import graphene

from ....core.errors import NotFoundError
from ....installations.permissions import SaleorPermission
from ....orders.selectors import order_by_saleor_id
from ....returns import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import ReturnError


class ReturnOrderMarkDelivered(BaseMutation):
    updated_lines = graphene.Int(description="Order lines whose return window now starts at the delivery.")
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        order_id = graphene.ID(required=True, description="Saleor order id.")
        delivered_at = graphene.DateTime(required=True)

    class Meta:
        description = (
            "Record when an order's parcel was delivered (Saleor does not know it); policies whose window starts "
            "at delivery count from then. Requires MANAGE_ORDERS."
        )

    @classmethod
    def perform_mutation(cls, root, info, order_id, delivered_at):
        requestor = get_requestor(info)
        installation = requestor.require_staff(SaleorPermission.MANAGE_ORDERS)
        order = order_by_saleor_id(installation, order_id)
        if order is None:
            raise NotFoundError("Unknown order.", "orderId")
        updated = actions.record_delivery(order=order, delivered_at=delivered_at, actor=requestor.actor)
        return cls(updated_lines=updated)
