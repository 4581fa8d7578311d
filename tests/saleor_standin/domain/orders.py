"""Orders: drafts, completion, notes, fulfilments, cancellation, returns (orderFulfillmentReturnProducts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from ..schema_exec import MutationErrors, error
from ..state import ZERO, Obj, State, currency_of, metadata_items, money, now, q, taxed
from .catalog import warehouse

OPEN_STATUSES = (
    "UNFULFILLED",
    "PARTIALLY_FULFILLED",
    "FULFILLED",
    "PARTIALLY_RETURNED",
    "RETURNED",
    "UNCONFIRMED",
)
RETURNED_STATUSES = ("RETURNED", "REFUNDED_AND_RETURNED", "REPLACED")
COUNTED_FULFILLMENT_STATUSES = ("FULFILLED", "REFUNDED", *RETURNED_STATUSES)


def order_event(state: State, order: Obj, event_type: str, actor: Obj | None, **fields: Any) -> Obj:
    event: Obj = {
        "__typename": "OrderEvent",
        "id": state.new_gid("OrderEvent"),
        "date": now(),
        "type": event_type,
        "user": actor if actor and actor["__typename"] == "User" else None,
        "app": actor if actor and actor["__typename"] == "App" else None,
        **fields,
    }
    order["events"].append(event)
    return event


def is_draft(order: Obj) -> bool:
    return order["status"] == "DRAFT"


def emit_order_updated(state: State, order: Obj, actor: Obj | None) -> None:
    state.emit("DRAFT_ORDER_UPDATED" if is_draft(order) else "ORDER_UPDATED", actor, order=order)


def _touch(order: Obj) -> None:
    order["updatedAt"] = now()


# --- drafts ------------------------------------------------------------------------------------------------


def new_line(state: State, order: Obj, variant: Obj, quantity: int, price: Decimal | None = None) -> Obj:
    currency = currency_of(order)
    unit_gross = variant["_price"] if price is None else Decimal(str(price))
    unit = taxed(unit_gross, currency, order["_tax_rate"])
    product = variant["product"]
    line: Obj = {
        "__typename": "OrderLine",
        "id": state.new_gid("OrderLine", use_uuid=True),
        "productName": product["name"],
        "variantName": variant["name"],
        "translatedProductName": "",
        "translatedVariantName": "",
        "productSku": variant["sku"],
        "productVariantId": variant["id"],
        "variant": variant,
        "isShippingRequired": product["productType"]["isShippingRequired"],
        "quantity": quantity,
        "quantityFulfilled": 0,
        "taxRate": float(order["_tax_rate"]),
        "unitPrice": unit,
        "undiscountedUnitPrice": unit,
        "unitDiscount": money(ZERO, currency),
        "unitDiscountValue": ZERO,
        "unitDiscountReason": None,
        "unitDiscountType": None,
        "isPriceOverridden": price is not None,
        "priceOverrideReason": None,
        "isGift": False,
        "thumbnail": None,
        "saleId": None,
        "voucherCode": None,
        "metadata": [],
        "privateMetadata": [],
        "_order": order,
    }
    state.objects[line["id"]] = line
    return line


def create_draft_order(
    state: State,
    actor: Obj | None,
    *,
    channel: Obj,
    lines: Iterable[tuple[Obj, int, Decimal | None]],
    user: Obj | None = None,
    user_email: str | None = None,
    shipping: Decimal = ZERO,
    tax_rate: Decimal = ZERO,
    language_code: str = "EN",
    metadata: dict[str, str] | None = None,
    private_metadata: dict[str, str] | None = None,
    external_reference: str | None = None,
    customer_note: str = "",
    origin: str = "DRAFT",
    original: Obj | None = None,
    emit: bool = True,
) -> Obj:
    created = now()
    currency = channel["currencyCode"]
    order: Obj = {
        "__typename": "Order",
        "id": state.new_gid("Order", use_uuid=True),
        "number": state.next_order_number(),
        "created": created,
        "updatedAt": created,
        "status": "DRAFT",
        "origin": origin,
        "original": original["id"] if original else None,
        "user": user,
        "userEmail": user_email or (user["email"] if user else None),
        "channel": channel,
        "languageCodeEnum": language_code,
        "trackingClientId": "",
        "billingAddress": None,
        "shippingAddress": None,
        "shippingMethodName": None,
        "collectionPointName": None,
        "deliveryMethod": None,
        "shippingMethod": None,
        "customerNote": customer_note,
        "redirectUrl": None,
        "externalReference": external_reference,
        "checkoutId": None,
        "voucher": None,
        "voucherCode": None,
        "giftCards": [],
        "discounts": [],
        "taxExemption": False,
        "displayGrossPrices": True,
        "shippingPrice": taxed(shipping, currency, tax_rate),
        "undiscountedShippingPrice": money(shipping, currency),
        "shippingTaxRate": float(tax_rate),
        "lines": [],
        "fulfillments": [],
        "transactions": [],
        "grantedRefunds": [],
        "events": [],
        "metadata": metadata_items(metadata),
        "privateMetadata": metadata_items(private_metadata),
        "_tax_rate": tax_rate,
    }
    state.add(order, state.orders)
    merged: dict[str, Obj] = {}
    for variant, quantity, price in lines:
        existing = merged.get(variant["id"])
        if existing is not None:  # Saleor merges repeated variants into one line (the last price wins)
            existing["quantity"] += quantity
            if price is not None:
                existing["unitPrice"] = existing["undiscountedUnitPrice"] = taxed(price, currency, tax_rate)
                existing["isPriceOverridden"] = True
            continue
        line = new_line(state, order, variant, quantity, price)
        merged[variant["id"]] = line
        order["lines"].append(line)
    order_event(state, order, "DRAFT_CREATED", actor)
    if emit:
        state.emit("DRAFT_ORDER_CREATED", actor, order=order)
    return order


def complete_draft_order(state: State, actor: Obj | None, order: Obj) -> Obj:
    if not is_draft(order):
        raise MutationErrors([error("id", "INVALID", "The order is not draft.")])
    problems = []
    if not order["lines"]:
        problems.append(error("lines", "REQUIRED", "Could not create order without any products."))
    if not order["userEmail"] and not order["user"]:
        problems.append(error("userEmail", "REQUIRED", "Both user and user email can't be empty."))
    if problems:
        raise MutationErrors(problems)
    order["status"] = "UNFULFILLED" if state.settings.channel_auto_confirm else "UNCONFIRMED"
    _touch(order)
    order_event(state, order, "PLACED_FROM_DRAFT", actor)
    state.emit("ORDER_CREATED", actor, order=order)
    if order["status"] == "UNFULFILLED":
        order_event(state, order, "CONFIRMED", actor)
        state.emit("ORDER_CONFIRMED", actor, order=order)
    return order


def add_lines(
    state: State, actor: Obj | None, order: Obj, lines: Iterable[tuple[Obj, int, Decimal | None]]
) -> list[Obj]:
    if order["status"] not in ("DRAFT", "UNCONFIRMED"):
        raise MutationErrors(
            [error("id", "NOT_EDITABLE", "Only draft and unconfirmed orders can be edited.")]
        )
    added = []
    for variant, quantity, price in lines:
        line = next((ln for ln in order["lines"] if ln["variant"] is variant), None)
        if line is None:
            line = new_line(state, order, variant, quantity, price)
            order["lines"].append(line)
        else:
            line["quantity"] += quantity
        added.append(line)
    order_event(state, order, "ADDED_PRODUCTS", actor)
    _touch(order)
    emit_order_updated(state, order, actor)
    return added


def add_discount(
    state: State, actor: Obj | None, order: Obj, value_type: str, value: Decimal, reason: str | None
) -> Obj:
    from ..state import order_subtotal

    if order["status"] not in ("DRAFT", "UNCONFIRMED"):
        raise MutationErrors(
            [error("orderId", "CANNOT_DISCOUNT", "Only draft and unconfirmed orders can be discounted.")]
        )
    if order["discounts"]:
        raise MutationErrors([error("orderId", "CANNOT_DISCOUNT", "Order already has assigned discount.")])
    subtotal = order_subtotal(order)["gross"]["amount"] + order["shippingPrice"]["gross"]["amount"]
    if value_type == "PERCENTAGE":
        if value > 100:
            raise MutationErrors(
                [error("value", "INVALID", "Percentage discount value cannot be higher than 100.")]
            )
        amount = q(subtotal * value / 100)
    else:
        if value > subtotal:
            raise MutationErrors(
                [
                    error(
                        "value", "INVALID", "The value of the discount cannot be higher than the order total."
                    )
                ]
            )
        amount = q(value)
    currency = currency_of(order)
    discount: Obj = {
        "__typename": "OrderDiscount",
        "id": state.new_gid("OrderDiscount", use_uuid=True),
        "type": "MANUAL",
        "name": None,
        "translatedName": None,
        "valueType": value_type,
        "value": value,
        "reason": reason,
        "amount": money(amount, currency),
        "total": money(amount, currency),
    }
    order["discounts"].append(discount)
    order_event(state, order, "ORDER_DISCOUNT_ADDED", actor)
    _touch(order)
    emit_order_updated(state, order, actor)
    return discount


# --- notes, fulfilment, cancellation --------------------------------------------------------------------------


def add_note(state: State, actor: Obj | None, order: Obj, message: str) -> Obj:
    if not message or not message.strip():
        raise MutationErrors([error("message", "REQUIRED", "Message can't be empty.")])
    event = order_event(state, order, "NOTE_ADDED", actor, message=message)
    _touch(order)
    emit_order_updated(state, order, actor)
    return event


def recompute_status(order: Obj) -> None:
    """Order status from its fulfilments (Saleor's rules for fulfilled / returned quantities)."""
    if order["status"] in ("DRAFT", "CANCELED", "EXPIRED", "UNCONFIRMED"):
        return
    total = sum(line["quantity"] for line in order["lines"])
    fulfilled = returned = 0
    for fulfillment in order["fulfillments"]:
        qty = sum(fl["quantity"] for fl in fulfillment["lines"])
        if fulfillment["status"] in COUNTED_FULFILLMENT_STATUSES:
            fulfilled += qty
        if fulfillment["status"] in RETURNED_STATUSES:
            returned += qty
    if total == 0:
        return
    if fulfilled <= 0:
        order["status"] = "UNFULFILLED"
    elif returned >= total:
        order["status"] = "RETURNED"
    elif returned > 0:
        order["status"] = "PARTIALLY_RETURNED"
    elif fulfilled < total:
        order["status"] = "PARTIALLY_FULFILLED"
    else:
        order["status"] = "FULFILLED"


def new_fulfillment(
    state: State,
    order: Obj,
    status: str,
    items: list[tuple[Obj, int]],
    *,
    warehouse_obj: Obj | None = None,
    tracking_number: str = "",
) -> Obj:
    fulfillment: Obj = {
        "__typename": "Fulfillment",
        "id": state.new_gid("Fulfillment"),
        "fulfillmentOrder": len(order["fulfillments"]) + 1,
        "status": status,
        "trackingNumber": tracking_number,
        "created": now(),
        "warehouse": warehouse_obj,
        "shippingRefundedAmount": None,
        "totalRefundedAmount": None,
        "reason": None,
        "reasonReference": None,
        "metadata": [],
        "privateMetadata": [],
        "lines": [],
        "_order": order,
    }
    for order_line, quantity in items:
        fl: Obj = {
            "__typename": "FulfillmentLine",
            "id": state.new_gid("FulfillmentLine"),
            "quantity": quantity,
            "orderLine": order_line,
            "reason": None,
            "reasonReference": None,
            "_fulfillment": fulfillment,
        }
        fulfillment["lines"].append(fl)
        state.objects[fl["id"]] = fl
    order["fulfillments"].append(fulfillment)
    state.objects[fulfillment["id"]] = fulfillment
    return fulfillment


def fulfill(
    state: State,
    actor: Obj | None,
    order: Obj,
    lines: list[tuple[Obj, int]] | None = None,
    *,
    warehouses: int = 1,
    tracking_number: str = "",
    notify_customer: bool = False,
) -> list[Obj]:
    if order["status"] not in ("UNFULFILLED", "PARTIALLY_FULFILLED", "PARTIALLY_RETURNED"):
        raise MutationErrors(
            [error("order", "FULFILL_ORDER_LINE", f"Cannot fulfill an order with status {order['status']}.")]
        )
    if lines is None:
        lines = [
            (line, line["quantity"] - line["quantityFulfilled"])
            for line in order["lines"]
            if line["quantity"] > line["quantityFulfilled"]
        ]
    for line, qty in lines:
        if qty <= 0 or qty > line["quantity"] - line["quantityFulfilled"]:
            raise MutationErrors(
                [
                    error(
                        "lines",
                        "FULFILL_ORDER_LINE",
                        f"Only {line['quantity'] - line['quantityFulfilled']} items left to fulfill.",
                        orderLines=[line["id"]],
                    )
                ]
            )
    if not lines:
        raise MutationErrors([error("lines", "FULFILL_ORDER_LINE", "Nothing to fulfill.")])
    # One fulfillment per warehouse: with n warehouses the lines are spread round-robin over n fulfillments.
    groups: list[list[tuple[Obj, int]]] = [[] for _ in range(max(1, min(warehouses, len(lines))))]
    for index, item in enumerate(lines):
        groups[index % len(groups)].append(item)
    created = []
    for index, group in enumerate(groups):
        created.append(
            new_fulfillment(
                state,
                order,
                "FULFILLED",
                group,
                warehouse_obj=warehouse(state, index),
                tracking_number=tracking_number,
            )
        )
        for line, qty in group:
            line["quantityFulfilled"] += qty
    recompute_status(order)
    _touch(order)
    order_event(state, order, "FULFILLMENT_FULFILLED_ITEMS", actor)
    for fulfillment in created:
        state.emit(
            "FULFILLMENT_CREATED", actor, fulfillment=fulfillment, order=order, notifyCustomer=notify_customer
        )
    if order["status"] == "FULFILLED":
        state.emit("ORDER_FULFILLED", actor, order=order)
    state.emit("ORDER_UPDATED", actor, order=order)
    return created


def cancel(state: State, actor: Obj | None, order: Obj) -> Obj:
    if order["status"] in ("DRAFT", "CANCELED") or any(
        f["status"] == "FULFILLED" for f in order["fulfillments"]
    ):
        raise MutationErrors([error("order", "CANNOT_CANCEL_ORDER", "This order can't be canceled.")])
    order["status"] = "CANCELED"
    _touch(order)
    order_event(state, order, "CANCELED", actor)
    state.emit("ORDER_CANCELLED", actor, order=order)
    state.emit("ORDER_UPDATED", actor, order=order)
    return order


# --- returns ----------------------------------------------------------------------------------------------


def return_products(
    state: State,
    actor: Obj | None,
    order: Obj,
    *,
    order_lines: Sequence[dict[str, Any]] = (),
    fulfillment_lines: Sequence[dict[str, Any]] = (),
    refund: bool = False,
    reason: str | None = None,
) -> dict[str, Obj | None]:
    """orderFulfillmentReturnProducts. Items: {"line": OrderLine | FulfillmentLine, "quantity", "replace", "reason"}."""
    if order["status"] in ("DRAFT", "UNCONFIRMED", "CANCELED", "EXPIRED"):
        raise MutationErrors(
            [error("order", "INVALID", f"Cannot return products of an order with status {order['status']}.")]
        )
    if refund:
        # Only the legacy Payment API can refund here; a Transactions-API order has no such payment.
        raise MutationErrors([error("order", "CANNOT_REFUND", "Order cannot be refunded.")])
    if not order_lines and not fulfillment_lines:
        raise MutationErrors(
            [
                error(
                    "orderLines", "REQUIRED", "Provide at least one order line or fulfillment line to return."
                )
            ]
        )
    problems = []
    for item in order_lines:
        line = item["line"]
        available = line["quantity"] - line["quantityFulfilled"]
        if item["quantity"] <= 0:
            problems.append(
                error(
                    "orderLineId",
                    "ZERO_QUANTITY",
                    "The quantity should be higher than zero.",
                    orderLines=[line["id"]],
                )
            )
        elif item["quantity"] > available:
            problems.append(
                error(
                    "orderLineId",
                    "INVALID_QUANTITY",
                    "Provided quantity is bigger than quantity from order line.",
                    orderLines=[line["id"]],
                )
            )
    for item in fulfillment_lines:
        fl = item["line"]
        if fl["_fulfillment"]["status"] not in ("FULFILLED", "REFUNDED"):
            problems.append(
                error("fulfillmentLineId", "INVALID", "Provided fulfillment line can't be returned.")
            )
        elif item["quantity"] <= 0:
            problems.append(
                error("fulfillmentLineId", "ZERO_QUANTITY", "The quantity should be higher than zero.")
            )
        elif item["quantity"] > fl["quantity"]:
            problems.append(
                error(
                    "fulfillmentLineId",
                    "INVALID_QUANTITY",
                    "Provided quantity is bigger than quantity from fulfillment line.",
                )
            )
    if problems:
        raise MutationErrors(problems)

    returned: list[tuple[Obj, int]] = []
    replaced: list[tuple[Obj, int]] = []
    for item in order_lines:  # unfulfilled quantities go straight into the return fulfillment
        item["line"]["quantityFulfilled"] += item["quantity"]
        (replaced if item.get("replace") else returned).append((item["line"], item["quantity"]))
    for item in fulfillment_lines:  # fulfilled quantities move out of their fulfillment
        fl = item["line"]
        fl["quantity"] -= item["quantity"]
        (replaced if item.get("replace") else returned).append((fl["orderLine"], item["quantity"]))
    for fulfillment in list(order["fulfillments"]):
        fulfillment["lines"] = [fl for fl in fulfillment["lines"] if fl["quantity"] > 0]
        if not fulfillment["lines"]:
            order["fulfillments"].remove(fulfillment)

    return_fulfillment = new_fulfillment(state, order, "RETURNED", _merge(returned)) if returned else None
    replace_fulfillment = new_fulfillment(state, order, "REPLACED", _merge(replaced)) if replaced else None
    for f in (return_fulfillment, replace_fulfillment):
        if f is not None:
            f["reason"] = reason
    replace_order = None
    if replaced:
        replace_order = create_draft_order(
            state,
            actor,
            channel=order["channel"],
            lines=[
                (line["variant"], qty, line["unitPrice"]["gross"]["amount"])
                for line, qty in _merge(replaced)
                if line["variant"]
            ],
            user=order["user"],
            user_email=order["userEmail"],
            tax_rate=order["_tax_rate"],
            language_code=order["languageCodeEnum"],
            origin="REISSUE",
            original=order,
        )
        for line in replace_order["lines"]:
            line["isPriceOverridden"] = False
        order_event(state, order, "FULFILLMENT_REPLACED", actor)
        order_event(state, order, "DRAFT_CREATED_FROM_REPLACE", actor, relatedOrder=replace_order)
    if returned:
        order_event(state, order, "FULFILLMENT_RETURNED", actor)
    recompute_status(order)
    _touch(order)
    state.emit("ORDER_UPDATED", actor, order=order)
    return {
        "returnFulfillment": return_fulfillment,
        "replaceFulfillment": replace_fulfillment,
        "order": order,
        "replaceOrder": replace_order,
    }


def _merge(items: list[tuple[Obj, int]]) -> list[tuple[Obj, int]]:
    merged: dict[str, list[Any]] = {}
    for line, qty in items:
        merged.setdefault(line["id"], [line, 0])[1] += qty
    return [(line, qty) for line, qty in merged.values()]


def cancel_fulfillment(state: State, actor: Obj | None, fulfillment: Obj) -> Obj:
    """orderFulfillmentCancel: the fulfillment becomes CANCELED and its quantities are to fulfil again."""
    order = fulfillment["_order"]
    if fulfillment["status"] != "FULFILLED":
        raise MutationErrors(
            [error("fulfillment", "CANNOT_CANCEL_FULFILLMENT", "This fulfillment can't be canceled")]
        )
    fulfillment["status"] = "CANCELED"
    for fl in fulfillment["lines"]:
        fl["orderLine"]["quantityFulfilled"] -= fl["quantity"]
    recompute_status(order)
    _touch(order)
    order_event(state, order, "FULFILLMENT_CANCELED", actor)
    state.emit("FULFILLMENT_CANCELED", actor, fulfillment=fulfillment, order=order)
    state.emit("ORDER_UPDATED", actor, order=order)
    return fulfillment


def update_tracking_number(state: State, actor: Obj | None, fulfillment: Obj, tracking_number: str) -> Obj:
    """orderFulfillmentUpdateTracking: FULFILLMENT_TRACKING_NUMBER_UPDATED."""
    order = fulfillment["_order"]
    fulfillment["trackingNumber"] = tracking_number
    order_event(state, order, "TRACKING_UPDATED", actor)
    state.emit("FULFILLMENT_TRACKING_NUMBER_UPDATED", actor, fulfillment=fulfillment, order=order)
    return fulfillment
