"""Benchmark: loyalty ledger earn and redeem operations per second on PostgreSQL, and the balance query time for
an account with 10 000 ledger entries against one with 10 (it must not grow with history).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres .venv/bin/python benchmarks/loyalty_ledger.py
It creates a throwaway database, runs the real actions (each operation is its own transaction with the account row
locked, as in production), prints the figures, then drops the database.

- earn: `award_action_points` (public action: locked member row read with its programme and the idempotency key,
  lot + entry + cached balance in one statement) from BENCH_WORKERS processes (default 4, as a 2-core deployment
  runs 2-4 Celery worker processes), each on its own existing members;
- redeem: `redeem_points` (locked read, FEFO lots, entry + balance + consumed lots + provenance) likewise;
- earn from orders: `earn_for_order` (ORDER_FULLY_PAID) on 5-line orders, one transaction per order;
- per operation: ops/s over the wall time, p50/p95 latency, SQL statements (BEGIN/COMMIT included);
- balance: the balance read (selector), `myLoyaltyAccount { availablePoints pendingPoints }` and `account_summary`
  (balance + tier) p50/p95 at 10 and at 10 000 ledger entries;
- the machine's load average before and after (other processes share the cores).
"""

from __future__ import annotations

import base64
import multiprocessing
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DB_NAME", f"bench_loyalty_{os.getpid()}")

import django  # noqa: E402

django.setup()

import jwt  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from benchmarks._common import create_bench_installation, time_calls  # noqa: E402

OPS = int(os.environ.get("BENCH_OPS", "4000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "10000"))
MEMBERS_PER_WORKER = 100
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))
API_URL = "http://127.0.0.1:9/graphql/"
CHANNEL = "default-channel"


def gid(kind: str, n) -> str:
    return base64.b64encode(f"{kind}:{n}".encode()).decode()


def run_parallel(work, total: int) -> tuple[float, float, float]:
    """Split `total` operations over WORKERS forked processes (own DB connection each, no GIL sharing);
    return (operations per second over the wall time of the slowest worker, p50 ms, p95 ms per operation)."""
    per_worker = total // WORKERS
    connections.close_all()  # children must not share the parent's socket
    barrier = multiprocessing.Barrier(WORKERS + 1)
    results: multiprocessing.Queue = multiprocessing.Queue()

    def worker(w: int) -> None:
        try:
            timings = []
            backend = backend_pid()
            barrier.wait()
            cpu, server = time.process_time(), process_cpu_seconds(backend)
            for i in range(per_worker):
                started = time.perf_counter()
                work(w, i)
                timings.append((time.perf_counter() - started) * 1000)
            cpu, server = time.process_time() - cpu, process_cpu_seconds(backend) - server
            results.put(("ok", (timings, cpu, server)))
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            results.put(("error", repr(exc)))
        finally:
            connections.close_all()

    processes = [multiprocessing.Process(target=worker, args=(w,)) for w in range(WORKERS)]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    outcomes = [results.get() for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    failures = [detail for status, detail in outcomes if status != "ok"]
    if failures:
        raise RuntimeError(failures[0])
    timings = sorted(t for _, (worker_timings, _, _) in outcomes for t in worker_timings)
    cuts = statistics.quantiles(timings, n=100)
    ops = per_worker * WORKERS
    client_ms = sum(cpu for _, (_, cpu, _) in outcomes) * 1000 / ops
    server_ms = sum(server for _, (_, _, server) in outcomes) * 1000 / ops
    CPU_PER_OP.append((client_ms, server_ms))
    return ops / elapsed, cuts[49], cuts[94]


# (app process CPU ms, PostgreSQL backend CPU ms) per operation of the last run_parallel call.
CPU_PER_OP: list[tuple[float, float]] = []


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a local process (the PostgreSQL backend serving this worker); 0 if not readable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_note() -> str:
    client, server = CPU_PER_OP[-1]
    capacity = 2000 / (client + server) if client + server else 0
    return (
        f"CPU/op app {client:.2f} ms + PostgreSQL {server:.2f} ms "
        f"(=> at most {capacity:.0f} ops/s on 2 idle cores)"
    )


def sql_per_op(work, w: int, i: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        work(w, i)
    return len(captured.captured_queries)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


LINES_PER_ORDER = 5


def seed_orders(installation, count: int, *, first: int = 0, customer_offset: int = 0) -> list[int]:
    """Paid, unfulfilled orders in the mirror (order n by customer n - customer_offset), LINES_PER_ORDER lines
    of 20.00 net."""
    from saleor_aftersales.orders.models import Order, OrderLine

    orders = Order.objects.bulk_create(
        [
            Order(
                installation=installation,
                saleor_id=gid("Order", n),
                number=str(n),
                is_paid=True,
                channel_slug=CHANNEL,
                user_id=gid("User", f"o{n - customer_offset}"),
                user_email=f"o{n - customer_offset}@example.com",
                total_gross=Decimal("110"),
                total_charged=Decimal("110"),
                shipping_gross=Decimal("10"),
            )
            for n in range(first, first + count)
        ]
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                saleor_id=gid("OrderLine", f"{order.pk}-{k}"),
                quantity=1,
                total_price_net=Decimal("20"),
                total_price_gross=Decimal("20"),
            )
            for order in orders
            for k in range(LINES_PER_ORDER)
        ]
    )
    return [order.pk for order in orders]


