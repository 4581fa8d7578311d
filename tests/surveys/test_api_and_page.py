"""Surveys over GraphQL (token, signed-in customer, staff lists and stats) and the public page /s/<token>."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client

from saleor_aftersales.core.actors import Actor
from saleor_aftersales.core.errors import DomainError
from saleor_aftersales.loyalty.models import LedgerEntry
from saleor_aftersales.surveys import actions, tokens
from saleor_aftersales.surveys.models import SurveyResponse
from tests.conftest import user_global_id
from tests.loyalty.factories import make_programme

EMAIL = "buyer@example.com"
SUBMIT = """
mutation($token: String, $subjectType: SurveySubjectTypeEnum, $subjectId: String, $csat: Int!, $nps: Int) {
  surveyResponseSubmit(token: $token, subjectType: $subjectType, subjectId: $subjectId, csat: $csat, nps: $nps,
                       comment: "thanks") {
    survey { status subjectType }
    response { csat nps pointsAwarded channel }
    errors { field code message }
  }
}
"""


def _survey(installation, subject_id="41", subject_type="service_case", user_id="", **kwargs):
    return actions.request_survey(
        installation=installation,
        subject_type=subject_type,
        subject_id=subject_id,
        customer_email=EMAIL,
        language=kwargs.pop("language", "en"),
        actor=Actor.system("test"),
        reference=f"CASE-{subject_id}",
        customer_user_id=user_id,
        **kwargs,
    )


def test_submit_with_the_token_then_twice_is_a_typed_error(gql, installation):
    make_programme(installation, survey_completed_points=30)
    survey = _survey(installation)
    token = tokens.make_token(survey.pk, survey.token_nonce)
    result = gql(SUBMIT, {"token": token, "csat": 4, "nps": 9})
    assert "errors" not in result, result
    first = result["data"]["surveyResponseSubmit"]
    assert first["errors"] == []
    assert first["survey"] == {"status": "COMPLETED", "subjectType": "SERVICE_CASE"}
    assert first["response"] == {"csat": 4, "nps": 9, "pointsAwarded": 30, "channel": "api"}
    again = gql(SUBMIT, {"token": token, "csat": 1})["data"]["surveyResponseSubmit"]
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("survey", "ALREADY_ANSWERED")]
    assert SurveyResponse.objects.get().csat == 4


@pytest.mark.parametrize(
    ("variables", "errors"),
    [
        ({"csat": 7}, [("csat", "OUT_OF_RANGE")]),
        ({"csat": 3, "nps": 11}, [("nps", "OUT_OF_RANGE")]),
    ],
)
def test_out_of_range_over_graphql(gql, installation, variables, errors):
    survey = _survey(installation)
    token = tokens.make_token(survey.pk, survey.token_nonce)
    result = gql(SUBMIT, {"token": token, **variables})["data"]["surveyResponseSubmit"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == errors
    assert SurveyResponse.objects.count() == 0


def test_forged_token_over_graphql(gql, installation):
    _survey(installation)
    result = gql(SUBMIT, {"token": "eyJzIjoxfQ:forged:sig", "csat": 5})["data"]["surveyResponseSubmit"]
    assert [e["code"] for e in result["errors"]] == ["INVALID_TOKEN"]
    assert gql("query($t: String!) { surveyByToken(token: $t) { id } }", {"t": "nope"})["data"] == {
        "surveyByToken": None
    }


def test_signed_in_customer_answers_their_own_subject_only(gql, installation, make_token):
    owner_id = user_global_id(701)
    _survey(installation, user_id=owner_id)
    other = make_token(email="other@example.com", user_id=user_global_id(702))
    denied = gql(SUBMIT, {"subjectType": "SERVICE_CASE", "subjectId": "41", "csat": 5}, token=other)["data"][
        "surveyResponseSubmit"
    ]
    assert [e["code"] for e in denied["errors"]] == ["NOT_FOUND"]
    guest = gql(SUBMIT, {"subjectType": "SERVICE_CASE", "subjectId": "41", "csat": 5})["data"][
        "surveyResponseSubmit"
    ]
    assert [e["code"] for e in guest["errors"]] == ["PERMISSION_DENIED"]
    owner = make_token(email=EMAIL, user_id=owner_id)
    ok = gql(SUBMIT, {"subjectType": "SERVICE_CASE", "subjectId": "41", "csat": 5}, token=owner)["data"][
        "surveyResponseSubmit"
    ]
    assert ok["errors"] == [] and ok["response"]["csat"] == 5
    mine = gql("{ mySurveys { subjectId status response { csat } } }", token=owner)["data"]["mySurveys"]
    assert mine == [{"subjectId": "41", "status": "COMPLETED", "response": {"csat": 5}}]
    assert gql("{ mySurveys { id } }", token=other)["data"]["mySurveys"] == []


def test_staff_lists_responses_in_constant_queries_and_gets_stats(
    gql, installation, staff_token, django_assert_max_num_queries
):
    answers = [(5, 10), (4, 9), (2, 3), (1, None), (3, 7)]
    for n, (csat, nps) in enumerate(answers):
        survey = _survey(installation, subject_id=str(n))
        actions.submit_response(
            survey=survey,
            actor=Actor.system("t"),
            csat=csat,
            nps=nps,
            now=datetime(2026, 11, 2 + n, tzinfo=UTC),
        )
    token = staff_token("MANAGE_ORDERS")
    query = "{ surveyResponses(first: 50) { id csat nps reference customerEmail subjectType surveyId } }"
    gql(query, token=token)
    with django_assert_max_num_queries(3):
        rows = gql(query, token=token)["data"]["surveyResponses"]
    assert [r["csat"] for r in rows] == [3, 1, 2, 4, 5]
    low = gql("{ surveyResponses(filter: {csatMax: 2}) { csat } }", token=token)["data"]["surveyResponses"]
    assert [r["csat"] for r in low] == [1, 2]
    stats = gql(
        "{ surveyStats(period: MONTH) { periodStart responses csatAverage csatPercent npsResponses npsScore "
        "promoters passives detractors lowScores } }",
        token=token,
    )["data"]["surveyStats"]
    assert stats == [
        {
            "periodStart": "2026-11-01T00:00:00+00:00",
            "responses": 5,
            "csatAverage": 3.0,
            "csatPercent": 40.0,
            "npsResponses": 4,
            "npsScore": 25.0,
            "promoters": 2,
            "passives": 1,
            "detractors": 1,
            "lowScores": 2,
        }
    ]
    denied = gql("{ surveyStats { responses } }", token=staff_token())
    assert denied["errors"][0]["message"].startswith("Requires permission") or denied["data"] is None


def test_staff_config_update_needs_manage_settings(gql, installation, staff_token):
    mutation = (
        "mutation($i: SurveyConfigInput!) { surveyConfigUpdate(input: $i) "
        "{ config { lowCsatThreshold subjectTypes askNps } errors { field code } } }"
    )
    denied = gql(mutation, {"i": {"lowCsatThreshold": 3}}, token=staff_token("MANAGE_ORDERS"))["data"]
    assert [e["code"] for e in denied["surveyConfigUpdate"]["errors"]] == ["PERMISSION_DENIED"]
    ok = gql(
        mutation,
        {"i": {"lowCsatThreshold": 3, "subjectTypes": ["RETURN_REQUEST"], "askNps": False}},
        token=staff_token("MANAGE_SETTINGS"),
    )["data"]["surveyConfigUpdate"]
    assert ok == {
        "config": {"lowCsatThreshold": 3, "subjectTypes": ["RETURN_REQUEST"], "askNps": False},
        "errors": [],
    }
    bad = gql(mutation, {"i": {"linkMaxAgeDays": 0}}, token=staff_token("MANAGE_SETTINGS"))["data"]
    assert [(e["field"], e["code"]) for e in bad["surveyConfigUpdate"]["errors"]] == [
        ("linkMaxAgeDays", "OUT_OF_RANGE")
    ]


def test_the_public_page_in_chinese_with_csrf(installation):
    make_programme(installation, survey_completed_points=20)
    survey = _survey(installation, language="zh-hans")
    url = f"/s/{tokens.make_token(survey.pk, survey.token_nonce)}"
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-Hans">' in html and "您的服务工单 CASE-41 已处理完成" in html
    no_csrf = browser.post(url, {"csat": "5"})
    assert no_csrf.status_code == 403
    assert SurveyResponse.objects.count() == 0
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    bad = browser.post(url, {"csat": "9", "csrfmiddlewaretoken": csrf})
    assert bad.status_code == 400 and "请选择有效范围内的评分" in bad.content.decode()
    done = browser.post(url, {"csat": "5", "nps": "10", "comment": "很好", "csrfmiddlewaretoken": csrf})
    assert done.status_code == 200
    assert "感谢您的反馈" in done.content.decode() and "您获得了 20 积分" in done.content.decode()
    twice = browser.post(url, {"csat": "1", "csrfmiddlewaretoken": csrf})
    assert twice.status_code == 409 and "该问卷已提交过" in twice.content.decode()
    assert SurveyResponse.objects.get().comment == "很好"


def test_the_public_page_refuses_forged_links(installation):
    survey = _survey(installation)
    page = Client().get(f"/s/{tokens.make_token(survey.pk, 'wrong-nonce')}")
    assert page.status_code == 404 and "This link is not valid." in page.content.decode()
    assert (
        Client().post(f"/s/{tokens.make_token(survey.pk, 'wrong-nonce')}", {"csat": "5"}).status_code == 404
    )


@pytest.mark.postgres_only
def test_a_duplicated_submit_awards_points_once(transactional_db, installation):
    make_programme(installation, survey_completed_points=40)
    survey = _survey(installation)
    token = tokens.make_token(survey.pk, survey.token_nonce)
    barrier = threading.Barrier(6)
    outcomes: list = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(actions.submit_with_token(token=token, csat=5).pk)
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(map(str, outcomes)).count("ALREADY_ANSWERED") == 5
    assert SurveyResponse.objects.count() == 1
    assert (
        LedgerEntry.objects.filter(idempotency_key=f"action:survey_completed:survey:{survey.pk}").count() == 1
    )
