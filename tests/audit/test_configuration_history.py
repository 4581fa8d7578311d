"""Configuration history: every saved setting is recorded with who, when and each field before and after,
whichever door it came through (Dashboard settings form, GraphQL mutation, domain action), secrets masked,
scoped to the installation, and shown on Settings → History in both languages in constant SQL."""

from __future__ import annotations

import pytest

from saleor_aftersales.audit.models import ConfigurationChange
from saleor_aftersales.core.actors import Actor, ActorType, acting_as
from saleor_aftersales.installations.models import Installation
from saleor_aftersales.notifications import actions as notification_actions
from saleor_aftersales.returns.models import ReturnReason
from saleor_aftersales.sla.models import SlaPolicy
from tests.conftest import TEST_API_URL

REASONS = "/dashboard/frag/settings/reasons"
HISTORY = "/dashboard/frag/settings/history"
REASON = {
    "code": "scratched",
    "category": "quality",
    "label_en": "Scratched",
    "label_zh_hans": "划痕",
    "is_active": "on",
}
STAFF = Actor(type=ActorType.STAFF, user_id="VXNlcjox", email="owner@example.com")


def _headers(token, locale="en"):
    return {
        "HTTP_AUTHORIZATION_BEARER": token,
        "HTTP_SALEOR_API_URL": TEST_API_URL,
        "HTTP_X_DASHBOARD_LOCALE": locale,
    }


def _changes(**filters):
    return list(ConfigurationChange.objects.filter(**filters).order_by("id"))


def test_a_settings_form_records_who_created_then_changed_what(client, installation, staff_token):
    token = staff_token("MANAGE_ORDERS", email="merchant@example.com")
    client.post(REASONS, REASON, **_headers(token))
    reason = ReturnReason.objects.get(installation=installation, code="scratched")
    [created] = _changes(target_type="returns.ReturnReason")
    assert (created.type, created.target_id, created.actor_type, created.actor_email) == (
        "created",
        str(reason.pk),
        "staff",
        "merchant@example.com",
    )
    assert created.installation_id == installation.pk
    assert created.data["changes"]["label_zh_hans"] == [None, "划痕"]
    assert created.data["changes"]["is_active"] == [None, True]

    client.post(REASONS, {**REASON, "label_en": "Scratched on arrival"}, **_headers(token))
    client.post(REASONS, {**REASON, "label_en": "Scratched on arrival"}, **_headers(token))  # nothing new
    created_again, updated = _changes(target_type="returns.ReturnReason")
    assert created_again.pk == created.pk
    assert updated.type == "updated"
    assert updated.data["changes"] == {"label_en": ["Scratched", "Scratched on arrival"]}
    assert ConfigurationChange.objects.count() == 2


def test_graphql_saves_and_deletes_are_recorded_and_a_refused_save_writes_nothing(
    gql, installation, staff_token
):
    token = staff_token("MANAGE_ORDERS", email="ops@example.com")
    save = (
        "mutation($input: SlaPolicyInput!) { slaPolicySave(input: $input) { policy { id } "
        "errors { field code message } } }"
    )
    ok = gql(save, {"input": {"metric": "resolution", "targetMinutes": 120}}, token=token)["data"][
        "slaPolicySave"
    ]
    assert ok["errors"] == []
    bad = gql(save, {"input": {"metric": "resolution", "targetMinutes": 0}}, token=token)["data"][
        "slaPolicySave"
    ]
    assert bad["errors"][0]["code"] == "OUT_OF_RANGE"
    policy = SlaPolicy.objects.get()
    delete = "mutation($id: ID!) { slaPolicyDelete(id: $id) { errors { code } } }"
    assert gql(delete, {"id": ok["policy"]["id"]}, token=token)["data"]["slaPolicyDelete"]["errors"] == []
    rows = _changes(target_type="sla.SlaPolicy")
    assert [(row.type, row.target_id, row.actor_email) for row in rows] == [
        ("created", str(policy.pk), "ops@example.com"),
        ("deleted", str(policy.pk), "ops@example.com"),
    ]
    assert rows[0].data["changes"]["target_minutes"] == [None, 120]
    assert rows[1].data["changes"]["target_minutes"] == [120, None]


