"""GraphQL API of insights: staff-only, filters, typed errors, alerts, simulations, constant SQL per list."""

from __future__ import annotations

import time_machine
from django.test import TestCase

from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.insights.models import AlertStatus, QualityAlert, SimulationRun

from .factories import TODAY, at, order, return_request

OVERVIEW = """
query Overview($filter: InsightsFilterInput!) {
  insightsOverview(filter: $filter) {
    period { start end days }
    granularity
    staleness { refreshedAt }
    totals { fulfilledUnits returnedUnits requestedUnits returnRate approvalRate requests }
    money { currency revenue { amount currency } refundAmount { amount } refundShareOfRevenue }
    resolutionMix { resolution returnedUnits unitShare }
    topReasons { code label(language: "zh-hans") requestedUnits share }
    durations { metric count p50Hours p90Hours }
    series { periodStart fulfilledUnits returnedUnits returnRate }
    topProducts { variantId sku fulfilledUnits returnedUnits returnRate }
    sla { subjectType metric attainment }
    loyalty { issued redeemed breakageRate liability { channel liability { amount currency } } series { issued } }
    cases { available opened complaints complaintRate firstResponse { count p50Hours } resolution { p90Hours } }
    satisfaction { available csat nps series { periodStart csat nps } }
    repairs { available completed completion { p50Hours } cost { currency amount { amount } } }
  }
}
"""
FILTER = {"start": "2026-11-01", "end": "2026-11-19"}


def _query(gql, token, query=OVERVIEW, variables=None):
    """`token`: a callable minting the token at the fixture's "now" (a token from the real clock is not valid yet)."""
    with time_machine.travel(TODAY, tick=False):
        return gql(query, variables if variables is not None else {"filter": FILTER}, token=token())


def test_overview_for_staff(shop, gql, staff_token):
    data = _query(gql, lambda: staff_token("MANAGE_ORDERS"))["data"]["insightsOverview"]

    assert data["period"] == {"start": "2026-11-01", "end": "2026-11-19", "days": 19}
    assert data["totals"] == {
        "fulfilledUnits": 22,
        "returnedUnits": 4,
        "requestedUnits": 10,
        "returnRate": 4 / 22,
        "approvalRate": 2 / 3,
        "requests": 4,
    }
    assert data["money"] == [
        {
            "currency": "USD",
            "revenue": {"amount": "1300.00", "currency": "USD"},
            "refundAmount": {"amount": "250.00"},
            "refundShareOfRevenue": 250 / 1300,
        }
    ]
    assert data["topReasons"][0] == {
        "code": "changed-mind",
        "label": "不想要了",
        "requestedUnits": 5,
        "share": 0.5,
    }
    assert data["durations"][0] == {"metric": "decision", "count": 4, "p50Hours": 3.0, "p90Hours": 10.4}
    assert [p["variantId"] for p in data["topProducts"]] == ["VA", "VB", "VC"]
    assert len(data["series"]) == 19
    assert data["staleness"]["refreshedAt"].startswith("2026-11-20T12:00:00")
    assert data["loyalty"] == {
        "issued": 0,
        "redeemed": 0,
        "breakageRate": None,
        "liability": [],
        "series": [],
    }
    # Cases, surveys and repairs are sections of their own; unavailable until those capabilities are merged.
    assert set(data["cases"]) >= {"available", "opened", "complaintRate", "firstResponse"}
    assert data["satisfaction"]["series"] == [] or data["satisfaction"]["available"]
    assert data["repairs"]["available"] or data["repairs"]["cost"] == []


def test_overview_filter_by_variant(shop, gql, staff_token):
    variables = {"filter": {**FILTER, "variantId": "VA", "channel": "web"}}
    data = _query(gql, lambda: staff_token("MANAGE_ORDERS"), variables=variables)["data"]["insightsOverview"]

    assert data["totals"]["fulfilledUnits"] == 10
    assert data["totals"]["returnRate"] == 0.3


