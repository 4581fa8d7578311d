"""Pure rules of cases, property-tested."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_aftersales.service import policies

instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@given(st.sampled_from(policies.PRIORITY_ORDER))
def test_raised_priority_never_lowers_and_stops_at_urgent(priority):
    raised = policies.raised_priority(priority)
    assert policies.PRIORITY_ORDER.index(raised) >= policies.PRIORITY_ORDER.index(priority)
    assert raised != priority or priority == "urgent"


@given(instants, st.integers(min_value=0, max_value=60 * 24 * 60))
def test_customer_reopen_window(resolved_at, minutes_later):
    now = resolved_at + timedelta(minutes=minutes_later)
    allowed = policies.customer_may_reopen(resolved_at=resolved_at, now=now)
    assert allowed == (minutes_later <= policies.CUSTOMER_REOPEN_DAYS * 24 * 60)
    assert not policies.customer_may_reopen(resolved_at=None, now=now)


@given(st.lists(st.text(max_size=10), max_size=15))
def test_normalized_tags_are_unique_trimmed_lowercase(values):
    tags = policies.normalize_tags(values)
    assert len(tags) == len(set(tags))
    assert all(tag and tag == tag.strip().lower() for tag in tags)


@given(st.integers(min_value=1, max_value=500))
def test_next_response_rounds_are_distinct_metrics_of_one_base(n):
    metric = policies.next_response_metric(n)
    assert policies.base_metric(metric) == "next_response"
    assert metric != policies.next_response_metric(n + 1)


# Case clocks on a business-hours calendar: nights, weekends and holidays do not count, pauses do not count.

from saleor_aftersales.sla.calendars import business_minutes_between, is_open  # noqa: E402

CASE_INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(opened=CASE_INSTANTS, paused_after=st.integers(min_value=0, max_value=600), pause=st.integers(0, 5000))
def test_case_clock_due_dates_on_a_calendar_count_only_open_time(installation, opened, paused_after, pause):
    import time_machine

    from saleor_aftersales.service import actions
    from saleor_aftersales.sla.models import BusinessCalendar, SlaClock, SlaPolicy

    from .factories import open_case, staff

    calendar, _ = BusinessCalendar.objects.get_or_create(
        installation=installation,
        name="Shanghai",
        defaults={
            "time_zone": "Asia/Shanghai",
            "weekly_hours": {str(d): [["09:00", "12:00"], ["13:00", "18:00"]] for d in range(5)},
            "holidays": ["2026-10-01", "2026-10-02", "2027-02-11"],
        },
    )
    SlaPolicy.objects.get_or_create(
        installation=installation,
        subject_type="service_case",
        metric="resolution",
        defaults={"target_minutes": 24 * 60, "calendar": calendar},
    )
    with time_machine.travel(opened, tick=False):
        case = open_case(installation)
    clock = SlaClock.objects.get(subject_id=str(case.pk), metric="resolution")
    assert business_minutes_between(calendar, opened, clock.due_at) == 24 * 60
    assert is_open(calendar, clock.due_at)
    paused_at = opened + timedelta(minutes=paused_after)
    with time_machine.travel(paused_at, tick=False):
        actions.add_message(case=case, actor=staff(), body="Photo please?", wait_on_customer=True)
    resumed_at = paused_at + timedelta(minutes=pause)
    with time_machine.travel(resumed_at, tick=False):
        actions.add_message(case=case, actor=case_customer(), body="Here")
    clock.refresh_from_db()
    spent = business_minutes_between(calendar, opened, paused_at)
    left = business_minutes_between(calendar, resumed_at, clock.due_at)
    # What ran before the pause plus what is left after it is the target (minute rounding aside).
    assert abs(spent + left - 24 * 60) <= 1
    SlaClock.objects.all().delete()
    case.delete()


def case_customer():
    from .factories import customer

    return customer()
