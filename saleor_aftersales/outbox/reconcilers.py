"""Shared look-ups for reconcilers: did a call whose answer we lost (timeout, 5xx) take effect in Saleor?

Each answers the mutation's result shape when Saleor shows the effect, else None (the message is then resent).
The read operations are the capability's own documents (`graphql/saleor/<Operation>.graphql`), so every query
stays validated against Saleor's schema.
"""

from __future__ import annotations

from typing import Any


def granted_refund_with_marker(client: Any, operation: str, order_id: str, marker: str) -> dict | None:
    """`orderGrantRefundCreate` took effect when a granted refund of the order carries our marker in its reason."""
    data = client.execute(operation, {"id": order_id})
    for grant in (data.get("order") or {}).get("grantedRefunds") or []:
        if marker in (grant.get("reason") or ""):
            return {"orderGrantRefundCreate": {"grantedRefund": grant, "errors": []}}
    return None


def refund_requested_for_grant(client: Any, operation: str, order_id: str, grant_id: str) -> dict | None:
    """`transactionRequestRefundForGrantedRefund` took effect when the grant left NONE or carries events."""
    data = client.execute(operation, {"id": order_id})
    for grant in (data.get("order") or {}).get("grantedRefunds") or []:
        if grant.get("id") != grant_id:
            continue
        if grant.get("status") in ("PENDING", "SUCCESS") or grant.get("transactionEvents"):
            return {"transactionRequestRefundForGrantedRefund": {"transaction": None, "errors": []}}
    return None


def first_node(
    client: Any, operation: str, variables: dict, *, connection: str, mutation: str, field: str
) -> dict | None:
    """A create mutation took effect when a search by our idempotency key (tag, metadata) finds the object."""
    data = client.execute(operation, variables)
    edges = (data.get(connection) or {}).get("edges") or []
    if edges:
        return {mutation: {field: edges[0]["node"], "errors": []}}
    return None
