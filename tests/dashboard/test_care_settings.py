"""Settings tab "care" (care guides per product type or category in en + zh-Hans, the symptom catalogue) and the
technicians' edit and deactivation on the warranty tab: permissions, typed errors on the form with nothing written,
both languages, constant SQL, and the saved guide used by warranties (care guide, reminders)."""

from __future__ import annotations

import json

import pytest

from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.warranty import actions as warranty_actions
from saleor_aftersales.warranty import selectors
from saleor_aftersales.warranty.care import guide_for
from saleor_aftersales.warranty.models import (
    CareGuide,
    RepairOrder,
    ServiceCenter,
    Technician,
    Warranty,
    WarrantySymptom,
    WarrantyTerms,
)
from tests.conftest import TEST_API_URL
from tests.warranty.factories import CUSTOMER, NOW, STAFF, registered

ORDERS = "MANAGE_ORDERS"
CARE = "/dashboard/frag/settings/care"


def _headers(token, locale="en"):
    return {
        "HTTP_AUTHORIZATION_BEARER": token,
        "HTTP_SALEOR_API_URL": TEST_API_URL,
        "HTTP_X_DASHBOARD_LOCALE": locale,
    }


def _post(client, url, data, token, locale="en"):
    response = client.post(url, data, **_headers(token, locale))
    return response, response.content.decode()


def _notify(response):
    return json.loads(response["HX-Trigger"])["aftersales:notify"]


def _section(n, topic="cleaning", **changed):
    values = {
        "topic": topic,
        "title_en": "Cleaning",
        "title_zh_hans": "清洁",
        "body_en": "Wipe with a damp cloth.",
        "body_zh_hans": "用湿布擦拭。",
        **changed,
    }
    return {f"section-{n}-{key}": value for key, value in values.items()}


GUIDE = {
    "form": "guide",
    "code": "handbags",
    "title_en": "Caring for your handbag",
    "title_zh_hans": "手袋保养指南",
    "product_type_ids": "UHJvZHVjdFR5cGU6OQ==",
    "category_ids": "Q2F0ZWdvcnk6NDI=, Q2F0ZWdvcnk6NDM=",
    "match_keywords": "bag, 包",
    "reminder_interval_months": "3",
    "is_active": "on",
    **_section(0),
}


def test_care_tab_needs_manage_orders_and_lists_the_built_in_guide_and_symptoms(
    client, installation, staff_token
):
    refused = client.get(CARE, **_headers(staff_token("MANAGE_USERS")))
    assert refused.status_code == 403 and b'data-tab="care"' in refused.content
    response, _ = _post(client, f"{CARE}/guides", GUIDE, staff_token("MANAGE_USERS"))
    assert response.status_code == 403 and not CareGuide.objects.exists()
    body = client.get(CARE, **_headers(staff_token(ORDERS), "zh-Hans")).content.decode()
    assert 'data-guide="leather-shoes" data-active="1" data-built-in="1"' in body
    assert (
        "皮鞋保养指南" in body
        and "保养指南与故障症状" in body
        and 'aria-current="page">保养指南与故障症状' in body
    )
    assert 'data-symptom="sole-detachment" data-active="1"' in body and "鞋底开胶" in body
    english = client.get(CARE, **_headers(staff_token(ORDERS))).content.decode()
    assert "Caring for your leather shoes" in english and "Care guides &amp; symptoms" in english
    # Every settings tab links to the new one.
    tabs = client.get("/dashboard/frag/settings/warranty", **_headers(staff_token(ORDERS))).content.decode()
    assert 'data-tab="care" hx-get="/dashboard/frag/settings/care"' in tabs


