"""Settings tabs Warranty (terms, settings, service centers, technicians), SLA (policies, business calendars) and
Notifications (templates with preview): permissions, typed errors with nothing written, constant SQL."""

from __future__ import annotations

import json

from saleor_aftersales.notifications.models import NotificationTemplate
from saleor_aftersales.sla.models import BusinessCalendar, SlaPolicy
from saleor_aftersales.warranty.models import ServiceCenter, Technician, WarrantySettings, WarrantyTerms
from tests.conftest import TEST_API_URL

ORDERS, SETTINGS = "MANAGE_ORDERS", "MANAGE_SETTINGS"


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def _post(client, url, data, token):
    response = client.post(url, data, **_headers(token))
    return response, response.content.decode()


def _notify(response):
    return json.loads(response["HX-Trigger"])["aftersales:notify"]


def test_tabs_need_the_graphql_permission_and_refusals_keep_the_tabs(client, installation, staff_token):
    clerk = staff_token(ORDERS)
    for url in ("/dashboard/frag/settings/warranty", "/dashboard/frag/settings/sla"):
        assert client.get(url, **_headers(clerk)).status_code == 200
        refused = client.get(url, **_headers(staff_token("MANAGE_USERS")))
        assert refused.status_code == 403 and b'data-tab="notifications"' in refused.content
    refused = client.get("/dashboard/frag/settings/notifications", **_headers(clerk))
    assert refused.status_code == 403 and b'data-tab="warranty"' in refused.content
    response, _ = _post(
        client,
        "/dashboard/frag/settings/notifications/save",
        {"event": "return_approved", "language": "en", "subject": "Hi", "body": "Yes"},
        clerk,
    )
    assert response.status_code == 403 and not NotificationTemplate.objects.exists()
    assert (
        client.get("/dashboard/frag/settings/notifications", **_headers(staff_token(SETTINGS))).status_code
        == 200
    )


def test_warranty_terms_and_settings(client, installation, staff_token):
    token = staff_token(ORDERS)
    url = "/dashboard/frag/settings/warranty/terms"
    terms = {
        "scope": "category",
        "target_id": "Q2F0ZWdvcnk6Nw==",
        "name": "Leather shoes",
        "duration_months": "24",
        "covered_issues": "sole-detachment, stitching",
        "remedies": ["repair", "replace"],
        "text_en": "Two years on soles and seams.",
        "text_zh_hans": "鞋底与缝线保修两年。",
        "is_active": "on",
    }
    for changed, code, field in (
        ({"target_id": ""}, "REQUIRED", "targetId"),
        ({"duration_months": "0"}, "OUT_OF_RANGE", "durationMonths"),
        ({"duration_months": "two"}, "INVALID", "durationMonths"),
        ({"text_zh_hans": ""}, "REQUIRED", "textEn"),
    ):
        response, body = _post(client, url, {**terms, **changed}, token)
        assert f'data-code="{code}" data-field="{field}"' in body, changed
        assert _notify(response)["status"] == "error"
    assert not WarrantyTerms.objects.exists()
    response, body = _post(client, url, terms, token)
    row = WarrantyTerms.objects.get()
    assert (row.duration_months, row.covered_issues, row.remedies) == (
        24, ["sole-detachment", "stitching"], ["repair", "replace"],
    )  # fmt: skip
    assert 'data-terms="category:Q2F0ZWdvcnk6Nw=="' in body and _notify(response)["status"] == "success"

    url = "/dashboard/frag/settings/warranty/settings"
    config = {
        "default_turnaround_days": "12",
        "repair_service_variant_id": "UHJvZHVjdFZhcmlhbnQ6OQ==",
        "turnaround": "Q2F0ZWdvcnk6Nw== = 5\nQ2F0ZWdvcnk6OA== = 20",
        "reminders_enabled": "on",
        "reminder_interval_months": "6",
    }
    for changed, code, field in (
        ({"turnaround": "Q2F0ZWdvcnk6Nw== = 900"}, "OUT_OF_RANGE", "turnaroundDaysByCategory"),
        ({"turnaround": "just words"}, "INVALID", "turnaroundDaysByCategory"),
        ({"default_turnaround_days": "0"}, "OUT_OF_RANGE", "defaultTurnaroundDays"),
    ):
        _, body = _post(client, url, {**config, **changed}, token)
        assert f'data-code="{code}" data-field="{field}"' in body, changed
    assert not WarrantySettings.objects.exists()
    _, body = _post(client, url, config, token)
    saved = WarrantySettings.objects.get()
    assert (saved.default_turnaround_days, saved.repair_service_variant_id, saved.turnaround_days_by_category) == (
        12, "UHJvZHVjdFZhcmlhbnQ6OQ==", {"Q2F0ZWdvcnk6Nw==": 5, "Q2F0ZWdvcnk6OA==": 20},
    )  # fmt: skip
    assert "Q2F0ZWdvcnk6OA== = 20" in body


