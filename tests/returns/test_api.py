import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from saleor_aftersales.core import ratelimit
from saleor_aftersales.core.ids import to_global_id
from saleor_aftersales.outbox.models import OutboxMessage
from saleor_aftersales.returns.models import ReturnPhoto, ReturnRequest, ReturnStatus

from ..conftest import TEST_API_URL
from .factories import CUSTOMER_EMAIL, CUSTOMER_ID, in_window, make_order

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

CREATE = """
mutation Create($input: ReturnRequestCreateInput!) {
  returnRequestCreate(input: $input) {
    returnRequest { id number status kind resolution nextStepDueAt lines { id quantity reasonCode reason { label } } photos { contentType size } timeline { type toStatus message } }
    errors { field code message }
  }
}
"""

REQUEST_FIELDS = """
  id number status orderNumber slaState
  refundAmount { amount currency }
  lines { id productName quantity approvedQuantity receivedQuantity unitPrice { amount } reason { code label } }
  timeline { type actorType fromStatus toStatus note message createdAt }
  photos { id contentType }
  settlements { kind status }
"""


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def customer_token(make_token):
    return make_token(kind="customer", user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)


@pytest.fixture
def travel():
    with time_machine.travel(in_window(), tick=False) as traveller:
        yield traveller


def _input(order, **extra):
    line = order.lines.first()
    base = {
        "orderId": order.saleor_id,
        "resolution": "REFUND",
        "lines": [{"orderLineId": line.saleor_id, "quantity": 1, "reason": "wrong-size"}],
    }
    base.update(extra)
    return base


def test_customer_creates_request_with_photo_and_follows_timeline(travel, installation, gql, customer_token):
    order = make_order(installation)
    files = {
        "map": json.dumps({"0": ["variables.input.photos.0"]}),
        "0": SimpleUploadedFile("defect.png", PNG, content_type="image/png"),
    }
    variables = {"input": {**_input(order), "photos": [None]}}
    variables["input"]["lines"][0]["reason"] = "quality-defect"
    body = gql(CREATE, variables, token=customer_token, files=files)
    assert "errors" not in body, body
    payload = body["data"]["returnRequestCreate"]
    assert payload["errors"] == []
    request = payload["returnRequest"]
    assert (request["number"], request["status"], request["resolution"]) == (
        "RMA-000001",
        "REQUESTED",
        "REFUND",
    )
    assert request["photos"] == [{"contentType": "image/png", "size": len(PNG)}]
    assert request["lines"][0]["reason"]["label"] == "Quality defect"
    assert request["timeline"] == [
        {"type": "created", "toStatus": "requested", "message": "Request submitted"}
    ]
    assert request["nextStepDueAt"].startswith((in_window() + timedelta(hours=48)).date().isoformat())


def test_customer_cannot_use_someone_elses_order_or_see_their_request(
    travel, installation, gql, make_token, customer_token
):
    order = make_order(installation)
    stranger = make_token(kind="customer", user_id="VXNlcjo5OTk=", email="other@example.com")
    body = gql(CREATE, {"input": _input(order)}, token=stranger)
    assert body["data"]["returnRequestCreate"]["errors"] == [
        {"field": "orderId", "code": "NOT_FOUND", "message": "Unknown order."}
    ]
    assert ReturnRequest.objects.count() == 0
    created = gql(CREATE, {"input": _input(order)}, token=customer_token)["data"]["returnRequestCreate"][
        "returnRequest"
    ]
    seen = gql("query($id: ID!) { returnRequest(id: $id) { number } }", {"id": created["id"]}, token=stranger)
    assert seen["data"] is None or seen["data"]["returnRequest"] is None
    assert seen["errors"][0]["message"] == "Unknown return request."


def test_guest_eligibility_by_number_and_email_is_rate_limited(travel, installation, gql):
    order = make_order(installation, user_id="", email="guest@example.com")
    query = """query($n: String, $e: String) { returnEligibility(orderNumber: $n, email: $e) {
        orderNumber lines { returnableQuantity deadline allowedReasons allowedResolutions notReturnableCode } } }"""
    ok = gql(query, {"n": order.number, "e": "GUEST@example.com"}, api_url=TEST_API_URL)
    [line] = ok["data"]["returnEligibility"]["lines"]
    assert line["returnableQuantity"] == 2
    assert line["notReturnableCode"] is None
    assert "wrong-size" in line["allowedReasons"] and "REFUND" in line["allowedResolutions"]
    wrong = gql(query, {"n": order.number, "e": "someone@example.com"}, api_url=TEST_API_URL)
    assert wrong["errors"][0]["message"] == "No order with this number and email."
    for _ in range(8):
        gql(query, {"n": order.number, "e": "guest@example.com"}, api_url=TEST_API_URL)
    limited = gql(query, {"n": order.number, "e": "guest@example.com"}, api_url=TEST_API_URL)
    assert limited["errors"][0]["message"] == "Too many attempts. Please try again later."


