"""Order mutations: notes, drafts (replacement / paid-repair orders), lines, discounts, returns."""

from __future__ import annotations

from typing import Any

from ..domain import orders as domain
from ..schema_exec import ExecContext, MutationErrors, Unimplemented, error, mutation
from ..state import Obj, metadata_items
from .common import actor, metadata_dict, node

UNSUPPORTED_DRAFT_INPUT = (
    "shippingMethod",
    "voucher",
    "voucherCode",
    "saveBillingAddress",
    "saveShippingAddress",
)


def _address(ctx: ExecContext, data: dict[str, Any] | None) -> Obj | None:
    if not data:
        return None
    country = data.get("country")
    return {
        "__typename": "Address",
        "id": ctx.state.new_gid("Address"),
        **{k: v for k, v in data.items() if k not in ("country", "skipValidation", "metadata")},
        "country": {"__typename": "CountryDisplay", "code": country, "country": country, "vat": None}
        if country
        else None,
        "metadata": metadata_items(metadata_dict(data.get("metadata"))),
    }


def _line_specs(ctx: ExecContext, lines: list[dict[str, Any]]) -> list[tuple[Obj, int, Any]]:
    specs = []
    problems = []
    for item in lines:
        try:
            variant = node(ctx, item["variantId"], "ProductVariant", field_name="variantId")
        except MutationErrors:
            problems.append(
                error(
                    "variantId",
                    "NOT_FOUND",
                    "Could not resolve the product variant.",
                    variants=[item["variantId"]],
                )
            )
            continue
        if item["quantity"] <= 0:
            problems.append(
                error(
                    "quantity",
                    "ZERO_QUANTITY",
                    "The quantity should be higher than zero.",
                    variants=[item["variantId"]],
                )
            )
            continue
        specs.append((variant, item["quantity"], item.get("price")))
    if problems:
        raise MutationErrors(problems)
    return specs


@mutation("orderNoteAdd", permissions=["MANAGE_ORDERS"])
def order_note_add(ctx: ExecContext, order: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    target = node(ctx, order, "Order", field_name="order")
    event = domain.add_note(ctx.state, actor(ctx), target, input["message"])
    return {"order": target, "event": event}


@mutation("draftOrderCreate", permissions=["MANAGE_ORDERS"])
def draft_order_create(ctx: ExecContext, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    used = [k for k in UNSUPPORTED_DRAFT_INPUT if input.get(k) is not None]
    if used:
        raise Unimplemented(f"The Saleor stand-in does not support draftOrderCreate input {used}.")
    if not input.get("channelId"):
        raise MutationErrors([error("channelId", "REQUIRED", "Channel id is required.")])
    channel = node(ctx, input["channelId"], "Channel", field_name="channelId")
    user = node(ctx, input["user"], "User", field_name="user") if input.get("user") else None
    specs = _line_specs(ctx, input.get("lines") or [])
    order = domain.create_draft_order(
        ctx.state,
        actor(ctx),
        channel=channel,
        lines=specs,
        user=user,
        user_email=input.get("userEmail"),
        language_code=input.get("languageCode") or "EN",
        metadata=metadata_dict(input.get("metadata")),
        private_metadata=metadata_dict(input.get("privateMetadata")),
        external_reference=input.get("externalReference"),
        customer_note=input.get("customerNote") or "",
    )
    order["billingAddress"] = _address(ctx, input.get("billingAddress"))
    order["shippingAddress"] = _address(ctx, input.get("shippingAddress"))
    order["redirectUrl"] = input.get("redirectUrl")
    return {"order": order}


@mutation("draftOrderComplete", permissions=["MANAGE_ORDERS"])
def draft_order_complete(ctx: ExecContext, id: str) -> dict[str, Any]:  # noqa: A002
    order = node(ctx, id, "Order", field_name="id")
    return {"order": domain.complete_draft_order(ctx.state, actor(ctx), order)}


@mutation("orderLinesCreate", permissions=["MANAGE_ORDERS"])
def order_lines_create(ctx: ExecContext, id: str, input: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: A002
    order = node(ctx, id, "Order", field_name="id")
    lines = domain.add_lines(ctx.state, actor(ctx), order, _line_specs(ctx, input))
    return {"order": order, "orderLines": lines}


@mutation("orderDiscountAdd", permissions=["MANAGE_ORDERS"])
def order_discount_add(ctx: ExecContext, orderId: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
    order = node(ctx, orderId, "Order", field_name="orderId")
    domain.add_discount(ctx.state, actor(ctx), order, input["valueType"], input["value"], input.get("reason"))
    return {"order": order}


@mutation("orderFulfillmentReturnProducts", permissions=["MANAGE_ORDERS"])
def order_fulfillment_return_products(ctx: ExecContext, order: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    target = node(ctx, order, "Order", field_name="order")
    if input.get("amountToRefund") is not None or input.get("includeShippingCosts"):
        if input.get("refund"):
            raise MutationErrors([error("order", "CANNOT_REFUND", "Order cannot be refunded.")])
    order_lines = []
    for item in input.get("orderLines") or []:
        line = node(ctx, item["orderLineId"], "OrderLine", field_name="orderLineId")
        if line["_order"] is not target:
            raise MutationErrors(
                [
                    error(
                        "orderLineId",
                        "INVALID",
                        "The order line does not belong to this order.",
                        orderLines=[line["id"]],
                    )
                ]
            )
        order_lines.append(
            {
                "line": line,
                "quantity": item["quantity"],
                "replace": bool(item.get("replace")),
                "reason": item.get("reason"),
            }
        )
    fulfillment_lines = []
    for item in input.get("fulfillmentLines") or []:
        fl = node(ctx, item["fulfillmentLineId"], "FulfillmentLine", field_name="fulfillmentLineId")
        if fl["_fulfillment"]["_order"] is not target:
            raise MutationErrors(
                [error("fulfillmentLineId", "INVALID", "The fulfillment line does not belong to this order.")]
            )
        fulfillment_lines.append(
            {
                "line": fl,
                "quantity": item["quantity"],
                "replace": bool(item.get("replace")),
                "reason": item.get("reason"),
            }
        )
    return domain.return_products(
        ctx.state,
        actor(ctx),
        target,
        order_lines=order_lines,
        fulfillment_lines=fulfillment_lines,
        refund=bool(input.get("refund")),
        reason=input.get("reason"),
    )


@mutation("orderFulfillmentUpdateTracking", permissions=["MANAGE_ORDERS"])
def order_fulfillment_update_tracking(ctx: ExecContext, id: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    fulfillment = node(ctx, id, "Fulfillment", field_name="id")
    domain.update_tracking_number(ctx.state, actor(ctx), fulfillment, input.get("trackingNumber") or "")
    return {"fulfillment": fulfillment, "order": fulfillment["_order"]}
