import graphene

from ....knowledge import actions
from ...core.mutations import BaseMutation
from ..types import KnowledgeArticle, KnowledgeError, TriageIntentEnum, enum_value
from .common import article_for_staff


class KnowledgeArticleUpdateInput(graphene.InputObjectType):
    slug = graphene.String()
    title = graphene.String()
    body = graphene.String()
    intents = graphene.List(graphene.NonNull(TriageIntentEnum))


class KnowledgeArticleUpdate(BaseMutation):
    article = graphene.Field(KnowledgeArticle)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(KnowledgeError)))

    class Arguments:
        id = graphene.ID(required=True)
        input = KnowledgeArticleUpdateInput(required=True)

    class Meta:
        description = "Change an article (omitted fields stay as they are). Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, id, input):
        article, requestor = article_for_staff(info, id)
        intents = input.get("intents")
        article = actions.update_article(
            article=article,
            actor=requestor.actor,
            slug=input.get("slug"),
            title=input.get("title"),
            body=input.get("body"),
            intents=[enum_value(i) for i in intents] if intents is not None else None,
        )
        return cls(article=article)
