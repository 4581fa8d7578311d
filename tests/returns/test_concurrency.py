"""Real threads on PostgreSQL: row locks must keep quantities and settlements exact."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.outbox.models import OutboxMessage
from saleor_aftersales.returns import actions
from saleor_aftersales.returns.models import ReturnRequest, ReturnStatus, Settlement

from .factories import CUSTOMER_EMAIL, CUSTOMER_ID, in_window, make_order

CUSTOMER = Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=CUSTOMER_EMAIL)
STAFF = Actor(type=ActorType.STAFF, user_id="s", email="staff@example.com")


def run_together(fn, count=2):
    barrier = threading.Barrier(count)
    outcomes: list = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(fn())
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres_only
def test_two_simultaneous_requests_cannot_exceed_the_returnable_quantity(transactional_db, installation):
    order = make_order(installation, lines=((Decimal("30"), 1),))
    line_pk = order.lines.first().pk

    def create():
        return actions.create_return_request(
            order=order,
            actor=CUSTOMER,
            lines=[actions.LineInput(line_pk, 1, "wrong-size")],
            resolution="refund",
            now=in_window(),
        ).number

    outcomes = run_together(create, count=3)
    assert sorted(outcomes, key=str) == sorted(
        ["RMA-000001", "QUANTITY_EXCEEDS_RETURNABLE", "QUANTITY_EXCEEDS_RETURNABLE"], key=str
    )
    assert ReturnRequest.objects.count() == 1


@pytest.mark.postgres_only
def test_resolve_run_twice_at_once_refunds_once(transactional_db, installation):
    order = make_order(installation, lines=((Decimal("30"), 1),))
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
        request=request, actor=STAFF, inspections=[actions.Inspection(line.pk, "opened", True)]
    )

    def resolve():
        return actions.resolve_return_request(
            request=ReturnRequest.objects.get(pk=request.pk), actor=STAFF
        ).status

    outcomes = run_together(resolve, count=2)
    assert outcomes == [ReturnStatus.RESOLVING, ReturnStatus.RESOLVING]
    assert OutboxMessage.objects.filter(operation="ReturnGrantRefundCreate").count() == 1
    assert Settlement.objects.filter(request=request, kind="refund").count() == 1
    assert request.events.filter(type="resolve").count() == 1
