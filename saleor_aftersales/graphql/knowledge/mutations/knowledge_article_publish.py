import graphene

from ....knowledge import actions
from ...core.mutations import BaseMutation
from ..types import KnowledgeArticle, KnowledgeError
from .common import article_for_staff


class KnowledgeArticlePublish(BaseMutation):
    article = graphene.Field(KnowledgeArticle)
    errors = graphene.NonNull(graphene.List(graphene.NonNull(KnowledgeError)))

    class Arguments:
        id = graphene.ID(required=True)
        is_published = graphene.Boolean(default_value=True, description="false unpublishes.")

    class Meta:
        description = "Publish (or unpublish) an article for customers. Requires MANAGE_ORDERS."

    @classmethod
    def perform_mutation(cls, root, info, id, is_published=True):
        article, requestor = article_for_staff(info, id)
        article = actions.set_article_published(
            article=article, actor=requestor.actor, is_published=is_published
        )
        return cls(article=article)
