"""Per-line quantity inputs shared by approve and receive."""

import graphene

from ..access import pk_of


class ReturnLineQuantityInput(graphene.InputObjectType):
    line_id = graphene.ID(required=True, description="ReturnRequestLine id.")
    quantity = graphene.Int(required=True)


def line_quantities(items) -> dict[int, int] | None:
    if items is None:
        return None
    return {pk_of(item["line_id"], "ReturnLine", "lines"): item["quantity"] for item in items}