def test_service_centers_and_technicians(client, installation, staff_token, django_assert_max_num_queries):
    token = staff_token(ORDERS)
    url = "/dashboard/frag/settings/warranty/centers"
    _, body = _post(client, url, {"name": "", "capacity": "3"}, token)
    assert 'data-code="REQUIRED" data-field="name"' in body and not ServiceCenter.objects.exists()
    _, body = _post(client, url, {"name": "Cobbler", "capacity": "-1"}, token)
    assert 'data-code="OUT_OF_RANGE"' in body and not ServiceCenter.objects.exists()
    _post(client, url, {"name": "Cobbler", "capacity": "3", "is_active": "on", "address": "1 Main St"}, token)
    center = ServiceCenter.objects.get()
    assert (center.capacity, center.address, center.is_active) == (3, {"line": "1 Main St"}, True)
    _, body = _post(client, url, {"pk": center.pk, "name": "Cobbler East", "capacity": "5"}, token)
    center.refresh_from_db()
    assert (ServiceCenter.objects.count(), center.name, center.is_active) == (1, "Cobbler East", False)
    url = "/dashboard/frag/settings/warranty/technicians"
    _, body = _post(client, url, {"center": "999", "name": "Ann"}, token)
    assert 'data-code="NOT_FOUND" data-field="centerId"' in body and not Technician.objects.exists()
    _post(client, url, {"center": center.pk, "name": "Ann", "skills": "resole, dye"}, token)
    assert Technician.objects.get().skills == ["resole", "dye"]
    with django_assert_max_num_queries(8) as first:
        client.get("/dashboard/frag/settings/warranty", **_headers(token))
    for n in range(5):
        other = ServiceCenter.objects.create(installation=installation, name=f"C{n}")
        Technician.objects.create(installation=installation, center=other, name=f"T{n}")
        WarrantyTerms.objects.create(
            installation=installation, scope="product", target_id=f"P{n}", name=f"N{n}"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(
            "/dashboard/frag/settings/warranty?locale=zh-Hans", **_headers(token)
        ).content.decode()
    assert body.count("data-center=") == 6 and body.count("data-technician=") == 6 and "维修中心" in body


def test_sla_policies_and_business_calendars(
    client, installation, staff_token, django_assert_max_num_queries
):
    token = staff_token(ORDERS)
    url = "/dashboard/frag/settings/sla/calendars"
    calendar = {"name": "Shanghai office", "time_zone": "Asia/Shanghai", "day-0": "09:00-12:00, 13:00-18:00"}
    for changed, code in (
        ({"time_zone": "Mars/Olympus"}, "INVALID_TIME_ZONE"),
        ({"day-1": "18:00-09:00"}, "INVALID_HOURS"),
        ({"day-1": "all day"}, "INVALID_HOURS"),
        ({"holidays": "2027-02-30"}, "INVALID_HOLIDAY"),
        ({"name": ""}, "REQUIRED"),
    ):
        _, body = _post(client, url, {**calendar, **changed}, token)
        assert f'data-code="{code}"' in body, changed
    assert not BusinessCalendar.objects.exists()
    _post(client, url, {**calendar, "holidays": "2027-01-01"}, token)
    saved = BusinessCalendar.objects.get()
    assert (saved.weekly_hours, saved.holidays) == (
        {"0": [["09:00", "12:00"], ["13:00", "18:00"]]}, ["2027-01-01"],
    )  # fmt: skip
    edit = client.get(f"/dashboard/frag/settings/sla?calendar={saved.pk}", **_headers(token)).content.decode()
    assert 'value="09:00-12:00, 13:00-18:00"' in edit

    url = "/dashboard/frag/settings/sla/policies"
    policy = {
        "subject_type": "service_case",
        "metric": "first_response",
        "priority": "urgent",
        "target_minutes": "60",
        "warning_minutes_before": "15",
        "calendar": saved.pk,
        "is_active": "on",
    }
    for changed, code, field in (
        ({"target_minutes": "0"}, "OUT_OF_RANGE", "targetMinutes"),
        ({"warning_minutes_before": "90"}, "OUT_OF_RANGE", "warningMinutesBefore"),
        ({"calendar": "999"}, "NOT_FOUND", "calendarId"),
        ({"metric": ""}, "REQUIRED", "metric"),
    ):
        response, body = _post(client, url, {**policy, **changed}, token)
        assert f'data-code="{code}" data-field="{field}"' in body, changed
        assert _notify(response)["title"] == code
    assert not SlaPolicy.objects.exists()
    _post(client, url, policy, token)
    row = SlaPolicy.objects.get()
    assert (row.target_minutes, row.warning_minutes_before, row.calendar_id, row.priority) == (
        60, 15, saved.pk, "urgent",
    )  # fmt: skip
    _, body = _post(client, url, policy, token)  # same scope again
    assert 'data-code="DUPLICATE"' in body and SlaPolicy.objects.count() == 1
    _post(client, url, {**policy, "pk": row.pk, "target_minutes": "45"}, token)
    row.refresh_from_db()
    assert row.target_minutes == 45
    with django_assert_max_num_queries(6) as first:
        client.get("/dashboard/frag/settings/sla", **_headers(token))
    for n in range(5):
        other = BusinessCalendar.objects.create(installation=installation, name=f"Cal {n}", is_24_7=True)
        SlaPolicy.objects.create(
            installation=installation,
            subject_type="repair_order",
            metric=f"m{n}",
            target_minutes=60,
            calendar=other,
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/dashboard/frag/settings/sla", **_headers(token)).content.decode()
    assert body.count("data-policy=") == 6 and body.count("data-calendar=") == 6


def test_notification_templates_preview_save_and_reset(
    client, installation, staff_token, django_assert_max_num_queries
):
    token = staff_token(SETTINGS, email="copy@example.com")
    with django_assert_max_num_queries(6):
        body = client.get(
            "/dashboard/frag/settings/notifications?event=return_approved&language=zh-hans", **_headers(token)
        ).content.decode()
    assert 'data-event="return_approved"' in body and 'id="template-rendered"' in body and "通知" not in body
    assert 'id="template-reset"' not in body
    url = "/dashboard/frag/settings/notifications/save"
    draft = {
        "event": "return_approved",
        "language": "en",
        "subject": "Approved: {reference}",
        "body": "Hi, {reference} is ok.",
    }
    response, body = _post(client, url, {**draft, "op": "preview"}, token)
    assert "Approved: [reference]" in body and not NotificationTemplate.objects.exists()
    for changed, code in (
        ({"body": "Hi {nonsense}"}, "UNKNOWN_PLACEHOLDER"),
        ({"subject": ""}, "REQUIRED"),
        ({"language": "fr"}, "INVALID"),
    ):
        response, body = _post(client, url, {**draft, **changed, "op": "save"}, token)
        assert f'data-code="{code}"' in body, changed
        assert _notify(response)["status"] == "error"
    assert not NotificationTemplate.objects.exists()
    response, body = _post(client, url, {**draft, "op": "save"}, token)
    saved = NotificationTemplate.objects.get()
    assert (saved.language, saved.subject, saved.updated_by) == (
        "en",
        "Approved: {reference}",
        "copy@example.com",
    )
    assert 'data-overridden="en"' in body and 'id="template-reset"' in body
    for language in ("en", "zh-hans"):  # more overrides: the list stays one query
        NotificationTemplate.objects.create(
            installation=installation, event="return_rejected", language=language, subject="s", body="b"
        )
    with django_assert_max_num_queries(6):
        client.get("/dashboard/frag/settings/notifications?event=return_approved", **_headers(token))
    _post(client, url, {**draft, "op": "reset"}, token)
    assert not NotificationTemplate.objects.filter(event="return_approved").exists()


def test_delete_terms_policies_and_calendars_of_this_installation_only(client, installation, staff_token):
    token = staff_token(ORDERS)
    calendar = BusinessCalendar.objects.create(installation=installation, name="Office", is_24_7=True)
    policy = SlaPolicy.objects.create(
        installation=installation, subject_type="service_case", metric="resolution", target_minutes=60,
        calendar=calendar,
    )  # fmt: skip
    terms = WarrantyTerms.objects.create(installation=installation, scope="default", name="Default")
    for url in (
        f"/dashboard/frag/settings/warranty/terms/{terms.pk + 100}/delete",
        f"/dashboard/frag/settings/sla/policies/{policy.pk + 100}/delete",
        f"/dashboard/frag/settings/sla/calendars/{calendar.pk + 100}/delete",
    ):
        response, body = _post(client, url, {}, token)
        assert 'data-code="NOT_FOUND" data-field="id"' in body and _notify(response)["status"] == "error", url
    assert (
        client.post(
            f"/dashboard/frag/settings/sla/policies/{policy.pk}/delete",
            **_headers(staff_token("MANAGE_USERS")),
        ).status_code
        == 403
    )
    assert (WarrantyTerms.objects.count(), SlaPolicy.objects.count(), BusinessCalendar.objects.count()) == (
        1,
        1,
        1,
    )
    _post(client, f"/dashboard/frag/settings/sla/calendars/{calendar.pk}/delete", {}, token)
    policy.refresh_from_db()
    assert policy.calendar_id is None and not BusinessCalendar.objects.exists()
    _post(client, f"/dashboard/frag/settings/sla/policies/{policy.pk}/delete", {}, token)
    _, body = _post(client, f"/dashboard/frag/settings/warranty/terms/{terms.pk}/delete", {}, token)
    assert not SlaPolicy.objects.exists() and not WarrantyTerms.objects.exists() and "data-terms=" not in body
