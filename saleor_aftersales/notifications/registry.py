"""Who reacts to a notification event, plugged in from above (no Django signals).

A capability above notifications registers a handler from its `AppConfig.ready()`:

    @on_event("return_refunded", "claim_decided")
    def ask_for_feedback(event: NotificationEvent) -> None: ...

`notify` calls the handlers of an event once, when it records a new notification, in the caller's transaction
(each in a savepoint: a failing handler is logged and never undoes the step that was announced).
Capabilities that publish merchant-webhook events without an email (e.g. `survey_completed`) declare their
names with `webhook_events(...)` so that endpoints can subscribe to them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from ..installations.models import Installation
    from .models import Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationEvent:
    installation: Installation
    event: str
    recipient_email: str
    language: str
    subject_type: str
    subject_id: str
    context: dict = field(default_factory=dict)
    notification: Notification | None = None


EventHandler = Callable[[NotificationEvent], None]
_handlers: dict[str, list[EventHandler]] = defaultdict(list)
_webhook_only_events: set[str] = set()


def on_event(*events: str) -> Callable[[EventHandler], EventHandler]:
    def register(fn: EventHandler) -> EventHandler:
        for name in events:
            if fn not in _handlers[name]:
                _handlers[name].append(fn)
        return fn

    return register


def remove_handler(fn: EventHandler) -> None:
    for handlers in _handlers.values():
        if fn in handlers:
            handlers.remove(fn)


def handlers_for(event: str) -> list[EventHandler]:
    return list(_handlers.get(event, ()))


def dispatch(event: NotificationEvent) -> int:
    """Call every handler of `event.event`; returns how many succeeded."""
    done = 0
    for handler in handlers_for(event.event):
        try:
            with transaction.atomic():
                handler(event)
            done += 1
        except Exception:  # one failing reaction must not undo the announced step; logged with its event
            logger.exception(
                "notification handler failed",
                extra={
                    "event": event.event,
                    "subject_type": event.subject_type,
                    "subject_id": event.subject_id,
                },
            )
    return done


def webhook_events(*names: str) -> None:
    """Declare events that are delivered to merchant webhooks without a customer email."""
    _webhook_only_events.update(names)


def webhook_only_events() -> set[str]:
    return set(_webhook_only_events)
