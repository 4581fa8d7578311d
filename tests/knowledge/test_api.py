import json

import pytest

from saleor_aftersales.core import ratelimit
from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.installations.models import Installation
from saleor_aftersales.knowledge import actions
from saleor_aftersales.knowledge.models import (
    KnowledgeArticle,
    KnowledgeArticleEvent,
    KnowledgeArticleFeedback,
)

from ..conftest import TEST_API_URL
from .factories import make_article

OTHER_API_URL = "http://127.0.0.1:10/graphql/"

ARTICLE_FIELDS = "id slug language title excerpt intents isPublished viewCount helpfulCount notHelpfulCount score isDefault"

LIST = (
    "query($s: String, $l: String, $i: TriageIntent, $u: Boolean, $f: Int) {"
    " knowledgeArticles(search: $s, language: $l, intent: $i, includeUnpublished: $u, first: $f) { "
    + ARTICLE_FIELDS
    + " } }"
)
ONE = (
    "query($slug: String!, $l: String) { knowledgeArticle(slug: $slug, language: $l) { "
    + ARTICLE_FIELDS
    + " body } }"
)
SUGGEST = """
query($t: String!, $l: String) {
  triageSuggest(text: $t, language: $l) {
    intent label confidence returnReasonCode language
    alternatives { intent label confidence }
    articles { slug title language }
  }
}
"""
CREATE = """
mutation($input: KnowledgeArticleCreateInput!) {
  knowledgeArticleCreate(input: $input) { article { id slug language intents isPublished } errors { field code message } }
}
"""
UPDATE = """
mutation($id: ID!, $input: KnowledgeArticleUpdateInput!) {
  knowledgeArticleUpdate(id: $id, input: $input) { article { slug title intents } errors { field code message } }
}
"""
PUBLISH = """
mutation($id: ID!, $p: Boolean) {
  knowledgeArticlePublish(id: $id, isPublished: $p) { article { isPublished } errors { field code message } }
}
"""
DELETE = "mutation($id: ID!) { knowledgeArticleDelete(id: $id) { deletedId errors { field code message } } }"
LOAD = "mutation { knowledgeArticleLoadDefaults { created { slug } errors { field code message } } }"
VOTE = """
mutation($id: ID!, $h: Boolean) {
  knowledgeArticleMarkHelpful(id: $id, helpful: $h) { article { helpfulCount notHelpfulCount } errors { field code message } }
}
"""


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def defaults(installation):
    return actions.load_default_articles(installation)


@pytest.fixture
def manager(staff_token):
    return staff_token("MANAGE_ORDERS")


def _gid(article):
    return to_global_id("KnowledgeArticle", article.pk)


def test_guest_searches_in_english_and_chinese_by_saleor_api_url(gql, defaults):
    body = gql(LIST, {"s": "how do I polish leather shoes"}, api_url=TEST_API_URL)
    found = body["data"]["knowledgeArticles"]
    assert found[0]["slug"] == "leather-care"
    assert found[0]["language"] == "en" and found[0]["score"] > 0
    assert found[0]["viewCount"] is None  # staff-only figure
    zh = gql(LIST, {"s": "退款多久到账"}, api_url=TEST_API_URL)["data"]["knowledgeArticles"]
    assert (zh[0]["slug"], zh[0]["language"], zh[0]["title"]) == (
        "refund-status",
        "zh-hans",
        "我的退款到哪了？",
    )


def test_customer_lists_most_helpful_first_and_filters_by_intent(gql, make_token, installation, defaults):
    warranty = KnowledgeArticle.objects.get(slug="warranty", language="en")
    actions.mark_article_helpful(article=warranty, voter_key="user:1", helpful=True)
    token = make_token(kind="customer")
    listed = gql(LIST, {"l": "en", "f": 5}, token=token)["data"]["knowledgeArticles"]
    assert len(listed) == 5 and listed[0]["slug"] == "warranty"
    tagged = gql(LIST, {"l": "zh-hans", "i": "DEFECT_QUALITY"}, token=token)["data"]["knowledgeArticles"]
    assert [a["slug"] for a in tagged] == ["defective-item", "warranty"]
    assert tagged[0]["intents"] == ["DEFECT_QUALITY", "WARRANTY_REPAIR"]


