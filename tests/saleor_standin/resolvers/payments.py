"""Granted refunds and transaction actions. The stand-in plays the payment app that owns the transactions."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..domain import payments as domain
from ..schema_exec import ExecContext, MutationErrors, error, mutation
from ..state import Obj, State
from .common import actor, node


def call_payment_app(ctx: ExecContext, description: str, answer: Callable[[], None]) -> None:
    """Saleor sends TRANSACTION_*_REQUESTED from a Celery task *after* the mutation has answered."""
    state = ctx.state

    def locked() -> None:
        with state.lock:
            answer()

    if state.settings.refund_processing == "on_deliver":
        state.defer(description, answer)
    else:
        ctx.after_response.append(locked)


def refund_answer(state: State, tx: Obj, amount: Decimal, grant: Obj | None) -> Callable[[], None]:
    outcome = state.settings.refund_outcome
    record = {
        "event": "TRANSACTION_REFUND_REQUESTED",
        "transaction": tx,
        "grantedRefund": grant,
        "amount": amount,
        "outcome": outcome,
    }
    state.payment_requests.append(record)
    return lambda: domain.settle_refund(state, tx, amount, outcome, grant=grant)


def _grant_lines(
    ctx: ExecContext, items: list[dict[str, Any]] | None
) -> list[tuple[Obj | None, str, int, str | None]]:
    return [
        (ctx.state.get(item["id"], "OrderLine"), item["id"], item["quantity"], item.get("reason"))
        for item in items or []
    ]


def _transaction(ctx: ExecContext, id_: str | None, token: str | None, field_name: str) -> Obj | None:
    if token is not None:
        found = next(
            (t for o in ctx.state.orders for t in o["transactions"] if t["token"] == str(token)), None
        )
        if found is None:
            raise MutationErrors([error("token", "NOT_FOUND", f"Couldn't resolve to a transaction: {token}")])
        return found
    if id_ is not None:
        return node(ctx, id_, "TransactionItem", field_name=field_name)
    return None


@mutation("orderGrantRefundCreate", permissions=["MANAGE_ORDERS"])
def order_grant_refund_create(ctx: ExecContext, id: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    order = node(ctx, id, "Order", field_name="id")
    transaction = ctx.state.get(input["transactionId"], "TransactionItem")
    grant = domain.grant_refund(
        ctx.state,
        actor(ctx),
        order,
        transaction=transaction,
        transaction_id=input["transactionId"],
        lines=_grant_lines(ctx, input.get("lines")),
        grant_shipping=bool(input.get("grantRefundForShipping")),
        amount=input.get("amount"),
        reason=input.get("reason"),
    )
    return {"order": order, "grantedRefund": grant}


@mutation("orderGrantRefundUpdate", permissions=["MANAGE_ORDERS"])
def order_grant_refund_update(ctx: ExecContext, id: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: A002
    grant = node(ctx, id, "OrderGrantedRefund", field_name="id")
    transaction_given = input.get("transactionId") is not None
    grant = domain.update_grant(
        ctx.state,
        actor(ctx),
        grant,
        amount=input.get("amount"),
        reason=input.get("reason"),
        add_lines=_grant_lines(ctx, input.get("addLines")),
        remove_lines=list(input.get("removeLines") or []),
        grant_shipping=input.get("grantRefundForShipping"),
        transaction=ctx.state.get(input["transactionId"], "TransactionItem") if transaction_given else None,
        transaction_given=transaction_given,
    )
    return {"order": grant["_order"], "grantedRefund": grant}


@mutation("transactionRequestRefundForGrantedRefund", permissions=["HANDLE_PAYMENTS"])
def transaction_request_refund_for_granted_refund(
    ctx: ExecContext, grantedRefundId: str, id: str | None = None, token: str | None = None
) -> dict[str, Any]:  # noqa: A002, N803
    grant = node(ctx, grantedRefundId, "OrderGrantedRefund", field_name="grantedRefundId")
    transaction = _transaction(ctx, id, token, "id")
    tx = domain.request_grant_refund(ctx.state, actor(ctx), grant, transaction)
    call_payment_app(
        ctx, f"refund {grant['id']}", refund_answer(ctx.state, tx, grant["amount"]["amount"], grant)
    )
    return {"transaction": tx}


@mutation("transactionRequestAction", permissions=["HANDLE_PAYMENTS"])
def transaction_request_action(
    ctx: ExecContext,
    actionType: str,
    id: str | None = None,
    token: str | None = None,
    amount: Decimal | None = None,
    **_reasons: Any,
) -> dict[str, Any]:  # noqa: A002, N803
    tx = _transaction(ctx, id, token, "id")
    if tx is None:
        raise MutationErrors([error("id", "REQUIRED", "Provide `id` or `token`.")])
    value, action = domain.request_action(ctx.state, actor(ctx), tx, actionType, amount)
    if action == "REFUND":
        call_payment_app(ctx, f"refund {tx['id']}", refund_answer(ctx.state, tx, value, None))
    else:
        state = ctx.state
        state.payment_requests.append(
            {
                "event": f"TRANSACTION_{action}_REQUESTED",
                "transaction": tx,
                "amount": value,
                "outcome": "success",
            }
        )
        call_payment_app(
            ctx,
            f"{action.lower()} {tx['id']}",
            lambda: domain.settle_action(state, tx, action, value, "success"),
        )
    return {"transaction": tx}
