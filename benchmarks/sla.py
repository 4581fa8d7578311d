"""SLA sweep over 100 000 open clocks on PostgreSQL (target < 5 s), and a second sweep with nothing left to mark.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres .venv/bin/python benchmarks/sla.py [clocks]

A throwaway database is created and dropped. The clocks are spread so that, at the sweep's `now`, about 10% are
newly at risk and about 10% newly breached; one breach handler is registered to show its cost is per marked clock.
"""

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DB_NAME", f"bench_sla_{os.getpid()}")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from benchmarks._common import create_bench_installation  # noqa: E402

CLOCKS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def main() -> None:
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from saleor_aftersales.sla import escalation
        from saleor_aftersales.sla.models import ClockStatus, SlaClock

        installation, _key = create_bench_installation("http://127.0.0.1:9/graphql/", "QXBwOjE=")
        handled = []
        escalation.on_breach("bench_case")(lambda clock: handled.append(clock.pk))
        started = time.perf_counter()
        batch = []
        for n in range(CLOCKS):
            bucket = n % 10
            # bucket 0: breached by now; bucket 1: inside the warning window; others: on track.
            due = (
                NOW - timedelta(minutes=5)
                if bucket == 0
                else NOW + timedelta(minutes=20 if bucket == 1 else 600)
            )
            batch.append(
                SlaClock(
                    installation=installation,
                    subject_type="bench_case" if n % 2 == 0 else "bench_return",
                    subject_id=str(n),
                    metric="resolution",
                    status=ClockStatus.RUNNING,
                    started_at=NOW - timedelta(hours=2),
                    due_at=due,
                    warn_at=due - timedelta(minutes=30),
                    target_minutes=120,
                )
            )
            if len(batch) == 10_000:
                SlaClock.objects.bulk_create(batch)
                batch = []
        if batch:
            SlaClock.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sla_slaclock")
        print(f"created {CLOCKS} open clocks in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        first = escalation.sweep(NOW)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = escalation.sweep(NOW)
        second_s = time.perf_counter() - started
        print(
            f"sweep 1: {first_s:.2f} s  warned {first['warned']}  breached {first['breached']}  "
            f"breach handlers run {len(handled)}  (target < 5 s)"
        )
        print(f"sweep 2: {second_s:.3f} s  warned {second['warned']}  breached {second['breached']}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
