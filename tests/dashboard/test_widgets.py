"""Customer widget (balances, tier, lots, ledger, return requests) and home widget (today's queue, SLA breaches):
what they show, who sees the loyalty part, and constant SQL as histories grow."""

from datetime import timedelta

from django.utils import timezone

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.loyalty import actions as loyalty_actions
from saleor_aftersales.loyalty.models import Tier
from saleor_aftersales.returns.models import ReturnRequest
from saleor_aftersales.sla import actions as sla_actions
from tests.conftest import TEST_API_URL
from tests.loyalty.factories import CHANNEL, CUSTOMER_ID, EMAIL, STAFF, make_programme, make_reward
from tests.returns.factories import CUSTOMER_ID as RETURNS_CUSTOMER_ID

from .helpers import make_return

CUSTOMER = Actor(type=ActorType.CUSTOMER, user_id=CUSTOMER_ID, email=EMAIL)


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def _member(installation, *channels):
    accounts = []
    for channel in channels or (CHANNEL,):
        programme = make_programme(installation) if channel == CHANNEL else None
        if programme is None:
            loyalty_actions.save_programme(
                installation=installation, channel_slug=channel, actor=STAFF, values={"currency": "USD"}
            )
        account = loyalty_actions.ensure_account(
            installation=installation, channel_slug=channel, email=EMAIL, user_id=CUSTOMER_ID
        )
        accounts.append(account)
    return accounts


def test_customer_widget_shows_balance_tier_lots_and_ledger(client, installation, staff_token):
    (account,) = _member(installation)
    programme = make_programme(installation)
    Tier.objects.create(
        programme=programme, code="silver", name_en="Silver", name_zh_hans="银卡", threshold=0
    )
    loyalty_actions.adjust_points(account=account, points=120, reason="welcome", actor=STAFF)
    loyalty_actions.adjust_points(account=account, points=-20, reason="typo", actor=STAFF)
    token = staff_token("MANAGE_ORDERS", "MANAGE_USERS")
    url = f"/dashboard/frag/widgets/customer?customerId={CUSTOMER_ID}"
    body = client.get(url + "&locale=zh-Hans", **_headers(token)).content.decode()
    assert 'data-available="100"' in body and 'data-tier="silver"' in body and "银卡" in body
    assert body.count("data-lot=") == 1 and 'data-lot="available"' in body
    assert body.count('data-entry="') == 2 and "— typo" in body and "积分批次" in body
    assert "data-claim=" not in body
    _claim(installation, make_reward(installation, points_cost=30), "tap-1")
    body = client.get(url + "&locale=zh-Hans", **_headers(token)).content.decode()
    assert (
        body.count('data-claim="pending"') == 1 and "10 美元礼品卡" in body and 'data-available="70"' in body
    )


def _claim(installation, reward, key, channel=CHANNEL):
    return loyalty_actions.claim_reward(
        installation=installation, reward_id=reward.pk, channel_slug=channel, idempotency_key=key,
        user_id=CUSTOMER_ID, email=EMAIL, actor=CUSTOMER,
    )  # fmt: skip


def test_customer_widget_lists_all_return_requests_newest_first(client, installation, staff_token):
    first, second = make_return(installation), make_return(installation)
    ReturnRequest.objects.filter(pk=first.pk).update(status="rejected")
    body = client.get(
        f"/dashboard/frag/widgets/customer?customerId={RETURNS_CUSTOMER_ID}",
        **_headers(staff_token("MANAGE_ORDERS")),
    ).content.decode()
    assert body.index(f'data-rma="{second.number}"') < body.index(f'data-rma="{first.number}"')
    assert 'data-open="1"' in body and "data-available" not in body


