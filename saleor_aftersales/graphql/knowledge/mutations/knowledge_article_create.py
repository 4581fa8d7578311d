import graphene

from ....knowledge import actions
from ...core.context import get_requestor
from ...core.mutations import BaseMutation
from ..types import KnowledgeArticle, KnowledgeError, TriageIntentEnum, enum_value
from .common import STAFF_PERMISSION


class KnowledgeArticleCreateInput(graphene.InputObjectType):
    slug = graphene.String(
        required=True, description="Lower-case letters, digits, hyphens; shared by translations."
    )
    language = graphene.String(required=True, description="en or zh-hans.")
    title = graphene.String(required=True)
    body = graphene.String(required=True, description="Markdown or plain text.")
    intents = graphene.List(
        graphene.NonNull(TriageIntentEnum), description="Triage suggests the article for these."
    )
    is_published = graphene.Boolean(default_value=False)


class KnowledgeArticleCreate(BaseMutation):
    article = graphene.Field(KnowledgeArticle)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(KnowledgeError)))

    class Arguments:
        input = KnowledgeArticleCreateInput(required=True)

    class Meta:
        description = "Write a help article (draft unless isPublished). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, input):
        requestor = get_requestor(info)
        installation = requestor.require_staff(STAFF_PERMISSION)
        article = actions.create_article(
            installation=installation,
            actor=requestor.actor,
            slug=input["slug"],
            language=input["language"],
            title=input["title"],
            body=input["body"],
            intents=[enum_value(i) for i in input.get("intents") or []],
            is_published=bool(input.get("is_published")),
        )
        return cls(article=article)
