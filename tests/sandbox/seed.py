"""Seed the sandbox's demo shop so every journey can be walked from the first screen.

Saleor's side goes through the stand-in's own actions (products, customers, orders paid and fulfilled), which send
our app the real webhooks: the orders are mirrored, warranties register per fulfilled unit and points earn. The
app's settings are saved through the capabilities' actions; what a customer starts (a return waiting for approval,
a warranty claim waiting for a decision, a complaint with its SLA clock running) goes over HTTP to our GraphQL API
with a stand-in-issued customer JWT, exactly as a storefront would send it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import httpx

CHANNEL = "default-channel"
CUSTOMER_TTL = 8 * 3600


@dataclass
class Demo:
    """What the pages need: who the customer is, their orders as Saleor lists them, tokens, the seeded numbers."""

    api_url: str
    app_url: str
    app_id: str
    customer: dict
    customer_token: str
    dashboard_token: str
    orders: list[dict]
    seeded: dict = field(default_factory=dict)


class SeedError(RuntimeError):
    pass


def graphql(app_url: str, document: str, variables: dict, *, token: str, language: str = "en") -> dict:
    """POST to our API like a storefront; raise on transport errors, GraphQL errors or typed `errors`."""
    answer = httpx.post(
        f"{app_url}/graphql/",
        json={"query": document, "variables": variables},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": language},
        timeout=30,
    )
    body = answer.json()
    if answer.status_code != 200 or body.get("errors"):
        raise SeedError(f"{answer.status_code}: {body}")
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict) and payload.get("errors"):
            raise SeedError(str(payload["errors"]))
    return body["data"]


def seed_demo_shop(saleor, *, app_url: str, app_id: str) -> Demo:
    """The stand-in must have our app installed (`saleor.install_app`); returns what the pages show."""
    from .pages import DOCUMENTS

    saleor.create_channel()
    seed_settings(saleor.api_url)
    shoes = saleor.create_product_type("Leather shoes")
    polo = saleor.create_product("Polo shirt", variants=[{"sku": "POLO-M", "price": Decimal("50")}])
    kettle = saleor.create_product("Kettle", variants=[{"sku": "KETTLE-1", "price": Decimal("80")}])
    boots = saleor.create_product(
        "Leather boots", product_type=shoes, variants=[{"sku": "BOOTS-42", "price": Decimal("120")}]
    )
    ada = saleor.create_customer("ada@example.com", "Ada", "Lovelace")
    lin = saleor.create_customer("lin@example.com", "Lin", "Wei", language_code="ZH_HANS")
    for customer, lines in (
        (ada, [(polo, 2)]),
        (ada, [(kettle, 1)]),
        (ada, [(polo, 1), (boots, 1)]),
        (lin, [(kettle, 1)]),
    ):
        order = saleor.create_order(customer, lines=lines)
        saleor.pay_order(order)  # ORDER_PAID, ORDER_FULLY_PAID: points earn (pending until the window closes)
        saleor.fulfill_order(order)  # FULFILLMENT_CREATED, ORDER_FULFILLED: one warranty per unit
    saleor.deliver_pending()

    token = saleor.issue_customer_token(ada, ttl=CUSTOMER_TTL)
    # What a storefront already reads from Saleor itself: the signed-in customer's orders.
    mine = saleor.query(DOCUMENTS["SaleorMyOrders"], token=token)["data"]["me"]["orders"]["edges"]
    orders = sorted((edge["node"] for edge in mine), key=lambda o: int(o["number"]))
    first, second = orders[0], orders[1]
    seeded: dict = {}

    # A return waiting for the merchant's approval (order #1: one of the two polos, wrong size).
    answer = graphql(
        app_url,
        DOCUMENTS["ReturnRequestCreate"],
        {
            "input": {
                "orderId": first["id"],
                "resolution": "REFUND",
                "lines": [{"orderLineId": first["lines"][0]["id"], "quantity": 1, "reason": "wrong-size"}],
                "comment": "Too small, I need an L.",
            }
        },
        token=token,
    )
    seeded["return"] = answer["returnRequestCreate"]["returnRequest"]["number"]

    # A warranty claim waiting for a decision (the boots of order #3: the sole came off).
    warranties = graphql(app_url, DOCUMENTS["MyWarranties"], {"language": "en"}, token=token)["myWarranties"]
    boots_warranty = next(w for w in warranties if w["productName"] == "Leather boots")
    answer = graphql(
        app_url,
        DOCUMENTS["WarrantyClaimCreate"],
        {
            "input": {
                "warrantyId": boots_warranty["id"],
                "symptom": "sole-detachment",
                "description": "The left sole came off after two weeks.",
            }
        },
        token=token,
    )
    seeded["claim"] = answer["warrantyClaimCreate"]["claim"]["number"]

    # An open complaint on order #2 (its SLA clocks start when it opens).
    answer = graphql(
        app_url,
        DOCUMENTS["ServiceCaseCreate"],
        {
            "input": {
                "kind": "COMPLAINT",
                "subject": f"Kettle of order #{second['number']} leaks",
                "body": "Water drips from the base when it boils. What can I do?",
                "linkedType": "ORDER",
                "linkedId": second["id"],
            }
        },
        token=token,
    )
    seeded["case"] = answer["serviceCaseCreate"]["serviceCase"]["number"]

    seeded["available_points"] = release_points(saleor.api_url, email=ada["email"])
    return Demo(
        api_url=saleor.api_url,
        app_url=app_url,
        app_id=app_id,
        customer={"id": ada["id"], "email": ada["email"], "name": "Ada Lovelace"},
        customer_token=token,
        dashboard_token="",
        orders=orders,
        seeded=seeded,
    )


def seed_settings(api_url: str) -> None:
    """A loyalty programme (before the demo orders are paid, so they earn points), two rewards to claim, the
    shipped help articles and a repair shop for warranty decisions — all through the capabilities' own actions."""
    from saleor_aftersales.core.actors import Actor
    from saleor_aftersales.installations.models import Installation
    from saleor_aftersales.knowledge.actions import load_default_articles
    from saleor_aftersales.loyalty import actions as loyalty_actions
    from saleor_aftersales.warranty import actions as warranty_actions

    installation = Installation.objects.get(saleor_api_url=api_url)
    actor = Actor.system("sandbox")
    loyalty_actions.save_programme(
        installation=installation,
        channel_slug=CHANNEL,
        actor=actor,
        values={"points_per_unit": Decimal("1"), "signup_points": 50, "min_redemption_points": 100},
    )
    for values in (
        {"kind": "gift_card", "name_en": "$5 gift card", "name_zh_hans": "5 美元礼品卡", "points_cost": 100,
         "value": Decimal("5")},
        {"kind": "free_shipping", "name_en": "Free shipping", "name_zh_hans": "免运费", "points_cost": 50},
    ):  # fmt: skip
        loyalty_actions.save_reward(
            installation=installation, reward=None, values={"channel_slug": CHANNEL, **values}
        )
    load_default_articles(installation, actor=actor)
    warranty_actions.save_service_center(
        installation=installation, actor=actor, name="Sandbox repair shop", capacity=5
    )


