"""Service cases screens: the inbox with SLA state and last message (constant SQL), the case page with the merged
timeline, reply / internal note / wait on customer, state moves, and typed errors with nothing written."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from saleor_aftersales.service.models import CaseStatus, ServiceMessage
from saleor_aftersales.sla.models import SlaClock
from tests.conftest import TEST_API_URL
from tests.service.factories import open_case

ORDERS = "MANAGE_ORDERS"


def _headers(token):
    return {"HTTP_AUTHORIZATION_BEARER": token, "HTTP_SALEOR_API_URL": TEST_API_URL}


def test_service_section_is_in_the_app_page_nav(client, db):
    body = client.get("/dashboard/service").content.decode()
    assert "/dashboard/frag/service" in body and "Service cases" in body


def test_inbox_needs_manage_orders_and_shows_sla_and_last_message(
    client, installation, staff_token, django_assert_max_num_queries
):
    late = open_case(installation, subject="Late parcel")
    SlaClock.objects.filter(subject_id=str(late.pk), metric="first_response").update(
        due_at=late.created_at - timedelta(minutes=1)
    )
    for n in range(30):
        open_case(installation, subject=f"Question {n}")
    assert client.get("/dashboard/frag/service", **_headers(staff_token("MANAGE_USERS"))).status_code == 403
    with django_assert_max_num_queries(6):
        response = client.get("/dashboard/frag/service", **_headers(staff_token(ORDERS)))
    body = response.content.decode()
    assert body.count("data-case=") == 31
    assert f'data-case="{late.number}" data-sla="breached"' in body
    assert len(re.findall(r'data-case="[^"]+" data-sla="on_track"', body)) == 30
    assert "The sole of my running shoe" in body


def test_reply_note_wait_and_resolve_from_the_case_page(client, installation, staff_token):
    case = open_case(installation)
    token = staff_token(ORDERS, email="clerk@example.com")
    url = f"/dashboard/frag/service/{case.pk}"
    body = client.get(url, **_headers(token)).content.decode()
    assert (
        'id="reply-form"' in body
        and 'id="transition-resolve"' in body
        and 'id="transition-reopen"' not in body
    )
    note = client.post(f"{url}/reply", {"body": "Check the batch", "internal": "on"}, **_headers(token))
    assert json.loads(note["HX-Trigger"])["aftersales:notify"]["status"] == "success"
    reply = client.post(f"{url}/reply", {"body": "Could you send a photo?", "wait": "on"}, **_headers(token))
    page = reply.content.decode()
    assert 'data-status="waiting_on_customer"' in page
    assert 'data-source="message" data-type="message_note" class="internal"' in page
    assert 'data-metric="first_response" data-state="met"' in page
    assert 'data-metric="resolution" data-state="paused"' in page
    done = client.post(f"{url}/transition", {"transition": "resolve"}, **_headers(token)).content.decode()
    assert 'data-status="resolved"' in done and 'id="transition-reopen"' in done
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert case.events.get(type="resolve").actor_email == "clerk@example.com"


def test_bad_moves_and_closed_cases_are_form_errors(client, installation, staff_token):
    case = open_case(installation)
    token = staff_token(ORDERS)
    url = f"/dashboard/frag/service/{case.pk}"
    wrong = client.post(f"{url}/transition", {"transition": "reopen"}, **_headers(token)).content.decode()
    assert 'data-code="INVALID_TRANSITION"' in wrong
    empty = client.post(f"{url}/reply", {"body": "  "}, **_headers(token)).content.decode()
    assert 'data-code="REQUIRED"' in empty
    client.post(f"{url}/transition", {"transition": "close"}, **_headers(token))
    closed = client.get(url, **_headers(token)).content.decode()
    assert 'id="reply-form"' not in closed
    refused = client.post(f"{url}/reply", {"body": "Hello?"}, **_headers(token)).content.decode()
    assert 'data-code="CASE_CLOSED"' in refused
    assert ServiceMessage.objects.filter(case=case).count() == 1
    other = client.get("/dashboard/frag/service/999999", **_headers(token))
    assert other.status_code == 404