def test_without_installation_the_knowledge_base_is_refused(gql, defaults):
    body = gql(LIST, {"s": "refund"})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_installations_never_see_each_others_articles(gql, installation, defaults):
    Installation.objects.create(saleor_api_url=OTHER_API_URL, app_id="x", auth_token="t")
    assert gql(LIST, {"s": "leather care"}, api_url=OTHER_API_URL)["data"]["knowledgeArticles"] == []
    assert (
        gql(ONE, {"slug": "leather-care", "l": "en"}, api_url=OTHER_API_URL)["data"]["knowledgeArticle"]
        is None
    )
    other_suggestion = gql(SUGGEST, {"t": "how do I clean leather shoes"}, api_url=OTHER_API_URL)
    assert other_suggestion["data"]["triageSuggest"]["articles"] == []


def test_article_by_slug_counts_customer_views_and_hides_drafts(gql, installation, defaults, manager):
    draft = make_article(installation, "draft-article", published=False)
    body = gql(ONE, {"slug": "leather-care"}, api_url=TEST_API_URL, token=None)
    assert body["data"]["knowledgeArticle"]["title"] == "Caring for leather shoes"
    gql(ONE, {"slug": "leather-care", "l": "zh-hans"}, api_url=TEST_API_URL)
    assert gql(ONE, {"slug": draft.slug}, api_url=TEST_API_URL)["data"]["knowledgeArticle"] is None
    staff_view = gql(ONE, {"slug": "leather-care", "l": "en"}, token=manager)["data"]["knowledgeArticle"]
    assert staff_view["viewCount"] == 1  # the staff read itself is not counted
    assert gql(ONE, {"slug": draft.slug}, token=manager)["data"]["knowledgeArticle"]["isPublished"] is False
    zh = KnowledgeArticle.objects.get(slug="leather-care", language="zh-hans")
    assert zh.view_count == 1


def test_triage_suggests_intent_reason_and_articles_for_a_return_comment(gql, defaults):
    body = gql(SUGGEST, {"t": "鞋子偏小，挤脚，想换大一码"}, api_url=TEST_API_URL)
    suggestion = body["data"]["triageSuggest"]
    assert (suggestion["intent"], suggestion["returnReasonCode"], suggestion["language"]) == (
        "SIZE_FIT",
        "wrong-size",
        "zh-hans",
    )
    assert suggestion["label"] == "尺码与合脚"
    assert 0.5 <= suggestion["confidence"] <= 1
    assert [a["slug"] for a in suggestion["articles"]] == ["size-guide"]
    assert len(suggestion["alternatives"]) == 2
    en = gql(SUGGEST, {"t": "the heel broke off after two days", "l": "en"}, api_url=TEST_API_URL)
    en_suggestion = en["data"]["triageSuggest"]
    assert (en_suggestion["intent"], en_suggestion["returnReasonCode"]) == (
        "DEFECT_QUALITY",
        "quality-defect",
    )
    assert [a["slug"] for a in en_suggestion["articles"]] == ["defective-item", "warranty"]


@pytest.mark.parametrize(
    ("query", "variables", "code", "field"),
    [
        (SUGGEST, {"t": ""}, "REQUIRED", "text"),
        (SUGGEST, {"t": "  \n "}, "REQUIRED", "text"),
        (SUGGEST, {"t": "鞋" * 2001}, "TOO_LONG", "text"),
        (SUGGEST, {"t": "size", "l": "fr"}, "UNSUPPORTED_LANGUAGE", "language"),
        (LIST, {"s": "x" * 201}, "TOO_LONG", "search"),
        (LIST, {"f": 101}, "OUT_OF_RANGE", "first"),
        (LIST, {"l": "de"}, "UNSUPPORTED_LANGUAGE", "language"),
        (LIST, {"u": True}, "PERMISSION_DENIED", None),
    ],
)
def test_bad_query_input_is_a_typed_error(gql, defaults, query, variables, code, field):
    body = gql(query, variables, api_url=TEST_API_URL)
    assert body["data"] is None
    assert (body["errors"][0]["extensions"]["code"], body["errors"][0]["extensions"]["field"]) == (
        code,
        field,
    )


