"""Scenario builders for service tests."""

from __future__ import annotations

import base64

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.service import actions

CUSTOMER_ID = base64.b64encode(b"User:501").decode()
CUSTOMER_EMAIL = "buyer@example.com"
STAFF_ID = base64.b64encode(b"User:900").decode()


def customer(user_id: str = CUSTOMER_ID, email: str = CUSTOMER_EMAIL) -> Actor:
    return Actor(type=ActorType.CUSTOMER, user_id=user_id, email=email)


def staff(email: str = "staff@example.com", user_id: str = STAFF_ID) -> Actor:
    return Actor(type=ActorType.STAFF, user_id=user_id, email=email, permissions=frozenset({"MANAGE_ORDERS"}))


def open_case(installation, **overrides):
    values = {
        "installation": installation,
        "customer_email": CUSTOMER_EMAIL,
        "customer_user_id": CUSTOMER_ID,
        "subject": "Shoe sole came off",
        "body": "The sole of my running shoe came off after a week.",
        "actor": customer(),
        "triage": False,
    }
    values.update(overrides)
    return actions.open_case(**values)
