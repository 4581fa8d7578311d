"""Staff GraphQL of notifications: template CRUD and preview (MANAGE_SETTINGS), webhooks (MANAGE_APPS)."""

from __future__ import annotations

import pytest

from saleor_aftersales.notifications.models import NotificationTemplate, WebhookDelivery, WebhookEndpoint

SAVE = """
mutation($input: NotificationTemplateInput!) {
  notificationTemplateSave(input: $input) {
    template { event language subject body isOverridden placeholders }
    errors { field code message }
  }
}
"""
TEMPLATES = """
query($event: String) {
  notificationTemplates(event: $event) { event language subject isOverridden placeholders }
}
"""
PREVIEW = """
mutation($body: String, $context: JSONString) {
  notificationTemplatePreview(event: "return_refunded", language: "zh-hans", body: $body, context: $context) {
    rendered { subject text html language }
    errors { field code message }
  }
}
"""
CREATE = """
mutation($input: NotificationWebhookInput!) {
  notificationWebhookCreate(input: $input) {
    webhook { id url events isActive }
    secret
    errors { field code message }
  }
}
"""


def test_templates_are_listed_overridden_and_reset(gql, installation, staff_token):
    token = staff_token("MANAGE_SETTINGS")
    data = gql(TEMPLATES, {"event": "return_approved"}, token=token)["data"]["notificationTemplates"]
    assert [(t["language"], t["isOverridden"]) for t in data] == [("en", False), ("zh-hans", False)]
    assert data[0]["placeholders"] == ["note", "order_number", "reference"]
    saved = gql(
        SAVE,
        {
            "input": {
                "event": "return_approved",
                "language": "en",
                "subject": "OK {reference}",
                "body": "Go {note}",
            }
        },
        token=token,
    )["data"]["notificationTemplateSave"]
    assert saved["errors"] == []
    assert saved["template"]["isOverridden"] is True
    data = gql(TEMPLATES, {"event": "return_approved"}, token=token)["data"]["notificationTemplates"]
    assert [(t["language"], t["subject"], t["isOverridden"]) for t in data] == [
        ("en", "OK {reference}", True),
        ("zh-hans", "您的退货申请 {reference} 已通过", False),
    ]
    reset = gql(
        'mutation { notificationTemplateDelete(event: "return_approved", language: "en") { deleted errors { code } } }',
        token=token,
    )["data"]["notificationTemplateDelete"]
    assert reset == {"deleted": True, "errors": []}
    assert NotificationTemplate.objects.count() == 0


def test_unknown_placeholder_is_a_typed_error(gql, installation, staff_token):
    result = gql(
        SAVE,
        {"input": {"event": "return_approved", "language": "en", "subject": "Hi", "body": "Code {voucher}"}},
        token=staff_token("MANAGE_SETTINGS"),
    )["data"]["notificationTemplateSave"]
    assert result["template"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("body", "UNKNOWN_PLACEHOLDER")]
    assert NotificationTemplate.objects.count() == 0


@pytest.mark.parametrize("permissions", [(), ("MANAGE_ORDERS",)])
def test_templates_need_manage_settings(gql, installation, staff_token, permissions):
    result = gql(
        SAVE,
        {"input": {"event": "return_approved", "language": "en", "subject": "Hi", "body": "b"}},
        token=staff_token(*permissions),
    )["data"]["notificationTemplateSave"]
    assert [e["code"] for e in result["errors"]] == ["PERMISSION_DENIED"]
    assert NotificationTemplate.objects.count() == 0


def test_preview_renders_chinese_with_given_and_sample_values(gql, installation, staff_token):
    result = gql(
        PREVIEW,
        {"body": "退款 {amount} {currency}，单号 {reference}", "context": '{"amount": "12.50"}'},
        token=staff_token("MANAGE_SETTINGS"),
    )["data"]["notificationTemplatePreview"]
    assert result["errors"] == []
    assert result["rendered"]["text"] == "退款 12.50 [currency]，单号 [reference]"
    assert result["rendered"]["subject"] == "您的退货 [reference] 已处理完成"
    assert result["rendered"]["html"].startswith('<!doctype html><html lang="zh-Hans">')
    bad = gql(PREVIEW, {"body": "{nope}"}, token=staff_token("MANAGE_SETTINGS"))["data"][
        "notificationTemplatePreview"
    ]
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("body", "UNKNOWN_PLACEHOLDER")]


