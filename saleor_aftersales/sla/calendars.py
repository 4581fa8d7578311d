"""Business time: adding minutes and measuring spans inside a calendar's opening hours.

Everything is computed on aware datetimes: each local opening interval is turned into UTC instants with the
calendar's zoneinfo, so nights, weekends, holidays and DST shifts (a 23- or 25-hour day) come out right.
A calendar of None, or one marked 24/7, is plain elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..core.errors import DomainError

# Far enough for any real target; a guard against calendars with almost no opening time.
MAX_SEARCH_DAYS = 3 * 366


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    if not (0 <= int(hours) <= 24 and 0 <= int(minutes) < 60) or (int(hours) == 24 and int(minutes)):
        raise ValueError(value)
    return time(23, 59, 59, 999999) if int(hours) == 24 else time(int(hours), int(minutes))


def validate_calendar(*, time_zone: str, weekly_hours: dict, holidays: list, is_24_7: bool) -> None:
    """Raise DomainError for an unknown zone, malformed or overlapping intervals, or a week with no hours."""
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError("INVALID_TIME_ZONE", f"Unknown time zone {time_zone!r}.", "timeZone") from None
    for holiday in holidays:
        try:
            date.fromisoformat(str(holiday))
        except ValueError:
            raise DomainError("INVALID_HOLIDAY", f"Not a date: {holiday!r}.", "holidays") from None
    total = 0
    for day, intervals in (weekly_hours or {}).items():
        if str(day) not in {str(d) for d in range(7)}:
            raise DomainError(
                "INVALID_HOURS", f"Weekday must be 0 (Monday) to 6, got {day!r}.", "weeklyHours"
            )
        spans = []
        for interval in intervals:
            try:
                start, end = parse_hhmm(interval[0]), parse_hhmm(interval[1])
            except (ValueError, IndexError, TypeError, AttributeError):
                raise DomainError("INVALID_HOURS", f"Bad interval {interval!r}.", "weeklyHours") from None
            if end <= start:
                raise DomainError(
                    "INVALID_HOURS", f"Interval ends before it starts: {interval!r}.", "weeklyHours"
                )
            spans.append((start, end))
            total += 1
        spans.sort()
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                raise DomainError("OVERLAPPING_HOURS", f"Overlapping intervals on day {day}.", "weeklyHours")
    if not is_24_7 and total == 0:
        raise DomainError("NO_OPENING_HOURS", "A calendar needs opening hours or 24/7.", "weeklyHours")


def _is_plain(calendar) -> bool:
    return calendar is None or calendar.is_24_7


def _local_intervals(calendar, day: date) -> list[tuple[datetime, datetime]]:
    """The day's opening intervals as UTC instants (empty on a holiday)."""
    if day.isoformat() in set(calendar.holidays or []):
        return []
    zone = ZoneInfo(calendar.time_zone)
    result = []
    for start_s, end_s in sorted((calendar.weekly_hours or {}).get(str(day.weekday()), [])):
        start = datetime.combine(day, parse_hhmm(start_s), tzinfo=zone).astimezone(UTC)
        end_time = parse_hhmm(end_s)
        if end_time == time(23, 59, 59, 999999):
            end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(UTC)
        else:
            end = datetime.combine(day, end_time, tzinfo=zone).astimezone(UTC)
        if end > start:
            result.append((start, end))
    return result


def _intervals_from(calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    zone = ZoneInfo(calendar.time_zone)
    day = start.astimezone(zone).date() - timedelta(days=1)  # an interval of the day before may still be open
    for offset in range(MAX_SEARCH_DAYS):
        for interval in _local_intervals(calendar, day + timedelta(days=offset)):
            if interval[1] > start:
                yield interval


def add_business_minutes(calendar, start: datetime, minutes: int) -> datetime:
    """The instant when `minutes` of business time have passed since `start` (UTC, aware)."""
    start = start.astimezone(UTC)
    if _is_plain(calendar) or minutes <= 0:
        return start + timedelta(minutes=max(minutes, 0))
    remaining = timedelta(minutes=minutes)
    for open_at, close_at in _intervals_from(calendar, start):
        cursor = max(start, open_at)
        available = close_at - cursor
        if remaining <= available:
            return cursor + remaining
        remaining -= available
    raise DomainError("CALENDAR_TOO_SPARSE", "The calendar has no opening hours in the next three years.")


def business_minutes_between(calendar, a: datetime, b: datetime) -> int:
    """Whole business minutes in [a, b) (0 when b <= a)."""
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    if b <= a:
        return 0
    if _is_plain(calendar):
        return int((b - a).total_seconds() // 60)
    total = timedelta()
    for open_at, close_at in _intervals_from(calendar, a):
        if open_at >= b:
            break
        total += min(close_at, b) - max(open_at, a)
    return int(total.total_seconds() // 60)


def is_open(calendar, at: datetime) -> bool:
    if _is_plain(calendar):
        return True
    at = at.astimezone(UTC)
    zone = ZoneInfo(calendar.time_zone)
    day = at.astimezone(zone).date()
    return any(
        open_at <= at <= close_at
        for offset in (-1, 0)
        for open_at, close_at in _local_intervals(calendar, day + timedelta(days=offset))
    )
