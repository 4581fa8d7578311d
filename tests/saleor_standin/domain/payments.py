"""Transactions, granted refunds and the payment app the stand-in plays.

Money flow (observed on Saleor 3.24, samples/events/README.md):
- a refund *request* reserves the amount: chargedAmount -= amount, refundPendingAmount += amount, grant PENDING;
- the payment app's REFUND_SUCCESS moves it to refundedAmount, grant SUCCESS, then ORDER_REFUNDED
  (+ ORDER_FULLY_REFUNDED when everything is refunded) and ORDER_UPDATED, all with issuingPrincipal null;
- REFUND_FAILURE gives the amount back to chargedAmount and sets the grant FAILURE (it may be requested again).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..schema_exec import MutationErrors, error
from ..state import ZERO, Obj, State, charge_status, currency_of, money, now, order_total, q, total_refunded
from .orders import order_event

AMOUNT_KEYS = (
    "authorizedAmount",
    "authorizePendingAmount",
    "chargedAmount",
    "chargePendingAmount",
    "refundedAmount",
    "refundPendingAmount",
    "canceledAmount",
    "cancelPendingAmount",
)


def _amount(tx: Obj, key: str) -> Decimal:
    return tx[key]["amount"]


def _add(tx: Obj, key: str, delta: Decimal) -> None:
    tx[key] = money(tx[key]["amount"] + delta, tx[key]["currency"])
    tx["modifiedAt"] = now()


def transaction_event(
    state: State,
    tx: Obj,
    event_type: str,
    amount: Decimal,
    *,
    actor: Obj | None,
    psp_reference: str = "",
    message: str = "",
) -> Obj:
    event: Obj = {
        "__typename": "TransactionEvent",
        "id": state.new_gid("TransactionEvent"),
        "createdAt": now(),
        "pspReference": psp_reference,
        "message": message,
        "externalUrl": "",
        "amount": money(amount, tx["chargedAmount"]["currency"]),
        "type": event_type,
        "createdBy": actor,
        "idempotencyKey": None,
        "reasonReference": None,
    }
    tx["events"].append(event)
    return event


def create_transaction(
    state: State,
    order: Obj,
    app: Obj,
    *,
    charged: Decimal = ZERO,
    authorized: Decimal = ZERO,
    psp_reference: str | None = None,
    name: str = "Dummy card",
) -> Obj:
    currency = currency_of(order)
    created = now()
    token = uuid.uuid4()
    tx: Obj = {
        "__typename": "TransactionItem",
        "id": state.new_gid("TransactionItem", use_uuid=True),
        "token": str(token),
        "createdAt": created,
        "modifiedAt": created,
        "actions": ["REFUND", "CANCEL"] if authorized == 0 else ["CHARGE", "CANCEL"],
        "name": name,
        "message": "",
        "pspReference": psp_reference or f"dummy-charge-{uuid.uuid4().hex[:12]}",
        "externalUrl": "",
        "order": order,
        "checkout": None,
        "events": [],
        "createdBy": app,
        "paymentMethodDetails": None,
        "reason": None,
        "reasonReference": None,
        "metadata": [],
        "privateMetadata": [],
        "_app": app,
        "_handles_refunds": True,  # the stand-in's payment app answers TRANSACTION_REFUND_REQUESTED
        **{key: money(ZERO, currency) for key in AMOUNT_KEYS},
    }
    tx["chargedAmount"] = money(charged, currency)
    tx["authorizedAmount"] = money(authorized, currency)
    state.objects[tx["id"]] = tx
    order["transactions"].append(tx)
    if charged:
        transaction_event(state, tx, "CHARGE_SUCCESS", charged, actor=app, psp_reference=tx["pspReference"])
    if authorized:
        transaction_event(
            state, tx, "AUTHORIZATION_SUCCESS", authorized, actor=app, psp_reference=tx["pspReference"]
        )
    return tx


def emit_charge_events(state: State, order: Obj, actor: Obj | None) -> None:
    """ORDER_PAID fires together with ORDER_FULLY_PAID when the whole total is charged, then ORDER_UPDATED."""
    status = charge_status(order)
    if status in ("PARTIAL", "FULL", "OVERCHARGED"):
        state.emit("ORDER_PAID", actor, order=order)
    if status in ("FULL", "OVERCHARGED"):
        order_event(state, order, "ORDER_FULLY_PAID", actor)
        state.emit("ORDER_FULLY_PAID", actor, order=order)
    state.emit("ORDER_UPDATED", actor, order=order)


# --- granted refunds -----------------------------------------------------------------------------------------


def _granted_quantity(order: Obj, line: Obj, exclude: Obj | None = None) -> int:
    return sum(
        gl["quantity"]
        for grant in order["grantedRefunds"]
        if grant is not exclude and grant["status"] != "FAILURE"
        for gl in grant["lines"] or []
        if gl["orderLine"] is line
    )


def _check_lines(
    order: Obj, items: list[tuple[Obj | None, str, int]], field_name: str, grant: Obj | None = None
) -> list[Obj]:
    """items: (order line or None when not found, given id, quantity) -> grant line errors."""
    line_errors = []
    for line, given_id, quantity in items:
        if line is None or line["_order"] is not order:
            line_errors.append(
                {
                    "__typename": "OrderGrantRefundCreateLineError",
                    "lineId": given_id,
                    "field": "id",
                    "code": "NOT_FOUND",
                    "message": "No order line with given ID.",
                }
            )
            continue
        available = line["quantity"] - _granted_quantity(order, line, exclude=grant)
        if quantity <= 0 or quantity > available:
            line_errors.append(
                {
                    "__typename": "OrderGrantRefundCreateLineError",
                    "lineId": given_id,
                    "field": "quantity",
                    "code": "QUANTITY_GREATER_THAN_AVAILABLE",
                    "message": f"Provided quantity is bigger than the quantity available to refund ({available}).",
                }
            )
    return line_errors


def _shipping_granted(order: Obj, exclude: Obj | None = None) -> bool:
    return any(
        g["shippingCostsIncluded"] and g["status"] != "FAILURE" and g is not exclude
        for g in order["grantedRefunds"]
    )


def _computed_amount(order: Obj, lines: list[tuple[Obj, int]], shipping: bool) -> Decimal:
    amount = sum((line["unitPrice"]["gross"]["amount"] * qty for line, qty in lines), ZERO)
    if shipping:
        amount += order["shippingPrice"]["gross"]["amount"]
    return q(amount)


def _grant_line(state: State, line: Obj, quantity: int, reason: str | None) -> Obj:
    return {
        "__typename": "OrderGrantedRefundLine",
        "id": state.new_gid("OrderGrantedRefundLine"),
        "quantity": quantity,
        "orderLine": line,
        "reason": reason,
        "reasonReference": None,
    }


def grant_refund(
    state: State,
    actor: Obj | None,
    order: Obj,
    *,
    transaction: Obj | None,
    transaction_id: str | None = None,
    lines: Sequence[tuple[Obj | None, str, int, str | None]] = (),
    grant_shipping: bool = False,
    amount: Decimal | None = None,
    reason: str | None = None,
) -> Obj:
    """orderGrantRefundCreate. lines: (order line or None, given id, quantity, reason). No event fires."""
    if transaction is None or transaction.get("order") is not order:
        raise MutationErrors(
            [
                error(
                    "transactionId",
                    "NOT_FOUND",
                    f"Couldn't resolve to a transaction of this order: {transaction_id}.",
                )
            ]
        )
    if amount is None and not lines and not grant_shipping:
        raise MutationErrors(
            [
                error(
                    "amount",
                    "REQUIRED",
                    "You must provide at least one of `amount`, `lines`, `grantRefundForShipping`.",
                )
            ]
        )
    line_errors = _check_lines(order, [(line, given, qty) for line, given, qty, _ in lines], "lines")
    if line_errors:
        raise MutationErrors(
            [error("lines", "INVALID", "Provided input for lines is invalid.", lines=line_errors)]
        )
    if grant_shipping and _shipping_granted(order):
        raise MutationErrors(
            [
                error(
                    "grantRefundForShipping",
                    "SHIPPING_COSTS_ALREADY_GRANTED",
                    "Shipping costs have already been granted.",
                )
            ]
        )
    valid_lines = [(line, qty) for line, _, qty, _ in lines if line is not None]
    final_amount = q(amount) if amount is not None else _computed_amount(order, valid_lines, grant_shipping)
    if final_amount > _amount(transaction, "chargedAmount"):
        raise MutationErrors(
            [
                error(
                    "amount",
                    "AMOUNT_GREATER_THAN_AVAILABLE",
                    "Amount cannot be greater than the charged amount of the transaction.",
                )
            ]
        )
    created = now()
    grant: Obj = {
        "__typename": "OrderGrantedRefund",
        "id": state.new_gid("OrderGrantedRefund"),
        "createdAt": created,
        "updatedAt": created,
        "amount": money(final_amount, currency_of(order)),
        "reason": reason,
        "reasonReference": None,
        "user": actor if actor and actor["__typename"] == "User" else None,
        "app": actor if actor and actor["__typename"] == "App" else None,
        "shippingCostsIncluded": bool(grant_shipping),
        "lines": [
            _grant_line(state, line, qty, line_reason)
            for line, _, qty, line_reason in lines
            if line is not None
        ],
        "status": "NONE",
        "transactionEvents": [],
        "transaction": transaction,
        "_order": order,
    }
    state.objects[grant["id"]] = grant
    order["grantedRefunds"].append(grant)
    return grant


def update_grant(
    state: State,
    actor: Obj | None,
    grant: Obj,
    *,
    amount: Decimal | None = None,
    reason: str | None = None,
    add_lines: Sequence[tuple[Obj | None, str, int, str | None]] = (),
    remove_lines: Sequence[str] = (),
    grant_shipping: bool | None = None,
    transaction: Obj | None = None,
    transaction_given: bool = False,
) -> Obj:
    order = grant["_order"]
    if grant["status"] in ("PENDING", "SUCCESS"):
        raise MutationErrors(
            [error("id", "INVALID", f"A granted refund with status {grant['status']} can't be updated.")]
        )
    if transaction_given and (transaction is None or transaction.get("order") is not order):
        raise MutationErrors(
            [error("transactionId", "NOT_FOUND", "Couldn't resolve to a transaction of this order.")]
        )
    line_errors = _check_lines(
        order, [(line, given, qty) for line, given, qty, _ in add_lines], "addLines", grant=grant
    )
    if line_errors:
        raise MutationErrors(
            [error("addLines", "INVALID", "Provided input for lines is invalid.", addLines=line_errors)]
        )
    known = {gl["id"] for gl in grant["lines"]}
    missing = [gid for gid in remove_lines if gid not in known]
    if missing:
        raise MutationErrors(
            [
                error(
                    "removeLines",
                    "INVALID",
                    "Provided input for lines is invalid.",
                    removeLines=[
                        {
                            "lineId": gid,
                            "field": "id",
                            "code": "NOT_FOUND",
                            "message": "No granted refund line with given ID.",
                        }
                        for gid in missing
                    ],
                )
            ]
        )
    if grant_shipping and _shipping_granted(order, exclude=grant):
        raise MutationErrors(
            [
                error(
                    "grantRefundForShipping",
                    "SHIPPING_COSTS_ALREADY_GRANTED",
                    "Shipping costs have already been granted.",
                )
            ]
        )
    # Work out the new grant first and validate it, so a refused update changes nothing.
    quantities: dict[str, list[Any]] = {
        gl["orderLine"]["id"]: [gl, gl["quantity"]]
        for gl in grant["lines"]
        if gl["id"] not in set(remove_lines)
    }
    for line, _, qty, line_reason in add_lines:
        assert line is not None  # checked by _check_lines
        if line["id"] in quantities:
            quantities[line["id"]][1] += qty
        else:
            quantities[line["id"]] = [_grant_line(state, line, 0, line_reason), qty]
    shipping = grant["shippingCostsIncluded"] if grant_shipping is None else grant_shipping
    tx = transaction if transaction_given else grant["transaction"]
    if amount is not None:
        new_amount = q(amount)
    elif add_lines or remove_lines or grant_shipping is not None:
        new_amount = _computed_amount(
            order, [(gl["orderLine"], qty) for gl, qty in quantities.values()], shipping
        )
    else:
        new_amount = grant["amount"]["amount"]
    if tx is not None and new_amount > _amount(tx, "chargedAmount"):
        raise MutationErrors(
            [
                error(
                    "amount",
                    "AMOUNT_GREATER_THAN_AVAILABLE",
                    "Amount cannot be greater than the charged amount of the transaction.",
                )
            ]
        )
    for gl, qty in quantities.values():
        gl["quantity"] = qty
    grant["lines"] = [gl for gl, _ in quantities.values()]
    grant["shippingCostsIncluded"] = shipping
    grant["transaction"] = tx
    grant["amount"] = money(new_amount, currency_of(order))
    if reason is not None:
        grant["reason"] = reason
    grant["updatedAt"] = now()
    return grant


def request_grant_refund(state: State, actor: Obj | None, grant: Obj, transaction: Obj | None) -> Obj:
    """transactionRequestRefundForGrantedRefund: reserve the money, set the grant PENDING. The payment app is
    called later (`process_refund_request`)."""
    if grant["status"] == "SUCCESS":
        raise MutationErrors(
            [
                error(
                    "grantedRefundId",
                    "REFUND_ALREADY_PROCESSED",
                    "The granted refund has already been processed.",
                )
            ]
        )
    if grant["status"] == "PENDING":
        raise MutationErrors(
            [error("grantedRefundId", "REFUND_IS_PENDING", "The refund for this granted refund is pending.")]
        )
    tx = transaction or grant["transaction"]
    if tx is None or tx.get("order") is not grant["_order"]:
        raise MutationErrors([error("id", "NOT_FOUND", "Couldn't resolve to a transaction of this order.")])
    if grant["transaction"] is not None and tx is not grant["transaction"]:
        raise MutationErrors(
            [
                error(
                    "id",
                    "INVALID",
                    "The transaction is different from the one assigned to the granted refund.",
                )
            ]
        )
    if not tx["_handles_refunds"]:
        raise MutationErrors(
            [
                error(
                    "id",
                    "MISSING_TRANSACTION_ACTION_REQUEST_WEBHOOK",
                    "No app or plugin is configured to handle payment action requests.",
                )
            ]
        )
    amount = grant["amount"]["amount"]
    if amount > _amount(tx, "chargedAmount"):
        raise MutationErrors(
            [
                error(
                    "amount",
                    "AMOUNT_GREATER_THAN_AVAILABLE",
                    "The granted refund amount is greater than the available charged amount.",
                )
            ]
        )
    reserve_refund(state, actor, tx, amount)
    grant["status"] = "PENDING"
    grant["transaction"] = tx
    grant["updatedAt"] = now()
    order_event(state, grant["_order"], "TRANSACTION_REFUND_REQUESTED", actor, amount=float(amount))
    return tx


def reserve_refund(state: State, actor: Obj | None, tx: Obj, amount: Decimal) -> None:
    _add(tx, "chargedAmount", -amount)
    _add(tx, "refundPendingAmount", amount)
    transaction_event(state, tx, "REFUND_REQUEST", amount, actor=actor, psp_reference=tx["pspReference"])


def settle_refund(
    state: State, tx: Obj, amount: Decimal, outcome: str, *, grant: Obj | None = None, message: str = ""
) -> Obj | None:
    """The payment app's answer to TRANSACTION_REFUND_REQUESTED: "success", "failure" or "pending" (no result)."""
    if outcome == "pending":
        return None
    order = tx["order"]
    psp = f"dummy-refund-{uuid.uuid4().hex[:12]}"
    _add(tx, "refundPendingAmount", -amount)
    if outcome == "success":
        _add(tx, "refundedAmount", amount)
        event = transaction_event(
            state,
            tx,
            "REFUND_SUCCESS",
            amount,
            actor=tx["_app"],
            psp_reference=psp,
            message=message or "dummy refund refund_success",
        )
        if grant is not None:
            grant["status"] = "SUCCESS"
            grant["transactionEvents"].append(event)
            grant["updatedAt"] = now()
        # The refund is recorded from the payment app's answer, with no requestor: issuingPrincipal null.
        state.emit("ORDER_REFUNDED", None, order=order)
        if total_refunded(order) >= order_total(order)["gross"]["amount"]:
            state.emit("ORDER_FULLY_REFUNDED", None, order=order)
        state.emit("ORDER_UPDATED", None, order=order)
        return event
    if outcome == "failure":
        _add(tx, "chargedAmount", amount)
        event = transaction_event(
            state,
            tx,
            "REFUND_FAILURE",
            amount,
            actor=tx["_app"],
            psp_reference=psp,
            message=message or "dummy refund refund_failure",
        )
        if grant is not None:
            grant["status"] = "FAILURE"
            grant["transactionEvents"].append(event)
            grant["updatedAt"] = now()
        return event
    raise ValueError(f"unknown refund outcome {outcome!r}")


