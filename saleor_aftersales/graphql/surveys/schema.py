"""GraphQL queries and mutations of the surveys capability."""

from __future__ import annotations

import graphene

from ...core.errors import DomainError
from ...installations.permissions import SaleorPermission
from ...surveys import actions, selectors
from ..core.context import get_requestor
from ..core.types import page_size
from .mutations.survey_config_update import SurveyConfigUpdate, config_payload
from .mutations.survey_resend import SurveyResend
from .mutations.survey_response_submit import SurveyResponseSubmit
from .types import (
    Survey,
    SurveyConfig,
    SurveyPeriodEnum,
    SurveyPeriodStats,
    SurveyResponse,
    SurveySubjectTypeEnum,
    enum_value,
)


class SurveyResponseFilterInput(graphene.InputObjectType):
    subject_type = SurveySubjectTypeEnum()
    csat_min = graphene.Int()
    csat_max = graphene.Int()
    nps_min = graphene.Int()
    nps_max = graphene.Int()
    low_score = graphene.Boolean()
    since = graphene.DateTime()
    until = graphene.DateTime()


class SurveyQueries(graphene.ObjectType):
    survey_by_token = graphene.Field(
        Survey,
        token=graphene.String(required=True),
        description="The survey a link points to (public; INVALID_TOKEN / EXPIRED answer null).",
    )
    my_surveys = graphene.List(
        graphene.NonNull(Survey),
        required=True,
        first=graphene.Int(default_value=20),
        description="The signed-in customer's surveys, newest first.",
    )
    survey_responses = graphene.List(
        graphene.NonNull(SurveyResponse),
        required=True,
        first=graphene.Int(default_value=50),
        filter=SurveyResponseFilterInput(),
        description="Answers, newest first. Requires MANAGE_ORDERS.",
    )
    survey_stats = graphene.List(
        graphene.NonNull(SurveyPeriodStats),
        required=True,
        period=SurveyPeriodEnum(default_value="week"),
        since=graphene.DateTime(),
        until=graphene.DateTime(),
        subject_type=SurveySubjectTypeEnum(),
        description="CSAT and NPS per period (UTC), oldest first. Requires MANAGE_ORDERS.",
    )
    survey_config = graphene.Field(SurveyConfig, required=True, description="Requires MANAGE_SETTINGS.")

    @staticmethod
    def resolve_survey_by_token(_root, _info, token):
        try:
            return actions.survey_for_token(token)
        except DomainError:
            return None

    @staticmethod
    def resolve_my_surveys(_root, info, first=20):
        requestor = get_requestor(info)
        installation = requestor.require_customer()
        qs = selectors.surveys_of_customer(installation, requestor.actor).select_related("response")
        return list(qs.order_by("-requested_at", "-id")[: page_size(first)])

    @staticmethod
    def resolve_survey_responses(_root, info, first=50, filter=None):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        values = dict(filter or {})
        if values.get("subject_type"):
            values["subject_type"] = enum_value(values["subject_type"])
        qs = selectors.responses_for(installation, **values).select_related("survey")
        return list(qs.order_by("-created_at", "-id")[: page_size(first)])

    @staticmethod
    def resolve_survey_stats(_root, info, period="week", since=None, until=None, subject_type=None):
        installation = get_requestor(info).require_staff(SaleorPermission.MANAGE_ORDERS)
        rows = selectors.stats(
            installation,
            period=enum_value(period),
            since=since,
            until=until,
            subject_type=enum_value(subject_type) if subject_type else None,
        )
        return [SurveyPeriodStats(period_start=start, **vars(agg)) for start, agg in rows]

    @staticmethod
    def resolve_survey_config(_root, info):
        installation = get_requestor(info).require_staff("MANAGE_SETTINGS")
        return config_payload(actions.config_for(installation))


class SurveyMutations(graphene.ObjectType):
    survey_response_submit = SurveyResponseSubmit.Field()
    survey_resend = SurveyResend.Field()
    survey_config_update = SurveyConfigUpdate.Field()