def test_guest_creates_and_cancels(travel, installation, gql):
    order = make_order(installation, user_id="", email="guest@example.com")
    line = order.lines.first()
    body = gql(
        CREATE,
        {
            "input": {
                "orderNumber": order.number,
                "email": "guest@example.com",
                "resolution": "STORE_CREDIT",
                "lines": [{"orderLineId": line.saleor_id, "quantity": 2, "reason": "changed-mind"}],
            }
        },
        api_url=TEST_API_URL,
    )
    request = body["data"]["returnRequestCreate"]["returnRequest"]
    cancel = """mutation($id: ID!, $e: String) { returnRequestCancel(id: $id, email: $e) { returnRequest { status } errors { code } } }"""
    assert gql(cancel, {"id": request["id"], "e": "x@example.com"}, api_url=TEST_API_URL)["data"][
        "returnRequestCancel"
    ]["errors"] == [{"code": "NOT_FOUND"}]
    done = gql(cancel, {"id": request["id"], "e": "guest@example.com"}, api_url=TEST_API_URL)["data"][
        "returnRequestCancel"
    ]
    assert done == {"returnRequest": {"status": "CANCELLED"}, "errors": []}
    assert ReturnRequest.objects.get().events.last().actor_type == "guest"


def test_bad_input_through_the_api_returns_typed_errors(travel, installation, gql, customer_token):
    order = make_order(installation)
    line = order.lines.first()
    cases = [
        (
            {"lines": [{"orderLineId": line.saleor_id, "quantity": 5, "reason": "wrong-size"}]},
            "QUANTITY_EXCEEDS_RETURNABLE",
        ),
        ({"lines": [{"orderLineId": line.saleor_id, "quantity": 1, "reason": "nope"}]}, "UNKNOWN_REASON"),
        (
            {"lines": [{"orderLineId": "T3JkZXJMaW5lOjk5OQ==", "quantity": 1, "reason": "wrong-size"}]},
            "NOT_FOUND",
        ),
        ({"comment": "x" * 2001}, "TOO_LONG"),
        ({"resolution": "REPAIR"}, "RESOLUTION_NOT_OFFERED"),
    ]
    for extra, code in cases:
        body = gql(CREATE, {"input": _input(order, **extra)}, token=customer_token)
        assert [e["code"] for e in body["data"]["returnRequestCreate"]["errors"]] == [code], (extra, body)
    assert ReturnRequest.objects.count() == 0 and ReturnPhoto.objects.count() == 0


