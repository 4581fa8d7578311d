"""A resolved case asks for feedback; a low score opens a follow-up complaint linked to the same subject."""

from __future__ import annotations

from saleor_aftersales.core.actors import Actor, ActorType
from saleor_aftersales.service import actions
from saleor_aftersales.service.follow_up import FOLLOW_UP_TAG
from saleor_aftersales.service.models import ServiceCase
from saleor_aftersales.surveys import actions as surveys
from saleor_aftersales.surveys.models import Survey

EMAIL = "unhappy@example.com"
CUSTOMER = Actor(type=ActorType.CUSTOMER, email=EMAIL, user_id="VXNlcjo4MDE=")
STAFF = Actor(
    type=ActorType.STAFF, email="agent@example.com", user_id="VXNlcjox", permissions=("MANAGE_ORDERS",)
)


def _resolved_case(installation, language="zh-hans"):
    case = actions.open_case(
        installation=installation,
        customer_email=EMAIL,
        customer_user_id=CUSTOMER.user_id,
        kind="consultation",
        subject="Sole came loose",
        body="After two weeks the sole came loose.",
        linked_type="warranty_claim",
        linked_id="17",
        actor=CUSTOMER,
        language=language,
    )
    actions.transition_case(case=case, actor=STAFF, transition="resolve")
    return case


def test_a_low_score_on_a_resolved_case_opens_one_follow_up_complaint(
    installation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _resolved_case(installation)
    survey = Survey.objects.get(
        installation=installation, subject_type="service_case", subject_id=str(case.pk)
    )

    response = surveys.submit_response(survey=survey, actor=CUSTOMER, csat=1, comment="Still broken")

    follow_up = ServiceCase.objects.exclude(pk=case.pk).get(installation=installation)
    assert response.follow_up_reference == follow_up.number
    assert (follow_up.kind, follow_up.priority, follow_up.linked_type, follow_up.linked_id) == (
        "complaint",
        "high",
        "warranty_claim",
        "17",
    )
    assert follow_up.customer_email == EMAIL
    assert list(follow_up.tags.values_list("tag", flat=True)) == [FOLLOW_UP_TAG]
    assert follow_up.subject == f"关于您的反馈的跟进（{case.number}）"


def test_a_good_score_opens_nothing(installation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = _resolved_case(installation, language="en")
    survey = Survey.objects.get(
        installation=installation, subject_type="service_case", subject_id=str(case.pk)
    )

    response = surveys.submit_response(survey=survey, actor=CUSTOMER, csat=5)

    assert response.follow_up_reference == ""
    assert ServiceCase.objects.filter(installation=installation).count() == 1
