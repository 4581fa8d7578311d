"""In-memory Saleor state: objects are dicts shaped like the GraphQL types they are served as.

Conventions
- every object has `__typename` and `id` (a Saleor global id) and is indexed in `State.objects` by that id;
- keys starting with `_` are internal (links and raw values no GraphQL field exposes);
- money is `Money` dicts with Decimal amounts (the Float scalar turns them into 45.0 in JSON, like Saleor);
- values that depend on other objects (order totals, charge status...) are computed by resolvers in
  resolvers/fields.py from the helpers at the bottom of this module.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .ids import from_global_id, to_global_id
from .tokens import new_token_key

Obj = dict[str, Any]
CENT = Decimal("0.01")
ZERO = Decimal("0")


def now() -> datetime:
    return datetime.now(UTC)


def q(value: Decimal | int | float | str) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal | int | float | str, currency: str) -> Obj:
    return {"__typename": "Money", "amount": q(amount), "currency": currency}


def taxed(gross: Decimal | int | float | str, currency: str, tax_rate: Decimal = ZERO) -> Obj:
    """TaxedMoney from a gross amount; prices are entered with tax, so net = gross / (1 + rate)."""
    gross_q = q(gross)
    net = q(gross_q / (1 + tax_rate))
    return {
        "__typename": "TaxedMoney",
        "currency": currency,
        "gross": money(gross_q, currency),
        "net": money(net, currency),
        "tax": money(gross_q - net, currency),
    }


def metadata_items(values: dict[str, str] | None) -> list[Obj]:
    return [{"__typename": "MetadataItem", "key": k, "value": v} for k, v in (values or {}).items()]


def permission_name(code: str) -> str:
    # Saleor's permission names read like "Manage orders."
    return code.replace("_", " ").capitalize() + "."


def permission_obj(code: str) -> Obj:
    return {"__typename": "Permission", "code": code, "name": permission_name(code)}


def event_type_name(event: str) -> str:
    """ORDER_FULLY_PAID -> OrderFullyPaid (the subscription type of an async event)."""
    return "".join(part.capitalize() for part in event.split("_"))


@dataclass
class QueuedEvent:
    """An event Saleor has decided to send; its payload is rendered per webhook when it is delivered."""

    event_type: str
    payload: Obj  # event-specific fields, e.g. {"order": order} or {"fulfillment": f, "order": o, "notifyCustomer": False}
    principal: Obj | None
    issued_at: datetime
    recipients: list[Obj] | None = None  # None: every app with a webhook for the event


@dataclass
class QueuedTask:
    """Deferred work (Saleor's Celery tasks), run in queue order by `deliver_pending()`."""

    description: str
    fn: Callable[[], None]


@dataclass
class StandInSettings:
    channel_auto_confirm: bool = True
    # What the stand-in's payment app answers to TRANSACTION_REFUND_REQUESTED: "success", "failure" or
    # "pending" (an answer without `result`: the grant stays PENDING until `settle_refund()`).
    refund_outcome: str = "success"
    # When the payment app is called: right after the GraphQL answer ("after_response"), or when the test
    # calls deliver_pending() ("on_deliver"), which lets a test observe the PENDING state.
    refund_processing: str = "after_response"
    max_federation_entities: int = 100


class State:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.settings = StandInSettings()
        self.clear()

    def clear(self) -> None:
        self.objects: dict[str, Obj] = {}
        self._counters: Counter[str] = Counter()
        self.channels: list[Obj] = []
        self.warehouses: list[Obj] = []
        self.users: list[Obj] = []
        self.apps: list[Obj] = []
        self.app_tokens: dict[str, str] = {}  # token -> app id
        self.product_types: list[Obj] = []
        self.categories: list[Obj] = []
        self.products: list[Obj] = []
        self.variants: list[Obj] = []
        self.orders: list[Obj] = []
        self.gift_cards: list[Obj] = []
        self.vouchers: list[Obj] = []
        self.pending: deque[QueuedEvent | QueuedTask] = deque()
        # What the stand-in's payment app was asked (TRANSACTION_REFUND_REQUESTED & co.) and what it answered.
        self.payment_requests: list[Obj] = []
        self.order_number = 0
        self.settings = StandInSettings()

    # --- ids and index ---

    def next_pk(self, type_name: str) -> int:
        self._counters[type_name] += 1
        return self._counters[type_name]

    def new_gid(self, type_name: str, *, use_uuid: bool = False) -> str:
        pk: object = uuid.uuid4() if use_uuid else self.next_pk(type_name)
        return to_global_id(type_name, pk)

    def add(self, obj: Obj, *collection: list[Obj]) -> Obj:
        self.objects[obj["id"]] = obj
        for coll in collection:
            coll.append(obj)
        return obj

    def get(self, global_id: Any, *type_names: str) -> Obj | None:
        if isinstance(global_id, dict):
            global_id = global_id.get("id")
        if not isinstance(global_id, str):
            return None
        obj = self.objects.get(global_id)
        if obj is None or (type_names and obj["__typename"] not in type_names):
            return None
        return obj

    # --- events ---

    def emit(
        self, event_type: str, principal: Obj | None, recipients: list[Obj] | None = None, **payload: Any
    ) -> QueuedEvent:
        queued = QueuedEvent(
            event_type=event_type,
            payload=payload,
            principal=principal,
            issued_at=now(),
            recipients=recipients,
        )
        self.pending.append(queued)
        return queued

    def defer(self, description: str, fn: Callable[[], None]) -> None:
        self.pending.append(QueuedTask(description, fn))

    # --- factories for the objects most flows need ---

    def new_user(
        self,
        email: str,
        *,
        first_name: str = "",
        last_name: str = "",
        is_staff: bool = False,
        permissions: list[str] | None = None,
        language_code: str = "EN",
        is_confirmed: bool = True,
        is_active: bool = True,
        metadata: dict[str, str] | None = None,
    ) -> Obj:
        created = now()
        user: Obj = {
            "__typename": "User",
            "id": self.new_gid("User"),
            "email": email.lower(),
            "firstName": first_name,
            "lastName": last_name,
            "isStaff": is_staff,
            "isActive": is_active,
            "isConfirmed": is_confirmed,
            "languageCode": language_code,
            "dateJoined": created,
            "updatedAt": created,
            "lastLogin": None,
            "defaultShippingAddress": None,
            "defaultBillingAddress": None,
            "externalReference": None,
            "note": None,
            "restrictedAccessToChannels": False,
            "metadata": metadata_items(metadata),
            "privateMetadata": [],
            "_permissions": set(permissions or []),
            "_token_key": new_token_key(),
        }
        return self.add(user, self.users)

    def new_app(
        self, name: str, *, identifier: str | None = None, permissions: list[str] | None = None, **extra: Any
    ) -> tuple[Obj, str]:
        app: Obj = {
            "__typename": "App",
            "id": self.new_gid("App"),
            "name": name,
            "identifier": identifier,
            "isActive": True,
            "created": now(),
            "type": "THIRDPARTY",
            "webhooks": [],
            "extensions": [],
            "metadata": [],
            "privateMetadata": [],
            "brand": None,
            "breakerState": "CLOSED",
            "_permissions": set(permissions or []),
            "_removed": False,
            **extra,
        }
        token = secrets.token_urlsafe(22)[:30]
        self.add(app, self.apps)
        self.app_tokens[token] = app["id"]
        return app, token

    def app_for_token(self, token: str) -> Obj | None:
        app_id = self.app_tokens.get(token)
        app = self.objects.get(app_id) if app_id else None
        # Saleor only accepts tokens of active, not removed apps.
        if app is None or not app["isActive"] or app["_removed"]:
            return None
        return app

    def user_by_email(self, email: str) -> Obj | None:
        email = email.lower()
        return next((u for u in self.users if u["email"] == email), None)

    def next_order_number(self) -> str:
        self.order_number += 1
        return str(self.order_number)


def pk_of(global_id: str) -> str:
    return from_global_id(global_id)[1]


# --- computed order amounts (used by the field resolvers and by the domain actions) ----------------------


def currency_of(order: Obj) -> str:
    return order["channel"]["currencyCode"]


def line_total(line: Obj) -> Obj:
    unit = line["unitPrice"]
    qty = line["quantity"]
    currency = unit["currency"]
    gross = q(unit["gross"]["amount"] * qty)
    net = q(unit["net"]["amount"] * qty)
    return {
        "__typename": "TaxedMoney",
        "currency": currency,
        "gross": money(gross, currency),
        "net": money(net, currency),
        "tax": money(gross - net, currency),
    }


def _sum_taxed(parts: list[Obj], currency: str) -> Obj:
    gross = sum((p["gross"]["amount"] for p in parts), ZERO)
    net = sum((p["net"]["amount"] for p in parts), ZERO)
    return {
        "__typename": "TaxedMoney",
        "currency": currency,
        "gross": money(gross, currency),
        "net": money(net, currency),
        "tax": money(gross - net, currency),
    }


def order_subtotal(order: Obj) -> Obj:
    return _sum_taxed([line_total(line) for line in order["lines"]], currency_of(order))


def order_discount(order: Obj) -> Decimal:
    return q(sum((d["amount"]["amount"] for d in order.get("discounts", [])), ZERO))


def order_total(order: Obj) -> Obj:
    currency = currency_of(order)
    total = _sum_taxed([order_subtotal(order), order["shippingPrice"]], currency)
    discount = order_discount(order)
    if discount:
        rate = order.get("_tax_rate", ZERO)
        gross = max(total["gross"]["amount"] - discount, ZERO)
        net = max(total["net"]["amount"] - q(discount / (1 + rate)), ZERO)
        total = {
            "__typename": "TaxedMoney",
            "currency": currency,
            "gross": money(gross, currency),
            "net": money(net, currency),
            "tax": money(gross - net, currency),
        }
    return total


def _tx_sum(order: Obj, key: str) -> Decimal:
    return q(sum((tx[key]["amount"] for tx in order["transactions"]), ZERO))


def total_charged(order: Obj) -> Decimal:
    return _tx_sum(order, "chargedAmount")


def total_refunded(order: Obj) -> Decimal:
    return _tx_sum(order, "refundedAmount")


def total_authorized(order: Obj) -> Decimal:
    return _tx_sum(order, "authorizedAmount")


def total_canceled(order: Obj) -> Decimal:
    return _tx_sum(order, "canceledAmount")


def total_refund_pending(order: Obj) -> Decimal:
    return _tx_sum(order, "refundPendingAmount")


def total_granted(order: Obj) -> Decimal:
    return q(sum((g["amount"]["amount"] for g in order["grantedRefunds"] if g["status"] != "FAILURE"), ZERO))


def charge_status(order: Obj) -> str:
    """Saleor compares what is charged with the total minus granted refunds (samples/events/README.md)."""
    charged = total_charged(order)
    target = order_total(order)["gross"]["amount"] - total_granted(order)
    if charged <= 0 and target > 0:
        return "NONE"
    if charged < target:
        return "PARTIAL"
    if charged == target:
        return "FULL"
    return "OVERCHARGED"


def authorize_status(order: Obj) -> str:
    covered = total_charged(order) + total_authorized(order) + total_refunded(order)
    total = order_total(order)["gross"]["amount"]
    if covered <= 0 and total > 0:
        return "NONE"
    return "FULL" if covered >= total else "PARTIAL"


def payment_status(order: Obj) -> str:
    total = order_total(order)["gross"]["amount"]
    refunded = total_refunded(order)
    charged = total_charged(order)
    if refunded > 0:
        return "FULLY_REFUNDED" if refunded >= total else "PARTIALLY_REFUNDED"
    if charged <= 0:
        return "NOT_CHARGED"
    return "FULLY_CHARGED" if charged >= total else "PARTIALLY_CHARGED"
