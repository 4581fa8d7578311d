"""The webhook inbox's write path: less than one database round trip and no broker publish per delivery.

Why: ingest must answer Saleor fast under bursts (Saleor times out and retries slow deliveries). On PostgreSQL a
delivery is stored, or counted as a duplicate, by INSERT ... ON CONFLICT in autocommit, and concurrent
deliveries in one process share that statement and its commit (group commit, below). Processing is
started by a wake-up flag instead of one Celery message per delivery: the first delivery after the drain task
starts sets the flag and publishes one `webhooks.drain_inbox`; later deliveries see the flag and skip the
publish. The drain clears the flag before it scans, so a delivery committed before the clear is seen by the
scan and one committed after it publishes a new drain: nothing is left behind. The beat sweep
(`process_stale_deliveries`) remains the safety net for a lost message.

Group commit (`WEBHOOK_GROUP_COMMIT`, PostgreSQL in autocommit): a request thread queues its row; if no write is
in flight in this process it becomes the leader, takes everything queued (at most GROUP_COMMIT_MAX_ROWS) and
writes it with one `INSERT ... SELECT FROM unnest(...) ON CONFLICT ... RETURNING` (one statement = one commit)
on its own connection; the others wait for that commit. Rows queued while a write is in flight form the next
batch, whose first row's thread is handed the lead, so there is no timer and no added latency when idle: a lone
delivery is a batch of one. Every caller returns only after the statement that holds its row has committed, and
an error fails exactly the callers in that batch (nothing of it is stored: it is one statement), who answer 5xx
so Saleor retries. The same key twice in one batch is one row (duplicates counted), as ON CONFLICT cannot touch
a row twice in one statement.

The drain wake-up after a group commit is handed to one waker thread per process (`_Waker`): a leader only sets
a flag; the waker clears the flag and then calls wake_drain(), so every commit is followed by at least one
wake_drain() that starts after it (the guarantee the inline call gave), the Redis round trip leaves the
request path, and under load one call covers many batches. With eager Celery (tests) the wake stays inline.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from ..core.time import now
from ..installations.models import Installation
from .models import DeliveryStatus, WebhookDelivery

logger = logging.getLogger(__name__)

DRAIN_WAKEUP_KEY = "webhooks:drain-wakeup"
# A lost drain message (broker down after the flag was set) blocks wake-ups this long; the sweep catches up.
DRAIN_WAKEUP_TTL_SECONDS = 60

_UPSERT_SQL = f"""
INSERT INTO {WebhookDelivery._meta.db_table}
    (installation_id, event, body_sha256, body, received_at, issued_at, issued_by_app, duplicates, status,
     attempts, processed_at, error)
VALUES (%s, %s, %s, %s, %s, %s, %s, 0, %s, 0, NULL, '')
ON CONFLICT (installation_id, event, body_sha256)
DO UPDATE SET duplicates = {WebhookDelivery._meta.db_table}.duplicates + 1
RETURNING id, (xmax = 0) AS inserted
"""

GROUP_COMMIT_MAX_ROWS = 128
# Django's CONN_HEALTH_CHECKS ping (SELECT 1) runs before a request's first query. A leader's connection that
# committed a batch less than this long ago is not pinged again: under load that halves the round trips per batch,
# and a connection idle longer (where a server restart or an idle timeout could have cut it) is still checked.
HEALTH_CHECK_AFTER_IDLE_SECONDS = 1.0
_last_write = threading.local()

# One statement for any batch size: the rows arrive as one JSON array (one parameter, encoded in C by json.dumps;
# binding seven arrays costs several times more in Python). A key repeated inside the batch is sent once with
# `duplicates` = repeats - 1; on conflict with a stored row all of them count as re-deliveries.
_BATCH_UPSERT_SQL = f"""
INSERT INTO {WebhookDelivery._meta.db_table} AS d
    (installation_id, event, body_sha256, body, received_at, issued_at, issued_by_app, duplicates, status,
     attempts, processed_at, error)
