"""Rendering and delivering webhooks the way Saleor 3.24 does.

- Payload: the webhook's subscription document is executed (graphql-core) against the state with the recipient
  app's permissions; root `event` -> the body is the selected object itself, a filterable root field such as
  `orderCreated(channels:)` -> `{"data": {...}}`; GraphQL errors are added under "errors". Serialised with
  `json.dumps` defaults (", " and ": " separators, key order of the query), exactly like the samples.
- The body is rendered once per webhook and retries resend the same bytes (Saleor stores the payload).
- Signature: detached JWS (jws.sign_detached). Headers: the samples' set and order.
- Retries: 2xx = delivered; 3xx/4xx = failed, not retried; connection errors, timeouts and 5xx = retried up to
  `max_retries` (5) times, sleeping `retry_delays[n]` between attempts (zeros by default: tests stay fast).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from graphql import DocumentNode, GraphQLObjectType
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
)

from .jws import sign_detached
from .schema_exec import (
    SALEOR_VERSION,
    ExecContext,
    Viewer,
    enum_values,
    format_error,
    root_field_names,
    run,
    saleor_schema,
)
from .state import Obj, QueuedEvent, event_type_name

if TYPE_CHECKING:
    from .server import SaleorStandIn

USER_AGENT = "Saleor/3.24"

# The permission an app needs to receive an event (Saleor's EVENT_MAP), by event-name prefix.
EVENT_PERMISSION_PREFIXES: tuple[tuple[str, str | None], ...] = (
    ("DRAFT_ORDER_", "MANAGE_ORDERS"),
    ("ORDER_", "MANAGE_ORDERS"),
    ("FULFILLMENT_", "MANAGE_ORDERS"),
    ("INVOICE_", "MANAGE_ORDERS"),
    ("CUSTOMER_", "MANAGE_USERS"),
    ("ACCOUNT_", "MANAGE_USERS"),
    ("STAFF_", "MANAGE_STAFF"),
    ("GIFT_CARD_", "MANAGE_GIFT_CARD"),
    ("VOUCHER_", "MANAGE_DISCOUNTS"),
    ("PROMOTION_", "MANAGE_DISCOUNTS"),
    ("PRODUCT_", "MANAGE_PRODUCTS"),
    ("CATEGORY_", "MANAGE_PRODUCTS"),
    ("WAREHOUSE_", "MANAGE_PRODUCTS"),
    ("CHANNEL_", "MANAGE_CHANNELS"),
    ("TRANSACTION_", "HANDLE_PAYMENTS"),
    ("APP_", None),
)


def event_permission(event: str) -> str | None:
    for prefix, permission in EVENT_PERMISSION_PREFIXES:
        if event.startswith(prefix):
            return permission
    return None


def type_to_event(type_name: str) -> str:
    """OrderFullyPaid -> ORDER_FULLY_PAID."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type_name).upper()


def events_in_subscription(document: DocumentNode) -> list[str]:
    """The async/sync events a subscription document is about (Saleor infers them when a manifest lists none)."""
    schema = saleor_schema()
    known = set(enum_values("WebhookEventTypeAsyncEnum")) | set(enum_values("WebhookEventTypeSyncEnum"))
    event_iface = schema.type_map["Event"]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    found: list[str] = []

    def add(type_name: str) -> None:
        gql_type = schema.type_map.get(type_name)
        if isinstance(gql_type, GraphQLObjectType) and event_iface in gql_type.interfaces:
            event = type_to_event(type_name)
            if event in known and event not in found:
                found.append(event)

    def walk(selection_set: Any, seen: set[str]) -> None:
        for sel in selection_set.selections:
            if isinstance(sel, InlineFragmentNode):
                if sel.type_condition:
                    add(sel.type_condition.name.value)
                walk(sel.selection_set, seen)
            elif (
                isinstance(sel, FragmentSpreadNode)
                and sel.name.value not in seen
                and sel.name.value in fragments
            ):
                frag = fragments[sel.name.value]
                add(frag.type_condition.name.value)
                walk(frag.selection_set, seen | {sel.name.value})

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for sel in definition.selection_set.selections:
                if not isinstance(sel, FieldNode):
                    continue
                if sel.name.value == "event" and sel.selection_set:
                    walk(sel.selection_set, set())
                else:  # filterable top-level subscription, e.g. orderCreated(channels: [...])
                    return_type = schema.subscription_type.fields[sel.name.value].type  # type: ignore[union-attr]
                    add(getattr(return_type, "name", ""))
    return found


@dataclass
class Attempt:
    status_code: int | None
    error: str | None
    response_body: bytes = b""
    duration: float = 0.0


@dataclass
class Delivery:
    event: str
    app_id: str
    webhook_id: str
    webhook_name: str
    url: str
    body: bytes
    headers: dict[str, str]
    issued_at: datetime
    attempt_log: list[Attempt] = field(default_factory=list)
    redelivery_of: Delivery | None = None

    @property
    def attempts(self) -> int:
        return len(self.attempt_log)

    @property
    def status_code(self) -> int | None:
        return self.attempt_log[-1].status_code if self.attempt_log else None

    @property
    def success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Delivery {self.event} -> {self.url} status={self.status_code} attempts={self.attempts}>"


