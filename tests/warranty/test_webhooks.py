"""ORDER_FULFILLED / FULFILLMENT_CREATED -> one warranty per fulfilled unit, idempotent under re-deliveries."""

from __future__ import annotations

import hashlib
import json
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_aftersales.warranty.models import Warranty, WarrantyEvent
from saleor_aftersales.webhooks.models import WebhookDelivery
from saleor_aftersales.webhooks.processing import process_delivery

from .factories import CUSTOMER_EMAIL, CUSTOMER_ID, gid


def deliver(installation, event, payload, *, issued_at="2026-11-02T10:00:00+00:00"):
    raw = json.dumps({"issuedAt": issued_at, **payload})
    delivery = WebhookDelivery.objects.create(
        installation=installation, event=event, body=raw, body_sha256=hashlib.sha256(raw.encode()).hexdigest()
    )
    assert process_delivery(delivery.pk) == "processed"


def payload(lines: int, quantity: int = 1, *, fulfillments=1):
    order_lines = [
        {
            "id": gid("OrderLine", n),
            "productName": f"Loafer {n}",
            "productSku": f"LOAF-{n}",
            "quantity": quantity,
            "quantityFulfilled": quantity,
            "unitPrice": {
                "gross": {"amount": 90, "currency": "USD"},
                "net": {"amount": 90, "currency": "USD"},
            },
            "variant": {
                "id": gid("ProductVariant", n),
                "product": {
                    "id": gid("Product", n),
                    "productType": {"id": gid("ProductType", 1), "name": "Leather shoes"},
                    "category": {"id": gid("Category", 1), "name": "Shoes"},
                },
            },
        }
        for n in range(lines)
    ]
    per = max(lines // fulfillments, 1)
    return {
        "order": {
            "id": gid("Order", 55),
            "number": "55",
            "status": "FULFILLED",
            "userEmail": CUSTOMER_EMAIL,
            "user": {"id": CUSTOMER_ID, "email": CUSTOMER_EMAIL},
            "channel": {"id": gid("Channel", 1), "slug": "default-channel", "currencyCode": "USD"},
            "lines": order_lines,
            "fulfillments": [
                {
                    "id": gid("Fulfillment", f),
                    "status": "FULFILLED",
                    "created": "2026-11-02T09:00:00+00:00",
                    "lines": [
                        {
                            "id": gid("FulfillmentLine", n),
                            "quantity": quantity,
                            "orderLine": {"id": gid("OrderLine", n)},
                        }
                        for n in range(f * per, min((f + 1) * per, lines))
                    ],
                }
                for f in range(fulfillments)
            ],
        }
    }


def test_fulfilment_registers_each_unit_once_across_both_events_and_redeliveries(installation):
    body = payload(2, quantity=3)
    deliver(installation, "FULFILLMENT_CREATED", body)
    deliver(installation, "ORDER_FULFILLED", body, issued_at="2026-11-02T10:00:01+00:00")
    # Identical bytes are deduplicated by the inbox; a re-rendered payload is handled again and adds nothing.
    deliver(installation, "ORDER_FULFILLED", body, issued_at="2026-11-02T10:00:02+00:00")
    rows = list(Warranty.objects.order_by("id"))
    assert len(rows) == 6
    assert sorted((w.order_line.saleor_id, w.unit_index) for w in rows) == sorted(
        (gid("OrderLine", n), u) for n in range(2) for u in range(3)
    )
    assert WarrantyEvent.objects.count() == 6
    assert {w.customer_email for w in rows} == {CUSTOMER_EMAIL}


def test_a_second_fulfilment_adds_only_its_units(installation):
    first = payload(4, fulfillments=2)
    only_first = json.loads(json.dumps(first))
    only_first["order"]["fulfillments"] = only_first["order"]["fulfillments"][:1]
    deliver(installation, "FULFILLMENT_CREATED", only_first)
    assert Warranty.objects.count() == 2
    deliver(installation, "FULFILLMENT_CREATED", first, issued_at="2026-11-03T10:00:00+00:00")
    assert Warranty.objects.count() == 4


def test_fifty_lines_register_in_one_task_with_constant_queries(installation):
    """The registration action's own SQL does not grow with the lines (bulk inserts)."""
    from saleor_aftersales.orders.models import Order
    from saleor_aftersales.warranty import actions

    deliver(installation, "ORDER_CONFIRMED", payload(50))  # mirror only: no warranties yet
    order = Order.objects.get()
    assert Warranty.objects.count() == 0
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        created = actions.register_order_warranties(order=order, installation=installation)
        elapsed = time.perf_counter() - started
    assert created == 50
    assert len(captured.captured_queries) <= 12, [q["sql"][:80] for q in captured.captured_queries]
    assert elapsed < 2.0  # generous here; benchmarks/warranty.py measures the real figure on PostgreSQL
