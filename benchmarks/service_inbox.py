"""Benchmark: the staff inbox of 100 service cases (SLA state, last message, tags) at 10 000 stored cases.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres .venv/bin/python benchmarks/service_inbox.py

A throwaway database is created and dropped. Each case has two messages (customer + reply, bodies encrypted),
two SLA clocks and a tag; the inbox is called in-process through our GraphQL view with a staff JWT.
Prints p50/p95 and the SQL count per call (unfiltered; and filtered by status + breached + tag).
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DB_NAME", f"bench_service_{os.getpid()}")

import django  # noqa: E402

django.setup()

import jwt  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from benchmarks._common import create_bench_installation, time_calls  # noqa: E402

TOTAL = int(os.environ.get("BENCH_CASES", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
API_URL = "http://127.0.0.1:9/graphql/"
NOW = datetime.now(UTC)
FIELDS = """
  id number status priority channel subject slaState slaDueAt tags assigneeId customerEmail
  lastMessage { kind body createdAt authorType }
"""


def gid(kind: str, n) -> str:
    return base64.b64encode(f"{kind}:{n}".encode()).decode()


def seed(installation) -> None:
    from saleor_aftersales.service.contact import email_digest
    from saleor_aftersales.service.models import CaseSequence, CaseTag, ServiceCase, ServiceMessage
    from saleor_aftersales.sla.models import SlaClock

    statuses = ["new", "open", "waiting_on_customer", "resolved", "closed"]
    priorities = ["low", "normal", "high", "urgent"]
    cases = ServiceCase.objects.bulk_create(
        [
            ServiceCase(
                installation=installation,
                number=f"C-{n + 1:06d}",
                kind="complaint" if n % 2 else "consultation",
                status=statuses[n % len(statuses)],
                priority=priorities[n % len(priorities)],
                subject=f"Case {n}",
                customer_user_id=gid("User", 10_000 + n // 5),
                customer_email=f"c{n // 5}@example.com",
                customer_email_digest=email_digest(f"c{n // 5}@example.com"),
                assignee_user_id=gid("User", n % 7) if n % 3 else "",
                last_message_at=NOW - timedelta(minutes=n),
            )
            for n in range(TOTAL)
        ],
        batch_size=2000,
    )
    CaseSequence.objects.create(installation=installation, last_value=TOTAL)
    messages = ServiceMessage.objects.bulk_create(
        [
            ServiceMessage(
                case=case, kind=kind, author_type=author, body=f"{kind} message of case {case.number}"
            )
            for case in cases
            for kind, author in (("customer", "customer"), ("reply", "staff"))
        ],
        batch_size=4000,
    )
    last = {m.case_id: m for m in messages}
    for case in cases:
        case.last_message = case.last_public_message = last[case.pk]
    ServiceCase.objects.bulk_update(cases, ["last_message", "last_public_message"], batch_size=2000)
    CaseTag.objects.bulk_create(
        [CaseTag(case=case, tag=["shoes", "delivery", "refund"][n % 3]) for n, case in enumerate(cases)],
        batch_size=4000,
    )
    SlaClock.objects.bulk_create(
        [
            SlaClock(
                installation=installation,
                subject_type="service_case",
                subject_id=str(case.pk),
                metric=metric,
                status="running" if n % 5 < 3 else "met",
                started_at=NOW - timedelta(hours=1),
                due_at=NOW
                + timedelta(minutes=(-10 if n % 4 == 0 else 30) if metric == "first_response" else 1400),
                target_minutes=30 if metric == "first_response" else 1440,
            )
            for n, case in enumerate(cases)
            for metric in ("first_response", "resolution")
        ],
        batch_size=4000,
    )


def token(key, **claims) -> str:
    now = int(time.time())
    base = {"iat": now, "exp": now + 3600, "iss": API_URL, "owner": "saleor", "token": uuid.uuid4().hex}
    return jwt.encode({**base, **claims}, key, algorithm="RS256", headers={"kid": "bench"})


def measure(client: Client, query: str, bearer: str, expect: int) -> tuple[float, float, int]:
    body = json.dumps({"query": query})

    def call():
        return client.post(
            "/graphql/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {bearer}"
        )

    def check(response) -> None:
        data = response.json()
        assert "errors" not in data and len(data["data"]["serviceCases"]) == expect, str(data)[:500]

    return time_calls(call, check, ROUNDS)


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        installation, key = create_bench_installation(API_URL, gid("App", 1))
        t0 = time.perf_counter()
        seed(installation)
        print(f"seeded {TOTAL} cases (2 messages, 2 clocks, 1 tag each) in {time.perf_counter() - t0:.1f}s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        gc.collect()
        gc.freeze()
        client = Client()
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
        p50, p95, sql = measure(client, f"{{ serviceCases(first: 100) {{ {FIELDS} }} }}", staff, 100)
        print(
            f"staff inbox (100 of {TOTAL}, SLA state + last message + tags): p50 {p50:.1f} ms  p95 {p95:.1f} ms  SQL {sql}"
        )
        filtered = (
            '{ serviceCases(first: 100, filter: {statuses: [NEW, OPEN], breached: true, tag: "shoes"}) { '
            + FIELDS
            + " } }"
        )
        p50, p95, sql = measure(client, filtered, staff, 100)
        print(
            f"staff inbox (100, status + breached + tag filter):        p50 {p50:.1f} ms  p95 {p95:.1f} ms  SQL {sql}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
