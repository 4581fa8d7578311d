"""Settings → Loyalty programme, Rewards, Knowledge base: permission, the loyalty/knowledge actions through the
forms, form errors with nothing saved, and constant SQL as the lists grow."""

import json
from decimal import Decimal

import pytest

from saleor_aftersales.installations.models import Installation
from saleor_aftersales.knowledge import actions as knowledge_actions
from saleor_aftersales.knowledge.models import KnowledgeArticle, KnowledgeArticleEvent
from saleor_aftersales.loyalty import actions as loyalty_actions
from saleor_aftersales.loyalty.models import EarnRule, Programme, Reward, Tier
from tests.conftest import TEST_API_URL
from tests.loyalty.factories import CHANNEL, STAFF, make_programme


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


@pytest.fixture
def other_installation(db):
    return Installation.objects.create(
        saleor_api_url="https://other.example.com/graphql/", app_id="QXBwOjk5", auth_token="t"
    )


def _notice(response):
    return json.loads(response["HX-Trigger"])["aftersales:notify"]


REWARD_FORM = {
    "channel": CHANNEL,
    "kind": "gift_card",
    "name_en": "$5 gift card",
    "name_zh_hans": "5 美元礼品卡",
    "points_cost": "500",
    "value": "5",
    "currency": "usd",
    "per_customer_limit": "2",
    "available_from": "2026-12-01T00:00",
    "available_until": "2027-01-01T00:00",
    "validity_days": "60",
    "is_active": "on",
}


def _reward(installation, n, **values):
    values = {
        "channel_slug": CHANNEL,
        "kind": "free_shipping",
        "name_en": f"Free shipping {n}",
        "name_zh_hans": f"免运费 {n}",
        "points_cost": 100 + n,
        **values,
    }
    return loyalty_actions.save_reward(installation=installation, reward=None, values=values)


# --- loyalty programme ----------------------------------------------------------------------------------------


def test_loyalty_settings_need_manage_discounts(client, installation, staff_token):
    for path in ("/dashboard/frag/settings/loyalty", "/dashboard/frag/settings/rewards"):
        response = client.get(path, **_headers(staff_token("MANAGE_ORDERS", "MANAGE_USERS")))
        assert response.status_code == 403
    response = client.post(
        "/dashboard/frag/settings/loyalty/programme",
        {"channel": CHANNEL, "points_per_unit": "3"},
        **_headers(staff_token("MANAGE_ORDERS")),
    )
    assert response.status_code == 403 and not Programme.objects.exists()
    response = client.post(
        "/dashboard/frag/settings/rewards/save", REWARD_FORM, **_headers(staff_token("MANAGE_USERS"))
    )
    assert response.status_code == 403 and not Reward.objects.exists()


def test_programme_form_creates_then_edits_the_channel_programme(client, installation, staff_token):
    token = staff_token("MANAGE_DISCOUNTS")
    body = client.get(
        f"/dashboard/frag/settings/loyalty?channel={CHANNEL}", **_headers(token)
    ).content.decode()
    assert 'id="no-programme"' in body and 'id="rule-form"' not in body
    form = {
        "channel": CHANNEL,
        "is_active": "on",
        "currency": "eur",
        "points_per_unit": "2.5",
        "point_value": "0.02",
        "lot_expiry_days": "180",
        "expiry_notice_days": "7",
        "signup_points": "50",
        "first_order_points": "100",
        "survey_completed_points": "10",
        "product_review_points": "20",
        "birthday_points": "30",
        "max_points_per_order": "5000",
        "max_balance": "",
        "min_redemption_points": "200",
        "tier_basis": "spend",
        "staff_daily_adjustment_limit": "300",
    }
    response = client.post("/dashboard/frag/settings/loyalty/programme", form, **_headers(token))
    assert _notice(response)["status"] == "success"
    programme = Programme.objects.get(installation=installation, channel_slug=CHANNEL)
    assert (programme.currency, programme.points_per_unit, programme.lot_expiry_days) == (
        "EUR",
        Decimal("2.5"),
        180,
    )
    assert (programme.signup_points, programme.first_order_points, programme.birthday_points) == (50, 100, 30)
    assert (programme.max_points_per_order, programme.max_balance, programme.min_redemption_points) == (
        5000,
        None,
        200,
    )
    assert (programme.tier_basis, programme.staff_daily_adjustment_limit) == ("spend", 300)
    body = response.content.decode()
    assert 'name="lot_expiry_days" value="180"' in body and 'id="rule-form"' in body
    # An empty cap removes it; a checkbox left unticked turns the programme off.
    form.update(max_points_per_order="", is_active="")
    client.post("/dashboard/frag/settings/loyalty/programme", form, **_headers(token))
    programme.refresh_from_db()
    assert (programme.max_points_per_order, programme.is_active) == (None, False)


