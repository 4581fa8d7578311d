"""Hooks that domain apps register for outbox operations.

- callbacks (`on_success` / `on_failure` names): run in the same transaction that records the outcome, so the
  domain state and the outbox row change together;
- reconcilers (per operation): asked, before a resend, whether an earlier attempt already took effect in
  Saleor; they return that attempt's result or None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..saleor_client.client import SaleorClient
    from .models import OutboxMessage

Callback = Callable[["OutboxMessage", Any], None]
Reconciler = Callable[["SaleorClient", "OutboxMessage"], dict | None]

_callbacks: dict[str, Callback] = {}
_reconcilers: dict[str, Reconciler] = {}


def outbox_callback(name: str) -> Callable[[Callback], Callback]:
    def register(fn: Callback) -> Callback:
        _callbacks[name] = fn
        return fn

    return register


def outbox_reconciler(operation: str) -> Callable[[Reconciler], Reconciler]:
    def register(fn: Reconciler) -> Reconciler:
        _reconcilers[operation] = fn
        return fn

    return register


def callback(name: str) -> Callback:
    if name not in _callbacks:
        raise KeyError(f"No outbox callback registered as {name!r}")
    return _callbacks[name]


def reconciler(operation: str) -> Reconciler | None:
    return _reconcilers.get(operation)
