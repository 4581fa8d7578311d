"""A storefront in STOREFRONT_ORIGINS may call /graphql/ from the browser; any other origin gets no CORS grant."""

import json

import pytest

from saleor_aftersales.core.security import origin_allowed

QUERY = json.dumps({"query": "{ appInfo { version } }"})


@pytest.mark.parametrize(
    ("origin", "allowed", "expected"),
    [
        ("https://shop.example.com", ["https://shop.example.com"], True),
        ("https://shop.example.com", ["https://shop.example.com/"], True),
        ("https://evil.example.com", ["https://shop.example.com"], False),
        ("http://127.0.0.1:5123", ["http://127.0.0.1:*"], True),
        ("http://127.0.0.1.evil.com:5123", ["http://127.0.0.1:*"], False),
        ("http://127.0.0.1:", ["http://127.0.0.1:*"], False),
        ("null", ["null"], False),
        ("", ["http://127.0.0.1:*"], False),
    ],
)
def test_origin_allowed(origin, allowed, expected):
    assert origin_allowed(origin, allowed) is expected


def test_preflight_and_post_from_a_configured_storefront(db, client, settings):
    settings.STOREFRONT_ORIGINS = ["http://127.0.0.1:*"]
    preflight = client.options(
        "/graphql/",
        HTTP_ORIGIN="http://127.0.0.1:4321",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "http://127.0.0.1:4321"
    assert preflight["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert {"authorization", "content-type", "saleor-api-url"} <= {
        h.strip() for h in preflight["Access-Control-Allow-Headers"].split(",")
    }
    answer = client.post(
        "/graphql/", QUERY, content_type="application/json", HTTP_ORIGIN="http://127.0.0.1:4321"
    )
    assert answer.status_code == 200 and answer.json()["data"]["appInfo"]["version"]
    assert answer["Access-Control-Allow-Origin"] == "http://127.0.0.1:4321"
    assert "Access-Control-Allow-Methods" not in answer
    # An invalid token is refused with 401, still readable by the storefront (it shows the error).
    refused = client.post(
        "/graphql/",
        QUERY,
        content_type="application/json",
        HTTP_ORIGIN="http://127.0.0.1:4321",
        HTTP_AUTHORIZATION="Bearer nonsense",
    )
    assert refused.status_code == 401 and refused["Access-Control-Allow-Origin"] == "http://127.0.0.1:4321"


def test_no_grant_for_other_origins_or_when_unset(db, client, settings):
    settings.STOREFRONT_ORIGINS = ["https://shop.example.com"]
    other = client.options("/graphql/", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other
    settings.STOREFRONT_ORIGINS = []
    unset = client.post(
        "/graphql/", QUERY, content_type="application/json", HTTP_ORIGIN="https://shop.example.com"
    )
    assert unset.status_code == 200 and "Access-Control-Allow-Origin" not in unset
