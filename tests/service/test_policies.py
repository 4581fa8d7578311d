"""Pure rules of cases, property-tested."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
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