def test_secrets_are_masked_and_writes_outside_a_request_are_the_systems(installation):
    endpoint = notification_actions.create_webhook_endpoint(
        installation=installation,
        actor=STAFF,
        url="https://hooks.example.com/after-sales",
        events=["return_approved"],
        secret="s3cret-value-that-must-not-leak",
    )
    [row] = _changes(target_type="notifications.WebhookEndpoint")
    assert row.data["changes"]["secret"] == [None, "••••••"]
    assert "s3cret" not in str(row.data)
    assert row.actor_type == "system"  # no request set an actor
    with acting_as(STAFF):
        notification_actions.update_webhook_endpoint(
            installation=installation,
            endpoint_id=endpoint.pk,
            actor=STAFF,
            url="https://hooks.example.com/v2",
        )
    updated = _changes(target_type="notifications.WebhookEndpoint", type="updated")[0]
    assert updated.actor_email == "owner@example.com"
    assert updated.data["changes"]["url"] == [
        "https://hooks.example.com/after-sales",
        "https://hooks.example.com/v2",
    ]


def test_the_actor_of_one_request_does_not_leak_into_later_writes(client, installation, staff_token):
    client.post(REASONS, REASON, **_headers(staff_token("MANAGE_ORDERS", email="first@example.com")))
    ReturnReason.objects.create(installation=installation, code="late", category="quality", label_en="Late")
    late = _changes(
        target_type="returns.ReturnReason", target_id=str(ReturnReason.objects.get(code="late").pk)
    )
    assert [(row.actor_type, row.actor_email) for row in late] == [("system", "")]


def test_history_tab_in_both_languages_scoped_and_in_constant_sql(
    client, installation, staff_token, django_assert_max_num_queries
):
    token = staff_token("MANAGE_ORDERS", email="merchant@example.com")
    other = Installation.objects.create(
        saleor_api_url="https://other.example.com/graphql/", app_id="QXBwOjk=", auth_token="t", jwks={}
    )
    ReturnReason.objects.create(installation=other, code="foreign", category="quality", label_en="Foreign")
    client.post(REASONS, REASON, **_headers(token))

    body = client.get(HISTORY, **_headers(token)).content.decode()
    assert body.count("data-change=") == 1 and "Return reason" in body and "Created" in body
    assert "merchant@example.com" in body and "Foreign" not in body
    zh = client.get(HISTORY + "?locale=zh-Hans", **_headers(token, "zh-Hans")).content.decode()
    assert "配置变更记录" in zh and "退货原因" in zh and "新建" in zh

    def queries_for_page():
        with django_assert_max_num_queries(50) as captured:
            client.get(HISTORY, **_headers(token))
        return len(captured.captured_queries)

    few = queries_for_page()
    for n in range(30):
        client.post(REASONS, {**REASON, "code": f"reason-{n}"}, **_headers(token))
    assert queries_for_page() == few
    filtered = client.get(HISTORY + "?kind=sla.SlaPolicy", **_headers(token)).content.decode()
    assert "data-change=" not in filtered

    refused = client.get(HISTORY, **_headers(staff_token("MANAGE_USERS")))
    assert refused.status_code == 403


def test_configuration_changes_query_needs_staff_and_filters(gql, client, installation, staff_token):
    token = staff_token("MANAGE_ORDERS", email="merchant@example.com")
    client.post(REASONS, REASON, **_headers(token))
    query = (
        "query($type: String) { configurationChanges(first: 10, targetType: $type) { action targetType "
        "actorEmail changes { field before after } } }"
    )
    data = gql(query, {"type": "returns.ReturnReason"}, token=token)["data"]["configurationChanges"]
    assert [(row["action"], row["targetType"], row["actorEmail"]) for row in data] == [
        ("CREATED", "returns.ReturnReason", "merchant@example.com")
    ]
    fields = {change["field"]: change for change in data[0]["changes"]}
    assert fields["code"]["before"] is None and fields["code"]["after"] == '"scratched"'
    assert gql(query, {"type": "sla.SlaPolicy"}, token=token)["data"]["configurationChanges"] == []
    denied = gql(query, {"type": None}, api_url=installation.saleor_api_url)
    assert denied["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    too_many = gql("{ configurationChanges(first: 101) { action } }", token=token)
    assert too_many["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE"
    huge = gql("{ configurationChanges(first: 100000) { action } }", token=token)
    assert "exceeds the limit" in huge["errors"][0]["message"]  # the query cost rule refuses it first


@pytest.mark.parametrize("locale", ["en", "zh-Hans"])
def test_every_tracked_kind_has_labels(locale):
    from saleor_aftersales.audit.tracking import TRACKED
    from saleor_aftersales.dashboard.labels import AUDIT_TARGETS

    assert set(AUDIT_TARGETS) == set(TRACKED)


def test_deleting_an_installation_takes_its_settings_and_history_without_new_rows(
    client, installation, staff_token
):
    client.post(REASONS, REASON, **_headers(staff_token("MANAGE_ORDERS")))
    assert ConfigurationChange.objects.count() == 1
    installation.delete()
    assert ConfigurationChange.objects.count() == 0 and ReturnReason.objects.count() == 0
