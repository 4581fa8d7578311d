"""Property tests of the pure warranty rules (no ORM, no clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from saleor_aftersales.warranty import policies
from saleor_aftersales.warranty.symptoms import DEFAULT_COVERED, DEFAULT_EXCLUDED, DEFAULT_SYMPTOMS

starts = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))
months = st.integers(min_value=1, max_value=policies.MAX_DURATION_MONTHS)
codes = st.sampled_from([s.code for s in DEFAULT_SYMPTOMS])


@given(starts, months)
def test_expiry_is_after_start_and_monotonic_in_months(start, n):
    end = policies.expires_at(starts_at=start, duration_months=n)
    assert end > start
    assert end.time() == start.time() and end.tzinfo == start.tzinfo
    assert policies.expires_at(starts_at=start, duration_months=n + 1) > end
    # Calendar months: between 28 and 31 days each.
    assert timedelta(days=28 * n) <= end - start <= timedelta(days=31 * n)


@given(starts, months)
def test_expiry_keeps_the_day_or_clamps_to_month_end(start, n):
    end = policies.expires_at(starts_at=start, duration_months=n)
    assert end.day == start.day or (end.day < start.day and (end + timedelta(days=1)).day == 1)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == n


@given(starts, months, st.integers(min_value=-400, max_value=20000))
def test_days_left_counts_down_to_zero(start, n, offset_days):
    end = policies.expires_at(starts_at=start, duration_months=n)
    now = start + timedelta(days=offset_days, hours=3)
    left = policies.days_left(expires_at=end, now=now)
    assert left >= 0
    if now >= end:
        assert left == 0
    else:
        assert left >= 1 and end - timedelta(days=left) <= now < end - timedelta(days=left - 1)


@given(starts, months, st.integers(min_value=-100, max_value=20000), codes, st.booleans())
def test_coverage_needs_term_and_a_covered_issue(start, n, offset, symptom, override):
    end = policies.expires_at(starts_at=start, duration_months=n)
    now = start + timedelta(days=offset)
    result = policies.coverage(
        starts_at=start,
        expires_at=end,
        now=now,
        symptom=symptom,
        covered_issues=DEFAULT_COVERED,
        excluded_issues=DEFAULT_EXCLUDED,
        override=override,
    )
    in_term = start <= now < end
    if not in_term:
        assert (result.coverage, result.covered) == ("out_of_term", False)  # no override outside the term
    elif symptom in DEFAULT_EXCLUDED or symptom not in DEFAULT_COVERED:
        assert result.coverage == ("overridden" if override else "not_covered")
        assert result.covered is override
    else:
        assert (result.coverage, result.covered) == ("covered", True)


@given(codes, st.lists(codes, unique=True), st.lists(codes, unique=True))
def test_excluded_beats_covered(symptom, covered, excluded):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    result = policies.coverage(
        starts_at=start,
        expires_at=start + timedelta(days=365),
        now=start + timedelta(days=1),
        symptom=symptom,
        covered_issues=covered,
        excluded_issues=excluded,
    )
    if symptom in excluded:
        assert not result.covered
    elif not covered or symptom in covered:
        assert result.covered


def test_most_specific_terms_apply():
    t = [
        policies.Terms(scope="default", duration_months=12),
        policies.Terms(scope="product_type", target_id="PT", duration_months=18),
        policies.Terms(scope="category", target_id="C", duration_months=24),
        policies.Terms(scope="product", target_id="P", duration_months=36),
    ]
    item = policies.Item(product_id="P", category_id="C", product_type_id="PT")
    assert policies.applicable_terms(t, item).duration_months == 36
    assert (
        policies.applicable_terms(t, policies.Item(category_id="C", product_type_id="PT")).duration_months
        == 24
    )
    assert policies.applicable_terms(t, policies.Item(product_type_id="PT")).duration_months == 18
    assert policies.applicable_terms(t, policies.Item()).duration_months == 12
    assert policies.applicable_terms(t[1:], policies.Item()) is None


@given(st.one_of(st.integers(-5, 700), st.text(max_size=5)))
def test_duration_from_metadata_is_bounded(value):
    months = policies.duration_from_product(policies.Item(metadata={"w": value}), metadata_key="w")
    assert months is None or 1 <= months <= policies.MAX_DURATION_MONTHS


def test_duration_from_attribute_value_slug():
    item = policies.Item(attributes={"warranty": ["24-months"]})
    assert policies.duration_from_product(item, attribute_slug="warranty") == 24


line = st.builds(
    policies.Line,
    kind=st.sampled_from(["part", "labour"]),
    quantity=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2),
    unit_cost=st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=3),
    covered=st.booleans(),
)


@given(st.lists(line, max_size=20), st.booleans())
def test_repair_totals_are_exact_decimals(lines, paid):
    totals = policies.repair_totals(lines, currency="USD", paid_repair=paid)
    assert abs(totals.total - totals.parts - totals.labour) <= Decimal("0.01")  # each rounded to cents
    assert Decimal("0") <= totals.customer_pays <= totals.total + Decimal("0.01")
    if paid:
        assert totals.customer_pays == totals.total
    if not paid and all(item.covered for item in lines):
        assert totals.customer_pays == 0


centers = st.lists(
    st.builds(
        policies.Center,
        key=st.integers(0, 10_000),
        category_ids=st.lists(st.sampled_from(["A", "B"]), max_size=2, unique=True).map(tuple),
        capacity=st.integers(0, 5),
        open_orders=st.integers(0, 6),
        latitude=st.one_of(st.none(), st.floats(-80, 80)),
        longitude=st.one_of(st.none(), st.floats(-170, 170)),
        is_active=st.booleans(),
    ),
    max_size=10,
    unique_by=lambda c: c.key,
)


@given(centers, st.sampled_from(["A", "B", "C"]), st.floats(-80, 80), st.floats(-170, 170))
def test_suggestions_have_capacity_handle_the_category_and_are_nearest_first(all_centers, category, lat, lng):
    ranked = policies.suggest_centers(all_centers, category_id=category, latitude=lat, longitude=lng)
    by_key = {c.key: c for c in all_centers}
    for suggestion in ranked:
        center = by_key[suggestion.key]
        assert center.is_active and center.open_orders < center.capacity
        assert not center.category_ids or category in center.category_ids
        assert suggestion.free_capacity == center.capacity - center.open_orders
    known = [s.distance_km for s in ranked if s.distance_km is not None]
    assert known == sorted(known)
    assert all(s.distance_km is not None for s in ranked[: len(known)])


def test_remedy_prefers_repair_until_the_limit():
    terms = policies.Terms(remedies=("repair", "replace", "refund"), max_repairs_before_replace=2)
    assert policies.preferred_remedy(terms, previous_repairs=1) == "repair"
    assert policies.preferred_remedy(terms, previous_repairs=2) == "replace"
