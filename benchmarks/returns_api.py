"""Benchmark: the customer's list of 50 return requests and the staff queue of 100, at 10 000 stored requests.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres .venv/bin/python benchmarks/returns_api.py
It creates a throwaway database (Django's test-database machinery), seeds it in bulk, calls our GraphQL view
in-process with real Saleor-shaped JWTs, prints p50/p95 and the SQL count per call, then drops the database.
"""

from __future__ import annotations

import base64
import gc
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DB_NAME", f"bench_returns_{os.getpid()}")

import django  # noqa: E402

django.setup()

import jwt  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from benchmarks._common import create_bench_installation, time_calls  # noqa: E402

TOTAL_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "10000"))
PER_CUSTOMER = 50
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
API_URL = "http://127.0.0.1:9/graphql/"

FIELDS = """
  id number status orderNumber slaState
  refundAmount { amount currency }
  lines { id productName quantity approvedQuantity receivedQuantity unitPrice { amount } reason { code label } }
  timeline { type actorType fromStatus toStatus message createdAt }
  photos { id contentType }
  settlements { kind status }
"""


def gid(kind: str, n) -> str:
    return base64.b64encode(f"{kind}:{n}".encode()).decode()


def seed(installation) -> list[str]:
    """Bulk rows: one order (2 lines, fulfilled) per request, 50 requests per customer, 3 timeline rows each."""
    from saleor_aftersales.orders.models import Fulfillment, FulfillmentLine, Order, OrderLine
    from saleor_aftersales.returns.models import ReturnEvent, ReturnLine, ReturnRequest, ReturnSequence
    from saleor_aftersales.sla.models import SlaClock

    started = datetime(2026, 10, 1, tzinfo=UTC)
    statuses = ["requested", "approved", "in_transit", "received", "resolved"]
    customers = [gid("User", 10_000 + c) for c in range(TOTAL_REQUESTS // PER_CUSTOMER)]
    orders = Order.objects.bulk_create(
        [
            Order(
                installation=installation,
                saleor_id=gid("Order", n),
                number=str(n),
                status="FULFILLED",
                channel_slug="default-channel" if n % 3 else "cn",
                currency="USD",
                user_id=customers[n // PER_CUSTOMER],
                user_email=f"c{n // PER_CUSTOMER}@example.com",
                fulfilled_at=started,
            )
            for n in range(TOTAL_REQUESTS)
        ],
        batch_size=2000,
    )
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                saleor_id=gid("OrderLine", f"{order.pk}-{i}"),
                product_name=f"Product {i}",
                quantity=1,
                quantity_fulfilled=1,
                unit_price_gross=Decimal("25.00"),
                unit_price_net=Decimal("25.00"),
            )
            for order in orders
            for i in range(2)
        ],
        batch_size=4000,
    )
    fulfillments = Fulfillment.objects.bulk_create(
        [
            Fulfillment(order=o, saleor_id=gid("Fulfillment", o.pk), status="FULFILLED", fulfilled_at=started)
            for o in orders
        ],
        batch_size=2000,
    )
    by_order = {f.order_id: f for f in fulfillments}
    FulfillmentLine.objects.bulk_create(
        [
            FulfillmentLine(
                fulfillment=by_order[ln.order_id], saleor_id=gid("FL", ln.pk), order_line=ln, quantity=1
            )
            for ln in lines
        ],
        batch_size=4000,
    )
    requests = ReturnRequest.objects.bulk_create(
        [
            ReturnRequest(
                installation=installation,
                number=f"RMA-{n + 1:06d}",
                order=order,
                channel_slug=order.channel_slug,
                currency="USD",
                customer_user_id=order.user_id,
                customer_email=order.user_email,
                resolution="refund",
                status=statuses[n % len(statuses)],
            )
            for n, order in enumerate(orders)
        ],
        batch_size=2000,
    )
    ReturnSequence.objects.create(installation=installation, last_value=len(requests))
    order_lines: dict[int, list] = {}
    for ln in lines:
        order_lines.setdefault(ln.order_id, []).append(ln)
    ReturnLine.objects.bulk_create(
        [
            ReturnLine(
                request=r,
                order_line=ln,
                quantity=1,
                approved_quantity=1,
                reason_code="wrong-size",
                reason_category="no_reason",
            )
            for r in requests
            for ln in order_lines[r.order_id]
        ],
        batch_size=4000,
    )
    ReturnEvent.objects.bulk_create(
        [
            ReturnEvent(request=r, type=t, actor_type="customer", from_status=f, to_status=to)
            for r in requests
            for t, f, to in (
                ("created", "", "requested"),
                ("approve", "requested", "approved"),
                ("ship", "approved", "in_transit"),
            )
        ],
        batch_size=6000,
    )
    SlaClock.objects.bulk_create(
        [
            SlaClock(
                installation=installation,
                subject_type="return_request",
                subject_id=str(r.pk),
                metric="decision",
                started_at=started,
                due_at=started + timedelta(hours=48),
                target_minutes=48 * 60,
            )
            for r in requests
        ],
        batch_size=4000,
    )
    return customers


def token(key, **claims) -> str:
    now = int(time.time())
    base = {"iat": now, "exp": now + 3600, "iss": API_URL, "owner": "saleor", "token": uuid.uuid4().hex}
    return jwt.encode({**base, **claims}, key, algorithm="RS256", headers={"kid": "bench"})


def measure(client: Client, query: str, bearer: str, expect: int, field: str) -> tuple[float, float, int]:
    body = json.dumps({"query": query})

    def call():
        return client.post(
            "/graphql/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {bearer}"
        )

    def check(response) -> None:
        data = response.json()
        assert "errors" not in data and len(data["data"][field]) == expect, str(data)[:500]

    return time_calls(call, check, ROUNDS)


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        installation, key = create_bench_installation(API_URL, gid("App", 1))
        t0 = time.perf_counter()
        customers = seed(installation)
        print(f"seeded {TOTAL_REQUESTS} return requests in {time.perf_counter() - t0:.1f}s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        # Like a preloaded production worker: long-lived objects (Django, the schema) leave the young GC
        # generations, so collections during a request do not rescan them.
        gc.collect()
        gc.freeze()
        client = Client()
        customer = token(key, email="c7@example.com", user_id=customers[7], is_staff=False, type="access")
        staff = token(
            key,
            email="staff@example.com",
            user_id=gid("User", 1),
            is_staff=True,
            type="thirdparty",
            app=gid("App", 1),
            permissions=["MANAGE_ORDERS"],
            user_permissions=["MANAGE_ORDERS"],
        )
        p50, p95, sql = measure(
            client, f"{{ myReturnRequests(first: 50) {{ {FIELDS} }} }}", customer, 50, "myReturnRequests"
        )
        print(
            f"customer list (50 requests, lines, reasons, timeline): p50 {p50:.1f} ms  p95 {p95:.1f} ms  SQL {sql}"
        )
        staff_query = (
            '{ returnRequests(first: 100, filter: {statuses: [REQUESTED, APPROVED], slaState: "breached"}) { '
            + FIELDS
            + " } }"
        )
        p50, p95, sql = measure(client, staff_query, staff, 100, "returnRequests")
        print(
            f"staff queue (100, status + SLA filter):                p50 {p50:.1f} ms  p95 {p95:.1f} ms  SQL {sql}"
        )
        p50, p95, sql = measure(
            client, f"{{ returnRequests(first: 100) {{ {FIELDS} }} }}", staff, 100, "returnRequests"
        )
        print(
            f"staff queue (100, unfiltered):                         p50 {p50:.1f} ms  p95 {p95:.1f} ms  SQL {sql}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
