from decimal import Decimal

from django.utils import timezone

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.installations.models import Installation
from saleor_aftersales.outbox import actions as outbox_actions
from saleor_aftersales.outbox.models import OutboxMessage, OutboxStatus
from saleor_aftersales.returns import actions
from saleor_aftersales.returns.models import ReturnStatus

from .factories import CUSTOMER_EMAIL, CUSTOMER_ID, in_window, make_order
from .fake_saleor import FakeSaleor

CUSTOMER = Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
STAFF = Actor(type=ActorType.STAFF, user_id="s", email="staff@example.com")


def _inspected_request(installation):
    order = make_order(installation, lines=((Decimal("40"), 1),))
    request = actions.create_return_request(
        order=order,
        actor=CUSTOMER,
        lines=[actions.LineInput(order.lines.first().pk, 1, "wrong-size")],
        resolution="refund",
        now=in_window(),
    )
    actions.approve_return_request(request=request, actor=STAFF)
    actions.receive_return_request(request=request, actor=STAFF)
    [line] = request.lines.all()
    actions.inspect_return_request(
        request=request, actor=STAFF, inspections=[actions.Inspection(line.pk, "unopened", True)]
    )
    return request


def _dispatch_until_done(operation: str, rounds: int = 5) -> OutboxMessage:
    message = OutboxMessage.objects.get(operation=operation)
    for _ in range(rounds):
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )
        outbox_actions.dispatch(message.pk)
        message.refresh_from_db()
        if message.status != OutboxStatus.PENDING:
            break
    return message


def test_5xx_after_saleor_applied_the_grant_still_refunds_exactly_once(db, jwks):
    with FakeSaleor() as saleor:
        installation = Installation.objects.create(
            saleor_api_url=saleor.url, app_id="QXBwOjE=", auth_token="app-token", jwks=jwks
        )
        request = _inspected_request(installation)
        actions.resolve_return_request(request=request, actor=STAFF)
        saleor.fail_after_apply = {"orderGrantRefundCreate", "transactionRequestRefundForGrantedRefund"}
        _dispatch_until_done("ReturnFulfillmentReturnProducts")
        grant = _dispatch_until_done("ReturnGrantRefundCreate")
        assert grant.status == OutboxStatus.SUCCEEDED
        refund = _dispatch_until_done("ReturnRequestRefundForGrant")
        assert refund.status == OutboxStatus.SUCCEEDED
        assert saleor.calls["orderGrantRefundCreate"] == 1
        assert saleor.calls["transactionRequestRefundForGrantedRefund"] == 1
        assert len(saleor.grants) == 1 and saleor.grants[0]["status"] == "PENDING"
        request.refresh_from_db()
        assert request.status == ReturnStatus.RESOLVED
        assert request.settlements.get(kind="refund").saleor_granted_refund_id == saleor.grants[0]["id"]
