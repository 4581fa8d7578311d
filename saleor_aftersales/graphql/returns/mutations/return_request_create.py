import graphene

from ....core.idempotency import scoped_key
from ....returns import actions
from ...core.mutations import BaseMutation
from ...core.types import Upload
from ..access import order_for_requestor
from ..types import ReturnError, ReturnKindEnum, ReturnRequest, ReturnResolutionEnum
from .common import enum_value


class ReturnLineInput(graphene.InputObjectType):
    order_line_id = graphene.ID(required=True, description="Saleor OrderLine id.")
    quantity = graphene.Int(required=True)
    reason = graphene.String(required=True, description="A reason code from `returnReasons`.")
    comment = graphene.String()
    exchange_variant_id = graphene.ID(
        description="For exchanges: the wanted variant (default: the same one)."
    )


class ReturnRequestCreateInput(graphene.InputObjectType):
    order_id = graphene.ID(description="Signed-in customers: the Saleor order id.")
    order_number = graphene.String(description="Guests: the order number…")
    email = graphene.String(description="…and the email the order was placed with.")
    kind = graphene.Field(ReturnKindEnum, default_value="return")
    resolution = graphene.Field(ReturnResolutionEnum, required=True)
    lines = graphene.List(graphene.NonNull(ReturnLineInput), required=True)
    comment = graphene.String()
    photos = graphene.List(graphene.NonNull(Upload), description="JPEG, PNG or WebP, multipart upload.")
    idempotency_key = graphene.String(
        description="Client-chosen (e.g. a UUID per submit): a retry with the same key answers the first result and "
        "creates nothing."
    )


class ReturnRequestCreate(BaseMutation):
    return_request = graphene.Field(ReturnRequest)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(ReturnError)))

    class Arguments:
        input = ReturnRequestCreateInput(required=True)

    class Meta:
        description = (
            "Ask to return, exchange or claim items of an order (customer, guest, or staff for them)."
        )

    @classmethod
    def perform_mutation(cls, root, info, input):
        order, actor = order_for_requestor(
            info,
            order_id=input.get("order_id"),
            order_number=input.get("order_number"),
            email=input.get("email"),
        )
        saleor_lines = {line.saleor_id: line.pk for line in order.lines.all()}
        lines = [
            actions.LineInput(
                # Unknown ids map to distinct negative keys, which the action reports per line as NOT_FOUND.
                order_line_id=saleor_lines.get(item["order_line_id"], -index - 1),
                quantity=item["quantity"],
                reason_code=item["reason"],
                comment=item.get("comment") or "",
                exchange_variant_id=item.get("exchange_variant_id") or "",
            )
            for index, item in enumerate(input["lines"])
        ]
        request = actions.create_return_request(
            order=order,
            actor=actor,
            lines=lines,
            resolution=enum_value(input["resolution"]),
            kind=enum_value(input.get("kind") or "return"),
            comment=input.get("comment") or "",
            photos=input.get("photos") or [],
            idempotency_key=scoped_key(actor, input.get("idempotency_key")),
        )
        return cls(return_request=request)
