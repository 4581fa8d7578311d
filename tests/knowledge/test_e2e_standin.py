"""End to end with the Saleor stand-in: the app installed over real HTTP; Saleor staff (Dashboard token, and a
plain staff token whose permissions the app asks Saleor for) manage articles; a Saleor customer gets a triage
suggestion for a return comment whose reason code is one of the app's return reasons, reads and rates an article."""

from __future__ import annotations

import pytest

pytest.importorskip("tests.saleor_standin.fixtures")

from saleor_aftersales.core import ratelimit  # noqa: E402
from saleor_aftersales.knowledge.models import KnowledgeArticle  # noqa: E402

from .test_api import CREATE, LOAD, ONE, PUBLISH, SUGGEST, VOTE  # noqa: E402

REASONS = "{ returnReasons { code } }"


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    ratelimit.reset()
    yield
    ratelimit.reset()


def test_staff_publish_and_customer_self_service_against_saleor(installed_app, gql):
    saleor = installed_app.saleor
    clerk = saleor.create_staff("clerk@example.com", permissions=["MANAGE_ORDERS"])
    dashboard = saleor.issue_dashboard_token(clerk, app=installed_app.app_id, permissions=["MANAGE_ORDERS"])
    loaded = gql(LOAD, token=dashboard)["data"]["knowledgeArticleLoadDefaults"]
    assert (len(loaded["created"]), loaded["errors"]) == (20, [])

    # A plain staff token carries no permissions: the app asks Saleor (`me { userPermissions }`).
    plain = saleor.issue_staff_token(clerk)
    created = gql(
        CREATE,
        {
            "input": {
                "slug": "boot-stretching",
                "language": "en",
                "title": "Stretching tight boots",
                "body": "A cobbler can stretch leather boots by up to half a size.",
                "intents": ["SIZE_FIT"],
            }
        },
        token=plain,
    )["data"]["knowledgeArticleCreate"]
    assert created["errors"] == []
    published = gql(PUBLISH, {"id": created["article"]["id"]}, token=plain)["data"]["knowledgeArticlePublish"]
    assert published["article"] == {"isPublished": True}

    intern = saleor.create_staff("intern@example.com", permissions=["MANAGE_USERS"])
    refused = gql(LOAD, token=saleor.issue_staff_token(intern))["data"]["knowledgeArticleLoadDefaults"]
    assert refused["errors"][0]["code"] == "PERMISSION_DENIED"

    customer = saleor.create_customer("ada@example.com", "Ada", "Lovelace")
    customer_token = saleor.issue_customer_token(customer)
    suggestion = gql(
        SUGGEST, {"t": "The boots are too tight at the toes, I need a bigger size"}, token=customer_token
    )
    result = suggestion["data"]["triageSuggest"]
    assert (result["intent"], result["returnReasonCode"], result["language"]) == (
        "SIZE_FIT",
        "wrong-size",
        "en",
    )
    assert [a["slug"] for a in result["articles"]] == ["size-guide", "boot-stretching"]
    reason_codes = {r["code"] for r in gql(REASONS, token=customer_token)["data"]["returnReasons"]}
    assert result["returnReasonCode"] in reason_codes

    article = gql(ONE, {"slug": "boot-stretching", "l": "en"}, token=customer_token)["data"][
        "knowledgeArticle"
    ]
    voted = gql(VOTE, {"id": article["id"]}, token=customer_token)["data"]["knowledgeArticleMarkHelpful"]
    assert voted == {"article": {"helpfulCount": 1, "notHelpfulCount": 0}, "errors": []}
    stored = KnowledgeArticle.objects.get(installation=installed_app.installation, slug="boot-stretching")
    assert (stored.view_count, stored.helpful_count) == (1, 1)
