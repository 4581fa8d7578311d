import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.outbox import actions as outbox_actions
from saleor_aftersales.outbox.models import OutboxMessage
from saleor_aftersales.returns import actions, selectors
from saleor_aftersales.returns.models import ReturnRequest, ReturnStatus, ReturnWindow
from saleor_aftersales.saleor_client.errors import SaleorMutationError
from saleor_aftersales.webhooks.models import WebhookDelivery
from saleor_aftersales.webhooks.processing import process_delivery

from ..conftest import TEST_APP_ID
from .factories import CUSTOMER_EMAIL, CUSTOMER_ID, FULFILLED_AT, in_window, make_order

CUSTOMER = Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
STAFF = Actor(type=ActorType.STAFF, user_id="s", email="staff@example.com")


def deliver(installation, event, payload, *, issued_at="2026-11-02T10:00:00+00:00", by_app=False):
    body = {"issuedAt": issued_at, **payload}
    if by_app:
        body["issuingPrincipal"] = {"__typename": "App", "id": TEST_APP_ID}
    raw = json.dumps(body)
    delivery = WebhookDelivery.objects.create(
        installation=installation, event=event, body=raw, body_sha256=hashlib.sha256(raw.encode()).hexdigest()
    )
    assert process_delivery(delivery.pk) == "processed"


def fulfilled_payload(order_saleor_id="T3JkZXI6NTU=", created="2026-11-02T09:00:00+00:00"):
    return {
        "order": {
            "id": order_saleor_id,
            "number": "55",
            "status": "FULFILLED",
            "userEmail": CUSTOMER_EMAIL,
            "user": {"id": CUSTOMER_ID, "email": CUSTOMER_EMAIL},
            "channel": {"id": "Q2hhbm5lbDox", "slug": "default-channel", "currencyCode": "USD"},
            "lines": [
                {
                    "id": "T3JkZXJMaW5lOjE=",
                    "productName": "Shoe",
                    "quantity": 2,
                    "quantityFulfilled": 2,
                    "unitPrice": {
                        "gross": {"amount": 30, "currency": "USD"},
                        "net": {"amount": 30, "currency": "USD"},
                    },
                    "variant": {"id": "UHJvZHVjdFZhcmlhbnQ6MQ==", "product": {"id": "UHJvZHVjdDox"}},
                }
            ],
            "fulfillments": [
                {
                    "id": "RnVsZmlsbG1lbnQ6MQ==",
                    "status": "FULFILLED",
                    "created": created,
                    "lines": [
                        {
                            "id": "RnVsZmlsbG1lbnRMaW5lOjE=",
                            "quantity": 2,
                            "orderLine": {"id": "T3JkZXJMaW5lOjE="},
                        }
                    ],
                }
            ],
        }
    }


def test_order_fulfilled_starts_the_window_once(installation):
    deliver(installation, "ORDER_FULFILLED", fulfilled_payload())
    deliver(installation, "FULFILLMENT_CREATED", fulfilled_payload(), issued_at="2026-11-02T10:00:01+00:00")
    window = ReturnWindow.objects.get()
    assert window.fulfilled_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    order = window.order_line.order
    assert selectors.return_window_closes_at(order) == datetime(2027, 1, 31, 9, 0, tzinfo=UTC)


def test_order_cancelled_closes_open_requests(installation):
    order = make_order(installation)
    open_one = actions.create_return_request(
        order=order,
        actor=CUSTOMER,
        lines=[actions.LineInput(order.lines.first().pk, 1, "wrong-size")],
        resolution="refund",
        now=in_window(),
    )
    deliver(installation, "ORDER_CANCELLED", {"order": {"id": order.saleor_id, "status": "CANCELED"}})
    open_one.refresh_from_db()
    assert open_one.status == ReturnStatus.CLOSED
    assert open_one.events.last().actor_type == "app"


def test_order_refunded_settles_the_matching_request_and_own_updates_are_ignored(installation):
    order = make_order(installation, lines=((Decimal("50"), 1),))
    line = order.lines.first()
    request = actions.create_return_request(
        order=order,
        actor=CUSTOMER,
        lines=[actions.LineInput(line.pk, 1, "wrong-size")],
        resolution="refund",
        now=in_window(),
    )
    actions.approve_return_request(request=request, actor=STAFF)
    actions.receive_return_request(request=request, actor=STAFF)
    [rline] = request.lines.all()
    actions.inspect_return_request(
        request=request, actor=STAFF, inspections=[actions.Inspection(rline.pk, "unopened", True)]
    )
    actions.resolve_return_request(request=request, actor=STAFF)
    record = OutboxMessage.objects.get(operation="ReturnFulfillmentReturnProducts")
    outbox_actions._record_success(
        record, {"orderFulfillmentReturnProducts": {"returnFulfillment": {"id": "F"}, "errors": []}}
    )
    grant = OutboxMessage.objects.get(operation="ReturnGrantRefundCreate")
    outbox_actions._record_success(
        grant, {"orderGrantRefundCreate": {"grantedRefund": {"id": "R3JhbnQ6Nw=="}, "errors": []}}
    )
    # ORDER_UPDATED caused by our own order note: nothing changes.
    deliver(installation, "ORDER_UPDATED", {"order": {"id": order.saleor_id}}, by_app=True)
    request.refresh_from_db()
    assert request.status == ReturnStatus.RESOLVING
    # The payment app reported the refund before our call's answer was recorded.
    deliver(
        installation,
        "ORDER_REFUNDED",
        {
            "order": {
                "id": order.saleor_id,
                "grantedRefunds": [
                    {
                        "id": "R3JhbnQ6Nw==",
                        "status": "SUCCESS",
                        "reason": grant.variables["input"]["reason"],
                        "amount": {"amount": 50, "currency": "USD"},
                        "lines": [{"quantity": 1, "orderLine": {"id": line.saleor_id}}],
                    }
                ],
            }
        },
        issued_at="2026-11-05T10:00:00+00:00",
    )
    request.refresh_from_db()
    assert request.status == ReturnStatus.RESOLVED
    # A late failure of the (now redundant) refund request does not undo a confirmed refund.
    late = OutboxMessage.objects.get(operation="ReturnRequestRefundForGrant")
    late.status, late.attempts = "in_flight", late.max_attempts
    late.save()
    outbox_actions._record_failure(late, SaleorMutationError(mutation="x", errors=[{"code": "INVALID"}]))
    request.refresh_from_db()
    assert request.status == ReturnStatus.RESOLVED
    assert request.settlements.get(kind="refund").status == "succeeded"
    # Our own grant is not counted twice as "refunded in Saleor".
    [(_, result)] = selectors.order_eligibility(order, now=in_window())
    assert result.returnable_quantity == 0


def test_full_refund_in_saleor_closes_open_requests(installation):
    order = make_order(installation)
    request = actions.create_return_request(
        order=order,
        actor=CUSTOMER,
        lines=[actions.LineInput(order.lines.first().pk, 1, "wrong-size")],
        resolution="refund",
        now=in_window(),
    )
    deliver(installation, "ORDER_FULLY_REFUNDED", {"order": {"id": order.saleor_id, "grantedRefunds": []}})
    assert ReturnRequest.objects.get(pk=request.pk).status == ReturnStatus.CLOSED
    assert FULFILLED_AT  # the window stays recorded
