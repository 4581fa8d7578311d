"""The inbox write path on an asyncio event loop (PostgreSQL): group commit with one psycopg AsyncConnection.

Why: under the uvicorn worker (saleor_aftersales/asgi.py) a webhook is served on the event loop, where the
Django ORM must not run. The table stays the Django model's (`webhooks.models.WebhookDelivery`) and the
statement is the WSGI group commit's (`inbox._BATCH_UPSERT_SQL`: one `INSERT ... ON CONFLICT ... RETURNING` in
autocommit = one commit per batch, the same dedupe key and duplicate counting; `inbox.batch_params` and
`inbox.batch_results` are shared).

How: `store(row)` queues the row with a future and, when no writer runs, starts one. The writer takes everything
queued (at most GROUP_COMMIT_MAX_ROWS) and writes it with one statement on this loop's connection; rows queued
while that statement is in flight form the next batch. Every request that reached `store` in the same turn of
the loop is in the first batch (the writer starts on the next turn), so there is no timer and no added latency
when idle. Each future is resolved only after the statement holding its row returned (in autocommit psycopg
returns after the server's commit), and a failed statement fails exactly its batch (nothing of it is stored),
whose callers answer 500 so Saleor retries. A connection idle for more than HEALTH_CHECK_AFTER_IDLE_SECONDS is
pinged first (as the WSGI path's CONN_HEALTH_CHECKS), and a broken one is replaced by the next batch.

Lingering (`WEBHOOK_GROUP_COMMIT_LINGER_MS`, default 0 = off): under load the writer may wait up to that long for
as many rows as its last batch had, plus one, before it writes. Measured at C=16 on the shared 2 cores with 1 ms:
rows per commit 4.0 -> 7.2-14.1 and CPU per delivery -25..-35 % (gunicorn 206 -> 140-184 us, PostgreSQL
60 -> 30-42 us), but a lower rate (4215/3461 vs 6425/s in back-to-back runs) whenever other processes compete:
a worker that waits on a timer hands its core to them. So it stays off.

After a commit that created rows the drain is woken by the same per-process waker thread as on the WSGI path
(`inbox._waker`: a flag set here, the Redis round trip off the loop); with eager Celery (tests) the drain
runs in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import psycopg
from django.conf import settings

from . import inbox

logger = logging.getLogger(__name__)

# OPTIONS keys that Django's PostgreSQL backend understands itself and psycopg does not.
# Lingering (WEBHOOK_GROUP_COMMIT_LINGER_MS > 0) applies only while the last write ended this recently (under load).
LINGER_ONLY_WITHIN_SECONDS = 0.005
_DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool", "init_command"}


def connection_kwargs() -> dict[str, Any]:
    """psycopg.connect() keyword arguments for the default database (the one Django uses, e.g. the test DB)."""
    db = settings.DATABASES["default"]
    kwargs: dict[str, Any] = {
        "dbname": db.get("NAME") or "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    kwargs.update({k: v for k, v in (db.get("OPTIONS") or {}).items() if k not in _DJANGO_ONLY_OPTIONS})
    kwargs["application_name"] = kwargs.get("application_name") or "saleor-aftersales-ingest"
    return {k: v for k, v in kwargs.items() if v is not None}


def uses_async_inbox() -> bool:
    """The asyncio group commit serves PostgreSQL in production shape; anything else (SQLite, group commit off)
    stores through inbox.store_delivery in a thread."""
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and settings.WEBHOOK_GROUP_COMMIT


class AsyncGroupCommit:
    """Concurrent deliveries on one event loop share one upsert and its commit; see the module docstring."""

    def __init__(self, max_rows: int = inbox.GROUP_COMMIT_MAX_ROWS) -> None:
        self.max_rows = max_rows
        self._queue: list[tuple[inbox._Row, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None
        self._conn: psycopg.AsyncConnection | None = None
        self._last_write = 0.0
        self._last_batch = 0
        self._enough: asyncio.Future | None = None  # set while the writer lingers; resolved at `_target` rows
        self._target = 0

    async def store(self, row: inbox._Row) -> tuple[int, bool]:
        """(delivery id, True if new / False if a re-delivery was counted), once its row is committed."""
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._queue.append((row, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._run())
        elif self._enough is not None and len(self._queue) >= self._target and not self._enough.done():
            self._enough.set_result(None)
        return await future

    async def close(self) -> None:
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def _run(self) -> None:
        try:
            while self._queue:
                await self._linger()
                batch = self._queue[: self.max_rows]
                del self._queue[: self.max_rows]
                try:
                    results = await self._write([row for row, _ in batch])
                except asyncio.CancelledError:
                    for _, future in batch:
                        future.cancel()
                    raise
                except Exception as exc:  # every caller of the batch hears about it (and answers 500)
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self._last_batch = len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                if any(created for _, created in results):
                    await self._wake()
        finally:
            self._writer = None

    async def _linger(self) -> None:
        """Under load, wait up to WEBHOOK_GROUP_COMMIT_LINGER_MS for as many rows as the last batch had, plus one
        (off by default; see the module docstring)."""
        linger = settings.WEBHOOK_GROUP_COMMIT_LINGER_MS / 1000
        if linger <= 0 or self._last_batch <= 1:
            return
        if time.monotonic() - self._last_write > LINGER_ONLY_WITHIN_SECONDS:
            return
        self._target = min(self.max_rows, self._last_batch + 1)
        if len(self._queue) >= self._target:
            return
        loop = asyncio.get_running_loop()
        self._enough = enough = loop.create_future()
        timer = loop.call_later(linger, _resolve, enough)
        try:
            await enough
        finally:
            timer.cancel()
            self._enough = None

    async def _write(self, rows: list[inbox._Row]) -> list[tuple[int, bool]]:
        conn = await self._connection()
        try:
            cursor = await conn.execute(inbox._BATCH_UPSERT_SQL, inbox.batch_params(rows))
            fetched = await cursor.fetchall()
        except psycopg.Error:
            if conn.broken or conn.closed:
                self._conn = None
            raise
        self._last_write = time.monotonic()
        return inbox.batch_results(rows, fetched)

    async def _connection(self) -> psycopg.AsyncConnection:
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            if time.monotonic() - self._last_write < inbox.HEALTH_CHECK_AFTER_IDLE_SECONDS:
                return conn
            try:
                await conn.execute("SELECT 1")
                return conn
            except psycopg.Error:
                logger.warning("ingest connection lost; reconnecting")
                await conn.close()
        self._conn = await psycopg.AsyncConnection.connect(**connection_kwargs(), autocommit=True)
        return self._conn

    async def _wake(self) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            await asyncio.to_thread(_wake_in_thread)
        else:
            inbox._waker.wake()


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


def _wake_in_thread() -> None:
    from django.db import close_old_connections

    try:
        inbox.wake_drain()
    finally:
        close_old_connections()