SELECT v.i, v.e, v.h, v.b, %s, v.t, v.a, v.n, %s, 0, NULL, ''
FROM json_to_recordset(%s::json) AS v(i bigint, e text, h text, b text, t timestamptz, a boolean, n integer)
ON CONFLICT (installation_id, event, body_sha256)
DO UPDATE SET duplicates = d.duplicates + EXCLUDED.duplicates + 1
RETURNING d.id, (d.xmax = 0) AS inserted, d.installation_id, d.event, d.body_sha256
"""

_Row = tuple[
    int, str, str, str, "datetime | None", bool
]  # installation_id, event, sha256, body, issued_at, by_app


def batch_params(rows: list[_Row]) -> list:
    """The parameters of _BATCH_UPSERT_SQL for `rows` (a key repeated in the batch is sent once, counted)."""
    repeats: dict[tuple[int, str, str], int] = {}  # the unique key -> how often it repeats in this batch
    unique: list[_Row] = []
    for row in rows:
        key = (row[0], row[1], row[2])
        if key in repeats:
            repeats[key] += 1
        else:
            repeats[key] = 0
            unique.append(row)
    return [
        now(),
        DeliveryStatus.RECEIVED.value,
        json.dumps(
            [
                {
                    "i": r[0],
                    "e": r[1],
                    "h": r[2],
                    "b": r[3],
                    "t": r[4].isoformat() if r[4] is not None else None,
                    "a": r[5],
                    "n": repeats[(r[0], r[1], r[2])],
                }
                for r in unique
            ]
        ),
    ]


def batch_results(rows: list[_Row], fetched: list[tuple]) -> list[tuple[int, bool]]:
    """(id, created) per row, in order, from the RETURNING rows of _BATCH_UPSERT_SQL: only the first of a key
    repeated in the batch can be the one that created it."""
    stored = {(inst, event, sha): (pk, bool(inserted)) for pk, inserted, inst, event, sha in fetched}
    results: list[tuple[int, bool]] = []
    seen: set[tuple[int, str, str]] = set()
    for row in rows:
        key = (row[0], row[1], row[2])
        pk, inserted = stored[key]
        results.append((pk, inserted and key not in seen))
        seen.add(key)
    return results


def write_batch(rows: list[_Row]) -> list[tuple[int, bool]]:
    """Store rows with one upsert on this thread's connection (autocommit); (id, created) per row, in order."""
    if connection.connection is not None and time.monotonic() - getattr(_last_write, "at", 0.0) < (
        HEALTH_CHECK_AFTER_IDLE_SECONDS
    ):
        connection.health_check_done = True  # type: ignore[attr-defined]  # Django sets it per request
    with connection.cursor() as cursor:
        cursor.execute(_BATCH_UPSERT_SQL, batch_params(rows))
        fetched = cursor.fetchall()
    _last_write.at = time.monotonic()
    return batch_results(rows, fetched)


def _held_lock() -> threading.Lock:
    lock = threading.Lock()
    lock.acquire()
    return lock


@dataclass(eq=False)
class _Pending:
    row: _Row
    # A one-shot wake-up: the waiter blocks acquiring it, the leader releases it (cheaper than an Event).
    wakeup: threading.Lock = field(default_factory=_held_lock)
    lead: bool = False
    result: tuple[int, bool] | None = None
    error: BaseException | None = None


