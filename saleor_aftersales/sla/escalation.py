"""Warnings and breaches: the sweep that marks clocks once, and the handlers capabilities register.

A capability registers what to do for its subjects (`@on_breach("service_case")`: raise priority, reassign,
notify). The sweep marks clocks with set-based UPDATEs, so each clock is warned and breached exactly once
however often or concurrently it runs; the handlers are then called once for each clock this run marked.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction

from ..core.metrics import SLA_MARKED
from ..core.time import now as clock_now
from .models import ClockStatus, SlaClock

logger = logging.getLogger(__name__)

ClockHandler = Callable[[SlaClock], None]
_warning_handlers: dict[str, list[ClockHandler]] = defaultdict(list)
_breach_handlers: dict[str, list[ClockHandler]] = defaultdict(list)


def on_warning(subject_type: str) -> Callable[[ClockHandler], ClockHandler]:
    def register(fn: ClockHandler) -> ClockHandler:
        if fn not in _warning_handlers[subject_type]:
            _warning_handlers[subject_type].append(fn)
        return fn

    return register


def on_breach(subject_type: str) -> Callable[[ClockHandler], ClockHandler]:
    def register(fn: ClockHandler) -> ClockHandler:
        if fn not in _breach_handlers[subject_type]:
            _breach_handlers[subject_type].append(fn)
        return fn

    return register


_TABLE = SlaClock._meta.db_table


def _mark(column: str, due_column: str, now: datetime) -> list[tuple[int, str]]:
    """Set `column` = now on running clocks whose `due_column` has passed and that are not marked yet."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_TABLE} SET {column} = %s "  # noqa: S608 - column names are ours, not input
                f"WHERE status = %s AND {column} IS NULL AND {due_column} IS NOT NULL AND {due_column} <= %s "
                "RETURNING id, subject_type",
                [now, ClockStatus.RUNNING.value, now],
            )
            return list(cursor.fetchall())
    with transaction.atomic():
        rows = list(
            SlaClock.objects.select_for_update()
            .filter(
                status=ClockStatus.RUNNING,
                **{f"{column}__isnull": True, f"{due_column}__isnull": False, f"{due_column}__lte": now},
            )
            .values_list("id", "subject_type")
        )
        SlaClock.objects.filter(id__in=[pk for pk, _ in rows], **{f"{column}__isnull": True}).update(
            **{column: now}
        )
        return rows


def _call(handlers: dict[str, list[ClockHandler]], marked: list[tuple[int, str]]) -> None:
    wanted = [pk for pk, subject_type in marked if handlers.get(subject_type)]
    for clock in SlaClock.objects.filter(id__in=wanted).select_related("installation"):
        for handler in handlers[clock.subject_type]:
            try:
                with transaction.atomic():
                    handler(clock)
            except Exception:  # one failing escalation must not stop the sweep; it is logged and counted
                logger.exception("sla handler failed", extra={"clock_id": clock.pk})


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Mark newly at-risk and newly breached clocks, then run the registered handlers for them."""
    at = now or clock_now()
    warned = _mark("warned_at", "warn_at", at)
    breached = _mark("breached_at", "due_at", at)
    SLA_MARKED.labels("warned").inc(len(warned))
    SLA_MARKED.labels("breached").inc(len(breached))
    _call(_warning_handlers, warned)
    _call(_breach_handlers, breached)
    return {"warned": len(warned), "breached": len(breached)}
