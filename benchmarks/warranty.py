"""Benchmark: a customer's 200 warranties (terms, open claims, care guide) and the registration of a 50-line
fulfilment as one webhook task.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres .venv/bin/python benchmarks/warranty.py
It creates a throwaway database, registers warranties through the real webhook path (FULFILLMENT_CREATED ->
order mirror -> warranty handler, one delivery = one task), calls our GraphQL view in-process with a
Saleor-shaped JWT, prints p50/p95 and the SQL count per call, then drops the database.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DB_NAME", f"bench_warranty_{os.getpid()}")

import django  # noqa: E402

django.setup()

import jwt  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from benchmarks._common import create_bench_installation, time_calls  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
TASK_ROUNDS = int(os.environ.get("BENCH_TASK_ROUNDS", "20"))
API_URL = "http://127.0.0.1:9/graphql/"
CUSTOMER_ID = base64.b64encode(b"User:4711").decode()
EMAIL = "collector@example.com"
FIELDS = """
  id status productName serialNumber daysLeft isInTerm startsAt expiresAt orderNumber unitPrice { amount currency }
  terms { name durationMonths coveredIssues excludedIssues text }
  openClaims { id number status coverage symptom { code label } }
  careGuide { code title sections { topic title } }
"""


def gid(kind: str, n) -> str:
    return base64.b64encode(f"{kind}:{n}".encode()).decode()


def fulfilment_payload(order_no: int, lines: int, quantity: int) -> dict:
    return {
        "issuedAt": "2026-11-02T10:00:00+00:00",
        "order": {
            "id": gid("Order", order_no),
            "number": str(order_no),
            "status": "FULFILLED",
            "userEmail": EMAIL,
            "user": {"id": CUSTOMER_ID, "email": EMAIL},
            "channel": {"id": gid("Channel", 1), "slug": "default-channel", "currencyCode": "USD"},
            "lines": [
                {
                    "id": gid("OrderLine", f"{order_no}-{n}"),
                    "productName": f"Loafer {n}",
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
            ],
            "fulfillments": [
                {
                    "id": gid("Fulfillment", order_no),
                    "status": "FULFILLED",
                    "created": "2026-11-02T09:00:00+00:00",
                    "lines": [
                        {
                            "id": gid("FulfillmentLine", f"{order_no}-{n}"),
                            "quantity": quantity,
                            "orderLine": {"id": gid("OrderLine", f"{order_no}-{n}")},
                        }
                        for n in range(lines)
                    ],
                }
            ],
        },
    }


def run_task(installation, body: dict) -> tuple[float, int]:
    """Store one FULFILLMENT_CREATED delivery and process it (what the drain task does per delivery)."""
    from saleor_aftersales.webhooks.models import WebhookDelivery
    from saleor_aftersales.webhooks.processing import process_delivery

    raw = json.dumps(body)
    delivery = WebhookDelivery.objects.create(
        installation=installation,
        event="FULFILLMENT_CREATED",
        body=raw,
        body_sha256=hashlib.sha256(raw.encode()).hexdigest(),
    )
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        assert process_delivery(delivery.pk) == "processed"
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(captured.captured_queries)


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from saleor_aftersales.core.actors import Actor, ActorType
        from saleor_aftersales.warranty import actions
        from saleor_aftersales.warranty.models import Warranty

        installation, key = create_bench_installation(API_URL, gid("App", 1))
        gc.collect()
        gc.freeze()
        # The 50-line fulfilment, one webhook task each round (fresh order each time).
        for warm in range(3):
            run_task(installation, fulfilment_payload(900 + warm, 50, 1))
        timings, queries = [], 0
        for round_ in range(TASK_ROUNDS):
            elapsed, queries = run_task(installation, fulfilment_payload(1000 + round_, 50, 1))
            timings.append(elapsed)
        cuts = statistics.quantiles(timings, n=100)
        created = Warranty.objects.filter(order__number="1000").count()
        print(
            f"register 50-line fulfilment (one webhook task, mirror + {created} warranties): "
            f"p50 {cuts[49]:.1f} ms  p95 {cuts[94]:.1f} ms  max {max(timings):.1f} ms  SQL {queries}"
        )
        # A customer with exactly 200 warranties: a fresh customer, 50 lines x 4 units, 20 open claims.
        Warranty.objects.all().delete()
        run_task(installation, fulfilment_payload(5000, 50, 4))
        customer = Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=EMAIL)
        rows = list(Warranty.objects.filter(order__number="5000"))
        assert len(rows) == 200, len(rows)
        for warranty in rows[:20]:
            actions.create_claim(warranty=warranty, actor=customer, symptom="stitching")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        now = int(time.time())
        bearer = jwt.encode(
            {
                "iat": now,
                "exp": now + 3600,
                "iss": API_URL,
                "owner": "saleor",
                "token": uuid.uuid4().hex,
                "email": EMAIL,
                "user_id": CUSTOMER_ID,
                "is_staff": False,
                "type": "access",
            },
            key,
            algorithm="RS256",
            headers={"kid": "bench"},
        )
        client = Client()
        body = json.dumps({"query": f"{{ myWarranties(first: 200) {{ {FIELDS} }} }}"})

        def call():
            return client.post(
                "/graphql/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {bearer}"
            )

        def check(response) -> None:
            data = response.json()
            assert "errors" not in data and len(data["data"]["myWarranties"]) == 200, str(data)[:500]
            assert sum(len(w["openClaims"]) for w in data["data"]["myWarranties"]) == 20

        p50, p95, sql = time_calls(call, check, ROUNDS)
        print(
            f"myWarranties (200, terms + open claims + care guide): p50 {p50:.1f} ms  p95 {p95:.1f} ms  SQL {sql}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