def test_save_a_care_guide_per_category_in_both_languages(client, installation, staff_token):
    token = staff_token(ORDERS, email="merchant@example.com")
    response, body = _post(
        client, f"{CARE}/guides", {**GUIDE, **_section(1, "storage", title_en="Storage")}, token
    )
    assert _notify(response) == {"status": "success", "title": "Saved", "text": "handbags"}
    guide = CareGuide.objects.get()
    assert (guide.code, guide.title_zh_hans, guide.reminder_interval_months) == (
        "handbags",
        "手袋保养指南",
        3,
    )
    assert guide.category_ids == ["Q2F0ZWdvcnk6NDI=", "Q2F0ZWdvcnk6NDM="]
    assert guide.product_type_ids == ["UHJvZHVjdFR5cGU6OQ=="] and guide.match_keywords == ["bag", "包"]
    assert [s["topic"] for s in guide.sections] == ["cleaning", "storage"]
    assert 'data-guide="handbags" data-active="1" data-built-in="0"' in body and 'data-sections="2"' in body
    # The edit form is pre-filled in both languages, with one blank section to add.
    edit = client.get(f"{CARE}?guide=handbags", **_headers(token, "zh-Hans")).content.decode()
    assert 'name="title_zh_hans" lang="zh-Hans" value="手袋保养指南"' in edit
    assert 'name="section-1-body_zh_hans"' in edit and 'name="section-2-topic"' in edit
    assert (
        'name="section-3-topic"' not in edit
        and 'name="code" value="handbags" maxlength="64" placeholder="leather-shoes" readonly' in edit
    )
    # Deactivate; a wholly empty section is dropped.
    form = {
        **GUIDE,
        "is_active": "",
        **_section(0, "storage"),
        **_section(1, "", title_en="", title_zh_hans="", body_en="", body_zh_hans=""),
    }
    form.pop("is_active")
    _post(client, f"{CARE}/guides", form, token)
    guide.refresh_from_db()
    assert guide.is_active is False and [s["topic"] for s in guide.sections] == ["storage"]
    assert CareGuide.objects.count() == 1


def test_a_saved_guide_matches_warranties_by_category_for_their_guide_and_reminders(
    client, installation, staff_token
):
    token = staff_token(ORDERS)
    warranties = registered(installation)
    category = warranties[0].category_id
    _post(
        client,
        f"{CARE}/guides",
        {**GUIDE, "product_type_ids": "", "match_keywords": "", "category_ids": category},
        token,
    )
    guides = selectors.care_guides(installation)
    # Product type first (the built-in leather guide matches the shoes' product type by keyword only).
    assert guide_for(guides, product_type_id="", category_id=category).code == "handbags"
    assert (
        guide_for(guides, product_type_id="", product_type_name="Leather shoes", category_id="").code
        == "leather-shoes"
    )
    # A new warranty of that category gets the guide's 3-month reminder pace.
    Warranty.objects.all().delete()
    warranty_actions.save_settings(installation=installation, actor=STAFF, reminders_enabled=True)
    order = warranties[0].order
    warranty_actions.register_order_warranties(order=order)
    fresh = Warranty.objects.get(order=order)
    assert fresh.next_reminder_at is not None
    months = (fresh.next_reminder_at - fresh.starts_at).days
    assert 85 <= months <= 95  # three months, not the leather guide's six


@pytest.mark.parametrize(
    "changed, code, field",
    [
        ({"code": "Hand Bags"}, "INVALID", "code"),
        ({"title_zh_hans": ""}, "REQUIRED", "titleEn"),
        ({"reminder_interval_months": "61"}, "OUT_OF_RANGE", "reminderIntervalMonths"),
        ({"reminder_interval_months": "soon"}, "INVALID", "reminderIntervalMonths"),
        ({"section-0-body_zh_hans": ""}, "REQUIRED", "sections.0"),
        (
            {
                "section-0-topic": "",
                "section-0-title_en": "",
                "section-0-title_zh_hans": "",
                "section-0-body_en": "",
                "section-0-body_zh_hans": "",
            },
            "REQUIRED",
            "sections",
        ),
    ],
)
def test_care_guide_errors_are_typed_on_the_form_and_nothing_is_written(
    client, installation, staff_token, changed, code, field
):
    response, body = _post(client, f"{CARE}/guides", {**GUIDE, **changed}, staff_token(ORDERS), "zh-Hans")
    assert response.status_code == 200
    assert f'data-code="{code}" data-field="{field}"' in body
    assert _notify(response)["status"] == "error" and _notify(response)["title"] == code
    assert not CareGuide.objects.exists()
    # What was posted stays on the form (in Chinese), so nothing typed is lost.
    assert 'value="Caring for your handbag"' in body and "保存" in body


