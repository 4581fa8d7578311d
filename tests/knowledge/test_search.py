from saleor_aftersales.core.actors import Actor
from saleor_aftersales.installations.models import Installation
from saleor_aftersales.knowledge import actions, selectors


def _load(installation):
    actions.load_default_articles(installation)


def _slugs(installation, text, language, limit=3, **kwargs):
    return [
        a.slug
        for a in selectors.search_articles(installation, text=text, language=language, limit=limit, **kwargs)
    ]


def test_english_search_ranks_the_matching_article_first(installation):
    _load(installation)
    assert _slugs(installation, "how to polish leather shoes", "en")[0] == "leather-care"
    assert _slugs(installation, "where is my refund", "en")[0] == "refund-status"
    assert _slugs(installation, "sizing chart for wide feet", "en")[0] == "size-guide"
    assert _slugs(installation, "warranty resoling", "en")[0] == "warranty"
    assert _slugs(installation, "tracking number", "en")[0] == "delivery-times"


def test_chinese_search_matches_without_word_segmentation(installation):
    _load(installation)
    assert _slugs(installation, "皮鞋怎么保养", "zh-hans")[0] == "leather-care"
    assert _slugs(installation, "退款多久到账", "zh-hans")[0] == "refund-status"
    assert _slugs(installation, "尺码表", "zh-hans")[0] == "size-guide"
    assert _slugs(installation, "积分过期", "zh-hans")[0] == "loyalty-points"
    assert _slugs(installation, "物流单号", "zh-hans")[0] == "delivery-times"


def test_scores_are_ranked_and_unmatched_text_finds_nothing(installation):
    _load(installation)
    found = selectors.search_articles(installation, text="leather shoes", language="en", limit=10)
    assert [a.score for a in found] == sorted((a.score for a in found), reverse=True)
    assert found[0].score > 0
    assert _slugs(installation, "xylophone quantum", "en") == []
    assert _slugs(installation, "the and of", "en") == []  # stopwords only
    assert _slugs(installation, "", "en") == []


def test_search_stays_in_its_language_and_installation(installation):
    _load(installation)
    other = Installation.objects.create(
        saleor_api_url="http://127.0.0.1:10/graphql/", app_id="x", auth_token="t"
    )
    assert _slugs(other, "leather care", "en") == []
    assert _slugs(installation, "皮鞋保养", "en") == []
    assert all(
        a.language == "zh-hans"
        for a in selectors.search_articles(installation, text="皮鞋保养", language="zh-hans", limit=10)
    )


def test_unpublished_articles_are_found_only_when_asked(installation):
    _load(installation)
    care = selectors.article_by_slug(installation, slug="leather-care", language="en")
    actions.set_article_published(article=care, actor=Actor.system(), is_published=False)
    assert "leather-care" not in _slugs(installation, "leather care", "en", limit=20)
    assert _slugs(installation, "leather care", "en", published_only=False)[0] == "leather-care"


def test_articles_for_intent_prefers_helpful_ones(installation):
    _load(installation)
    defective = selectors.article_by_slug(installation, slug="defective-item", language="en")
    warranty = selectors.article_by_slug(installation, slug="warranty", language="en")
    actions.mark_article_helpful(article=warranty, voter_key="user:1", helpful=True)
    found = selectors.articles_for_intent(installation, intent="defect_quality", language="en")
    assert [a.slug for a in found] == [warranty.slug, defective.slug]
    assert selectors.articles_for_intent(installation, intent="loyalty_points", language="zh-hans")[
        0
    ].title == ("会员积分的获取与使用")