def test_overview_needs_manage_orders(shop, gql, staff_token, make_token):
    for token in (
        lambda: staff_token("MANAGE_USERS"),
        lambda: make_token(kind="customer", email="buyer@example.com"),
    ):
        response = _query(gql, token)
        assert response["data"] is None
        assert response["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_overview_bad_input_is_a_typed_error(shop, gql, staff_token):
    def token():
        return staff_token("MANAGE_ORDERS")

    backwards = _query(gql, token, variables={"filter": {"start": "2026-11-10", "end": "2026-11-01"}})
    unknown = _query(gql, token, variables={"filter": {**FILTER, "productId": "UHJvZHVjdDo5OTk="}})

    assert backwards["errors"][0]["extensions"] == {"code": "INVALID_PERIOD", "field": "end"}
    assert unknown["errors"][0]["extensions"] == {"code": "UNKNOWN_PRODUCT", "field": "productId"}


def test_products_table(shop, gql, staff_token):
    query = """query($filter: InsightsFilterInput!) { insightsProducts(filter: $filter, first: 2) {
      variantId fulfilledUnits returnedUnits defectUnits returnRate refundAmount } }"""
    rows = _query(gql, lambda: staff_token("MANAGE_ORDERS"), query=query)["data"]["insightsProducts"]

    assert rows == [
        {
            "variantId": "VA",
            "fulfilledUnits": 10,
            "returnedUnits": 3,
            "defectUnits": 4,
            "returnRate": 0.3,
            "refundAmount": "200.00",
        },
        {
            "variantId": "VB",
            "fulfilledUnits": 2,
            "returnedUnits": 1,
            "defectUnits": 0,
            "returnRate": 0.5,
            "refundAmount": "50.00",
        },
    ]


ALERTS = """
query { qualityAlerts(first: 50, status: OPEN) {
  id level key status units defects rate expectedRate pValue adjustedPValue comparison
  evidence { reasons { code units } sampleComments { request comment } photoIds requests topSkus { sku } }
  timeline { type actorType }
} }
"""
ACKNOWLEDGE = """
mutation($id: ID!, $note: String) { qualityAlertAcknowledge(id: $id, note: $note) {
  qualityAlert { id status acknowledgedBy acknowledgeNote timeline { type actorType actorEmail } }
  errors { field code message }
} }
"""


def _alerts(installation, count: int) -> list[QualityAlert]:
    created = []
    start = QualityAlert.objects.count()
    for n in range(start, start + count):
        alert = QualityAlert.objects.create(
            installation=installation, level="sku", key=f"V{n}", label=f"SKU {n}", comparison="baseline",
            window_start=at(1), window_end=at(19).date(), units=100, defects=10 + n, rate=0.1, expected_rate=0.01,
            lift=10.0, p_value=1e-6, adjusted_p_value=1e-5,
            evidence={"reasons": [{"code": "quality-defect", "units": 10, "lines": 3}], "requests": ["RMA-1"]},
        )  # fmt: skip
        alert.events.create(type="raised", actor_type="system", to_status="open")
        created.append(alert)
    return created


def test_alert_list_has_constant_sql(installation, gql, staff_token, django_assert_max_num_queries):
    token = staff_token("MANAGE_ORDERS")
    _alerts(installation, 2)
    with django_assert_max_num_queries(3):
        few = gql(ALERTS, token=token)["data"]["qualityAlerts"]
    _alerts(installation, 8)
    with django_assert_max_num_queries(3):
        many = gql(ALERTS, token=token)["data"]["qualityAlerts"]

    assert (len(few), len(many)) == (2, 10)
    assert many[-1]["evidence"] == {
        "reasons": [{"code": "quality-defect", "units": 10}],
        "sampleComments": [],
        "photoIds": [],
        "requests": ["RMA-1"],
        "topSkus": [],
    }
    assert many[-1]["timeline"] == [{"type": "raised", "actorType": "system"}]


def test_acknowledge_alert(installation, gql, staff_token):
    (alert,) = _alerts(installation, 1)
    token = staff_token("MANAGE_ORDERS", email="qa@example.com")
    alert_id = to_global_id("QualityAlert", alert.pk)

    first = gql(ACKNOWLEDGE, {"id": alert_id, "note": "Batch pulled"}, token=token)["data"][
        "qualityAlertAcknowledge"
    ]
    second = gql(ACKNOWLEDGE, {"id": alert_id}, token=token)["data"]["qualityAlertAcknowledge"]
    missing = gql(ACKNOWLEDGE, {"id": to_global_id("QualityAlert", 999)}, token=token)["data"]

    assert first["errors"] == []
    assert first["qualityAlert"]["status"] == "ACKNOWLEDGED"
    assert first["qualityAlert"]["acknowledgedBy"] == "qa@example.com"
    assert first["qualityAlert"]["timeline"][-1] == {
        "type": "acknowledged",
        "actorType": "staff",
        "actorEmail": "qa@example.com",
    }
    assert second["errors"][0]["code"] == "ALREADY_ACKNOWLEDGED"
    assert missing["qualityAlertAcknowledge"]["errors"][0]["code"] == "NOT_FOUND"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED


def test_alerts_of_another_installation_are_invisible(installation, gql, staff_token):
    from saleor_aftersales.installations.models import Installation

    other = Installation.objects.create(
        saleor_api_url="https://other.example.com/graphql/", app_id="x", auth_token="t"
    )
    (foreign,) = _alerts(other, 1)
    token = staff_token("MANAGE_ORDERS")

    listed = gql(ALERTS, token=token)["data"]["qualityAlerts"]
    ack = gql(ACKNOWLEDGE, {"id": to_global_id("QualityAlert", foreign.pk)}, token=token)["data"]

    assert listed == []
    assert ack["qualityAlertAcknowledge"]["errors"][0]["code"] == "NOT_FOUND"


START = """
mutation($input: PolicySimulationInput!) { policySimulationStart(input: $input) {
  policySimulation { id status }
  errors { field code message }
} }
"""
POLL = """
query($id: ID!) { policySimulation(id: $id) {
  status progress processedRequests totalRequests months assumptions
  results { currency
    current { acceptedRequests cashRefunds { amount currency } feesCollected { amount } }
    proposed { acceptedRequests rejectedRequests cashRefunds { amount } refusals { code count } }
    delta { acceptedRequests retainedRevenue { amount } }
    actual { requests cashRefunds { amount } }
  }
} }
"""


def test_simulation_start_and_poll(installation, gql, staff_token):
    shipped = at(1, 9, month=10)
    o, (line,) = order(installation, lines=[("A", "PA", "C", "100.00", 1)], fulfilled_at=shipped)
    return_request(
        installation, o, created_at=at(6, month=10), status="resolved",
        lines=[(line, 1, "wrong-size", "no_reason", 1)], refund_amount=100,
    )  # fmt: skip
    variables = {"input": {"months": 2, "policy": {"noReasonDays": 3, "restockingFeePercent": "10"}}}

    with time_machine.travel(TODAY, tick=False):
        token = staff_token("MANAGE_ORDERS")
        with TestCase.captureOnCommitCallbacks(execute=True):
            started = gql(START, variables, token=token)["data"]["policySimulationStart"]
        polled = gql(POLL, {"id": started["policySimulation"]["id"]}, token=token)["data"]["policySimulation"]

    assert started["errors"] == []
    assert started["policySimulation"]["status"] == "QUEUED"
    assert (polled["status"], polled["progress"], polled["processedRequests"], polled["totalRequests"]) == (
        "SUCCEEDED",
        1.0,
        1,
        1,
    )
    (usd,) = polled["results"]
    assert usd["current"] == {
        "acceptedRequests": 1,
        "cashRefunds": {"amount": "100.00", "currency": "USD"},
        "feesCollected": {"amount": "0.00"},
    }
    assert usd["proposed"] == {
        "acceptedRequests": 0,
        "rejectedRequests": 1,
        "cashRefunds": {"amount": "0.00"},
        "refusals": [{"code": "WINDOW_CLOSED", "count": 1}],
    }
    assert usd["delta"] == {"acceptedRequests": -1, "retainedRevenue": {"amount": "100.00"}}
    assert usd["actual"] == {"requests": 1, "cashRefunds": {"amount": "100.00"}}
    assert len(polled["assumptions"]) == 5


def test_simulation_negative_fee_is_a_typed_error(installation, gql, staff_token):
    variables = {"input": {"months": 3, "policy": {"restockingFeePercent": "-5"}, "returnLabelCost": "-1"}}
    result = gql(START, variables, token=staff_token("MANAGE_ORDERS"))["data"]["policySimulationStart"]

    assert result["policySimulation"] is None
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("NEGATIVE_AMOUNT", "restockingFeePercent"),
        ("NEGATIVE_AMOUNT", "returnLabelCost"),
    ]
    assert SimulationRun.objects.count() == 0


