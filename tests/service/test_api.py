"""GraphQL: customers' cases and triage, the staff inbox (constant SQL), staff tools, typed errors, SLA config."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.service import actions
from saleor_aftersales.service.models import CaseStatus, ServiceCase, ServiceMessage
from saleor_aftersales.sla.models import BusinessCalendar, SlaClock, SlaPolicy

from .factories import CUSTOMER_EMAIL, CUSTOMER_ID, open_case, staff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ERR = "errors { field code message }"
CREATE = (
    "mutation($input: ServiceCaseCreateInput!) { serviceCaseCreate(input: $input) {"
    " serviceCase { id number status kind channel intent customerEmail lastMessage { body kind } }"
    " suggestion { intent confidence articles { slug } } " + ERR + " } }"
)
REPLY = (
    "mutation($id: ID!, $body: String!, $internal: Boolean, $wait: Boolean) {"
    " serviceCaseReply(id: $id, body: $body, internal: $internal, waitOnCustomer: $wait) {"
    " serviceCase { status } message { kind } " + ERR + " } }"
)
INBOX = """query($filter: ServiceCaseFilterInput, $search: String, $first: Int) {
  serviceCases(filter: $filter, search: $search, first: $first) {
    id number status priority slaState slaDueAt tags assigneeId customerEmail
    lastMessage { kind body createdAt }
  } }"""


@pytest.fixture
def customer_token(make_token):
    return make_token(user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)


def test_customer_opens_a_case_and_gets_triage_suggestions(installation, gql, customer_token):
    from saleor_aftersales.knowledge.actions import load_default_articles

    load_default_articles(installation)
    body = gql(
        CREATE,
        {
            "input": {
                "subject": "Where is my refund?",
                "body": "I returned the shoes two weeks ago, no refund yet",
                "kind": "COMPLAINT",
                "channel": "PHONE",
                "priority": "URGENT",
            }
        },
        token=customer_token,
    )
    payload = body["data"]["serviceCaseCreate"]
    assert payload["errors"] == []
    case = payload["serviceCase"]
    # Customers cannot choose channel or priority; they do not see their own contact data echoed as staff would.
    assert (case["status"], case["kind"], case["channel"]) == ("NEW", "COMPLAINT", "STOREFRONT")
    assert case["customerEmail"] is None
    assert payload["suggestion"]["intent"] == "refund_status"
    assert len(payload["suggestion"]["articles"]) >= 1
    assert ServiceCase.objects.get().priority == "normal"


def test_my_cases_show_only_mine_and_hide_internal_notes(installation, gql, customer_token, make_token):
    mine = open_case(installation)
    open_case(installation, customer_email="other@example.com", customer_user_id="VXNlcjo3Nzc=")
    actions.add_message(case=mine, actor=staff(), body="VIP, be nice", internal=True)
    body = gql(
        "{ myServiceCases { id lastMessage { kind } messages { kind body } tags slaState respondBy } }",
        token=customer_token,
    )
    cases = body["data"]["myServiceCases"]
    assert len(cases) == 1
    assert cases[0]["lastMessage"]["kind"] == "CUSTOMER"
    assert [m["kind"] for m in cases[0]["messages"]] == ["CUSTOMER"]
    assert cases[0]["slaState"] is None and cases[0]["tags"] == []
    # What the customer may always see: when the shop promised to answer.
    first_response = SlaClock.objects.get(subject_id=str(mine.pk), metric="first_response")
    assert cases[0]["respondBy"] == first_response.due_at.isoformat()


def test_another_customers_case_is_not_found_and_unchanged(installation, gql, make_token):
    case = open_case(installation)
    stranger = make_token(user_id="VXNlcjo3Nzc=", email="other@example.com")
    case_id = to_global_id("ServiceCase", case.pk)
    body = gql("query($id: ID!) { serviceCase(id: $id) { id } }", {"id": case_id}, token=stranger)
    assert body["data"]["serviceCase"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    reply = gql(REPLY, {"id": case_id, "body": "mine now"}, token=stranger)["data"]["serviceCaseReply"]
    assert reply["errors"] == [{"field": "id", "code": "NOT_FOUND", "message": "Unknown service case."}]
    assert ServiceMessage.objects.filter(case=case).count() == 1


def test_reply_to_closed_case_and_oversized_attachment_are_typed_errors(
    installation, gql, customer_token, settings
):
    case = open_case(installation)
    case_id = to_global_id("ServiceCase", case.pk)
    settings.UPLOAD_MAX_BYTES = 16
    query = (
        'mutation($id: ID!, $files: [Upload!]) { serviceCaseReply(id: $id, body: "see", attachments: $files) { '
        + ERR
        + " } }"
    )
    body = gql(
        query,
        {"id": case_id, "files": [None]},
        token=customer_token,
        files={"map": json.dumps({"0": ["variables.files.0"]}), "0": SimpleUploadedFile("a.png", PNG)},
    )
    assert body["data"]["serviceCaseReply"]["errors"][0]["code"] == "FILE_TOO_LARGE"
    actions.transition_case(case=case, actor=staff(), transition="close")
    reply = gql(REPLY, {"id": case_id, "body": "hello?"}, token=customer_token)["data"]["serviceCaseReply"]
    assert reply["errors"][0]["code"] == "CASE_CLOSED"
    assert ServiceMessage.objects.filter(case=case).count() == 1


def test_customer_cannot_use_staff_tools(installation, gql, customer_token):
    case = open_case(installation)
    case_id = to_global_id("ServiceCase", case.pk)
    note = gql(REPLY, {"id": case_id, "body": "x", "internal": True}, token=customer_token)
    assert note["data"]["serviceCaseReply"]["errors"][0]["code"] == "PERMISSION_DENIED"
    move = gql(
        "mutation($id: ID!) { serviceCaseTransition(id: $id, transition: RESOLVE) { " + ERR + " } }",
        {"id": case_id},
        token=customer_token,
    )
    assert move["data"]["serviceCaseTransition"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert ServiceCase.objects.get().status == CaseStatus.NEW


def test_staff_logs_a_phone_case_replies_with_note_assigns_tags_and_resolves(installation, gql, staff_token):
    token = staff_token("MANAGE_ORDERS")
    created = gql(
        CREATE,
        {
            "input": {
                "subject": "Caller: broken zip",
                "body": "Zip broke on day one",
                "kind": "COMPLAINT",
                "customerEmail": "caller@example.com",
                "customerPhone": "+86 10 1234",
                "priority": "HIGH",
                "tags": ["Zip"],
            }
        },
        token=token,
    )["data"]["serviceCaseCreate"]
    assert created["errors"] == []
    case = created["serviceCase"]
    assert case["channel"] == "PHONE" and case["customerEmail"] == "caller@example.com"
    case_id = case["id"]
    note = gql(REPLY, {"id": case_id, "body": "Check stock", "internal": True}, token=token)
    assert note["data"]["serviceCaseReply"]["message"]["kind"] == "NOTE"
    reply = gql(REPLY, {"id": case_id, "body": "Replacement sent", "wait": True}, token=token)
    assert reply["data"]["serviceCaseReply"]["serviceCase"]["status"] == "WAITING_ON_CUSTOMER"
    assign = gql(
        'mutation($id: ID!) { serviceCaseAssign(id: $id, assigneeId: "VXNlcjo5MDA=", assigneeEmail: "a@x.com") {'
        " serviceCase { assigneeId } " + ERR + " } }",
        {"id": case_id},
        token=token,
    )["data"]["serviceCaseAssign"]
    assert assign["serviceCase"]["assigneeId"] == "VXNlcjo5MDA="
    tags = gql(
        'mutation($id: ID!) { serviceCaseSetTags(id: $id, tags: ["zip", "defect"]) { serviceCase { tags } '
        + ERR
        + " } }",
        {"id": case_id},
        token=token,
    )["data"]["serviceCaseSetTags"]
    assert tags["serviceCase"]["tags"] == ["zip", "defect"]
    done = gql(
        "mutation($id: ID!) { serviceCaseTransition(id: $id, transition: RESOLVE) { serviceCase { status"
        " slaClocks { metric status } timeline { type message } } " + ERR + " } }",
        {"id": case_id},
        token=token,
    )["data"]["serviceCaseTransition"]
    assert done["errors"] == []
    assert done["serviceCase"]["status"] == "RESOLVED"
    assert {c["metric"]: c["status"] for c in done["serviceCase"]["slaClocks"]} == {
        "first_response": "met",
        "resolution": "met",
    }
    types = [t["type"] for t in done["serviceCase"]["timeline"]]
    assert types[:2] == ["case:created", "message:message_customer"]
    assert "message:message_note" in types and "case:assigned" in types and types[-1] == "case:resolve"


def test_staff_need_manage_orders(installation, gql, staff_token):
    open_case(installation)
    body = gql(INBOX, token=staff_token("MANAGE_USERS"))
    assert body["data"] is None or body["data"]["serviceCases"] is None
    assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_inbox_of_100_cases_in_constant_queries(installation, gql, staff_token, count_queries):
    for n in range(100):
        case = open_case(installation, subject=f"Case {n}", tags=["shoes"] if n % 2 else [])
        if n % 3 == 0:
            actions.add_message(case=case, actor=staff(), body=f"Reply {n}")
    token = staff_token("MANAGE_ORDERS")
    with count_queries(4):
        body = gql(INBOX, {"first": 100}, token=token)
    cases = body["data"]["serviceCases"]
    assert len(cases) == 100
    assert sum(1 for c in cases if c["lastMessage"]["kind"] == "REPLY") == 34
    assert {c["slaState"] for c in cases} == {"on_track"}
    assert sum(1 for c in cases if c["tags"] == ["shoes"]) == 50


def test_inbox_filters(installation, gql, staff_token):
    token = staff_token("MANAGE_ORDERS")
    a = open_case(installation, subject="Sole came off", tags=["shoes"], priority="high")
    b = open_case(
        installation, subject="Where is my parcel", customer_email="x@example.com", customer_user_id=""
    )
    actions.assign_case(case=b, actor=staff(), assignee_user_id="VXNlcjo5MDA=")
    SlaClock.objects.filter(subject_id=str(a.pk), metric="first_response").update(
        due_at=a.created_at - timedelta(minutes=1)
    )

    def numbers(filter=None, search=None):
        data = gql(INBOX, {"filter": filter, "search": search}, token=token)["data"]["serviceCases"]
        return sorted(c["number"] for c in data)

    assert numbers({"tag": "Shoes"}) == [a.number]
    assert numbers({"priorities": ["HIGH"]}) == [a.number]
    assert numbers({"assigneeId": "VXNlcjo5MDA="}) == [b.number]
    assert numbers({"unassigned": True}) == [a.number]
    assert numbers({"breached": True}) == [a.number]
    assert numbers({"breached": False}) == [b.number]
    assert numbers({"customerEmail": "X@Example.com"}) == [b.number]
    assert numbers(search="parcel") == [b.number]
    assert numbers(search=a.number) == [a.number]
    assert numbers({"statuses": ["CLOSED"]}) == []


def test_sla_policy_and_calendar_crud_with_typed_errors(installation, gql, staff_token):
    token = staff_token("MANAGE_ORDERS")
    save_calendar = (
        "mutation($input: SlaCalendarInput!) { slaCalendarSave(input: $input) { calendar { id name holidays } "
        + ERR
        + " } }"
    )
    bad = gql(save_calendar, {"input": {"name": "X", "timeZone": "Mars/Olympus"}}, token=token)
    assert bad["data"]["slaCalendarSave"]["errors"][0]["code"] == "INVALID_TIME_ZONE"
    overlap = gql(
        save_calendar,
        {
            "input": {
                "name": "X",
                "timeZone": "Asia/Shanghai",
                "weeklyHours": json.dumps({"0": [["09:00", "12:00"], ["11:00", "18:00"]]}),
            }
        },
        token=token,
    )
    assert overlap["data"]["slaCalendarSave"]["errors"][0]["code"] == "OVERLAPPING_HOURS"
    assert BusinessCalendar.objects.count() == 0
    ok = gql(
        save_calendar,
        {
            "input": {
                "name": "Shanghai",
                "timeZone": "Asia/Shanghai",
                "holidays": ["2026-10-01"],
                "weeklyHours": json.dumps({str(d): [["09:00", "18:00"]] for d in range(5)}),
            }
        },
        token=token,
    )["data"]["slaCalendarSave"]
    assert ok["errors"] == [] and ok["calendar"]["holidays"] == ["2026-10-01"]
    save_policy = (
        "mutation($input: SlaPolicyInput!) { slaPolicySave(input: $input) { policy { id targetMinutes"
        " calendar { name } } " + ERR + " } }"
    )
    variables = {
        "input": {
            "metric": "first_response",
            "priority": "urgent",
            "targetMinutes": 10,
            "warningMinutesBefore": 5,
            "calendarId": ok["calendar"]["id"],
        }
    }
    created = gql(save_policy, variables, token=token)["data"]["slaPolicySave"]
    assert created["errors"] == [] and created["policy"]["calendar"]["name"] == "Shanghai"
    again = gql(save_policy, variables, token=token)["data"]["slaPolicySave"]
    assert again["errors"][0]["code"] == "DUPLICATE"
    zero = gql(save_policy, {"input": {"metric": "resolution", "targetMinutes": 0}}, token=token)
    assert zero["data"]["slaPolicySave"]["errors"][0]["code"] == "OUT_OF_RANGE"
    assert SlaPolicy.objects.count() == 1
    listed = gql("{ slaPolicies { metric priority targetMinutes } slaCalendars { name } }", token=token)[
        "data"
    ]
    assert listed["slaPolicies"] == [{"metric": "first_response", "priority": "urgent", "targetMinutes": 10}]
    customer = gql("{ slaPolicies { metric } }", token=None, api_url=installation.saleor_api_url)
    assert customer["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_export_and_erase_need_manage_users(installation, gql, staff_token):
    case = open_case(installation, customer_phone="+86 1")
    export = "mutation($email: String) { serviceCustomerDataExport(email: $email) { data " + ERR + " } }"
    denied = gql(export, {"email": CUSTOMER_EMAIL}, token=staff_token("MANAGE_ORDERS"))
    assert denied["data"]["serviceCustomerDataExport"]["errors"][0]["code"] == "PERMISSION_DENIED"
    token = staff_token("MANAGE_USERS")
    data = json.loads(
        gql(export, {"email": CUSTOMER_EMAIL}, token=token)["data"]["serviceCustomerDataExport"]["data"]
    )
    cases = data["sections"]["service_cases"]
    assert [c["number"] for c in cases] == [case.number]
    assert cases[0]["customer_phone"] == "+86 1"
    assert cases[0]["messages"][0]["body"].startswith("The sole")
    assert set(data["sections"]) >= {"loyalty", "notifications", "orders", "return_requests", "service_cases"}
    erase = "mutation($email: String) { serviceCustomerDataErase(email: $email) { counts " + ERR + " } }"
    counts = json.loads(
        gql(erase, {"email": CUSTOMER_EMAIL}, token=token)["data"]["serviceCustomerDataErase"]["counts"]
    )
    assert counts["cases"] == 1 and counts["messages"] == 1
    case.refresh_from_db()
    assert case.customer_email == "" and case.customer_phone == "" and case.erased_at is not None
    assert case.messages.get().body == "[erased]"
    after = json.loads(
        gql(export, {"email": CUSTOMER_EMAIL}, token=token)["data"]["serviceCustomerDataExport"]["data"]
    )
    assert after["sections"]["service_cases"] == []


def test_customers_are_rate_limited_when_opening_cases(installation, gql, customer_token):
    from saleor_aftersales.core import ratelimit

    ratelimit.reset()
    variables = {"input": {"subject": "Hi", "body": "A question about sizes"}}
    codes = [
        gql(CREATE, variables, token=customer_token)["data"]["serviceCaseCreate"]["errors"] for _ in range(11)
    ]
    assert all(errors == [] for errors in codes[:10])
    assert codes[10][0]["code"] == "RATE_LIMITED"
    assert ServiceCase.objects.count() == 10
    ratelimit.reset()


def test_priority_escalation_rule_and_customer_reopen_over_graphql(
    installation, gql, staff_token, customer_token
):
    token = staff_token("MANAGE_ORDERS")
    case = open_case(installation)
    case_id = to_global_id("ServiceCase", case.pk)
    raised = gql(
        "mutation($id: ID!) { serviceCaseSetPriority(id: $id, priority: URGENT) { serviceCase { priority } "
        + ERR
        + " } }",
        {"id": case_id},
        token=token,
    )["data"]["serviceCaseSetPriority"]
    assert raised == {"serviceCase": {"priority": "URGENT"}, "errors": []}
    rule = gql(
        'mutation { serviceEscalationRuleSave(metric: "resolution", reassignToId: "not-a-user") { rule { id } '
        + ERR
        + " } }",
        token=token,
    )["data"]["serviceEscalationRuleSave"]
    assert rule["errors"][0] == {"field": "reassignToId", "code": "INVALID", "message": "A Saleor User id."}
    saved = gql(
        'mutation { serviceEscalationRuleSave(metric: "resolution", raisePriority: false,'
        ' notifyEmail: "lead@example.com") { rule { metric raisePriority notifyEmail } ' + ERR + " } }",
        token=token,
    )["data"]["serviceEscalationRuleSave"]
    assert saved["rule"] == {
        "metric": "resolution",
        "raisePriority": False,
        "notifyEmail": "lead@example.com",
    }
    actions.add_message(case=case, actor=staff(), body="Fixed")
    actions.transition_case(case=case, actor=staff(), transition="resolve")
    reopened = gql(
        "mutation($id: ID!) { serviceCaseReopen(id: $id) { serviceCase { status } " + ERR + " } }",
        {"id": case_id},
        token=customer_token,
    )["data"]["serviceCaseReopen"]
    assert reopened == {"serviceCase": {"status": "OPEN"}, "errors": []}


def test_warning_before_breach_notes_the_case_and_tells_the_assignee(installation):
    from saleor_aftersales.notifications.models import Notification
    from saleor_aftersales.sla import escalation

    SlaPolicy.objects.create(
        installation=installation,
        subject_type="service_case",
        metric="first_response",
        target_minutes=30,
        warning_minutes_before=10,
    )
    case = open_case(installation)
    actions.assign_case(
        case=case, actor=staff(), assignee_user_id="VXNlcjo5MDA=", assignee_email="a@example.com"
    )
    clock = SlaClock.objects.get(subject_id=str(case.pk), metric="first_response")
    assert clock.warn_at == clock.started_at + timedelta(minutes=20)
    assert escalation.sweep(now=clock.started_at + timedelta(minutes=21)) == {"warned": 1, "breached": 0}
    assert case.events.filter(type="sla_warning").count() == 1
    assert Notification.objects.filter(event="case_sla_warning", recipient_email="a@example.com").count() == 1
    assert escalation.sweep(now=clock.started_at + timedelta(minutes=25)) == {"warned": 0, "breached": 0}
