import pytest
from django.core.management import call_command

from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.installations.models import Installation
from saleor_aftersales.knowledge import actions
from saleor_aftersales.knowledge.models import (
    KnowledgeArticle,
    KnowledgeArticleEvent,
    KnowledgeArticleFeedback,
    KnowledgeArticleTerm,
)

from .factories import STAFF, make_article

DEFAULT_COUNT = 20  # 10 topics x (en, zh-hans)


def test_create_article_indexes_terms_and_records_event(installation):
    article = make_article(
        installation, "leather-care", title="Leather care", intents=["care_maintenance"], published=False
    )
    assert (article.language, article.is_published, article.published_at) == ("en", False, None)
    terms = set(KnowledgeArticleTerm.objects.filter(article=article).values_list("term", flat=True))
    assert {"leather", "car", "intent:care_maintenance"} <= terms
    event = KnowledgeArticleEvent.objects.get(article=article)
    assert (event.type, event.to_status, event.actor_type, event.actor_email) == (
        "created",
        "draft",
        "staff",
        "staff@example.com",
    )


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("slug", "", "REQUIRED"),
        ("slug", "Not A Slug", "INVALID_SLUG"),
        ("slug", "a" * 101, "TOO_LONG"),
        ("language", "fr", "UNSUPPORTED_LANGUAGE"),
        ("title", "  ", "REQUIRED"),
        ("title", "t" * 201, "TOO_LONG"),
        ("body", "b" * 20_001, "TOO_LONG"),
        ("intents", ["size_fit", "horoscope"], "UNKNOWN_INTENT"),
    ],
)
def test_bad_article_input_is_refused_and_nothing_is_written(installation, field, value, code):
    values = {"slug": "ok", "language": "en", "title": "Title", "body": "Body", "intents": []}
    values[field] = value
    with pytest.raises(DomainError) as caught:
        actions.create_article(installation=installation, actor=STAFF, **values)
    assert (caught.value.code, caught.value.details[0].field) == (code, field)
    assert KnowledgeArticle.objects.count() == 0
    assert KnowledgeArticleEvent.objects.count() == 0


def test_same_slug_is_allowed_once_per_language(installation):
    make_article(installation, "sizing")
    make_article(installation, "sizing", language="zh-Hans", title="尺码")
    with pytest.raises(DomainError) as caught:
        make_article(installation, "sizing")
    assert caught.value.code == "DUPLICATE"
    assert KnowledgeArticle.objects.filter(slug="sizing").count() == 2


def test_update_reindexes_only_on_content_change_and_records_changed_fields(installation):
    article = make_article(installation, "sizing", title="Sizing", body="Measure your foot.")
    actions.update_article(article=article, actor=STAFF, title="Sizing", body="Use the size chart.")
    terms = set(KnowledgeArticleTerm.objects.filter(article=article).values_list("term", flat=True))
    assert "chart" in terms and "measur" not in terms
    event = KnowledgeArticleEvent.objects.filter(article=article).last()
    assert (event.type, event.data["fields"]) == ("updated", ["body"])
    actions.update_article(article=article, actor=STAFF, title="Sizing")
    assert KnowledgeArticleEvent.objects.filter(article=article).count() == 2  # no change, no event


def test_update_slug_to_a_taken_one_is_refused(installation):
    make_article(installation, "a")
    other = make_article(installation, "b")
    with pytest.raises(DomainError) as caught:
        actions.update_article(article=other, actor=STAFF, slug="a")
    assert caught.value.code == "DUPLICATE"
    other.refresh_from_db()
    assert other.slug == "b"


def test_publish_unpublish_is_idempotent_and_audited(installation):
    article = make_article(installation, "a", published=False)
    actions.set_article_published(article=article, actor=STAFF, is_published=True)
    actions.set_article_published(article=article, actor=STAFF, is_published=True)
    assert article.published_at is not None
    actions.set_article_published(article=article, actor=STAFF, is_published=False)
    rows = list(
        KnowledgeArticleEvent.objects.filter(article=article).values_list("type", "from_status", "to_status")
    )
    assert rows == [
        ("created", "", "draft"),
        ("published", "draft", "published"),
        ("unpublished", "published", "draft"),
    ]