def test_settings_query_and_update(installation, gql, staff_token):
    token = staff_token("MANAGE_ORDERS")
    update = """mutation($input: InsightsSettingsInput!) { insightsSettingsUpdate(input: $input) {
      insightsSettings { digestEmails supplierAttribute alpha minUnits } errors { field code } } }"""

    default = gql("{ insightsSettings { alpha minUnits digestEmails } }", token=token)["data"][
        "insightsSettings"
    ]
    saved = gql(
        update, {"input": {"digestEmails": ["QA@example.com"], "supplierAttribute": "brand", "alpha": "0.01"}},
        token=token,
    )["data"]["insightsSettingsUpdate"]  # fmt: skip
    bad = gql(update, {"input": {"digestEmails": ["nope"]}}, token=token)["data"]["insightsSettingsUpdate"]

    assert default == {"alpha": 0.05, "minUnits": 30, "digestEmails": []}
    assert saved == {
        "insightsSettings": {
            "digestEmails": ["qa@example.com"],
            "supplierAttribute": "brand",
            "alpha": 0.01,
            "minUnits": 30,
        },
        "errors": [],
    }
    assert bad["errors"] == [{"field": "digestEmails", "code": "INVALID_EMAIL"}]


def test_overview_sql_count_does_not_grow_with_data(shop, gql, staff_token, django_assert_max_num_queries):
    def run():
        with time_machine.travel(TODAY, tick=False):
            token = staff_token("MANAGE_ORDERS")
            # 18 for the rollups, returns and loyalty; up to 7 more for cases, satisfaction and repairs.
            with django_assert_max_num_queries(25):
                body = gql(OVERVIEW, {"filter": FILTER}, token=token)
        assert "errors" not in body, body
        return body["data"]["insightsOverview"]["totals"]["fulfilledUnits"]

    before = run()
    for n in range(30):
        order(shop, lines=[(f"X{n}", f"PX{n}", "C9", "5.00", 2)], fulfilled_at=at(10, 8))
    from saleor_aftersales.insights.rollups import refresh_rollups

    with time_machine.travel(TODAY, tick=False):
        refresh_rollups(shop, full=True)

    assert (before, run()) == (22, 82)


def test_rollups_refresh_mutation(installation, gql, staff_token):
    order(installation, lines=[("V1", "P1", "C1", "10.00", 4)], fulfilled_at=at(3, 9))
    mutation = "mutation { insightsRollupsRefresh { queued errors { code } } }"

    with time_machine.travel(TODAY, tick=False):
        token = staff_token("MANAGE_ORDERS")
        with TestCase.captureOnCommitCallbacks(execute=True):
            result = gql(mutation, token=token)["data"]["insightsRollupsRefresh"]
        data = gql(OVERVIEW, {"filter": FILTER}, token=token)["data"]["insightsOverview"]
        refused = gql(mutation, token=staff_token("MANAGE_USERS"))["data"]["insightsRollupsRefresh"]

    assert result == {"queued": True, "errors": []}
    assert data["totals"]["fulfilledUnits"] == 4
    assert data["staleness"]["refreshedAt"].startswith("2026-11-20T12:00:00")
    assert refused["errors"] == [{"code": "PERMISSION_DENIED"}]