def test_symptoms_are_added_edited_and_deactivated_with_typed_errors(client, installation, staff_token):
    token = staff_token(ORDERS)
    symptom = {
        "form": "symptom",
        "code": "heel-wear",
        "label_en": "Heel worn",
        "label_zh_hans": "鞋跟磨损",
        "position": "7",
        "is_active": "on",
    }
    for changed, code, field in (
        ({"code": "Heel wear"}, "INVALID", "code"),
        ({"label_zh_hans": ""}, "REQUIRED", "labelEn"),
        ({"position": "-1"}, "OUT_OF_RANGE", "position"),
    ):
        response, body = _post(client, f"{CARE}/symptoms", {**symptom, **changed}, token)
        assert f'data-code="{code}" data-field="{field}"' in body, changed
        assert 'value="Heel worn"' in body or changed.get("label_en") == ""
    assert not WarrantySymptom.objects.exists()
    response, body = _post(client, f"{CARE}/symptoms", symptom, token)
    assert _notify(response)["text"] == "heel-wear" and 'data-symptom="heel-wear" data-active="1"' in body
    assert selectors.symptom_catalogue(installation)["heel-wear"].label("zh-hans") == "鞋跟磨损"
    # Override a built-in symptom: deactivated, a claim can no longer report it.
    _post(
        client,
        f"{CARE}/symptoms",
        {**symptom, "code": "stitching", "label_en": "Stitching", "label_zh_hans": "缝线", "is_active": ""},
        token,
    )
    assert 'data-symptom="stitching" data-active="0"' in client.get(CARE, **_headers(token)).content.decode()
    [warranty] = registered(installation)
    with pytest.raises(DomainError) as raised:
        warranty_actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    assert raised.value.details[0].code == "UNKNOWN_SYMPTOM"
    edit = client.get(f"{CARE}?symptom=heel-wear", **_headers(token)).content.decode()
    assert 'name="label_zh_hans" lang="zh-Hans" maxlength="200" value="鞋跟磨损"' in edit


def test_care_tab_sql_is_constant_as_guides_and_symptoms_grow(
    client, installation, staff_token, django_assert_max_num_queries
):
    token = staff_token(ORDERS)
    with django_assert_max_num_queries(12) as first:
        assert client.get(CARE, **_headers(token)).status_code == 200
    baseline = len(first.captured_queries)  # read now: every request resets the connection's query log
    for n in range(6):
        _post(client, f"{CARE}/guides", {**GUIDE, "code": f"guide-{n}"}, token)
        _post(
            client,
            f"{CARE}/symptoms",
            {"form": "symptom", "code": f"s-{n}", "label_en": "S", "label_zh_hans": "症", "is_active": "on"},
            token,
        )
    with django_assert_max_num_queries(baseline):
        body = client.get(CARE, **_headers(token)).content.decode()
    assert body.count("data-guide=") == 7 and body.count('data-symptom="s-') == 6


def _center(installation):
    return ServiceCenter.objects.create(installation=installation, name="Atelier Shanghai")


def test_technicians_are_edited_deactivated_and_reactivated(client, installation, staff_token):
    token = staff_token(ORDERS)
    center, other = (
        _center(installation),
        ServiceCenter.objects.create(installation=installation, name="Beijing"),
    )
    url = "/dashboard/frag/settings/warranty/technicians"
    _post(
        client,
        url,
        {"center": center.pk, "name": "Lin", "email": "lin@example.com", "skills": "soles"},
        token,
    )
    tech = Technician.objects.get()
    edit = client.get(
        f"/dashboard/frag/settings/warranty?technician={tech.pk}", **_headers(token, "zh-Hans")
    ).content.decode()
    assert f'<input type="hidden" name="pk" value="{tech.pk}">' in edit and "编辑技师" in edit
    assert f'<option value="{center.pk}" selected>' in edit and 'value="lin@example.com"' in edit
    for changed, code, field in (
        ({"name": ""}, "REQUIRED", "name"),
        ({"email": "not-an-address"}, "INVALID", "email"),
        ({"pk": "999999"}, "NOT_FOUND", "technicianId"),
    ):
        response, body = _post(
            client, url, {"pk": tech.pk, "center": other.pk, "name": "Lin Wei", "email": "", **changed}, token
        )
        assert f'data-code="{code}" data-field="{field}"' in body, changed
    tech.refresh_from_db()
    assert (tech.name, tech.center_id) == ("Lin", center.pk)
    _post(
        client,
        url,
        {
            "pk": tech.pk,
            "center": other.pk,
            "name": "Lin Wei",
            "email": "wei@example.com",
            "skills": "soles, zips",
        },
        token,
    )
    tech.refresh_from_db()
    assert (tech.name, tech.center_id, tech.email, tech.skills, tech.is_active) == (
        "Lin Wei", other.pk, "wei@example.com", ["soles", "zips"], True,
    )  # fmt: skip
    assert Technician.objects.count() == 1
    # Deactivate: shown as inactive, gone from the repair screen's choices, refused for a new assignment.
    response, body = _post(client, f"{url}/{tech.pk}/active", {"active": "0"}, token, "zh-Hans")
    assert _notify(response) == {"status": "success", "title": "技师已停用", "text": "Lin Wei"}
    assert f'data-technician="{tech.pk}" data-active="0"' in body and "重新启用" in body
    tech.refresh_from_db()
    assert tech.is_active is False
    [warranty] = registered(installation)
    claim = warranty_actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="stitching", now=NOW)
    warranty_actions.decide_claim(claim=claim, actor=STAFF, decision="repair", note="fix", now=NOW)
    repair = RepairOrder.objects.get()
    page = client.get(f"/dashboard/frag/warranty/repairs/{repair.pk}", **_headers(token)).content.decode()
    assert "Atelier Shanghai</option>" in page and "/ Lin Wei</option>" not in page
    with pytest.raises(DomainError) as raised:
        warranty_actions.assign_repair(repair=repair, center=other, technician=tech, actor=STAFF)
    assert raised.value.details[0].code == "INVALID"
    response, body = _post(client, f"{url}/{tech.pk}/active", {"active": "1"}, token)
    assert (
        _notify(response)["title"] == "Technician reactivated"
        and f'data-technician="{tech.pk}" data-active="1"' in body
    )
    # Another installation's technician is not found; nothing changes.
    assert (
        client.post(
            f"{url}/{tech.pk}/active", {"active": "0"}, **_headers(staff_token("MANAGE_USERS"))
        ).status_code
        == 403
    )
    response, body = _post(client, f"{url}/999999/active", {"active": "0"}, token)
    assert 'data-code="NOT_FOUND" data-field="technicianId"' in body