def test_delete_keeps_the_audit_row(installation):
    article = make_article(installation, "a")
    actions.delete_article(article=article, actor=STAFF)
    assert KnowledgeArticle.objects.count() == 0
    event = KnowledgeArticleEvent.objects.get(type="deleted")
    assert (event.article_id, event.data["slug"], event.from_status) == (None, "a", "published")


def test_one_vote_per_voter_and_a_changed_vote_moves_counters(installation):
    article = make_article(installation, "a")
    actions.mark_article_helpful(article=article, voter_key="user:1", helpful=True)
    actions.mark_article_helpful(article=article, voter_key="user:1", helpful=True)
    actions.mark_article_helpful(article=article, voter_key="user:2", helpful=True)
    assert (article.helpful_count, article.not_helpful_count) == (2, 0)
    actions.mark_article_helpful(article=article, voter_key="user:1", helpful=False)
    assert (article.helpful_count, article.not_helpful_count) == (1, 1)
    assert KnowledgeArticleFeedback.objects.count() == 2


def test_unpublished_article_cannot_be_voted_on(installation):
    article = make_article(installation, "a", published=False)
    with pytest.raises(DomainError) as caught:
        actions.mark_article_helpful(article=article, voter_key="user:1", helpful=True)
    assert caught.value.code == "NOT_FOUND"
    assert KnowledgeArticleFeedback.objects.count() == 0


def test_guest_voter_key_hides_the_address_and_is_stable():
    key = actions.guest_voter_key(1, "203.0.113.9")
    assert key == actions.guest_voter_key(1, "203.0.113.9")
    assert key != actions.guest_voter_key(2, "203.0.113.9")
    assert "203" not in key and len(key) == 46


def test_views_are_counted(installation):
    article = make_article(installation, "a")
    actions.record_article_view(article=article)
    actions.record_article_view(article=article)
    article.refresh_from_db()
    assert article.view_count == 2


def test_default_articles_load_once_per_installation_in_both_languages(installation):
    created = actions.load_default_articles(installation)
    assert len(created) == DEFAULT_COUNT
    assert {a.language for a in created} == {"en", "zh-hans"}
    assert all(a.is_published and a.default_key == a.slug for a in created)
    slugs = {a.slug for a in created}
    assert {
        "size-guide",
        "defective-item",
        "delivery-times",
        "refund-status",
        "leather-care",
        "warranty",
        "loyalty-points",
        "how-to-return",
        "wrong-or-missing-item",
        "contact-us",
    } == slugs
    edited = KnowledgeArticle.objects.get(slug="leather-care", language="en")
    actions.update_article(article=edited, actor=STAFF, title="Our leather care guide")
    assert actions.load_default_articles(installation) == []
    edited.refresh_from_db()
    assert edited.title == "Our leather care guide"
    assert KnowledgeArticleEvent.objects.get(article=edited, type="created").actor_type == "system"


def test_every_default_article_is_valid_and_paired_in_both_languages():
    defaults = actions.default_articles()
    pairs = {}
    for article in defaults:
        assert article.title and len(article.body) > 150, article.slug
        assert article.intents, article.slug
        pairs.setdefault(article.slug, set()).add(article.language)
    assert all(languages == {"en", "zh-hans"} for languages in pairs.values())


def test_management_command_loads_defaults_for_one_or_all_installations(installation):
    other = Installation.objects.create(
        saleor_api_url="http://127.0.0.1:10/graphql/", app_id="x", auth_token="t"
    )
    call_command("load_default_articles", "--saleor-api-url", installation.saleor_api_url)
    assert KnowledgeArticle.objects.filter(installation=installation).count() == DEFAULT_COUNT
    assert KnowledgeArticle.objects.filter(installation=other).count() == 0
    call_command("load_default_articles", "--all")
    assert KnowledgeArticle.objects.filter(installation=other).count() == DEFAULT_COUNT
    assert KnowledgeArticle.objects.count() == 2 * DEFAULT_COUNT
