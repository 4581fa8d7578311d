"""Every KPI of the overview on a hand-computed fixture (figures worked out in the comments)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.insights import kpis, selectors
from saleor_aftersales.sla.models import SlaClock

from .factories import TODAY, at


def _overview(installation, **filters):
    with time_machine.travel(TODAY, tick=False):
        cleaned = selectors.clean_filters(
            installation, start=date(2026, 11, 1), end=date(2026, 11, 19), today=TODAY.date(), **filters
        )
        return selectors.overview(installation, cleaned)


def test_totals_and_rates(shop):
    data = _overview(shop)

    assert data["totals"] == {
        "fulfilled_units": 22,
        "requests": 4,
        "approved_requests": 2,
        "rejected_requests": 1,
        "auto_approved_requests": 0,
        "lines": 5,
        "requested_units": 10,
        "returned_units": 4,
        "return_rate": pytest.approx(4 / 22),
        "request_rate": pytest.approx(10 / 22),
        "approval_rate": pytest.approx(2 / 3),
    }
    assert data["granularity"] == "day"
    assert data["staleness"]["refreshed_at"] == TODAY


def test_refund_amount_and_share_of_revenue(shop):
    (usd,) = _overview(shop)["money"]

    assert usd["currency"] == "USD"
    assert usd["revenue"] == Decimal("1300")
    assert usd["refund_amount"] == Decimal("250")
    assert usd["store_credit_amount"] == Decimal("0")
    assert usd["refund_share_of_revenue"] == pytest.approx(250 / 1300)


def test_resolution_mix(shop):
    mix = {row["resolution"]: row for row in _overview(shop)["resolution_mix"]}

    assert {k: (v["returned_units"], v["requests"]) for k, v in mix.items()} == {
        "refund": (3, 2),
        "store_credit": (1, 1),
        "exchange": (0, 1),
    }
    assert mix["refund"]["unit_share"] == pytest.approx(0.75)
    assert mix["exchange"]["request_share"] == pytest.approx(0.25)


def test_top_reasons(shop):
    reasons = _overview(shop)["top_reasons"]

    assert [(r["code"], r["requested_units"], r["returned_units"]) for r in reasons] == [
        ("changed-mind", 5, 0),
        ("quality-defect", 4, 3),
        ("wrong-size", 1, 1),
    ]
    assert reasons[0]["share"] == pytest.approx(0.5)
    assert reasons[1]["label_zh_hans"] == "商品有质量缺陷"


def test_duration_percentiles_from_histograms(shop):
    # decision hours, line-weighted: 1, 3, 3, 10 -> buckets (0,1]:1, (2,4]:2, (8,12]:1
    # p50 rank 2 -> (2,4] holds ranks 2..3: 2 + 2 * (2 - 1) / 2 = 3.0; p90 rank 3.6 -> 8 + 4 * 0.6 = 10.4
    # receipt: 30, 30 -> (24,36]: p50 = 24 + 12 * 1/2 = 30, p90 = 24 + 12 * 1.8/2 = 34.8
    # refund (refund/store credit, resolved): 50, 50 -> (48,72]: p50 = 60, p90 = 69.6
    durations = {d["metric"]: d for d in _overview(shop)["durations"]}

    assert durations["decision"] == {"metric": "decision", "count": 4, "p50_hours": 3.0, "p90_hours": 10.4}
    assert durations["receipt"]["count"] == 2
    assert durations["receipt"]["p50_hours"] == pytest.approx(30.0)
    assert durations["receipt"]["p90_hours"] == pytest.approx(34.8)
    assert durations["refund"]["p50_hours"] == pytest.approx(60.0)
    assert durations["refund"]["p90_hours"] == pytest.approx(69.6)


def test_channel_filter(shop):
    data = _overview(shop, channel="web")

    assert data["totals"]["fulfilled_units"] == 12
    assert data["totals"]["returned_units"] == 4
    assert data["totals"]["return_rate"] == pytest.approx(1 / 3)
    assert data["totals"]["requests"] == 3


def test_variant_filter(shop):
    data = _overview(shop, variant_id="VA")

    assert data["totals"]["fulfilled_units"] == 10
    assert data["totals"]["requested_units"] == 4
    assert data["totals"]["returned_units"] == 3
    assert data["totals"]["return_rate"] == pytest.approx(0.3)
    # R1's refund of 250 is spread by line value: A 2 x 100 = 200, B 1 x 50 = 50.
    assert data["money"][0]["refund_amount"] == Decimal("200")
    assert data["top_products"] == []


def test_category_and_product_filters(shop):
    category = _overview(shop, category_id="C2")
    product = _overview(shop, product_id="PB")

    assert (category["totals"]["fulfilled_units"], category["totals"]["requested_units"]) == (10, 5)
    assert category["totals"]["return_rate"] == 0.0
    assert (product["totals"]["fulfilled_units"], product["totals"]["returned_units"]) == (2, 1)
    assert product["money"][0]["refund_amount"] == Decimal("50")


def test_top_products(shop):
    top = _overview(shop)["top_products"]

    assert [(p["variant_id"], p["fulfilled_units"], p["returned_units"], p["defect_units"]) for p in top] == [
        ("VA", 10, 3, 4),
        ("VB", 2, 1, 0),
        ("VC", 10, 0, 0),
    ]
    assert top[0]["return_rate"] == pytest.approx(0.3)
    assert top[0]["sku"] == "SKU-VA"


def test_series_by_day(shop):
    series = {row["period_start"]: row for row in _overview(shop)["series"]}

    assert len(series) == 19
    assert series[date(2026, 11, 2)]["fulfilled_units"] == 6
    assert series[date(2026, 11, 5)]["returned_units"] == 3
    assert series[date(2026, 11, 5)]["refund_amount"] == Decimal("250")
    assert series[date(2026, 11, 7)]["requested_units"] == 5
    assert series[date(2026, 11, 8)]["requested_units"] == 0


def test_sla_attainment_and_durations(shop):
    def clock(n, status, due_day, subject="return_request", metric="decision", stopped_after_hours=None):
        SlaClock.objects.create(
            installation=shop, subject_type=subject, subject_id=str(n), metric=metric, status=status,
            started_at=at(5), due_at=at(due_day), target_minutes=2880,
            stopped_at=at(5) + timedelta(hours=stopped_after_hours) if stopped_after_hours is not None else None,
        )  # fmt: skip

    clock(1, "met", 7, stopped_after_hours=3)
    clock(2, "breached", 7, stopped_after_hours=50)
    clock(3, "running", 7)  # past due at 11-20: counts as breached
    clock(4, "running", 25)  # still on track
    clock(5, "cancelled", 7)
    # Service cases: first response within 1 h and 6 h -> buckets (0,1] and (4,8]: p50 = 1.0, p90 = 4 + 4 * 0.8
    clock(6, "met", 6, subject="service_case", metric="first_response", stopped_after_hours=0.5)
    clock(7, "met", 6, subject="service_case", metric="first_response", stopped_after_hours=6)

    rows = {(r["subject_type"], r["metric"]): r for r in _overview(shop)["sla"]}

    assert rows[("return_request", "decision")] == {
        "subject_type": "return_request",
        "metric": "decision",
        "met": 1,
        "breached": 2,
        "open": 1,
        "attainment": pytest.approx(1 / 3),
        "stopped": 2,
        "p50_hours": 4.0,  # 3 h in (2,4], 50 h in (48,72]: rank 1 is the top of (2,4]
        "p90_hours": pytest.approx(48 + 24 * 0.8),
    }
    response = rows[("service_case", "first_response")]
    assert (response["attainment"], response["p50_hours"]) == (1.0, 1.0)
    assert response["p90_hours"] == pytest.approx(7.2)


def test_bad_periods_and_unknown_products_are_typed_errors(installation):
    today = date(2026, 11, 20)

    def errors(**kwargs):
        with pytest.raises(DomainError) as caught:
            selectors.clean_filters(installation, today=today, **kwargs)
        return [(d.code, d.field) for d in caught.value.details]

    assert errors(start=date(2026, 11, 10), end=date(2026, 11, 1)) == [("INVALID_PERIOD", "end")]
    assert errors(start=None, end=date(2026, 11, 1)) == [("INVALID_PERIOD", "start")]
    assert errors(start=date(2024, 1, 1), end=date(2026, 11, 1)) == [("INVALID_PERIOD", "end")]
    assert errors(start=date(2026, 12, 1), end=date(2026, 12, 2)) == [("INVALID_PERIOD", "start")]
    assert errors(start=today, end=today, product_id="nope", category_id="none") == [
        ("UNKNOWN_PRODUCT", "productId"),
        ("UNKNOWN_CATEGORY", "categoryId"),
    ]


def test_histogram_percentile_edges():
    assert kpis.histogram_percentile(kpis.empty_histogram(), 50) is None
    overflow = kpis.empty_histogram()
    overflow[-1] = 3
    assert kpis.histogram_percentile(overflow, 90) == 1440.0
    assert kpis.bucket_of(-5) == 0
    assert kpis.bucket_of(1) == 0
    assert kpis.bucket_of(1.01) == 1
    assert kpis.bucket_of(5000) == kpis.BUCKETS - 1


def test_benjamini_hochberg_matches_hand_computation():
    # sorted p: 0.01 (x4/1=0.04), 0.02 (x4/2=0.04), 0.03 (x4/3=0.04), 0.5 (x4/4=0.5); monotone from the top
    assert kpis.benjamini_hochberg([0.5, 0.01, 0.03, 0.02]) == pytest.approx([0.5, 0.04, 0.04, 0.04])
    assert kpis.benjamini_hochberg([]) == []


def test_allocate_is_exact():
    parts = kpis.allocate(Decimal("100.00"), [Decimal("1"), Decimal("1"), Decimal("1")])
    assert parts == [Decimal("33.333"), Decimal("33.333"), Decimal("33.334")]
    assert sum(parts) == Decimal("100.00")


def test_series_granularity_for_long_periods(shop):
    with time_machine.travel(TODAY, tick=False):
        cleaned = selectors.clean_filters(
            shop, start=date(2026, 1, 1), end=date(2026, 11, 19), today=TODAY.date()
        )
        data = selectors.overview(shop, cleaned)

    assert data["granularity"] == "week"
    assert sum(row["fulfilled_units"] for row in data["series"]) == 22
    assert data["series"][0]["period_start"] == date(2025, 12, 29)
    assert all(
        b["period_start"] - a["period_start"] == timedelta(days=7)
        for a, b in zip(data["series"], data["series"][1:])
    )


def test_dashboard_page_shows_durations_sla_and_loyalty_figures(shop, client, staff_token):
    from tests.conftest import TEST_API_URL

    with time_machine.travel(TODAY, tick=False):
        headers = {
            "HTTP_AUTHORIZATION_BEARER": staff_token("MANAGE_ORDERS"),
            "HTTP_SALEOR_API_URL": TEST_API_URL,
        }
        body = client.get(
            "/dashboard/frag/insights?start=2026-11-01&end=2026-11-19", **headers
        ).content.decode()

    # Decision p50 3.0 h (see test_duration_percentiles_from_histograms); refund p90 from R1's 50 h only: 69.6.
    assert (
        '<span class="figure" data-more-figure>3.0</span><span class="muted">Time to decision, median (h)'
        in body
    )
    assert '<span class="figure" data-more-figure>69.6</span>' in body
    assert "Points issued / redeemed" in body