def test_programme_form_errors_save_nothing(client, installation, staff_token):
    token = staff_token("MANAGE_DISCOUNTS")
    make_programme(installation, lot_expiry_days=365)
    for field, value, code in (
        ("lot_expiry_days", "0", "OUT_OF_RANGE"),
        ("points_per_unit", "abc", "INVALID"),
        ("currency", "EURO", "INVALID"),
        ("signup_points", "-5", "OUT_OF_RANGE"),
    ):
        response = client.post(
            "/dashboard/frag/settings/loyalty/programme",
            {"channel": CHANNEL, "is_active": "on", "lot_expiry_days": "90", field: value},
            **_headers(token),
        )
        body = response.content.decode()
        assert f'data-code="{code}"' in body, field
        assert _notice(response)["status"] == "error"
        # What was typed stays on the form.
        assert f'name="{field}"' in body and f'value="{value}"' in body, field
    programme = Programme.objects.get(installation=installation)
    assert (programme.lot_expiry_days, programme.signup_points, programme.currency) == (365, 0, "USD")


def test_exclusions_multipliers_and_tiers(client, installation, staff_token):
    token = staff_token("MANAGE_DISCOUNTS")
    programme = make_programme(installation)
    url = "/dashboard/frag/settings/loyalty/rules"
    client.post(
        url,
        {"channel": CHANNEL, "scope": "category", "target_id": "Q2F0OjE=", "multiplier": "0"},
        **_headers(token),
    )
    client.post(
        url,
        {"channel": CHANNEL, "scope": "product_type", "target_id": "UFQ6Mg==", "multiplier": "2"},
        **_headers(token),
    )
    response = client.post(
        url, {"channel": CHANNEL, "scope": "planet", "target_id": "x", "multiplier": "2"}, **_headers(token)
    )
    assert 'data-code="INVALID"' in response.content.decode() and 'value="x"' in response.content.decode()
    rules = {(r.scope, r.target_id): r.multiplier for r in EarnRule.objects.filter(programme=programme)}
    assert rules == {("category", "Q2F0OjE="): Decimal("0"), ("product_type", "UFQ6Mg=="): Decimal("2")}
    body = response.content.decode()
    assert 'data-rule="category:Q2F0OjE="' in body and 'data-multiplier="0"' in body

    tier_url = "/dashboard/frag/settings/loyalty/tiers"
    tier = {
        "channel": CHANNEL,
        "code": "gold",
        "name_en": "Gold",
        "name_zh_hans": "",
        "threshold": "1000",
        "multiplier": "1.5",
    }
    response = client.post(tier_url, tier, **_headers(token))
    assert 'data-code="REQUIRED"' in response.content.decode() and not Tier.objects.exists()
    tier["name_zh_hans"] = "金卡"
    response = client.post(tier_url, tier, **_headers(token))
    assert _notice(response)["status"] == "success" and 'data-tier="gold"' in response.content.decode()
    saved = Tier.objects.get(programme=programme)
    assert (saved.name_zh_hans, saved.threshold, saved.multiplier) == (
        "金卡",
        Decimal("1000"),
        Decimal("1.5"),
    )
    # Rules and tiers of a channel without a programme are refused.
    response = client.post(
        url, {"channel": "other", "scope": "product", "target_id": "P", "multiplier": "1"}, **_headers(token)
    )
    assert 'data-code="NOT_FOUND"' in response.content.decode()


def test_rule_form_suggests_what_the_orders_sold(client, installation, staff_token):
    from tests.returns.factories import make_order

    token = staff_token("MANAGE_DISCOUNTS")
    programme = make_programme(installation)
    order = make_order(installation)
    order.lines.update(
        category_id="Q2F0OjE=",
        category_name="Shoes",
        product_type_id="UFQ6MQ==",
        product_type_name="Footwear",
    )
    line = order.lines.first()
    loyalty_actions.set_earn_rule(
        programme=programme, scope="category", target_id="Q2F0OjE=", multiplier=Decimal("0")
    )
    body = client.get("/dashboard/frag/settings/loyalty", **_headers(token)).content.decode()
    assert '<option value="Q2F0OjE=" label="Category: Shoes">' in body
    assert '<option value="UFQ6MQ==" label="Product type: Footwear">' in body
    assert f'<option value="{line.product_id}" label="Product: {line.product_name}">' in body
    assert "<td>Shoes <code" in body