def test_guests_are_rate_limited(gql, settings, defaults, monkeypatch):
    from saleor_aftersales.graphql.knowledge import schema

    monkeypatch.setattr(schema, "GUEST_RATE", "2/minute")
    for _ in range(2):
        assert "errors" not in gql(SUGGEST, {"t": "where is my parcel"}, api_url=TEST_API_URL)
    body = gql(SUGGEST, {"t": "where is my parcel"}, api_url=TEST_API_URL)
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_staff_creates_updates_publishes_and_deletes_an_article(gql, installation, manager):
    created = gql(
        CREATE,
        {
            "input": {
                "slug": "suede-care",
                "language": "zh-Hans",
                "title": "翻毛皮护理",
                "body": "用专用刷子顺着绒毛方向刷。",
                "intents": ["CARE_MAINTENANCE"],
            }
        },
        token=manager,
    )["data"]["knowledgeArticleCreate"]
    assert created["errors"] == []
    article = created["article"]
    assert (article["language"], article["isPublished"], article["intents"]) == (
        "zh-hans",
        False,
        ["CARE_MAINTENANCE"],
    )
    assert gql(LIST, {"s": "翻毛皮"}, api_url=TEST_API_URL)["data"]["knowledgeArticles"] == []
    updated = gql(UPDATE, {"id": article["id"], "input": {"title": "翻毛皮鞋的护理"}}, token=manager)
    assert updated["data"]["knowledgeArticleUpdate"]["article"]["title"] == "翻毛皮鞋的护理"
    published = gql(PUBLISH, {"id": article["id"]}, token=manager)["data"]["knowledgeArticlePublish"]
    assert published == {"article": {"isPublished": True}, "errors": []}
    found = gql(LIST, {"s": "翻毛皮怎么护理"}, api_url=TEST_API_URL)["data"]["knowledgeArticles"]
    assert [a["slug"] for a in found] == ["suede-care"]
    deleted = gql(DELETE, {"id": article["id"]}, token=manager)["data"]["knowledgeArticleDelete"]
    assert deleted == {"deletedId": article["id"], "errors": []}
    assert KnowledgeArticle.objects.count() == 0
    types = list(
        KnowledgeArticleEvent.objects.order_by("id").values_list("type", "actor_type", "actor_email")
    )
    assert types == [
        ("created", "staff", "staff@example.com"),
        ("updated", "staff", "staff@example.com"),
        ("published", "staff", "staff@example.com"),
        ("deleted", "staff", "staff@example.com"),
    ]


