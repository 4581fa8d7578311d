"""Pure rules of service cases (no ORM, no clock: `now` is passed in)."""

from __future__ import annotations

from datetime import datetime, timedelta

PRIORITY_ORDER = ("low", "normal", "high", "urgent")
CUSTOMER_REOPEN_DAYS = 14
MAX_TAGS = 20
MAX_TAG_LENGTH = 48


def raised_priority(priority: str) -> str:
    """One step up, urgent stays urgent."""
    index = PRIORITY_ORDER.index(priority) if priority in PRIORITY_ORDER else 1
    return PRIORITY_ORDER[min(index + 1, len(PRIORITY_ORDER) - 1)]


def customer_may_reopen(
    *, resolved_at: datetime | None, now: datetime, days: int = CUSTOMER_REOPEN_DAYS
) -> bool:
    """A customer may reopen a resolved case within `days` of its resolution (staff always may)."""
    return resolved_at is not None and now <= resolved_at + timedelta(days=days)


def normalize_tags(values) -> list[str]:
    """Lower-case, trimmed, de-duplicated tags in first-seen order; raises ValueError for bad ones."""
    result: list[str] = []
    for value in values or []:
        tag = " ".join(str(value).strip().lower().split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise ValueError(f"A tag has at most {MAX_TAG_LENGTH} characters.")
        if tag not in result:
            result.append(tag)
    if len(result) > MAX_TAGS:
        raise ValueError(f"At most {MAX_TAGS} tags.")
    return result


def next_response_metric(round_number: int) -> str:
    """Clocks are unique per (subject, metric): each wait for a reply after the first gets its own round."""
    return "next_response" if round_number <= 1 else f"next_response:{round_number}"


def base_metric(metric: str) -> str:
    return metric.split(":", 1)[0]