def build_history(account, actions, ledger, Actor, entries: int) -> None:
    """`entries` ledger rows on one account: alternating earn (own lot) and FEFO redeem."""
    from saleor_aftersales.core.time import now

    system = Actor.system("bench")
    started = time.perf_counter()
    for i in range(entries // 2):
        if i and i % 1000 == 0 and entries >= 2000:
            print(
                f"  history: entries {2 * i - 2000}-{2 * i}: {2000 / (time.perf_counter() - started):.0f} ops/s"
            )
            started = time.perf_counter()
        with transaction.atomic():
            locked = ledger.lock_account(account.pk)
            ledger.add_lot(
                locked,
                key=f"h-earn:{i}",
                source="action",
                points=20,
                now=now(),
                expiry_days=365,
                actor=system,
            )
        actions.redeem_points(account=locked, points=10, idempotency_key=f"h-redeem:{i}", actor=system)


def main() -> None:
    from saleor_aftersales.celery import app as celery_app

    # As deployed: tasks (the "points earned" e-mail) go to the broker after commit and a worker sends them; the
    # test settings' eager mode would run the sending inside the measured webhook transaction instead.
    celery_app.conf.task_always_eager = False
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from saleor_aftersales.core.actors import Actor
        from saleor_aftersales.loyalty import actions, ledger, selectors
        from saleor_aftersales.loyalty.models import LedgerEntry
        from saleor_aftersales.orders.models import Order

        installation, key = create_bench_installation(API_URL, gid("App", 1))
        staff = Actor.system("bench")
        actions.save_programme(
            installation=installation,
            channel_slug=CHANNEL,
            actor=staff,
            values={"signup_points": 10, "survey_completed_points": 10},
        )
        # Members exist already (an account is created once per member, on its first points); each worker
        # earns and redeems on its own MEMBERS_PER_WORKER members, so no worker waits on another's row lock.
        members = {
            (w, m): actions.ensure_account(
                installation=installation,
                channel_slug=CHANNEL,
                email=f"m{w}-{m}@example.com",
                user_id=gid("User", f"{w}-{m}"),
            )
            for w in range(WORKERS)
            for m in range(MEMBERS_PER_WORKER)
        }

        def earn(w: int, i: int) -> None:
            m = i % MEMBERS_PER_WORKER
            actions.award_action_points(
                installation=installation,
                action="survey_completed",
                customer_email=f"m{w}-{m}@example.com",
                customer_user_id=gid("User", f"{w}-{m}"),
                reference=f"survey-{w}-{i}",
                actor=staff,
                channel_slug=CHANNEL,
            )

        print(f"before: {load()}; {WORKERS} worker processes, {OPS} operations per kind")
        earn_rate, p50, p95 = run_parallel(earn, OPS)
        sql = sql_per_op(earn, 0, OPS)
        print(
            f"earn   (award_action_points): {earn_rate:7.0f} ops/s  p50 {p50:.2f} ms  p95 {p95:.2f} ms  "
            f"SQL/op {sql}  {cpu_note()}"
        )

        def redeem(w: int, i: int) -> None:
            actions.redeem_points(
                account=members[(w, i % MEMBERS_PER_WORKER)],
                points=7,
                idempotency_key=f"r-{w}-{i}",
                actor=staff,
            )

        redeem_rate, p50, p95 = run_parallel(redeem, OPS)
        sql = sql_per_op(redeem, 0, OPS)
        print(
            f"redeem (redeem_points FEFO):  {redeem_rate:7.0f} ops/s  p50 {p50:.2f} ms  p95 {p95:.2f} ms  "
            f"SQL/op {sql}  {cpu_note()}"
        )
        assert LedgerEntry.objects.filter(type="redeem").count() == OPS + 1
        assert LedgerEntry.objects.filter(type="earn").count() == OPS + 1

        # A programme as merchants run it: tiers (3) and earn rules (2) are read by every order earning.
        programme = actions.save_programme(
            installation=installation, channel_slug=CHANNEL, actor=staff, values={}
        )
        for code, threshold, multiplier in (("silver", 500, "1.1"), ("gold", 2000, "1.25"), ("base", 0, "1")):
            actions.save_tier(
                programme=programme,
                code=code,
                values={
                    "name_en": code,
                    "name_zh_hans": code,
                    "threshold": Decimal(threshold),
                    "multiplier": Decimal(multiplier),
                },
            )
        for scope, target in (("product", gid("Product", 1)), ("category", gid("Category", 1))):
            actions.set_earn_rule(programme=programme, scope=scope, target_id=target, multiplier=Decimal("2"))
        orders = seed_orders(installation, OPS // LINES_PER_ORDER + 1)

        def sql_of_order(pk: int) -> int:
            order = Order.objects.select_related("installation").get(pk=pk)
            return sql_per_op(lambda w, i: actions.earn_for_order(order=order, actor=Actor.saleor()), 0, 0)

        sql = {"first-time customers": sql_of_order(orders[-1])}
        orders = orders[:-1]

        def order_run(ids: list[int], label: str) -> None:
            # The webhook handler gets the mirrored order from the mirror's sync (ctx.order): load them first.
            loaded = {o.pk: o for o in Order.objects.select_related("installation").filter(pk__in=ids)}
            per_worker = len(ids) // WORKERS

            def earn_order(w: int, i: int) -> None:
                actions.earn_for_order(order=loaded[ids[w * per_worker + i]], actor=Actor.saleor())

            before = LedgerEntry.objects.filter(type="earn_pending").count()
            rate, p50, p95 = run_parallel(earn_order, per_worker * WORKERS)
            entries = LedgerEntry.objects.filter(type="earn_pending").count() - before
            assert entries == per_worker * WORKERS * LINES_PER_ORDER, entries
            note = cpu_note()
            again = sql_per_op(earn_order, 0, 0)  # a re-delivery of an earned order (idempotent)
            print(
                f"earn   (ORDER_FULLY_PAID earn_for_order, {LINES_PER_ORDER} lines/order, {label}): "
                f"{rate:5.0f} orders/s = {rate * LINES_PER_ORDER:5.0f} earn entries/s  p50 {p50:.2f} ms  "
                f"p95 {p95:.2f} ms  SQL/order {sql[label]} (re-delivery {again})  {note}"
            )

        count = len(orders)
        # Second orders of the same customers: known members (tier from the rolling 12 months, idempotency read).
        repeat = seed_orders(installation, count, first=count + 1, customer_offset=count + 1)
        order_run(orders, "first-time customers")
        sql["known members"] = sql_of_order(repeat[-1])
        order_run(repeat[:-1], "known members")

        small = actions.ensure_account(
            installation=installation, channel_slug=CHANNEL, email="small@example.com", user_id="small"
        )
        large = actions.ensure_account(
            installation=installation, channel_slug=CHANNEL, email="large@example.com", user_id="large"
        )
        build_history(small, actions, ledger, Actor, 10)
        t0 = time.perf_counter()
        build_history(large, actions, ledger, Actor, HISTORY)
        print(
            f"built {LedgerEntry.objects.filter(account=large).count()} ledger entries on one account in {time.perf_counter() - t0:.1f}s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        client = Client()
        private = key
        for label, account in (("10 entries", small), (f"{HISTORY} entries", large)):
            p50, p95, sql = time_calls(
                lambda account=account: selectors.account_of(installation, CHANNEL, user_id=account.user_id),
                lambda found: None,
                ROUNDS,
            )
            print(f"balance read (selector), {label:>14}: p50 {p50:.2f} ms  p95 {p95:.2f} ms  SQL {sql}")
            token = jwt.encode(
                {
                    "iat": int(time.time()),
                    "exp": int(time.time()) + 3600,
                    "iss": API_URL,
                    "token": "t",
                    "email": account.email,
                    "user_id": account.user_id,
                    "is_staff": False,
                    "type": "access",
                },
                private,
                algorithm="RS256",
                headers={"kid": "bench"},
            )
            query = '{ myLoyaltyAccount(channel: "default-channel") { availablePoints pendingPoints redemptionBlocked } }'

            def call(token=token, query=query):
                return client.post(
                    "/graphql/",
                    {"query": query},
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}",
                )

            def check(response):
                assert response.status_code == 200 and "errors" not in response.json(), response.content

            p50, p95, sql = time_calls(call, check, ROUNDS)
            print(f"balance via GraphQL,     {label:>14}: p50 {p50:.2f} ms  p95 {p95:.2f} ms  SQL {sql}")
            p50, p95, sql = time_calls(
                lambda account=account: selectors.account_summary(installation, user_id=account.user_id),
                lambda summary: None,
                ROUNDS,
            )
            print(f"account_summary (+tier), {label:>14}: p50 {p50:.2f} ms  p95 {p95:.2f} ms  SQL {sql}")
        large.refresh_from_db()
        assert large.available_points == HISTORY // 2 * 10
        print(f"after: {load()}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
