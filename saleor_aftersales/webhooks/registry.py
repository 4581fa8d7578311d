"""Which domain handlers run for which Saleor event.

A handler takes a `WebhookContext` and must be idempotent (it may run again after a crash). Domain handler
modules in `webhooks/handlers/` register themselves with `@handles("ORDER_FULLY_PAID", ...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..installations.models import Installation


@dataclass(frozen=True)
class WebhookContext:
    installation: Installation
    event: str
    payload: dict
    issued_at: datetime | None
    issued_by_this_app: bool
    delivery_id: int
    # The mirrored order, set by the orders handler that always runs first for order events.
    order: Any = None


Handler = Callable[[WebhookContext], Any]

_handlers: dict[str, list[tuple[int, str, Handler]]] = {}


def handles(*events: str, priority: int = 100) -> Callable[[Handler], Handler]:
    """Register a handler; lower priority numbers run first (the order mirror runs at 0)."""

    def register(fn: Handler) -> Handler:
        name = f"{fn.__module__}.{fn.__qualname__}"
        for event in events:
            entries = _handlers.setdefault(event.upper(), [])
            if all(existing_name != name for _, existing_name, _ in entries):
                entries.append((priority, name, fn))
                entries.sort(key=lambda entry: (entry[0], entry[1]))
        return fn

    return register


def handlers_for(event: str) -> list[Handler]:
    load_handlers()
    return [fn for _, _, fn in _handlers.get(event.upper(), [])]


def load_handlers() -> None:
    from . import handlers  # noqa: F401  (imports every domain handler module)
