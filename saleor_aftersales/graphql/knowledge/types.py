"""GraphQL types of the knowledge capability: articles and triage suggestions."""

from __future__ import annotations

import enum

import graphene

from ...core.i18n import pick
from ...core.ids import to_global_id
from ...knowledge import error_codes
from ...knowledge.intents import INTENTS, LABELS
from ..core.context import get_requestor
from ..core.errors import error_code_enum, error_type

KnowledgeErrorCode = error_code_enum("KnowledgeErrorCode", error_codes.ALL)
KnowledgeError = error_type("KnowledgeError", KnowledgeErrorCode)

TriageIntentEnum = graphene.Enum.from_enum(
    enum.Enum("TriageIntent", [(intent.upper(), intent) for intent in INTENTS]),
    description="What a customer's message is about.",
)

EXCERPT_LENGTH = 200


def enum_value(value):
    return getattr(value, "value", value)


def excerpt(body: str) -> str:
    """The first characters of the body as plain text (Markdown markers dropped) for result lists."""
    text = " ".join(body.replace("**", "").replace("#", "").split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1].rstrip() + "…"


class KnowledgeArticle(graphene.ObjectType):
    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    language = graphene.String(required=True, description="en or zh-hans.")
    title = graphene.String(required=True)
    body = graphene.String(required=True, description="Markdown.")
    excerpt = graphene.String(required=True, description="The start of the body as plain text.")
    intents = graphene.List(graphene.NonNull(TriageIntentEnum), required=True)
    is_published = graphene.Boolean(required=True)
    published_at = graphene.DateTime()
    view_count = graphene.Int(description="Staff only (null for customers and guests).")
    helpful_count = graphene.Int(required=True)
    not_helpful_count = graphene.Int(required=True)
    score = graphene.Float(description="Search relevance (search results only).")
    is_default = graphene.Boolean(required=True, description="Loaded from the shipped default set.")
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)

    class Meta:
        description = "A self-service help article (one language; translations share the slug)."

    @staticmethod
    def resolve_id(root, _info):
        return to_global_id("KnowledgeArticle", root.pk)

    @staticmethod
    def resolve_excerpt(root, _info):
        return excerpt(root.body)

    @staticmethod
    def resolve_score(root, _info):
        score = getattr(root, "score", None)
        return round(score, 4) if score is not None else None

    @staticmethod
    def resolve_is_default(root, _info):
        return bool(root.default_key)

    @staticmethod
    def resolve_view_count(root, info):
        # Popularity figures are for the merchant; customers see only the helpful votes.
        return root.view_count if get_requestor(info).is_staff else None


class TriageIntentScore(graphene.ObjectType):
    intent = graphene.Field(TriageIntentEnum, required=True)
    label = graphene.String(required=True)
    confidence = graphene.Float(required=True, description="0..1")


class TriageSuggestion(graphene.ObjectType):
    intent = graphene.Field(TriageIntentEnum, required=True)
    label = graphene.String(required=True, description="The intent in the suggestion's language.")
    confidence = graphene.Float(required=True, description="0..1")
    return_reason_code = graphene.String(
        description="A code of `returnReasons` to pre-fill (null: no return reason fits, or not confident)."
    )
    language = graphene.String(required=True, description="The language of `label` and `articles`.")
    alternatives = graphene.List(
        graphene.NonNull(TriageIntentScore), required=True, description="The next most likely intents."
    )
    articles = graphene.List(
        graphene.NonNull(KnowledgeArticle), required=True, description="Up to three articles for the intent."
    )

    class Meta:
        description = "What a message is probably about, with the return reason and articles to suggest."


def suggestion(result) -> TriageSuggestion:
    return TriageSuggestion(
        intent=result.intent,
        label=pick(LABELS[result.intent], result.language),
        confidence=result.confidence,
        return_reason_code=result.return_reason_code,
        language=result.language,
        alternatives=[
            TriageIntentScore(
                intent=a.intent, label=pick(LABELS[a.intent], result.language), confidence=a.confidence
            )
            for a in result.alternatives
        ],
        articles=result.articles,
    )
