"""GraphQL types of the surveys capability."""

from __future__ import annotations

import graphene

from ...core.ids import to_global_id
from ...surveys import error_codes
from ...surveys.models import SubjectType, SurveyStatus
from ..core.errors import error_code_enum, error_type
from ..core.types import choices_enum

SurveyErrorCode = error_code_enum("SurveyErrorCode", error_codes.ALL)
SurveyError = error_type("SurveyError", SurveyErrorCode)


SurveySubjectTypeEnum = choices_enum("SurveySubjectTypeEnum", SubjectType.values)
SurveyStatusEnum = choices_enum("SurveyStatusEnum", SurveyStatus.values)
SurveyPeriodEnum = choices_enum("SurveyPeriodEnum", ["day", "week", "month"])


def enum_value(value) -> str:
    return getattr(value, "value", value)


class SurveyResponse(graphene.ObjectType):
    id = graphene.ID(required=True)
    survey_id = graphene.ID(required=True)
    subject_type = graphene.Field(SurveySubjectTypeEnum, required=True)
    subject_id = graphene.String(required=True)
    reference = graphene.String(required=True)
    customer_email = graphene.String(required=True)
    csat = graphene.Int(required=True, description="1 (very unsatisfied) to 5 (very satisfied).")
    nps = graphene.Int(description="0-10, when given.")
    comment = graphene.String(required=True)
    channel = graphene.String(required=True, description="link or api")
    is_low_score = graphene.Boolean(required=True)
    follow_up_reference = graphene.String(required=True, description="The follow-up case, if one was opened.")
    points_awarded = graphene.Int(required=True)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("SurveyResponse", root.pk)

    @staticmethod
    def resolve_subject_type(root, _info):
        return str(root.subject_type)

    @staticmethod
    def resolve_survey_id(root, _info):
        return to_global_id("Survey", root.survey_id)

    @staticmethod
    def resolve_subject_id(root, _info):
        return root.survey.subject_id

    @staticmethod
    def resolve_reference(root, _info):
        return root.survey.reference

    @staticmethod
    def resolve_customer_email(root, _info):
        return root.survey.customer_email


class Survey(graphene.ObjectType):
    """A survey about one resolved case, return, claim or repair."""

    id = graphene.ID(required=True)
    subject_type = graphene.Field(SurveySubjectTypeEnum, required=True)
    subject_id = graphene.String(required=True)
    reference = graphene.String(required=True)
    status = graphene.Field(SurveyStatusEnum, required=True)
    language = graphene.String(required=True)
    ask_nps = graphene.Boolean(required=True)
    requested_at = graphene.DateTime(required=True)
    expires_at = graphene.DateTime(required=True)
    completed_at = graphene.DateTime()
    response = graphene.Field(SurveyResponse)

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("Survey", root.pk)

    @staticmethod
    def resolve_status(root, _info):
        return str(root.status)

    @staticmethod
    def resolve_subject_type(root, _info):
        return str(root.subject_type)

    @staticmethod
    def resolve_response(root, _info):
        try:
            return root.response  # select_related by the resolvers
        except Exception:  # RelatedObjectDoesNotExist: not answered yet
            return None


class SurveyPeriodStats(graphene.ObjectType):
    period_start = graphene.DateTime(required=True)
    responses = graphene.Int(required=True)
    csat_average = graphene.Float(description="Mean CSAT (1-5).")
    csat_percent = graphene.Float(description="Share of 4 and 5 answers, in percent.")
    nps_responses = graphene.Int(required=True)
    nps_score = graphene.Float(description="% promoters (9-10) minus % detractors (0-6), -100 to 100.")
    promoters = graphene.Int(required=True)
    passives = graphene.Int(required=True)
    detractors = graphene.Int(required=True)
    low_scores = graphene.Int(required=True, description="Answers at or below the follow-up threshold.")


class SurveyConfig(graphene.ObjectType):
    is_active = graphene.Boolean(required=True)
    subject_types = graphene.List(graphene.NonNull(SurveySubjectTypeEnum), required=True)
    ask_nps = graphene.Boolean(required=True)
    low_csat_threshold = graphene.Int(required=True)
    link_max_age_days = graphene.Int(required=True)
