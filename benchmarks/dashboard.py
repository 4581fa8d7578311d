"""Benchmark: the order widget, returns queue and homepage widget fragments at 10 000 stored return requests.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres .venv/bin/python benchmarks/dashboard.py
Creates a throwaway database, seeds it with the returns benchmark's bulk seeder (one order per request, lines,
timeline, SLA clocks), calls the Dashboard fragments in-process with a Saleor-shaped Dashboard JWT, prints
p50/p95 and SQL per call, then drops the database. Target: order widget p95 < 300 ms.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DB_NAME", f"bench_dashboard_{os.getpid()}")

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from benchmarks._common import create_bench_installation, time_calls  # noqa: E402
from benchmarks.returns_api import API_URL, TOTAL_REQUESTS, gid, seed, token  # noqa: E402 (sets up Django)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))
LEDGER_ENTRIES = int(os.environ.get("BENCH_LEDGER_ENTRIES", "300"))


def measure(client: Client, path: str, bearer: str, marker: str) -> tuple[float, float, int]:
    def call():
        return client.get(path, HTTP_AUTHORIZATION_BEARER=bearer, HTTP_SALEOR_API_URL=API_URL)

    def check(response) -> None:
        assert response.status_code == 200 and marker in response.content.decode(), response.status_code

    return time_calls(call, check, ROUNDS)


def seed_loyalty_member(installation, user_id: str, entries: int = LEDGER_ENTRIES) -> str:
    """A member with a long ledger (one lot per adjustment) in two channels, for the customer widget."""
    from saleor_aftersales.core.actors import Actor, ActorType
    from saleor_aftersales.loyalty import actions as loyalty_actions

    staff = Actor(type=ActorType.STAFF, user_id=gid("User", 1), email="staff@example.com")
    for channel in ("default-channel", "cn"):
        loyalty_actions.save_programme(
            installation=installation,
            channel_slug=channel,
            actor=staff,
            values={"staff_daily_adjustment_limit": 1_000_000},
        )
        account = loyalty_actions.ensure_account(
            installation=installation, channel_slug=channel, email="c7@example.com", user_id=user_id
        )
        for n in range(entries):
            loyalty_actions.adjust_points(account=account, points=1 + n % 7, reason=f"seed {n}", actor=staff)
    return user_id


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        installation, key = create_bench_installation(API_URL, gid("App", 1))
        t0 = time.perf_counter()
        seed(installation)
        print(f"seeded {TOTAL_REQUESTS} return requests in {time.perf_counter() - t0:.1f}s")
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
            permissions=["MANAGE_ORDERS", "MANAGE_USERS"],
            user_permissions=["MANAGE_ORDERS", "MANAGE_USERS"],
        )
        member = seed_loyalty_member(installation, gid("User", 10_007))
        order_id = gid("Order", TOTAL_REQUESTS // 2)
        for label, path, marker in (
            ("order widget", f"/dashboard/frag/widgets/order?orderId={order_id}", "data-rma="),
            ("returns queue (open, 50)", "/dashboard/frag/returns", "data-rma="),
            ("returns queue search", "/dashboard/frag/returns?status=&q=RMA-005000", "RMA-005000"),
            ("homepage widget", "/dashboard/frag/widgets/home", 'data-figure="open"'),
            ("customer widget", f"/dashboard/frag/widgets/customer?customerId={member}", "data-lot="),
        ):
            p50, p95, sql = measure(client, path, staff, marker)
            print(f"{label:<28} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  SQL {sql}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