def test_terms_covered_and_excluded_symptoms_are_checkboxes_of_the_catalogue_and_editable(
    client, installation, staff_token
):
    token = staff_token(ORDERS)
    url = "/dashboard/frag/settings/warranty/terms"
    _post(
        client,
        f"{CARE}/symptoms",
        {
            "form": "symptom",
            "code": "heel-wear",
            "label_en": "Heel worn",
            "label_zh_hans": "鞋跟磨损",
            "is_active": "on",
        },
        token,
    )
    form = client.get("/dashboard/frag/settings/warranty", **_headers(token, "zh-Hans")).content.decode()
    assert '<input type="checkbox" name="covered_issues" value="heel-wear" > 鞋跟磨损' in form
    assert '<input type="checkbox" name="excluded_issues" value="misuse" > 使用不当造成的损坏' in form
    terms = {
        "scope": "default", "name": "Shoes", "duration_months": "24", "remedies": ["repair", "replace"],
        "covered_issues": ["sole-detachment", "heel-wear"], "excluded_issues": ["misuse", "water-damage"],
        "text_en": "Two years.", "text_zh_hans": "两年。", "is_active": "on",
    }  # fmt: skip
    # A typed error keeps every checked symptom on the form.
    response, body = _post(client, url, {**terms, "text_zh_hans": ""}, token)
    assert 'data-code="REQUIRED" data-field="textEn"' in body
    assert (
        'name="covered_issues" value="heel-wear" checked' in body
        and 'name="excluded_issues" value="misuse" checked' in body
    )
    assert not WarrantyTerms.objects.exists()
    response, body = _post(client, url, terms, token, "zh-Hans")
    row = WarrantyTerms.objects.get()
    assert (row.covered_issues, row.excluded_issues) == (
        ["sole-detachment", "heel-wear"],
        ["misuse", "water-damage"],
    )
    assert "鞋底开胶, 鞋跟磨损" in body and "使用不当造成的损坏, 进水损坏" in body
    # Edit: the form is pre-filled, scope and target stay; unchecking a symptom removes it.
    edit = client.get(f"/dashboard/frag/settings/warranty?terms={row.pk}", **_headers(token)).content.decode()
    assert (
        '<input type="hidden" name="scope" value="default">' in edit and 'name="name" value="Shoes"' in edit
    )
    assert (
        'name="covered_issues" value="heel-wear" checked' in edit
        and 'name="remedies" value="refund" >' in edit
    )
    _post(client, url, {**terms, "covered_issues": ["sole-detachment"], "duration_months": "36"}, token)
    row.refresh_from_db()
    assert (row.covered_issues, row.duration_months, WarrantyTerms.objects.count()) == (
        ["sole-detachment"],
        36,
        1,
    )
    # A claim for an excluded symptom is not covered.
    [warranty] = registered(installation)
    assert warranty.terms_snapshot["excluded_issues"] == ["misuse", "water-damage"]
    with pytest.raises(DomainError) as raised:
        warranty_actions.create_claim(warranty=warranty, actor=CUSTOMER, symptom="misuse", now=NOW)
    assert raised.value.details[0].code == "NOT_COVERED"