class WebhookSender:
    def __init__(self, standin: SaleorStandIn):
        self.standin = standin
        self.max_retries = 5
        self.retry_delays: list[float] = [0.0] * 5
        self.timeout = httpx.Timeout(18.0, connect=2.0)  # Saleor's WEBHOOK_TIMEOUT (2 s connect, 18 s read)
        self.deliveries: list[Delivery] = []
        self.skipped: list[dict[str, Any]] = []

    def reset(self) -> None:
        self.deliveries = []
        self.skipped = []
        self.retry_delays = [0.0] * 5
        self.max_retries = 5

    # --- rendering ---

    def targets(self, item: QueuedEvent) -> list[tuple[Obj, Obj]]:
        """(app, webhook) pairs that receive this event."""
        state = self.standin.state
        apps = (
            item.recipients
            if item.recipients is not None
            else [a for a in state.apps if a["isActive"] and not a["_removed"]]
        )
        permission = event_permission(item.event_type)
        pairs = []
        for app in apps:
            if permission is not None and permission not in app["_permissions"]:
                continue  # Saleor does not send events an app has no permission for
            for webhook in app["webhooks"]:
                if webhook["isActive"] and item.event_type in webhook["_events"]:
                    pairs.append((app, webhook))
        return pairs

    def render(self, item: QueuedEvent, app: Obj, webhook: Obj) -> bytes | None:
        event_obj = {
            "__typename": event_type_name(item.event_type),
            "issuedAt": item.issued_at,
            "version": SALEOR_VERSION,
            "issuingPrincipal": item.principal,
            "recipient": app,
            **item.payload,
        }
        ctx = ExecContext(state=self.standin.state, viewer=Viewer.for_app(app), api_url=self.standin.api_url)
        document = webhook["_document"]
        result = run(document, ctx, root_value={"event": event_obj})
        root = root_field_names(document, None)[0]
        data = result.data or {}
        if root == "event":
            payload: dict[str, Any] = dict(data.get("event") or {})
        else:
            if data.get(root) is None and not result.errors:
                return None  # filtered out (e.g. another channel)
            payload = {"data": data}
        if result.errors:
            payload["errors"] = [format_error(e) for e in result.errors]
        return json.dumps(payload).encode()

    def headers(self, event: str, body: bytes, webhook: Obj) -> dict[str, str]:
        signature = sign_detached(body, self.standin.keys.current)
        domain = self.standin.domain
        name = event.lower()
        headers = {
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "gzip, deflate",
            "Accept": "*/*",
            "Connection": "keep-alive",
            "Content-Type": "application/json",
            "X-Saleor-Event": name,
            "X-Saleor-Domain": domain,
            "X-Saleor-Signature": signature,
            "Saleor-Event": name,
            "Saleor-Domain": domain,
            "Saleor-Signature": signature,
            "Saleor-Api-Url": self.standin.api_url,
            "traceparent": f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01",
        }
        headers.update(webhook.get("_custom_headers") or {})
        return headers

    def prepare(self, item: QueuedEvent) -> list[Delivery]:
        """Render and sign everything one event produces (called under the state lock)."""
        prepared = []
        for app, webhook in self.targets(item):
            url = webhook["targetUrl"]
            if not url.startswith(("http://", "https://")):
                self.skipped.append(
                    {"event": item.event_type, "url": url, "reason": "only http(s) targets are delivered"}
                )
                continue
            body = self.render(item, app, webhook)
            if body is None:
                self.skipped.append(
                    {"event": item.event_type, "url": url, "reason": "filtered by the subscription"}
                )
                continue
            prepared.append(
                Delivery(
                    event=item.event_type,
                    app_id=app["id"],
                    webhook_id=webhook["id"],
                    webhook_name=webhook["name"],
                    url=url,
                    body=body,
                    headers=self.headers(item.event_type, body, webhook),
                    issued_at=item.issued_at,
                )
            )
        return prepared

    # --- sending ---

    def send(self, delivery: Delivery) -> Delivery:
        """POST with Saleor's retry policy (never called under the state lock: the app may call back)."""
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            for attempt in range(self.max_retries + 1):
                if attempt:
                    delay = self.retry_delays[attempt - 1] if attempt - 1 < len(self.retry_delays) else 0.0
                    if delay:
                        time.sleep(delay)
                started = time.monotonic()
                try:
                    response = client.post(delivery.url, content=delivery.body, headers=delivery.headers)
                except httpx.TimeoutException as exc:
                    delivery.attempt_log.append(
                        Attempt(None, f"timeout: {exc!r}", duration=time.monotonic() - started)
                    )
                    continue
                except httpx.TransportError as exc:
                    delivery.attempt_log.append(
                        Attempt(None, f"connection error: {exc!r}", duration=time.monotonic() - started)
                    )
                    continue
                delivery.attempt_log.append(
                    Attempt(response.status_code, None, response.content, time.monotonic() - started)
                )
                if response.status_code < 500:  # 2xx delivered; 3xx and 4xx are final failures
                    break
        self.deliveries.append(delivery)
        return delivery