def test_programme_screen_sql_is_constant(client, installation, staff_token, django_assert_max_num_queries):
    token = staff_token("MANAGE_DISCOUNTS")
    programme = make_programme(installation)
    loyalty_actions.set_earn_rule(
        programme=programme, scope="product", target_id="P1", multiplier=Decimal("0")
    )
    with django_assert_max_num_queries(9) as first:
        client.get("/dashboard/frag/settings/loyalty", **_headers(token))
    for n in range(2, 12):
        loyalty_actions.set_earn_rule(
            programme=programme, scope="product", target_id=f"P{n}", multiplier=Decimal("2")
        )
        loyalty_actions.save_tier(
            programme=programme,
            code=f"t{n}",
            values={"name_en": f"T{n}", "name_zh_hans": f"等级{n}", "threshold": n},
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/dashboard/frag/settings/loyalty", **_headers(token)).content.decode()
    assert body.count("data-rule=") == 11 and body.count("data-tier=") == 10


# --- rewards catalogue ----------------------------------------------------------------------------------------


def test_reward_create_edit_and_deactivate(client, installation, staff_token):
    token = staff_token("MANAGE_DISCOUNTS")
    response = client.post("/dashboard/frag/settings/rewards/save", REWARD_FORM, **_headers(token))
    assert _notice(response)["status"] == "success"
    reward = Reward.objects.get(installation=installation)
    assert (reward.kind, reward.name_zh_hans, reward.points_cost, reward.value, reward.currency) == (
        "gift_card", "5 美元礼品卡", 500, Decimal("5"), "USD",
    )  # fmt: skip
    assert (reward.per_customer_limit, reward.validity_days, reward.is_active) == (2, 60, True)
    assert reward.available_from.isoformat() == "2026-12-01T00:00:00+00:00"
    assert f'data-reward="{reward.pk}" data-active="1"' in response.content.decode()

    body = client.get(
        f"/dashboard/frag/settings/rewards?edit={reward.pk}", **_headers(token)
    ).content.decode()
    assert f'name="id" value="{reward.pk}"' in body and 'value="5 美元礼品卡"' in body
    edit = {
        **REWARD_FORM,
        "id": str(reward.pk),
        "kind": "percentage_voucher",
        "value": "10",
        "per_customer_limit": "",
    }
    client.post("/dashboard/frag/settings/rewards/save", edit, **_headers(token))
    reward.refresh_from_db()
    assert (reward.kind, reward.value, reward.per_customer_limit) == (
        "percentage_voucher",
        Decimal("10"),
        None,
    )
    assert Reward.objects.count() == 1

    response = client.post(
        f"/dashboard/frag/settings/rewards/{reward.pk}/active", {"active": "0"}, **_headers(token)
    )
    reward.refresh_from_db()
    assert reward.is_active is False and _notice(response)["status"] == "success"
    assert f'data-reward="{reward.pk}" data-active="0"' in response.content.decode()
    client.post(f"/dashboard/frag/settings/rewards/{reward.pk}/active", {"active": "1"}, **_headers(token))
    reward.refresh_from_db()
    assert reward.is_active is True


def test_reward_errors_keep_the_typed_values_and_save_nothing(client, installation, staff_token):
    token = staff_token("MANAGE_DISCOUNTS")
    existing = _reward(installation, 1)
    cases = (
        ({"name_zh_hans": ""}, "REQUIRED"),
        ({"kind": "percentage_voucher", "value": "150"}, "OUT_OF_RANGE"),
        ({"points_cost": "0"}, "OUT_OF_RANGE"),
        ({"available_until": "2026-11-01T00:00"}, "INVALID"),
        ({"available_from": "tomorrow"}, "INVALID"),
        ({"per_customer_limit": "0"}, "OUT_OF_RANGE"),
    )
    for change, code in cases:
        form = {**REWARD_FORM, **change}
        body = client.post("/dashboard/frag/settings/rewards/save", form, **_headers(token)).content.decode()
        assert f'data-code="{code}"' in body, change
        assert 'value="$5 gift card"' in body
    assert Reward.objects.count() == 1
    # A failed edit leaves the row untouched (the action sets fields before it validates).
    form = {**REWARD_FORM, "id": str(existing.pk), "name_en": "Changed", "points_cost": "0"}
    client.post("/dashboard/frag/settings/rewards/save", form, **_headers(token))
    existing.refresh_from_db()
    assert (existing.name_en, existing.points_cost) == ("Free shipping 1", 101)


def test_rewards_of_another_installation_are_not_found(client, installation, staff_token, other_installation):
    token = staff_token("MANAGE_DISCOUNTS")
    foreign = _reward(other_installation, 1)
    assert (
        client.get(f"/dashboard/frag/settings/rewards?edit={foreign.pk}", **_headers(token)).status_code
        == 404
    )
    response = client.post(
        f"/dashboard/frag/settings/rewards/{foreign.pk}/active", {"active": "0"}, **_headers(token)
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active is True
    assert (
        f'data-reward="{foreign.pk}"'
        not in client.get("/dashboard/frag/settings/rewards", **_headers(token)).content.decode()
    )


def test_rewards_screen_sql_is_constant_and_speaks_chinese(
    client, installation, staff_token, django_assert_max_num_queries
):
    token = staff_token("MANAGE_DISCOUNTS")
    _reward(installation, 1)
    with django_assert_max_num_queries(4) as first:
        client.get("/dashboard/frag/settings/rewards", **_headers(token))
    for n in range(2, 15):
        _reward(installation, n, kind="gift_card", value=Decimal("5"))
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(
            "/dashboard/frag/settings/rewards?locale=zh-Hans", **_headers(token)
        ).content.decode()
    assert body.count("data-reward=") == 14 and "奖励目录" in body and "礼品卡" in body


# --- knowledge base -------------------------------------------------------------------------------------------


def _article(installation, slug, language="en", **values):
    values.setdefault("title", f"About {slug}")
    values.setdefault("body", f"How {slug} works.")
    return knowledge_actions.create_article(
        installation=installation, actor=STAFF, slug=slug, language=language, **values
    )


def test_knowledge_needs_manage_orders(client, installation, staff_token):
    response = client.get("/dashboard/frag/settings/knowledge", **_headers(staff_token("MANAGE_USERS")))
    assert response.status_code == 403
    response = client.post(
        "/dashboard/frag/settings/knowledge/save",
        {"slug": "a", "language": "en", "title": "T", "body": "B"},
        **_headers(staff_token("MANAGE_DISCOUNTS")),
    )
    assert response.status_code == 403 and not KnowledgeArticle.objects.exists()


def test_article_create_in_both_languages_edit_and_publish(client, installation, staff_token):
    token = staff_token("MANAGE_ORDERS", email="writer@example.com")
    url = "/dashboard/frag/settings/knowledge/save"
    form = {"slug": "leather-care", "language": "en", "title": "Leather care", "body": "Wipe with a damp cloth.",
            "intents": ["care_maintenance"]}  # fmt: skip
    response = client.post(url, form, **_headers(token))
    assert _notice(response)["status"] == "success"
    zh = {
        "slug": "leather-care",
        "language": "zh-hans",
        "title": "皮鞋保养",
        "body": "用湿布擦拭。",
        "is_published": "on",
    }
    client.post(url, zh, **_headers(token))
    en = KnowledgeArticle.objects.get(installation=installation, language="en")
    cn = KnowledgeArticle.objects.get(installation=installation, language="zh-hans")
    assert (en.is_published, en.intents, cn.is_published, cn.title) == (
        False,
        ["care_maintenance"],
        True,
        "皮鞋保养",
    )
    # Same slug in the same language again: refused, nothing written.
    body = client.post(url, form, **_headers(token)).content.decode()
    assert 'data-code="DUPLICATE"' in body and KnowledgeArticle.objects.count() == 2

    edit = {
        "id": str(en.pk),
        "slug": "leather-care",
        "title": "Caring for leather",
        "body": "Wipe gently.",
        "intents": [],
    }
    client.post(url, edit, **_headers(token))
    en.refresh_from_db()
    assert (en.title, en.intents, en.language) == ("Caring for leather", [], "en")
    response = client.post(
        f"/dashboard/frag/settings/knowledge/{en.pk}/publish", {"published": "1"}, **_headers(token)
    )
    en.refresh_from_db()
    assert (
        en.is_published and 'data-article="leather-care:en" data-published="1"' in response.content.decode()
    )
    types = list(
        KnowledgeArticleEvent.objects.filter(article_id=en.pk)
        .order_by("id")
        .values_list("type", "actor_email")
    )
    assert [t for t, _ in types] == ["created", "updated", "published"] and types[-1][
        1
    ] == "writer@example.com"


def test_article_errors_and_search(client, installation, staff_token):
    token = staff_token("MANAGE_ORDERS")
    _article(
        installation, "shoe-sizes", title="Shoe sizes", body="Our shoes run small; order half a size up."
    )
    _article(
        installation, "shoe-care", "zh-hans", title="皮鞋的日常保养", body="定期上油。", is_published=True
    )
    _article(installation, "refund-times", title="Refund times", body="Refunds take five days.")
    url = "/dashboard/frag/settings/knowledge/save"
    body = client.post(
        url, {"slug": "Bad Slug", "language": "en", "title": "T", "body": "B"}, **_headers(token)
    ).content.decode()
    assert 'data-code="INVALID_SLUG"' in body and 'value="Bad Slug"' in body
    body = client.post(
        url, {"slug": "x", "language": "fr", "title": "T", "body": "B"}, **_headers(token)
    ).content.decode()
    assert 'data-code="UNSUPPORTED_LANGUAGE"' in body
    assert KnowledgeArticle.objects.count() == 3
    body = client.get("/dashboard/frag/settings/knowledge?q=shoes+small", **_headers(token)).content.decode()
    assert body.count("data-article=") == 1 and 'data-article="shoe-sizes:en"' in body
    body = client.get("/dashboard/frag/settings/knowledge?q=皮鞋保养", **_headers(token)).content.decode()
    assert body.count("data-article=") == 1 and 'data-article="shoe-care:zh-hans"' in body
    body = client.get("/dashboard/frag/settings/knowledge?lang=en", **_headers(token)).content.decode()
    assert body.count("data-article=") == 2  # drafts included


def test_load_default_articles_once(client, installation, staff_token):
    token = staff_token("MANAGE_ORDERS")
    response = client.post("/dashboard/frag/settings/knowledge/defaults", **_headers(token))
    loaded = KnowledgeArticle.objects.filter(installation=installation).count()
    assert loaded >= 2 and _notice(response)["text"] == str(loaded)
    assert set(KnowledgeArticle.objects.values_list("language", flat=True)) == {"en", "zh-hans"}
    response = client.post("/dashboard/frag/settings/knowledge/defaults", **_headers(token))
    assert _notice(response)["text"] == "0" and KnowledgeArticle.objects.count() == loaded


def test_knowledge_screen_sql_is_constant(client, installation, staff_token, django_assert_max_num_queries):
    token = staff_token("MANAGE_ORDERS")
    _article(installation, "a1")
    with django_assert_max_num_queries(4) as first:
        client.get("/dashboard/frag/settings/knowledge", **_headers(token))
    for n in range(2, 12):
        _article(installation, f"a{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/dashboard/frag/settings/knowledge", **_headers(token)).content.decode()
    assert body.count("data-article=") == 11


def test_return_settings_sql_is_constant(client, installation, staff_token, django_assert_max_num_queries):
    from saleor_aftersales.returns import actions as return_actions

    token = staff_token("MANAGE_ORDERS")

    def reason(n):
        return_actions.save_return_reason(
            installation=installation, actor=STAFF, code=f"r{n}", category="quality", label_en=f"R{n}",
            label_zh_hans=f"原因{n}",
        )  # fmt: skip

    reason(0)
    with django_assert_max_num_queries(6) as first:
        client.get("/dashboard/frag/settings", **_headers(token))
    for n in range(1, 10):
        reason(n)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/dashboard/frag/settings", **_headers(token)).content.decode()
    assert body.count('data-reason="r') == 10


def test_a_refused_settings_tab_still_offers_the_others(client, installation, staff_token):
    token = staff_token("MANAGE_DISCOUNTS")
    response = client.get("/dashboard/frag/settings", **_headers(token))
    body = response.content.decode()
    assert response.status_code == 403 and 'data-status="403"' in body
    assert 'data-tab="loyalty"' in body and 'id="policy-form"' not in body
    assert client.get("/dashboard/frag/settings/loyalty", **_headers(token)).status_code == 200
    # Without a valid token there is nothing to offer.
    assert 'data-tab="' not in client.get("/dashboard/frag/settings").content.decode()


def test_settings_tabs_link_every_settings_screen(client, installation, staff_token):
    body = client.get("/dashboard/frag/settings", **_headers(staff_token("MANAGE_ORDERS"))).content.decode()
    for tab in ("returns", "loyalty", "rewards", "knowledge"):
        assert f'data-tab="{tab}"' in body
    assert (
        'data-tab="returns" hx-get="/dashboard/frag/settings" hx-target="#screen" aria-current="page"' in body
    )
