"""Audit rows of knowledge articles (who created, changed, published, unpublished or deleted what)."""

from __future__ import annotations

from ..core.actors import Actor
from .models import KnowledgeArticle, KnowledgeArticleEvent

CREATED = "created"
UPDATED = "updated"
PUBLISHED = "published"
UNPUBLISHED = "unpublished"
DELETED = "deleted"


def record_event(
    article: KnowledgeArticle,
    *,
    type: str,
    actor: Actor,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> KnowledgeArticleEvent:
    return KnowledgeArticleEvent.objects.create(
        installation_id=article.installation_id,
        article=article if article.pk else None,
        type=type,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data={"slug": article.slug, "language": article.language, **(data or {})},
        **actor.as_record(),
    )


def status_of(article: KnowledgeArticle) -> str:
    return "published" if article.is_published else "draft"
