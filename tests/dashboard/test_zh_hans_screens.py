"""No English status, choice or action label leaks onto a zh-Hans screen: every screen and widget is rendered in
zh-Hans with seeded rows in every status of every model it shows, and its visible text (tags and attributes
stripped: `status-*` classes and `data-*` attributes keep the raw values on purpose) is scanned for the English
label and the raw value of every TextChoices of the app, of the SLA states and of the staff transitions."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.apps import apps

from saleor_aftersales.dashboard import labels
from saleor_aftersales.loyalty import actions as loyalty_actions
from saleor_aftersales.loyalty.models import ClaimStatus as RewardClaimStatus
from saleor_aftersales.loyalty.models import LedgerEntry, Lot, LotSource, LotStatus, RewardClaim
from saleor_aftersales.orders.models import OrderLine
from saleor_aftersales.returns.models import ReturnEvent, ReturnRequest, ReturnStatus
from saleor_aftersales.service.models import CaseStatus, ServiceCase
from saleor_aftersales.warranty import actions as warranty_actions
from saleor_aftersales.warranty.models import (
    ClaimStatus,
    RepairOrder,
    RepairStatus,
    ServiceCenter,
    Technician,
    Warranty,
    WarrantyClaim,
    WarrantyStatus,
)
from tests.conftest import TEST_API_URL
from tests.dashboard.helpers import make_return
from tests.loyalty.factories import STAFF as LOYALTY_STAFF
from tests.loyalty.factories import make_programme, make_reward
from tests.service.factories import open_case
from tests.warranty.factories import CUSTOMER, CUSTOMER_EMAIL, CUSTOMER_ID, NOW, STAFF, registered

HAN = re.compile(r"[\u4e00-\u9fff]")
PERMISSIONS = ("MANAGE_ORDERS", "MANAGE_USERS", "MANAGE_SETTINGS", "MANAGE_DISCOUNTS", "MANAGE_GIFT_CARD")
TAG = re.compile(r"<[^>]*>", re.S)
ENGLISH_CONTENT = re.compile(r'<(td|span|p) lang="en">.*?</\1>', re.S)
# Models never shown on a Dashboard screen (delivery bookkeeping); their labels may be plain words.
NOT_SHOWN = {
    "outbox",
    "webhooks",
    "insights.dailyrollup",
    "insights.dailyreasonrollup",
    "insights.simulationrun",
}


def _headers(token, locale="zh-Hans"):
    return {
        "HTTP_AUTHORIZATION_BEARER": token,
        "HTTP_SALEOR_API_URL": TEST_API_URL,
        "HTTP_X_DASHBOARD_LOCALE": locale,
    }


def _english_labels() -> set[str]:
    found: set[str] = set()
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("saleor_aftersales") or label.split(".")[0] in NOT_SHOWN:
            continue
        if label in NOT_SHOWN:
            continue
        for field in model._meta.fields:
            for value, english in field.choices or ():
                if value:
                    found.add(str(english))
                    if "_" in str(value):
                        found.add(str(value))  # a raw enum value shown as text
    found.update(labels.SLA["en"].values())
    found.update(key for key in labels.SLA["en"] if "_" in key)
    found.update(key for key in labels.METRICS["en"] if "_" in key)
    found.update(labels.ACTORS["en"].values())
    from saleor_aftersales.returns.events import TIMELINE_TEXTS as RETURN_EVENTS
    from saleor_aftersales.warranty.events import TIMELINE_TEXTS as WARRANTY_EVENTS

    found.update(key for key in [*RETURN_EVENTS, *WARRANTY_EVENTS] if "_" in key)
    found.update(labels.REPAIR_TRANSITIONS["en"].values())
    found.update(labels.CASE_TRANSITIONS["en"].values())
    from saleor_aftersales.loyalty.models import EntryKind

    found.update(str(label) for _, label in EntryKind.choices)
    return found


def _leaks(html: str, english: set[str]) -> set[str]:
    # Content the shop wrote in English and marks as such (`lang="en"`, e.g. a reason's English label column).
    text = TAG.sub("\n", ENGLISH_CONTENT.sub("", html))
    return {label for label in english if re.search(rf"(?<![A-Za-z_]){re.escape(label)}(?![A-Za-z_])", text)}


def _every_status(model, rows, values, **extra):
    for row, value in zip(rows, values, strict=True):
        model.objects.filter(pk=row.pk).update(status=value, **extra)


@pytest.fixture
def seeded(installation):
    """Rows in every status of every model a screen shows, for one customer."""
    returns = [make_return(installation) for _ in ReturnStatus.values]
    _every_status(ReturnRequest, returns, ReturnStatus.values)
    ReturnEvent.objects.create(
        request=returns[0], type="approve_partially", from_status="requested", to_status="partially_approved"
    )
    warranties = registered(installation, lines=[(Decimal("120.00"), len(ClaimStatus.values) + 4)])
    claims = [
        warranty_actions.create_claim(warranty=w, actor=CUSTOMER, symptom="stitching", now=NOW)
        for w in warranties[: len(ClaimStatus.values)]
    ]
    warranty_actions.decide_claim(claim=claims[0], actor=STAFF, decision="repair", note="fix", now=NOW)
    repair = RepairOrder.objects.get()
    center = ServiceCenter.objects.create(installation=installation, name="Atelier")
    Technician.objects.create(installation=installation, center=center, name="Lin")
    warranty_actions.add_repair_line(
        repair=repair, actor=STAFF, kind="part", description="Sole", quantity=1, unit_cost=Decimal("9")
    )
    repairs = [repair]
    for n in range(1, len(RepairStatus.values)):
        clone = RepairOrder.objects.get(pk=repair.pk)
        clone.pk, clone.number = None, f"RO-9{n:05d}"
        clone.save()
        repairs.append(clone)
    _every_status(RepairOrder, repairs, RepairStatus.values)
    _every_status(WarrantyClaim, claims, ClaimStatus.values)
    # Shop data (product names) in Chinese, so that only labels could read English.
    OrderLine.objects.update(product_name="皮鞋")
    Warranty.objects.update(product_name="皮鞋")
    RepairOrder.objects.update(product_name="皮鞋")
    spare = warranties[len(ClaimStatus.values) :]
    _every_status(Warranty, spare, WarrantyStatus.values)
    cases = [open_case(installation, subject=f"鞋底 {n}") for n in range(len(CaseStatus.values))]
    _every_status(ServiceCase, cases, CaseStatus.values)
    make_programme(installation)
    account = loyalty_actions.ensure_account(
        installation=installation, channel_slug="default-channel", email=CUSTOMER_EMAIL, user_id=CUSTOMER_ID
    )
    for n in range(len(LotStatus.values)):
        loyalty_actions.adjust_points(account=account, points=100, reason=f"补偿 {n}", actor=LOYALTY_STAFF)
    lots = list(Lot.objects.filter(account=account).order_by("id"))
    _every_status(Lot, lots, LotStatus.values)
    for lot, source in zip(lots, LotSource.values, strict=False):
        Lot.objects.filter(pk=lot.pk).update(source=source)
    Lot.objects.filter(pk=lots[1].pk).update(remaining=500)  # points to claim rewards with
    reward = make_reward(installation, points_cost=10)
    reward_claims = [
        loyalty_actions.claim_reward(
            installation=installation,
            reward_id=reward.pk,
            channel_slug="default-channel",
            idempotency_key=f"seed-{n}",
            user_id=CUSTOMER_ID,
            email=CUSTOMER_EMAIL,
            actor=CUSTOMER,
        )  # fmt: skip
        for n in range(len(RewardClaimStatus.values))
    ]
    _every_status(RewardClaim, reward_claims, RewardClaimStatus.values)
    return {
        "returns": returns,
        "claims": claims,
        "repairs": repairs,
        "cases": cases,
        "order": warranties[0].order,
        "entries": LedgerEntry.objects.filter(account=account).count(),
    }


def _screens(seeded) -> list[str]:
    order = seeded["order"].saleor_id
    urls = [
        "/dashboard/frag/returns?status=",
        "/dashboard/frag/warranty?status=all",
        "/dashboard/frag/service?status=",
        f"/dashboard/frag/loyalty?customerId={CUSTOMER_ID}",
        "/dashboard/frag/insights",
        f"/dashboard/frag/widgets/order?orderId={order}",
        f"/dashboard/frag/widgets/customer?customerId={CUSTOMER_ID}",
        "/dashboard/frag/widgets/home",
        f"/dashboard/frag/popups/order?orderId={order}",
        f"/dashboard/frag/popups/customer?customerId={CUSTOMER_ID}",
        "/dashboard/frag/settings",
        "/dashboard/frag/settings/loyalty",
        "/dashboard/frag/settings/rewards",
        "/dashboard/frag/settings/knowledge",
        "/dashboard/frag/settings/warranty",
        "/dashboard/frag/settings/care",
        "/dashboard/frag/settings/care?guide=leather-shoes",
        "/dashboard/frag/settings/sla",
        "/dashboard/frag/settings/notifications",
    ]
    urls += [f"/dashboard/frag/returns?status={s}" for s in ReturnStatus.values]
    urls += [f"/dashboard/frag/warranty?status={s}" for s in ClaimStatus.values]
    urls += [f"/dashboard/frag/service?status={s}" for s in CaseStatus.values]
    urls += [f"/dashboard/frag/returns/{r.pk}" for r in seeded["returns"]]
    urls += [f"/dashboard/frag/warranty/claims/{c.pk}" for c in seeded["claims"]]
    urls += [f"/dashboard/frag/warranty/repairs/{r.pk}" for r in seeded["repairs"]]
    urls += [f"/dashboard/frag/service/{c.pk}" for c in seeded["cases"]]
    return urls


def test_no_english_label_leaks_on_any_zh_hans_screen(client, installation, staff_token, seeded):
    token = staff_token(*PERMISSIONS)
    english = _english_labels()
    leaks: dict[str, set[str]] = {}
    for url in _screens(seeded):
        response = client.get(url, **_headers(token))
        assert response.status_code == 200, url
        found = _leaks(response.content.decode(), english)
        if found:
            leaks[url] = found
    import json

    print(json.dumps({k: sorted(v) for k, v in leaks.items()}, ensure_ascii=False, indent=0))
    assert leaks == {}


def test_the_scan_sees_english_labels_on_the_english_screens(client, installation, staff_token, seeded):
    """The same screens in English do show the labels: the scan above can fail."""
    token = staff_token(*PERMISSIONS)
    english = _english_labels()
    shown: set[str] = set()
    for url in _screens(seeded):
        shown |= _leaks(client.get(url, **_headers(token, "en")).content.decode(), english)
    expected = {
        *(str(label) for _, label in ReturnStatus.choices),
        *(str(label) for _, label in ClaimStatus.choices),
        *(str(label) for _, label in RepairStatus.choices),
        *(str(label) for _, label in CaseStatus.choices),
        *(str(label) for _, label in LotStatus.choices),
        *(str(label) for _, label in RewardClaimStatus.choices),
        "Awaiting verification",  # a warranty's status in the customer widget
        "Item received",  # a repair transition
        "Wait on customer",  # a case transition
        "Manual adjustment",  # a ledger entry
    }
    assert expected - shown == set()


def test_every_choice_table_covers_its_field_and_every_text_has_both_languages():
    from saleor_aftersales.dashboard.i18n import TEXTS

    for (model_name, field), table in labels.ZH_CHOICES.items():
        model = next(m for m in apps.get_models() if m._meta.model_name == model_name)
        values = {value for value, _ in model._meta.get_field(field).choices if value}
        assert set(table) == values, (model_name, field)
        assert all(HAN.search(label) for label in table.values()), (model_name, field)
    for model_name, table in labels.ZH_STATUS.items():
        model = next(m for m in apps.get_models() if m._meta.model_name == model_name)
        assert set(table) == {v for v, _ in model._meta.get_field("status").choices}, model_name
    assert set(TEXTS["en"]) == set(TEXTS["zh-hans"])
    # Codes and ids read the same in both languages; every other text is Chinese.
    latin = {key for key, text in TEXTS["zh-hans"].items() if not HAN.search(text)}
    assert latin == {"lang_code", "sku", "none", "target_id"}
    for table in (labels.METRICS, labels.ACTORS, labels.REMEDIES, labels.CASE_TRANSITIONS):
        assert set(table["en"]) == set(table["zh-hans"])
        assert all(HAN.search(text) for text in table["zh-hans"].values())