def test_webhook_crud_and_redeliver_need_manage_apps(gql, installation, staff_token):
    denied = gql(
        CREATE,
        {"input": {"url": "https://hooks.example.com/a", "events": ["*"]}},
        token=staff_token("MANAGE_SETTINGS"),
    )["data"]["notificationWebhookCreate"]
    assert [e["code"] for e in denied["errors"]] == ["PERMISSION_DENIED"]
    token = staff_token("MANAGE_APPS")
    created = gql(
        CREATE, {"input": {"url": "https://hooks.example.com/a", "events": ["survey_completed"]}}, token=token
    )["data"]["notificationWebhookCreate"]
    assert created["errors"] == []
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 30
    assert created["webhook"]["events"] == ["survey_completed"]
    bad = gql(CREATE, {"input": {"url": "file:///etc/passwd", "events": ["*"]}}, token=token)["data"][
        "notificationWebhookCreate"
    ]
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("url", "INVALID_URL")]
    webhook_id = created["webhook"]["id"]
    updated = gql(
        "mutation($id: ID!) { notificationWebhookUpdate(id: $id, input: {isActive: false}) "
        "{ webhook { isActive } errors { code } } }",
        {"id": webhook_id},
        token=token,
    )["data"]["notificationWebhookUpdate"]
    assert updated == {"webhook": {"isActive": False}, "errors": []}
    listed = gql("{ notificationWebhooks { id isActive } notificationWebhookEvents }", token=token)["data"]
    assert listed["notificationWebhooks"] == [{"id": webhook_id, "isActive": False}]
    assert {"survey_completed", "survey_low_score", "survey_requested", "return_refunded"} <= set(
        listed["notificationWebhookEvents"]
    )
    deleted = gql(
        "mutation($id: ID!) { notificationWebhookDelete(id: $id) { deletedId errors { code } } }",
        {"id": webhook_id},
        token=token,
    )["data"]["notificationWebhookDelete"]
    assert deleted == {"deletedId": webhook_id, "errors": []}
    assert WebhookEndpoint.objects.count() == 0


def test_deliveries_list_in_constant_queries_and_redeliver_of_pending_is_refused(
    gql, installation, staff_token, django_assert_max_num_queries
):
    from saleor_aftersales.core.ids import to_global_id
    from saleor_aftersales.notifications.models import WebhookAttempt

    endpoint = WebhookEndpoint.objects.create(
        installation=installation, url="https://hooks.example.com/a", events=["*"], secret="s" * 20
    )
    from saleor_aftersales.core.time import now

    for n in range(15):
        d = WebhookDelivery.objects.create(
            installation=installation,
            endpoint=endpoint,
            event_id=f"e{n}",
            event="return_approved",
            payload={},
        )
        WebhookAttempt.objects.create(delivery=d, attempted_at=now(), status_code=500)
    token = staff_token("MANAGE_APPS")
    query = "{ notificationWebhookDeliveries(first: 50) { id status attempts attemptLog { statusCode } } }"
    gql(query, token=token)  # warm the staff-permission and installation caches
    with django_assert_max_num_queries(4):
        rows = gql(query, token=token)["data"]["notificationWebhookDeliveries"]
    assert len(rows) == 15 and rows[0]["attemptLog"] == [{"statusCode": 500}]
    result = gql(
        "mutation($id: ID!) { notificationWebhookRedeliver(id: $id) { errors { code } } }",
        {"id": to_global_id("NotificationWebhookDelivery", d.pk)},
        token=token,
    )["data"]["notificationWebhookRedeliver"]
    assert [e["code"] for e in result["errors"]] == ["INVALID_TRANSITION"]


def test_the_sent_log_is_per_installation_and_filterable(gql, installation, staff_token):
    from saleor_aftersales.installations.models import Installation
    from saleor_aftersales.notifications.models import Notification

    other = Installation.objects.create(
        saleor_api_url="http://127.0.0.1:9/other/graphql/",
        saleor_domain="x",
        app_id="QXBwOjI=",
        auth_token="t",
    )
    for inst, key, status in [
        (installation, "a", "sent"),
        (installation, "b", "failed"),
        (other, "c", "sent"),
    ]:
        Notification.objects.create(
            installation=inst,
            event="return_approved",
            dedupe_key=key,
            recipient_email=f"{key}@example.com",
            status=status,
        )
    token = staff_token("MANAGE_SETTINGS")
    rows = gql("{ notifications { recipientEmail status } }", token=token)["data"]["notifications"]
    assert sorted(r["recipientEmail"] for r in rows) == ["a@example.com", "b@example.com"]
    failed = gql('{ notifications(status: "failed") { recipientEmail attempts } }', token=token)["data"]
    assert failed["notifications"] == [{"recipientEmail": "b@example.com", "attempts": 0}]
    denied = gql("{ notifications { id } }", token=staff_token("MANAGE_ORDERS"))
    assert denied["data"] is None and "MANAGE_SETTINGS" in denied["errors"][0]["message"]
