"""End to end against the Saleor stand-in: a return refunded in Saleor -> the customer gets the survey email (in
their language) -> answers on the public page over real HTTP (CSRF) -> points awarded once, webhook-free."""

from __future__ import annotations

import re

import httpx
import pytest
from django.core import mail

pytest.importorskip("tests.saleor_standin.fixtures")

from saleor_aftersales.loyalty.models import LedgerEntry  # noqa: E402
from saleor_aftersales.surveys.models import Survey, SurveyResponse  # noqa: E402
from tests.loyalty.factories import make_programme  # noqa: E402
from tests.returns.test_e2e_standin import _drain_outbox, _mutate, _return_flow, app  # noqa: E402,F401


def test_refunded_return_survey_answered_on_the_public_page(app, gql, live_server, settings):  # noqa: F811
    settings.PUBLIC_URL = live_server.url
    settings.CSRF_COOKIE_SECURE = False  # plain http on loopback (production pages are https)
    make_programme(app.installation, survey_completed_points=25)
    order, rid, _customer_token, staff_token = _return_flow(app, gql)
    mail.outbox = []
    _mutate(
        gql,
        "returnRequestResolve",
        "mutation($id: ID!) { returnRequestResolve(id: $id) { errors { field code message } } }",
        {"id": rid},
        staff_token,
    )
    _drain_outbox()
    app.saleor.deliver_pending()
    survey = Survey.objects.get()
    assert survey.subject_type == "return_request"
    [message] = [m for m in mail.outbox if m.extra_headers.get("X-Aftersales-Event") == "survey_requested"]
    assert message.to == ["runner@example.com"]
    link = re.search(r"(http://\S+/s/\S+)", message.body).group(1)
    with httpx.Client(timeout=10) as browser:
        page = browser.get(link)
        assert page.status_code == 200 and "How did we do?" in page.text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        headers = {"Referer": link, "Origin": live_server.url}
        done = browser.post(
            link, data={"csat": "4", "nps": "9", "csrfmiddlewaretoken": csrf}, headers=headers
        )
        assert done.status_code == 200, done.text
        assert "Thank you for your feedback!" in done.text and "You earned 25 loyalty points." in done.text
        again = browser.post(link, data={"csat": "1", "csrfmiddlewaretoken": csrf}, headers=headers)
        assert again.status_code == 409
    response = SurveyResponse.objects.get()
    assert (response.csat, response.nps, response.channel, response.points_awarded) == (4, 9, "link", 25)
    assert (
        LedgerEntry.objects.filter(idempotency_key=f"action:survey_completed:survey:{survey.pk}").count() == 1
    )