def request_action(
    state: State, actor: Obj | None, tx: Obj, action: str, amount: Decimal | None
) -> tuple[Decimal, str]:
    """transactionRequestAction: validate and reserve; returns (amount, action) for the payment app."""
    if not tx["_handles_refunds"]:
        raise MutationErrors(
            [
                error(
                    "id",
                    "MISSING_TRANSACTION_ACTION_REQUEST_WEBHOOK",
                    "No app or plugin is configured to handle payment action requests.",
                )
            ]
        )
    if action == "REFUND":
        available = _amount(tx, "chargedAmount")
        value = available if amount is None else q(amount)
        if value <= 0 or value > available:
            raise MutationErrors(
                [error("amount", "INVALID", "Amount is greater than the charged amount of the transaction.")]
            )
        reserve_refund(state, actor, tx, value)
        order_event(state, tx["order"], "TRANSACTION_REFUND_REQUESTED", actor, amount=float(value))
        return value, action
    if action == "CHARGE":
        available = _amount(tx, "authorizedAmount")
        value = available if amount is None else q(amount)
        if value <= 0 or value > available:
            raise MutationErrors(
                [
                    error(
                        "amount",
                        "INVALID",
                        "Amount is greater than the authorized amount of the transaction.",
                    )
                ]
            )
        _add(tx, "authorizedAmount", -value)
        _add(tx, "chargePendingAmount", value)
        transaction_event(state, tx, "CHARGE_REQUEST", value, actor=actor, psp_reference=tx["pspReference"])
        return value, action
    if action == "CANCEL":
        value = _amount(tx, "authorizedAmount")
        if value <= 0:
            raise MutationErrors(
                [error("id", "INVALID", "Nothing to cancel: the transaction has no authorized amount.")]
            )
        _add(tx, "authorizedAmount", -value)
        _add(tx, "cancelPendingAmount", value)
        transaction_event(state, tx, "CANCEL_REQUEST", value, actor=actor, psp_reference=tx["pspReference"])
        return value, action
    raise MutationErrors([error("actionType", "INVALID", f"Unsupported action {action}.")])


def settle_action(state: State, tx: Obj, action: str, amount: Decimal, outcome: str) -> None:
    if action == "REFUND":
        settle_refund(state, tx, amount, outcome)
        return
    if outcome == "pending":
        return
    pending_key, done_key, back_key = (
        ("chargePendingAmount", "chargedAmount", "authorizedAmount")
        if action == "CHARGE"
        else ("cancelPendingAmount", "canceledAmount", "authorizedAmount")
    )
    _add(tx, pending_key, -amount)
    _add(tx, done_key if outcome == "success" else back_key, amount)
    result = f"{action}_{'SUCCESS' if outcome == 'success' else 'FAILURE'}"
    transaction_event(state, tx, result, amount, actor=tx["_app"], psp_reference=tx["pspReference"])
    if action == "CHARGE" and outcome == "success":
        emit_charge_events(state, tx["order"], None)


def amounts(tx: Obj) -> dict[str, Any]:
    return {key: tx[key]["amount"] for key in AMOUNT_KEYS}
