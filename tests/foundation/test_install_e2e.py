"""Install and webhooks end to end against the Saleor stand-in, over real HTTP."""

from decimal import Decimal

from saleor_aftersales.installations.models import Installation
from saleor_aftersales.orders.models import Order
from saleor_aftersales.webhooks.models import DeliveryStatus, WebhookDelivery


def test_install_stores_encrypted_token_app_id_and_jwks(installed_app):
    installation = installed_app.installation
    assert installation.app_id == installed_app.app_id
    assert installation.auth_token == installed_app.installed.token
    assert installation.jwks["keys"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_token FROM installations_installation WHERE id = %s", [installation.pk])
        (stored,) = cursor.fetchone()
    assert stored != installed_app.installed.token and installed_app.installed.token not in stored


def test_reinstall_replaces_the_token(installed_app, live_server):
    saleor = installed_app.saleor
    again = saleor.install_app(
        f"{live_server.url}/api/manifest", installed_app.installed.permissions, reinstall=True
    )
    installation = Installation.objects.get(saleor_api_url=saleor.api_url)
    assert Installation.objects.count() == 1
    assert installation.auth_token == again.token != installed_app.installed.token


def test_paid_and_fulfilled_order_reaches_the_mirror_once(installed_app):
    saleor = installed_app.saleor
    product = saleor.create_product("Loafer", variants=[{"sku": "LOAF-41", "price": Decimal("80.00")}])
    customer = saleor.create_customer("ada@example.com", "Ada", "Lovelace")
    order = saleor.create_order(customer, lines=[(product, 2)], shipping=Decimal("5.00"))
    saleor.pay_order(order)
    saleor.fulfill_order(order)
    mirrored = Order.objects.get(installation=installed_app.installation)
    assert mirrored.is_paid and mirrored.paid_at is not None
    assert mirrored.status == "FULFILLED"
    assert mirrored.lines.get().quantity == 2
    assert mirrored.fulfillments.count() == 1
    deliveries = WebhookDelivery.objects.filter(installation=installed_app.installation)
    assert deliveries.exclude(status=DeliveryStatus.PROCESSED).count() == 0
    # Saleor re-sends the same bytes: stored once, counted as a duplicate, processed once.
    delivery = saleor.deliveries_for("ORDER_FULLY_PAID")[0]
    before = deliveries.count()
    saleor.redeliver(delivery)
    assert deliveries.count() == before
    assert deliveries.get(event="ORDER_FULLY_PAID").duplicates == 1


def test_register_refuses_a_saleor_not_on_the_allow_list(saleor, live_server, settings, transactional_db):
    settings.PUBLIC_URL = live_server.url
    settings.ALLOWED_SALEOR_API_URLS = [r"https://only-this\.example/graphql/"]
    import pytest

    from tests.saleor_standin.install import InstallError

    with pytest.raises(InstallError) as excinfo:
        saleor.install_app(f"{live_server.url}/api/manifest", ["MANAGE_ORDERS"])
    assert "not allowed" in excinfo.value.message
    assert Installation.objects.count() == 0


def test_key_rotation_in_saleor_is_followed_by_one_jwks_refetch(installed_app):
    saleor = installed_app.saleor
    old_kids = {k["kid"] for k in installed_app.installation.jwks["keys"]}
    saleor.rotate_key()
    customer = saleor.create_customer("rotated@example.com", "Grace", "Hopper")
    assert customer is not None
    delivery = saleor.deliveries_for("CUSTOMER_CREATED")[-1]
    assert delivery.status_code == 200 and delivery.attempts == 1
    installation = Installation.objects.get(pk=installed_app.installation.pk)
    assert {k["kid"] for k in installation.jwks["keys"]}.isdisjoint(old_kids)
    assert WebhookDelivery.objects.filter(installation=installation, event="CUSTOMER_CREATED").count() == 1


def test_a_forged_webhook_from_saleor_is_refused_and_not_stored(installed_app):
    saleor = installed_app.saleor
    saleor.create_customer("first@example.com", "A", "B")
    delivery = saleor.deliveries_for("CUSTOMER_CREATED")[-1]
    import httpx

    tampered = (
        delivery.body.replace(b"first@example.com", b"other@example.com")
        if isinstance(delivery.body, bytes)
        else delivery.body.replace("first@example.com", "other@example.com").encode()
    )
    response = httpx.post(delivery.url, content=tampered, headers=dict(delivery.headers))
    assert response.status_code == 401
    assert WebhookDelivery.objects.filter(event="CUSTOMER_CREATED").count() == 1
