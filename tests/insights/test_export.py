"""CSV export: same staff JWT check as the API, typed 400s for bad input, exact rows."""

from __future__ import annotations

import csv
import io
import json

import time_machine

from saleor_aftersales.insights.views import export_csv

from .factories import TODAY


def _get(rf, token_factory, **params):
    with time_machine.travel(TODAY, tick=False):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token_factory()}"} if token_factory else {}
        response = export_csv(rf.get("/insights/export.csv", params, **headers))
    return response


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_daily_export(shop, rf, staff_token):
    response = _get(rf, lambda: staff_token("MANAGE_ORDERS"), start="2026-11-05", end="2026-11-07")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _rows(response)
    assert rows[:4] == [
        [
            "period_start (day)",
            "fulfilled_units",
            "requested_units",
            "returned_units",
            "return_rate",
            "refund_amount",
        ],
        ["2026-11-05", "0", "3", "3", "", "250.00"],
        ["2026-11-06", "0", "1", "1", "", "0.00"],
        ["2026-11-07", "0", "5", "0", "", "0.00"],
    ]
    assert rows[4][0].startswith("# rollups refreshed at 2026-11-20T12:00:00")


def test_products_and_reasons_export(shop, rf, staff_token):
    products = _rows(_get(rf, lambda: staff_token("MANAGE_ORDERS"), report="products", start="2026-11-01",
                          end="2026-11-19"))  # fmt: skip
    reasons = _rows(_get(rf, lambda: staff_token("MANAGE_ORDERS"), report="reasons", start="2026-11-01",
                         end="2026-11-19", channel="web"))  # fmt: skip

    assert [(r[0], r[8], r[11], r[13]) for r in products[1:]] == [
        ("VA", "10", "3", "0.300000"),
        ("VB", "2", "1", "0.500000"),
        ("VC", "10", "0", "0.000000"),
    ]
    assert reasons[1:] == [
        ["quality-defect", "quality", "Quality defect", "商品有质量缺陷", "4", "3", "0.800000"],
        ["wrong-size", "no_reason", "Wrong size", "尺码不合适", "1", "1", "0.200000"],
    ]


def test_export_refuses_without_staff_token(shop, rf, staff_token, make_token):
    anonymous = _get(rf, None, start="2026-11-01", end="2026-11-19")
    customer = _get(
        rf, lambda: make_token(kind="customer", email="b@example.com"), start="2026-11-01", end="2026-11-19"
    )
    wrong_permission = _get(rf, lambda: staff_token("MANAGE_USERS"), start="2026-11-01", end="2026-11-19")
    garbage = export_csv(rf.get("/insights/export.csv", HTTP_AUTHORIZATION="Bearer nope"))

    assert [r.status_code for r in (anonymous, customer, wrong_permission, garbage)] == [403, 403, 403, 401]
    assert json.loads(wrong_permission.content)["errors"][0]["code"] == "PERMISSION_DENIED"


def test_export_bad_input_is_typed(shop, rf, staff_token):
    def token():
        return staff_token("MANAGE_ORDERS")

    bad_date = _get(rf, token, start="2026-13-01", end="2026-11-19")
    unknown = _get(rf, token, start="2026-11-01", end="2026-11-19", variantId="nope")
    bad_report = _get(rf, token, report="everything", start="2026-11-01", end="2026-11-19")

    assert [r.status_code for r in (bad_date, unknown, bad_report)] == [400, 400, 400]
    assert json.loads(bad_date.content)["errors"][0] == {
        "field": "start",
        "code": "INVALID_PERIOD",
        "message": "Dates are YYYY-MM-DD.",
    }
    assert json.loads(unknown.content)["errors"][0]["code"] == "UNKNOWN_VARIANT"
    assert json.loads(bad_report.content)["errors"][0]["field"] == "report"
