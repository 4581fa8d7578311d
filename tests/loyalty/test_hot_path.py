"""Acceptance point 10 (guard): the earn and redeem hot paths stay at a constant, small number of statements,
whatever the account's history, and still keep the cached balance equal to the ledger."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_aftersales.core.actors import Actor
from saleor_aftersales.loyalty import actions

from .factories import CHANNEL, CUSTOMER_ID, EMAIL, make_programme
from .invariants import assert_ledger_consistent

SYSTEM = Actor.system("test")


def statements(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.parametrize("history", [1, 60])
def test_earn_and_redeem_statements_are_constant(installation, history):
    make_programme(installation, survey_completed_points=10)
    account = actions.ensure_account(
        installation=installation, channel_slug=CHANNEL, email=EMAIL, user_id=CUSTOMER_ID
    )

    def earn(n):
        return actions.award_action_points(
            installation=installation,
            customer_email=EMAIL,
            customer_user_id=CUSTOMER_ID,
            action="survey_completed",
            reference=f"s-{n}",
            actor=SYSTEM,
            channel_slug=CHANNEL,
        )

    for n in range(history):
        earn(n)
        actions.redeem_points(account=account, points=3, idempotency_key=f"h-{n}", actor=SYSTEM)

    earn_sql = statements(lambda: earn("x"))
    redeem_sql = statements(
        lambda: actions.redeem_points(account=account, points=15, idempotency_key="r-x", actor=SYSTEM)
    )
    again_sql = statements(lambda: earn("x"))  # a re-delivery: the locked read finds the entry

    # PostgreSQL: one locked read, one write statement (entry + lot + balance, or entry + balance + lots +
    # provenance), one FEFO read for redeem; SQLite runs the same writes as separate statements.
    if connection.vendor == "postgresql":
        assert (len(earn_sql), len(redeem_sql)) == (2, 3), (earn_sql, redeem_sql)
    else:
        assert (len(earn_sql), len(redeem_sql)) == (4, 6), (earn_sql, redeem_sql)
    assert len(again_sql) == 2
    account.refresh_from_db()
    assert account.available_points == history * 7 + 10 - 15
    assert_ledger_consistent(account)