def release_points(api_url: str, *, email: str) -> int:
    """Vest the customer's pending points the way the beat task does once the orders' return windows close."""
    from saleor_aftersales.loyalty.actions import release_due_lots
    from saleor_aftersales.loyalty.models import Account, Lot, LotStatus

    account = Account.objects.get(installation__saleor_api_url=api_url, channel_slug=CHANNEL, email=email)
    due = [
        lot.release_at
        for lot in Lot.objects.filter(account=account, status=LotStatus.PENDING)
        if lot.release_at is not None
    ]
    if due:
        release_due_lots(now=max(due) + timedelta(seconds=1))
    account.refresh_from_db()
    return account.available_points


def start_sandbox(saleor, host, *, app_url: str, app_id: str, installed) -> Demo:
    """Seed the demo shop and put both pages on `host` (a SandboxHost): the Dashboard stand-in as the stand-in's
    admin (every permission), the storefront as the demo customer."""
    from .pages import dashboard_page, storefront_page

    demo = seed_demo_shop(saleor, app_url=app_url, app_id=app_id)
    demo.dashboard_token = saleor.issue_dashboard_token(saleor.admin, app=installed.app, ttl=CUSTOMER_TTL)
    host.pages["/"] = dashboard_page(
        app_url=app_url,
        api_url=saleor.api_url,
        app_id=app_id,
        token=demo.dashboard_token,
        order_id=demo.orders[0]["id"],
        customer_id=demo.customer["id"],
        storefront_url=host.storefront_url,
    )
    host.pages["/storefront"] = storefront_page(
        app_url=app_url,
        api_url=saleor.api_url,
        token=demo.customer_token,
        customer=demo.customer,
        orders=demo.orders,
        channel=CHANNEL,
    )
    return demo
