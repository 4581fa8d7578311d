"""Business-time arithmetic: hand-computed due dates and properties across nights, weekends, holidays and DST."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.sla.calendars import (
    add_business_minutes,
    business_minutes_between,
    is_open,
    validate_calendar,
)

WEEKDAYS_9_TO_18 = {str(d): [["09:00", "18:00"]] for d in range(5)}
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def calendar(time_zone="Asia/Shanghai", weekly=None, holidays=(), is_24_7=False):
    return SimpleNamespace(
        time_zone=time_zone,
        weekly_hours=WEEKDAYS_9_TO_18 if weekly is None else weekly,
        holidays=list(holidays),
        is_24_7=is_24_7,
    )


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


def test_friday_evening_plus_an_hour_is_monday_morning():
    # Fri 2026-11-20 17:30 Shanghai + 60 business minutes = 30 min on Friday + 30 min on Monday.
    due = add_business_minutes(calendar(), local(SHANGHAI, 2026, 11, 20, 17, 30), 60)
    assert due == local(SHANGHAI, 2026, 11, 23, 9, 30).astimezone(UTC)


def test_start_at_night_counts_from_next_opening():
    due = add_business_minutes(calendar(), local(SHANGHAI, 2026, 11, 24, 22, 0), 30)
    assert due == local(SHANGHAI, 2026, 11, 25, 9, 30).astimezone(UTC)


def test_holidays_are_skipped():
    # National Day week 2026-10-01..07 closed; Wed 2026-09-30 17:00 + 24 business hours (2.67 days of 9 h).
    golden_week = [f"2026-10-0{d}" for d in range(1, 8)]
    due = add_business_minutes(calendar(holidays=golden_week), local(SHANGHAI, 2026, 9, 30, 17, 0), 24 * 60)
    # 1 h on Sep 30, then Oct 8 (Thu) 9 h, Oct 9 (Fri) 9 h, then 5 h on Mon Oct 12 -> 14:00.
    assert due == local(SHANGHAI, 2026, 10, 12, 14, 0).astimezone(UTC)


def test_dst_spring_forward_day_is_an_hour_shorter_in_utc_not_in_business_time():
    # Berlin switches to summer time on Sun 2026-03-29; a 24/7-hours calendar 00:00-24:00 every day.
    every_day = {str(d): [["00:00", "24:00"]] for d in range(7)}
    cal = calendar("Europe/Berlin", every_day)
    start = local(BERLIN, 2026, 3, 28, 12, 0)
    due = add_business_minutes(cal, start, 24 * 60)
    # 24 real hours later, which reads 13:00 local the next day because the clocks jumped.
    assert due == start.astimezone(UTC) + timedelta(hours=24)
    assert due.astimezone(BERLIN).hour == 13


def test_24_7_and_no_calendar_are_elapsed_time():
    start = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
    assert add_business_minutes(None, start, 90) == start + timedelta(minutes=90)
    assert add_business_minutes(calendar(is_24_7=True), start, 90) == start + timedelta(minutes=90)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"time_zone": "Mars/Olympus"}, "INVALID_TIME_ZONE"),
        ({"weekly_hours": {"0": [["10:00", "09:00"]]}}, "INVALID_HOURS"),
        ({"weekly_hours": {"0": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "OVERLAPPING_HOURS"),
        ({"weekly_hours": {"7": [["09:00", "12:00"]]}}, "INVALID_HOURS"),
        ({"weekly_hours": {}}, "NO_OPENING_HOURS"),
        ({"holidays": ["tomorrow"]}, "INVALID_HOLIDAY"),
    ],
)
def test_bad_calendars_are_typed_errors(kwargs, code):
    values = {
        "time_zone": "UTC",
        "weekly_hours": WEEKDAYS_9_TO_18,
        "holidays": [],
        "is_24_7": False,
        **kwargs,
    }
    with pytest.raises(DomainError) as error:
        validate_calendar(**values)
    assert error.value.code == code


# --- properties -------------------------------------------------------------------------------------------

CALENDARS = st.sampled_from(
    [
        calendar(),
        calendar("Europe/Berlin", {"0": [["08:00", "12:00"], ["13:00", "17:00"]], "5": [["10:00", "14:00"]]}),
        calendar("America/New_York", {str(d): [["00:00", "24:00"]] for d in (1, 3)}, holidays=["2026-11-26"]),
        calendar(holidays=["2026-12-25", "2027-01-01", "2026-03-09"]),
    ]
)
INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
MINUTES = st.integers(min_value=0, max_value=5 * 24 * 60)


@settings(max_examples=150, deadline=None)
@given(CALENDARS, INSTANTS, MINUTES, MINUTES)
def test_adding_is_monotonic_and_additive(cal, start, a, b):
    first = add_business_minutes(cal, start, a)
    assert first >= start
    assert add_business_minutes(cal, start, a + b) >= first
    assert add_business_minutes(cal, first, b) == add_business_minutes(cal, start, a + b)


@settings(max_examples=150, deadline=None)
@given(CALENDARS, INSTANTS, st.integers(min_value=1, max_value=5 * 24 * 60))
def test_due_dates_fall_in_opening_hours_and_measure_back_exactly(cal, start, minutes):
    due = add_business_minutes(cal, start, minutes)
    assert is_open(cal, due)
    assert business_minutes_between(cal, start, due) == minutes


@settings(max_examples=100, deadline=None)
@given(CALENDARS, INSTANTS, MINUTES)
def test_holidays_never_count(cal, start, minutes):
    due = add_business_minutes(cal, start, minutes)
    zone = ZoneInfo(cal.time_zone)
    day = start.astimezone(zone).date()
    while day <= due.astimezone(zone).date():
        if day.isoformat() in cal.holidays:
            opening = datetime.combine(day, datetime.min.time(), tzinfo=zone)
            closing = opening + timedelta(days=1)
            assert business_minutes_between(cal, opening, closing) == 0
        day += timedelta(days=1)