def test_staff_input_errors_are_typed_and_nothing_is_stored(gql, installation, manager):
    make_article(installation, "taken")
    base = {"slug": "ok", "language": "en", "title": "T", "body": "B"}
    cases = [
        ({**base, "slug": "Bad Slug"}, "INVALID_SLUG", "slug"),
        ({**base, "slug": "taken"}, "DUPLICATE", "slug"),
        ({**base, "language": "fr"}, "UNSUPPORTED_LANGUAGE", "language"),
        ({**base, "title": ""}, "REQUIRED", "title"),
        ({**base, "body": "b" * 20_001}, "TOO_LONG", "body"),
    ]
    for values, code, field in cases:
        payload = gql(CREATE, {"input": values}, token=manager)["data"]["knowledgeArticleCreate"]
        assert payload["article"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert KnowledgeArticle.objects.count() == 1
    unknown = gql(PUBLISH, {"id": "not-an-id"}, token=manager)["data"]["knowledgeArticlePublish"]
    assert unknown["errors"][0]["code"] == "NOT_FOUND"


def test_staff_mutations_are_refused_without_the_permission(gql, installation, make_token, staff_token):
    article = make_article(installation, "a")
    customer = make_token(kind="customer")
    wrong_permission = staff_token("MANAGE_USERS")
    variables = {"input": {"slug": "x", "language": "en", "title": "T", "body": "B"}}
    for token in (None, customer, wrong_permission):
        kwargs = {"token": token} if token else {"api_url": TEST_API_URL}
        created = gql(CREATE, variables, **kwargs)["data"]["knowledgeArticleCreate"]
        assert created["errors"][0]["code"] == "PERMISSION_DENIED"
        for query, extra in ((UPDATE, {"input": {"title": "Hacked"}}), (PUBLISH, {"p": False}), (DELETE, {})):
            payload = next(iter(gql(query, {"id": _gid(article), **extra}, **kwargs)["data"].values()))
            assert payload["errors"][0]["code"] == "PERMISSION_DENIED"
        assert (
            gql(LOAD, **kwargs)["data"]["knowledgeArticleLoadDefaults"]["errors"][0]["code"]
            == "PERMISSION_DENIED"
        )
    article.refresh_from_db()
    assert (article.title, article.is_published, KnowledgeArticle.objects.count()) == ("A", True, 1)


def test_staff_cannot_touch_another_installations_article(gql, installation, manager):
    other = Installation.objects.create(saleor_api_url=OTHER_API_URL, app_id="x", auth_token="t")
    foreign = make_article(other, "foreign")
    payload = gql(UPDATE, {"id": _gid(foreign), "input": {"title": "Mine now"}}, token=manager)
    assert payload["data"]["knowledgeArticleUpdate"]["errors"][0]["code"] == "NOT_FOUND"
    foreign.refresh_from_db()
    assert foreign.title == "Foreign"


def test_staff_loads_defaults_once(gql, installation, manager):
    first = gql(LOAD, token=manager)["data"]["knowledgeArticleLoadDefaults"]
    assert len(first["created"]) == 20 and first["errors"] == []
    assert gql(LOAD, token=manager)["data"]["knowledgeArticleLoadDefaults"]["created"] == []


def test_customers_and_guests_vote_once_each(gql, installation, make_token):
    article = make_article(installation, "a")
    customer = make_token(kind="customer", user_id="VXNlcjox", email="a@example.com")
    assert gql(VOTE, {"id": _gid(article)}, token=customer)["data"]["knowledgeArticleMarkHelpful"] == {
        "article": {"helpfulCount": 1, "notHelpfulCount": 0},
        "errors": [],
    }
    gql(VOTE, {"id": _gid(article)}, token=customer)
    gql(VOTE, {"id": _gid(article)}, api_url=TEST_API_URL)
    changed = gql(VOTE, {"id": _gid(article), "h": False}, token=customer)["data"][
        "knowledgeArticleMarkHelpful"
    ]
    assert changed["article"] == {"helpfulCount": 1, "notHelpfulCount": 1}
    assert KnowledgeArticleFeedback.objects.count() == 2


def test_votes_on_drafts_or_foreign_articles_are_not_found(gql, installation, make_token):
    draft = make_article(installation, "draft", published=False)
    other = Installation.objects.create(saleor_api_url=OTHER_API_URL, app_id="x", auth_token="t")
    foreign = make_article(other, "foreign")
    token = make_token(kind="customer")
    for article in (draft, foreign):
        payload = gql(VOTE, {"id": _gid(article)}, token=token)["data"]["knowledgeArticleMarkHelpful"]
        assert payload == {
            "article": None,
            "errors": [{"field": "id", "code": "NOT_FOUND", "message": "Unknown article."}],
        }
    assert KnowledgeArticleFeedback.objects.count() == 0


def _many_articles(installation, count):
    for n in range(count):
        make_article(
            installation,
            f"leather-{n}",
            title=f"Leather shoes {n}",
            body="Leather care and polish.",
            intents=["care_maintenance"],
        )


@pytest.mark.parametrize("count", [5, 60])
def test_article_lists_use_constant_queries(gql, installation, django_assert_max_num_queries, count):
    _many_articles(installation, count)
    with django_assert_max_num_queries(2):  # installation + articles
        listed = gql(LIST, {"l": "en", "f": 100}, api_url=TEST_API_URL)["data"]["knowledgeArticles"]
    assert len(listed) == count
    with django_assert_max_num_queries(
        4
    ):  # installation + document count + term frequencies + ranked articles
        found = gql(LIST, {"s": "leather polish", "f": 100}, api_url=TEST_API_URL)["data"][
            "knowledgeArticles"
        ]
    assert len(found) == count
    with django_assert_max_num_queries(2):  # installation + articles for the intent
        gql(SUGGEST, {"t": "how do I polish leather"}, api_url=TEST_API_URL)


def test_storefront_lists_in_its_accept_language_and_staff_see_every_language(client, gql, defaults, manager):
    response = client.post(
        "/graphql/",
        json.dumps({"query": LIST, "variables": {"f": 50}}),
        content_type="application/json",
        HTTP_SALEOR_API_URL=TEST_API_URL,
        HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8",
    )
    listed = response.json()["data"]["knowledgeArticles"]
    assert len(listed) == 10 and {a["language"] for a in listed} == {"zh-hans"}
    staff_listed = gql(LIST, {"f": 50}, token=manager)["data"]["knowledgeArticles"]
    assert len(staff_listed) == 20