def test_customer_widget_sql_is_constant(client, installation, staff_token, django_assert_max_num_queries):
    accounts = _member(installation, CHANNEL, "web-eu")
    for account in accounts:
        loyalty_actions.adjust_points(account=account, points=10, reason="seed", actor=STAFF)
    make_return(installation)
    token = staff_token("MANAGE_ORDERS", "MANAGE_USERS")
    url = f"/dashboard/frag/widgets/customer?customerId={CUSTOMER_ID}"
    with django_assert_max_num_queries(12) as first:
        client.get(url, **_headers(token))
    rewards = {
        a.channel_slug: make_reward(installation, channel_slug=a.channel_slug, points_cost=1)
        for a in accounts
    }
    for n in range(12):
        for account in accounts:
            loyalty_actions.adjust_points(account=account, points=5 + n, reason=f"r{n}", actor=STAFF)
            if n < 5:
                _claim(installation, rewards[account.channel_slug], f"k{n}", account.channel_slug)
    for _ in range(4):
        make_return(installation)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get(url, **_headers(token)).content.decode()
    # Capped per account: 5 lots and 8 ledger entries in each of the two channels.
    assert body.count("data-lot=") == 10 and body.count('data-entry="') == 16
    assert body.count('data-available="') == 2 and body.count("data-claim=") == 6  # 3 per account


def test_home_widget_queue_and_sla_breaches_by_kind(
    client, installation, staff_token, django_assert_max_num_queries
):
    now = timezone.now()
    late, soon, later = make_return(installation), make_return(installation), make_return(installation)
    ReturnRequest.objects.filter(pk=late.pk).update(next_step_due_at=now - timedelta(hours=2))
    ReturnRequest.objects.filter(pk=soon.pk).update(next_step_due_at=now + timedelta(seconds=30))
    ReturnRequest.objects.filter(pk=later.pk).update(next_step_due_at=now + timedelta(days=3))
    # Clocks of other capabilities, read from the SLA engine: two breached cases, one at risk, one repair due.
    for n, started in ((1, now - timedelta(hours=3)), (2, now - timedelta(hours=2))):
        sla_actions.start_clock(
            installation=installation, subject_type="service_case", subject_id=n, metric="first_response",
            target_minutes=30, started_at=started,
        )  # fmt: skip
    sla_actions.start_clock(
        installation=installation, subject_type="service_case", subject_id=3, metric="resolution",
        target_minutes=120, warning_minutes=110, started_at=now - timedelta(minutes=20),
    )  # fmt: skip
    sla_actions.start_clock(
        installation=installation, subject_type="repair_order", subject_id=9, metric="turnaround",
        target_minutes=1, started_at=now,
    )  # fmt: skip
    met = sla_actions.start_clock(
        installation=installation, subject_type="service_case", subject_id=4, metric="first_response",
        target_minutes=30, started_at=now - timedelta(minutes=5),
    )  # fmt: skip
    sla_actions.stop_clock(
        installation=installation, subject_type="service_case", subject_id=4, metric=met.metric, at=now
    )
    token = staff_token("MANAGE_ORDERS")
    # Three for the widget, one for the token's installation.
    with django_assert_max_num_queries(4):
        body = client.get("/dashboard/frag/widgets/home", **_headers(token)).content.decode()
    assert 'data-figure="open">3<' in body and 'data-figure="breaches">1<' in body
    assert body.count("data-queue=") == 2
    assert body.index(f'data-queue="{late.number}"') < body.index(f'data-queue="{soon.number}"')
    assert f'data-queue="{later.number}"' not in body
    assert 'data-sla-kind="service_case" data-breached="2" data-at-risk="1" data-due-today="1"' in body
    assert 'data-sla-kind="repair_order" data-breached="0" data-at-risk="0" data-due-today="1"' in body
    # Returns' own decision clocks (started by the returns actions) come first.
    assert body.index('data-sla-kind="return_request"') < body.index('data-sla-kind="service_case"')


def test_home_widget_sql_is_constant(client, installation, staff_token, django_assert_max_num_queries):
    token = staff_token("MANAGE_ORDERS")
    make_return(installation)
    with django_assert_max_num_queries(4) as first:
        client.get("/dashboard/frag/widgets/home", **_headers(token))
    for n in range(8):
        make_return(installation)
        sla_actions.start_clock(
            installation=installation, subject_type="service_case", subject_id=n, metric="resolution",
            target_minutes=1, started_at=timezone.now() - timedelta(hours=1),
        )  # fmt: skip
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = client.get("/dashboard/frag/widgets/home?locale=zh-Hans", **_headers(token)).content.decode()
    assert 'data-sla-kind="service_case" data-breached="8"' in body and "今日待办" in body
