"""Saleor webhooks -> loyalty, through the real delivery processing (mirror first, then our handlers)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from saleor_aftersales.loyalty import actions
from saleor_aftersales.loyalty.models import Account, LedgerEntry, Lot, LotStatus
from saleor_aftersales.orders.models import Order
from saleor_aftersales.webhooks.models import WebhookDelivery
from saleor_aftersales.webhooks.processing import process_delivery

from .factories import CHANNEL, make_programme
from .invariants import assert_ledger_consistent

ORDER_ID = "T3JkZXI6OTAx"
GUEST = "guest@example.com"


def deliver(installation, event, payload, *, issued_at="2026-11-02T10:00:00+00:00"):
    raw = json.dumps({"issuedAt": issued_at, **payload})
    delivery = WebhookDelivery.objects.create(
        installation=installation, event=event, body=raw, body_sha256=hashlib.sha256(raw.encode()).hexdigest()
    )
    assert process_delivery(delivery.pk) == "processed"


def money(amount):
    return {"gross": {"amount": amount, "currency": "USD"}, "net": {"amount": amount, "currency": "USD"}}


def order_payload(*, status="UNFULFILLED", fulfilled=False, grants=(), user=None):
    lines = [
        {
            "id": f"T3JkZXJMaW5lOj{n}",
            "productName": f"P{n}",
            "quantity": qty,
            "quantityFulfilled": qty if fulfilled else 0,
            "unitPrice": money(price),
            "totalPrice": money(price * qty),
            "variant": {"id": f"VmFyaWFudDo{n}", "product": {"id": f"UHJvZHVjdDo{n}"}},
        }
        for n, (price, qty) in enumerate([(40, 2), (25, 1)])
    ]
    payload = {
        "id": ORDER_ID,
        "number": "901",
        "status": status,
        "userEmail": GUEST,
        "user": user,
        "channel": {"id": "Q2hhbm5lbDox", "slug": CHANNEL, "currencyCode": "USD"},
        "total": money(115),
        "shippingPrice": money(10),
        "totalCharged": {"amount": 115, "currency": "USD"},
        "transactions": [
            {
                "id": "VHJhbnNhY3Rpb246MQ==",
                "pspReference": "p",
                "chargedAmount": {"amount": 115, "currency": "USD"},
            }
        ],
        "lines": lines,
        "grantedRefunds": [
            {
                "id": f"R3JhbnQ6{n}",
                "status": "SUCCESS",
                "amount": {"amount": 40, "currency": "USD"},
                "lines": [{"id": f"R0w6{n}", "quantity": qty, "orderLine": {"id": line_id}}],
            }
            for n, (line_id, qty) in enumerate(grants)
        ],
    }
    if fulfilled:
        payload["fulfillments"] = [
            {
                "id": "RnVsZmlsbG1lbnQ6MQ==",
                "status": "FULFILLED",
                "created": "2026-11-03T09:00:00+00:00",
                "lines": [
                    {"id": f"RkxpbmU6{n}", "quantity": line["quantity"], "orderLine": {"id": line["id"]}}
                    for n, line in enumerate(lines)
                ],
            }
        ]
    return {"order": payload}


def test_paid_webhook_delivered_five_times_earns_once_for_the_guest(installation):
    make_programme(installation)
    # Saleor re-sends (new delivery, new issuedAt): the byte-level dedupe does not catch these.
    for n in range(5):
        deliver(installation, "ORDER_FULLY_PAID", order_payload(), issued_at=f"2026-11-02T10:00:0{n}+00:00")

    account = Account.objects.get()
    assert (account.email, account.user_id, account.pending_points) == (GUEST, "", 105)
    assert LedgerEntry.objects.count() == 2


def test_fulfilment_sets_the_release_at_window_close_and_the_task_releases(installation):
    make_programme(installation)
    deliver(installation, "ORDER_FULLY_PAID", order_payload())
    deliver(
        installation,
        "ORDER_FULFILLED",
        order_payload(status="FULFILLED", fulfilled=True),
        issued_at="2026-11-03T10:00:00+00:00",
    )

    lot = Lot.objects.order_by("id").first()
    assert lot.release_at is not None
    assert lot.release_at - Order.objects.get().fulfillments.get().fulfilled_at == timedelta(days=90)
    assert actions.release_due_lots(now=lot.release_at) == 2
    assert Account.objects.get().available_points == 105


def test_refund_webhook_reverses_the_refunded_line_and_repeats_do_nothing(installation):
    make_programme(installation)
    deliver(installation, "ORDER_FULLY_PAID", order_payload())
    refunded = order_payload(grants=[("T3JkZXJMaW5lOj0", 1)])
    for n in range(3):
        deliver(installation, "ORDER_REFUNDED", refunded, issued_at=f"2026-11-04T10:00:0{n}+00:00")

    account = Account.objects.get()
    assert account.pending_points == 105 - 40
    assert LedgerEntry.objects.filter(type="reverse").count() == 1
    assert_ledger_consistent(account)


def test_cancel_webhook_reverses_everything(installation):
    make_programme(installation)
    deliver(installation, "ORDER_FULLY_PAID", order_payload())
    deliver(
        installation,
        "ORDER_CANCELLED",
        order_payload(status="CANCELED"),
        issued_at="2026-11-04T10:00:00+00:00",
    )

    account = Account.objects.get()
    assert (account.available_points, account.pending_points) == (0, 0)
    assert set(Lot.objects.values_list("status", flat=True)) == {LotStatus.REVERSED}


def test_customer_created_attaches_guest_points_and_awards_signup(installation):
    make_programme(installation, signup_points=30)
    deliver(installation, "ORDER_FULLY_PAID", order_payload())
    user = {"id": "VXNlcjo5OTk=", "email": GUEST, "firstName": "G", "lastName": "", "languageCode": "ZH_HANS"}

    deliver(installation, "CUSTOMER_CREATED", {"user": user})
    deliver(installation, "CUSTOMER_CREATED", {"user": user}, issued_at="2026-11-02T10:00:01+00:00")

    account = Account.objects.get()
    assert (account.user_id, account.available_points, account.pending_points) == ("VXNlcjo5OTk=", 30, 105)