def test_staff_workflow_and_permissions(travel, installation, gql, customer_token, staff_token):
    order = make_order(installation)
    created = gql(CREATE, {"input": _input(order)}, token=customer_token)["data"]["returnRequestCreate"][
        "returnRequest"
    ]
    no_perm = gql(
        "mutation($id: ID!) { returnRequestApprove(id: $id) { errors { code } } }",
        {"id": created["id"]},
        token=staff_token(),
    )
    assert no_perm["data"]["returnRequestApprove"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    customer_try = gql(
        "mutation($id: ID!) { returnRequestApprove(id: $id) { errors { code } } }",
        {"id": created["id"]},
        token=customer_token,
    )
    assert customer_try["data"]["returnRequestApprove"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    staff = staff_token("MANAGE_ORDERS")
    approve = gql(
        'mutation($id: ID!) { returnRequestApprove(id: $id, note: "ok") { returnRequest { status } errors { code } } }',
        {"id": created["id"]},
        token=staff,
    )["data"]["returnRequestApprove"]
    assert approve == {"returnRequest": {"status": "APPROVED"}, "errors": []}
    again = gql(
        "mutation($id: ID!) { returnRequestApprove(id: $id) { errors { code field } } }",
        {"id": created["id"]},
        token=staff,
    )
    assert again["data"]["returnRequestApprove"]["errors"] == [
        {"code": "INVALID_TRANSITION", "field": "status"}
    ]
    track = gql(
        'mutation($id: ID!) { returnRequestAddTracking(id: $id, carrier: "SF", trackingNumber: "SF1") { returnRequest { status trackingNumber } errors { code } } }',
        {"id": created["id"]},
        token=customer_token,
    )["data"]["returnRequestAddTracking"]
    assert track == {"returnRequest": {"status": "IN_TRANSIT", "trackingNumber": "SF1"}, "errors": []}
    line_id = gql(
        "query($id: ID!) { returnRequest(id: $id) { lines { id } } }", {"id": created["id"]}, token=staff
    )["data"]["returnRequest"]["lines"][0]["id"]
    receive = gql(
        "mutation($id: ID!) { returnRequestReceive(id: $id) { returnRequest { status } errors { code } } }",
        {"id": created["id"]},
        token=staff,
    )
    assert receive["data"]["returnRequestReceive"]["returnRequest"]["status"] == "RECEIVED"
    inspect = gql(
        'mutation($id: ID!, $l: ID!) { returnRequestInspect(id: $id, lines: [{lineId: $l, condition: UNOPENED, restock: true, note: "fine"}]) { returnRequest { status lines { condition restock inspectorNote } } errors { code } } }',
        {"id": created["id"], "l": line_id},
        token=staff,
    )["data"]["returnRequestInspect"]
    assert inspect["returnRequest"] == {
        "status": "INSPECTED",
        "lines": [{"condition": "unopened", "restock": True, "inspectorNote": "fine"}],
    }
    resolve = gql(
        "mutation($id: ID!) { returnRequestResolve(id: $id) { returnRequest { status refundAmount { amount currency } settlements { kind status } } errors { code } } }",
        {"id": created["id"]},
        token=staff,
    )["data"]["returnRequestResolve"]
    assert resolve["returnRequest"]["status"] == "RESOLVING"
    assert resolve["returnRequest"]["refundAmount"] == {"amount": "50.00", "currency": "USD"}
    assert {s["kind"] for s in resolve["returnRequest"]["settlements"]} == {"refund", "return_record"}
    assert OutboxMessage.objects.filter(operation="ReturnGrantRefundCreate").count() == 1
    # The customer's view hides the inspector's note.
    mine = gql(
        "query($id: ID!) { returnRequest(id: $id) { lines { inspectorNote } } }",
        {"id": created["id"]},
        token=customer_token,
    )
    assert mine["data"]["returnRequest"]["lines"] == [{"inspectorNote": None}]


def _seed(installation, count, **kw):
    requests = []
    for _ in range(count):
        order = make_order(installation, lines=((Decimal("10"), 1), (Decimal("20"), 1)), **kw)
        from saleor_aftersales.core.actors import Actor, ActorType
        from saleor_aftersales.returns import actions

        actor = Actor(type=ActorType.CUSTOMER, user_id=order.user_id, email=order.user_email)
        lines = [
            actions.LineInput(order_line_id=line.pk, quantity=1, reason_code="wrong-size")
            for line in order.lines.all()
        ]
        requests.append(
            actions.create_return_request(
                order=order, actor=actor, lines=lines, resolution="refund", now=in_window()
            )
        )
    return requests


def test_customer_list_of_50_uses_constant_queries(
    travel, installation, gql, customer_token, django_assert_max_num_queries
):
    _seed(installation, 50)
    query = "{ myReturnRequests(first: 50) { " + REQUEST_FIELDS + " } }"
    with django_assert_max_num_queries(7):
        body = gql(query, token=customer_token)
    assert len(body["data"]["myReturnRequests"]) == 50
    assert all(
        len(r["lines"]) == 2 and r["timeline"][0]["type"] == "created"
        for r in body["data"]["myReturnRequests"]
    )


def test_staff_queue_of_100_uses_constant_queries_and_filters(
    travel, installation, gql, staff_token, django_assert_max_num_queries
):
    requests = _seed(installation, 100)
    other = make_order(installation, user_id="VXNlcjo3", email="vip@example.com", channel="cn")
    token = staff_token("MANAGE_ORDERS")
    query = (
        "query($f: ReturnRequestFilterInput, $s: String) { returnRequests(first: 100, filter: $f, search: $s) { "
        + REQUEST_FIELDS
        + " } }"
    )
    with django_assert_max_num_queries(8):
        body = gql(query, token=token)
    assert len(body["data"]["returnRequests"]) == 100
    assert body["data"]["returnRequests"][0]["slaState"] == "on_track"
    assert len(gql(query, {"s": requests[3].number}, token=token)["data"]["returnRequests"]) == 1
    assert gql(query, {"f": {"channel": "cn"}}, token=token)["data"]["returnRequests"] == []
    from saleor_aftersales.core.actors import Actor, ActorType
    from saleor_aftersales.returns import actions

    vip = actions.create_return_request(
        order=other,
        actor=Actor(type=ActorType.CUSTOMER, user_id="VXNlcjo3", email="vip@example.com"),
        lines=[actions.LineInput(other.lines.first().pk, 1, "quality-defect")],
        resolution="refund",
        photos=[SimpleUploadedFile("a.png", PNG)],
        now=in_window(),
    )
    found = gql(
        query,
        {"f": {"customer": "vip@example.com", "reason": "quality-defect", "statuses": ["REQUESTED"]}},
        token=token,
    )
    assert [r["number"] for r in found["data"]["returnRequests"]] == [vip.number]
    travel.shift(timedelta(hours=49))
    token = staff_token("MANAGE_ORDERS")
    breached = gql(query, {"f": {"slaState": "breached", "olderThanHours": 48}}, token=token)["data"][
        "returnRequests"
    ]
    assert len(breached) == 100  # 101 requests are past their 48 h decision target; the page holds 100
    assert breached[0]["slaState"] == "breached"


def test_bulk_approve_reports_errors_per_item(travel, installation, gql, staff_token):
    first, second = _seed(installation, 2)
    token = staff_token("MANAGE_ORDERS")
    gql(
        'mutation($id: ID!) { returnRequestReject(id: $id, reason: "worn") { errors { code } } }',
        {"id": to_global_id("ReturnRequest", second.pk)},
        token=token,
    )
    body = gql(
        "mutation($ids: [ID!]!) { returnRequestBulkApprove(ids: $ids) { count errors { field code } } }",
        {"ids": [to_global_id("ReturnRequest", first.pk), to_global_id("ReturnRequest", second.pk)]},
        token=token,
    )["data"]["returnRequestBulkApprove"]
    assert body == {"count": 1, "errors": [{"field": "ids.1", "code": "INVALID_TRANSITION"}]}
    assert ReturnRequest.objects.get(pk=first.pk).status == ReturnStatus.APPROVED


def test_policy_rule_and_reason_crud(travel, installation, gql, staff_token, customer_token):
    token = staff_token("MANAGE_ORDERS")
    policy = gql(
        'mutation { returnPolicyUpdate(input: {noReasonDays: 30, restockingFeePercent: "5", offeredResolutions: ["refund"]}) { policy { id noReasonDays restockingFeePercent offeredResolutions } errors { code field } } }',
        token=token,
    )["data"]["returnPolicyUpdate"]
    assert policy["errors"] == [] and policy["policy"]["noReasonDays"] == 30
    bad = gql(
        'mutation { returnPolicyUpdate(input: {restockingFeePercent: "150"}) { errors { code field } } }',
        token=token,
    )
    assert bad["data"]["returnPolicyUpdate"]["errors"] == [
        {"code": "OUT_OF_RANGE", "field": "restocking_fee_percent"}
    ]
    rule = gql(
        'mutation($p: ID!) { returnPolicyRuleSet(policyId: $p, input: {scope: "category", targetId: "Q2F0ZWdvcnk6MQ==", finalSale: true}) { rule { id scope finalSale } errors { code } } }',
        {"p": policy["policy"]["id"]},
        token=token,
    )["data"]["returnPolicyRuleSet"]
    assert rule["rule"]["finalSale"] is True
    reason = gql(
        'mutation { returnReasonSave(input: {code: "too-big", parentCode: "no-reason", category: "no_reason", labelEn: "Too big", labelZhHans: "太大了"}) { reason { code label(language: "zh-hans") } errors { code } } }',
        token=token,
    )["data"]["returnReasonSave"]
    assert reason == {"reason": {"code": "too-big", "label": "太大了"}, "errors": []}
    codes = [
        r["code"] for r in gql("{ returnReasons { code } }", token=customer_token)["data"]["returnReasons"]
    ]
    assert "too-big" in codes and "no-reason" not in codes  # parents with children are groups, not choices
    deleted = gql(
        "mutation($id: ID!) { returnPolicyRuleDelete(id: $id) { deletedId errors { code } } }",
        {"id": rule["rule"]["id"]},
        token=token,
    )
    assert deleted["data"]["returnPolicyRuleDelete"]["errors"] == []


def test_lists_are_scoped_to_the_customer_and_the_installation(
    travel, installation, gql, make_token, staff_token, jwks
):
    from saleor_aftersales.installations.models import Installation

    mine = _seed(installation, 2)
    other_customer = make_order(installation, user_id="VXNlcjo4", email="someone@example.com")
    from saleor_aftersales.core.actors import Actor, ActorType
    from saleor_aftersales.returns import actions

    actions.create_return_request(
        order=other_customer,
        actor=Actor(type=ActorType.CUSTOMER, user_id="VXNlcjo4", email="someone@example.com"),
        lines=[actions.LineInput(other_customer.lines.first().pk, 1, "wrong-size")],
        resolution="refund",
        now=in_window(),
    )
    elsewhere = Installation.objects.create(
        saleor_api_url="http://127.0.0.1:8/graphql/", app_id="QXBwOjI=", auth_token="t", jwks=jwks
    )
    _seed(elsewhere, 1)
    token = make_token(kind="customer", user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
    listed = gql("{ myReturnRequests(first: 50) { number } }", token=token)["data"]["myReturnRequests"]
    assert sorted(r["number"] for r in listed) == sorted(r.number for r in mine)
    queue = gql(
        "{ returnRequests(first: 100) { number customerEmail } }", token=staff_token("MANAGE_ORDERS")
    )["data"]["returnRequests"]
    assert len(queue) == 3  # this installation only (the other one also has an RMA-000001)


def test_failed_settlement_shows_to_staff_and_customer_differently(
    travel, installation, gql, customer_token, staff_token
):
    from saleor_aftersales.core.actors import Actor, ActorType
    from saleor_aftersales.outbox import actions as outbox_actions
    from saleor_aftersales.returns import actions
    from saleor_aftersales.saleor_client.errors import SaleorMutationError

    order = make_order(installation)
    staff_actor = Actor(type=ActorType.STAFF, user_id="s", email="staff@example.com")
    request = actions.create_return_request(
        order=order,
        actor=Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL),
        lines=[actions.LineInput(order.lines.first().pk, 1, "damaged-in-transit")],
        resolution="refund",
        kind="claim",
        photos=[SimpleUploadedFile("p.png", PNG)],
        now=in_window(),
    )
    actions.approve_return_request(request=request, actor=staff_actor)
    actions.resolve_return_request(request=request, actor=staff_actor)
    grant = OutboxMessage.objects.get(operation="ReturnGrantRefundCreate")
    grant.status, grant.attempts = "in_flight", 1
    grant.save()
    outbox_actions._record_failure(
        grant,
        SaleorMutationError(
            mutation="orderGrantRefundCreate", errors=[{"code": "GRAPHQL_ERROR", "message": "boom"}]
        ),
    )
    query = "query($id: ID!) { returnRequest(id: $id) { status settlements { kind status error } timeline { type note message } } }"
    rid = to_global_id("ReturnRequest", request.pk)
    staff_view = gql(query, {"id": rid}, token=staff_token("MANAGE_ORDERS"))["data"]["returnRequest"]
    assert staff_view["status"] == "SETTLEMENT_FAILED"
    assert (
        staff_view["settlements"][0]["status"] == "failed" and "boom" in staff_view["settlements"][0]["error"]
    )
    assert "boom" in staff_view["timeline"][-1]["note"]
    customer_view = gql(query, {"id": rid}, token=customer_token)["data"]["returnRequest"]
    assert customer_view["timeline"][-1] == {
        "type": "fail_settlement",
        "note": None,
        "message": "Settlement delayed",
    }
    retry = gql(
        "mutation($id: ID!) { returnRequestRetrySettlement(id: $id) { returnRequest { status } errors { code } } }",
        {"id": rid},
        token=staff_token("MANAGE_ORDERS"),
    )["data"]["returnRequestRetrySettlement"]
    assert retry == {"returnRequest": {"status": "RESOLVING"}, "errors": []}
