"""Policy simulator: replay of real requests under current vs proposed terms, hand-computed; run + progress."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.insights import actions
from saleor_aftersales.insights.models import SimulationRun

from .factories import at, order, return_request

NOW = at(20, 12)
STAFF = Actor(type=ActorType.STAFF, user_id="VXNlcjo5MDA=", email="staff@example.com")
PROPOSAL = {
    "no_reason_days": 3,
    "quality_window_days": 30,
    "restocking_fee_percent": "10",
    "store_credit_bonus_percent": "10",
    "return_shipping_fee": "4",
}


@pytest.fixture
def history(installation):
    """Current policy = the defaults (30-day window, 7 days no reason, 90 days quality, no fees, no bonus).

    A: wrong-size on day 5, 1 x 100, refund         current: refund 100       proposed: refused (3 days no reason)
    B: defect on day 40, 1 x 60, refund, shipping 10 current: refund 60 + 10  proposed: refused (30-day quality)
    C: wrong-size on day 2, 2 x 50, store credit     current: credit 100       proposed: 100 - 10 fee - 4 = 86 -> 94.60
    D: other on day 20, 1 x 80, refund               current: refund 80        proposed: 80 - 4 = 76, 20 % -> credit
    """
    shipped = at(1, 9, month=10)
    cases = [
        ("A", "100.00", 1, "wrong-size", "no_reason", 5, "refund"),
        ("B", "60.00", 1, "quality-defect", "quality", 40, "refund"),
        ("C", "50.00", 2, "wrong-size", "no_reason", 2, "store_credit"),
        ("D", "80.00", 1, "other", "other", 20, "refund"),
    ]
    for variant, price, qty, code, category, day, resolution in cases:
        o, (line,) = order(
            installation, lines=[(variant, "P" + variant, "C", price, qty)], fulfilled_at=shipped
        )
        return_request(
            installation, o, created_at=shipped + timedelta(days=day), status="resolved", resolution=resolution,
            lines=[(line, qty, code, category, qty)], refund_amount=Decimal(price) * qty,
        )  # fmt: skip
    return installation


def _run(installation, changes=PROPOSAL, **kwargs) -> SimulationRun:
    with time_machine.travel(NOW, tick=False):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            run = actions.start_simulation(
                installation=installation,
                actor=STAFF,
                months=3,
                changes=changes,
                return_label_cost="5",
                **kwargs,
            )
    run.refresh_from_db()
    return run


def test_replay_current_vs_proposed(history):
    run = _run(history)

    assert (run.status, run.total_requests, run.processed_requests, run.progress) == ("succeeded", 4, 4, 1.0)
    (usd,) = run.result["by_currency"]
    current, proposed, delta = usd["current"], usd["proposed"], usd["delta"]
    assert (current["accepted_requests"], current["rejected_requests"]) == (4, 0)
    assert current["cash_refunds"] == "250.00"  # 100 + (60 + 10 shipping) + 80
    assert current["store_credit_issued"] == "100.00"
    assert current["fees_collected"] == "0.00"
    assert current["shipping_cost"] == "20.00"  # 4 parcels x 5
    assert current["retained_revenue"] == "90.00"  # 340 - 250 - 0 bonus
    assert (proposed["accepted_requests"], proposed["rejected_requests"]) == (2, 2)
    assert proposed["refusals"] == {"WINDOW_CLOSED": 2}
    assert proposed["cash_refunds"] == "60.80"  # D: 76 x (1 - 0.2 uptake)
    assert proposed["store_credit_issued"] == "111.32"  # C 86 x 1.1 = 94.60 + D 15.20 x 1.1 = 16.72
    assert proposed["store_credit_bonus"] == "10.12"
    assert proposed["restocking_fees"] == "10.00"
    assert proposed["shipping_fees"] == "8.00"
    assert proposed["fees_collected"] == "18.00"
    assert proposed["shipping_cost"] == "10.00"
    assert proposed["retained_revenue"] == "269.08"  # 100 + 60 + (100 - 8.60) + (80 - 60.80 - 1.52)
    assert proposed["refund_requests"] == 0.8
    assert proposed["store_credit_requests"] == 1.2
    assert delta["accepted_requests"] == -2
    assert delta["retained_revenue"] == "179.08"
    assert usd["actual"] == {
        "requests": 4,
        "rejected_requests": 0,
        "cash_refunds": "340.00",
        "store_credit_issued": "0.00",
    }
    assert list(run.events.values_list("type", flat=True)) == ["started", "running", "succeeded"]


def test_unchanged_proposal_matches_current(history):
    run = _run(history, changes={})

    (usd,) = run.result["by_currency"]
    assert usd["current"] == usd["proposed"]
    assert set(usd["delta"].values()) <= {0, 0.0, "0.00"}


def test_channel_filter_and_period(history):
    run = _run(history, channel="elsewhere")

    assert (run.status, run.total_requests, run.result["by_currency"]) == ("succeeded", 0, [])


def test_bad_proposals_are_typed_errors_and_store_nothing(installation):
    with time_machine.travel(NOW, tick=False), pytest.raises(DomainError) as caught:
        actions.start_simulation(
            installation=installation,
            actor=STAFF,
            months=0,
            changes={
                "restocking_fee_percent": "-1",
                "window_days": -3,
                "colour": "red",
                "return_shipping_fee": "x",
            },
            return_label_cost="-2",
        )

    assert [(d.code, d.field) for d in caught.value.details] == [
        ("INVALID_PERIOD", "months"),
        ("NEGATIVE_AMOUNT", "restockingFeePercent"),
        ("INVALID_POLICY", "windowDays"),
        ("INVALID_POLICY", "colour"),
        ("INVALID_POLICY", "returnShippingFee"),
        ("NEGATIVE_AMOUNT", "returnLabelCost"),
    ]
    assert SimulationRun.objects.count() == 0


def test_rerunning_a_finished_run_changes_nothing(history):
    run = _run(history)
    before = run.result

    actions.run_simulation(run_id=run.pk)

    run.refresh_from_db()
    assert run.result == before
    assert run.events.count() == 3


def test_progress_is_written_while_the_task_runs(history, monkeypatch):
    seen = []
    report = actions.report_progress

    def observe(run, processed):
        report(run, processed)
        row = SimulationRun.objects.get(pk=run.pk)
        seen.append((row.status, row.processed_requests, row.total_requests, row.progress))

    monkeypatch.setattr(actions, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(actions, "report_progress", observe)
    run = _run(history)

    # One write per request (PROGRESS_EVERY = 1) plus the final one, each visible to a poller as "running".
    assert seen == [("running", n, 4, n / 4) for n in (1, 2, 3, 4, 4)]
    assert (run.status, run.progress) == ("succeeded", 1.0)