class GroupCommit:
    """Concurrent callers in one process share one upsert and its commit; see the module docstring."""

    def __init__(self, max_rows: int = GROUP_COMMIT_MAX_ROWS) -> None:
        self.max_rows = max_rows
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._writing = False

    def store(self, row: _Row) -> tuple[int, bool]:
        pending = _Pending(row)
        with self._lock:
            self._queue.append(pending)
            pending.lead = not self._writing
            self._writing = True
        if not pending.lead:
            pending.wakeup.acquire()  # either our batch committed (or failed), or we were handed the lead
        if pending.lead:
            self._lead()
        if pending.error is not None:
            raise pending.error
        assert pending.result is not None
        return pending.result

    def _write(self, rows: list[_Row]) -> list[tuple[int, bool]]:
        return write_batch(rows)

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[: self.max_rows], self._queue[self.max_rows :]
        error: BaseException | None = None
        results: list[tuple[int, bool]] = []
        try:
            results = self._write([p.row for p in batch])
        except BaseException as exc:  # every caller in the batch must hear about it, then it is re-raised
            error = exc
        with self._lock:
            successor = self._queue[0] if self._queue else None
            self._writing = successor is not None
        for i, pending in enumerate(batch):
            if error is None:
                pending.result = results[i]
            else:
                pending.error = error
            pending.lead = False
            pending.wakeup.release()
        if successor is not None:
            successor.lead = True
            successor.wakeup.release()
        if error is None and any(created for _, created in results):
            _waker.wake()


WAKER_CALLS_PER_SECOND = 50


class _Waker:
    """Calls wake_drain() after commits, off the request path; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def wake(self) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            wake_drain()
            return
        self._ensure_thread()
        self._wanted.set()

    def _ensure_thread(self) -> None:
        pid = os.getpid()
        if self._thread is not None and self._pid == pid and self._thread.is_alive():
            return
        with self._lock:
            if (
                self._thread is None or self._pid != pid or not self._thread.is_alive()
            ):  # first use, or forked
                self._pid = pid
                self._thread = threading.Thread(target=self._run, name="webhook-drain-waker", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()  # before the call: a commit after this line sets it again and gets its own call
            try:
                wake_drain()
            except Exception:  # broker or cache down: the beat sweep picks the deliveries up
                logger.warning("drain wake-up failed", exc_info=True)
            # At most WAKER_CALLS_PER_SECOND round trips to the cache: under load one call covers the commits
            # of this pause, instead of one call per batch; the drain starts at most this much later.
            time.sleep(1 / WAKER_CALLS_PER_SECOND)


_group_commit = GroupCommit()
_waker = _Waker()


def store_delivery(
    *,
    installation: Installation,
    event: str,
    body: str,
    body_sha256: str,
    issued_at: datetime | None,
    issued_by_app: bool,
) -> tuple[int, bool]:
    """Store a verified delivery; returns (delivery id, True if new / False if a re-delivery was counted).

    Returns once the row is committed (or, inside an outer transaction, written in it); wakes the drain after
    the commit when the delivery is new.
    """
    if connection.vendor == "postgresql" and connection.get_autocommit():
        if settings.WEBHOOK_GROUP_COMMIT:
            return _group_commit.store((installation.pk, event, body_sha256, body, issued_at, issued_by_app))
        with connection.cursor() as cursor:
            cursor.execute(
                _UPSERT_SQL,
                [
                    installation.pk,
                    event,
                    body_sha256,
                    body,
                    now(),
                    issued_at,
                    issued_by_app,
                    DeliveryStatus.RECEIVED.value,
                ],
            )
            delivery_id, inserted = cursor.fetchone()
        if inserted:
            wake_drain()
        return delivery_id, bool(inserted)
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                installation=installation,
                event=event,
                body_sha256=body_sha256,
                body=body,
                issued_at=issued_at,
                issued_by_app=issued_by_app,
            )
        transaction.on_commit(wake_drain)
        return delivery.pk, True
    except IntegrityError:
        duplicate = WebhookDelivery.objects.filter(
            installation=installation, event=event, body_sha256=body_sha256
        )
        duplicate.update(duplicates=F("duplicates") + 1)
        return duplicate.values_list("pk", flat=True).get(), False


def wake_drain() -> None:
    """Ask for one drain run unless one is already asked for (see the module docstring)."""
    if cache.add(DRAIN_WAKEUP_KEY, 1, timeout=DRAIN_WAKEUP_TTL_SECONDS):
        from .tasks import drain_inbox

        drain_inbox.delay()


def clear_drain_wakeup() -> None:
    cache.delete(DRAIN_WAKEUP_KEY)
