"""Reads of the knowledge base: lists, ranked search (both databases, Chinese included), articles per intent."""

from __future__ import annotations

from django.db.models import Case, Count, F, FloatField, QuerySet, Sum, Value, When

from .models import KnowledgeArticle, KnowledgeArticleTerm
from .text import idf, intent_term, query_terms


def articles_for(installation, *, language: str | None = None, published_only: bool = True) -> QuerySet:
    qs = KnowledgeArticle.objects.filter(installation=installation)
    if language:
        qs = qs.filter(language=language)
    if published_only:
        qs = qs.filter(is_published=True)
    return qs


def article_by_slug(installation, *, slug: str, language: str, published_only: bool = True):
    return (
        articles_for(installation, language=language, published_only=published_only).filter(slug=slug).first()
    )


def list_articles(
    installation,
    *,
    language: str | None,
    limit: int,
    published_only: bool = True,
    intent: str | None = None,
) -> list[KnowledgeArticle]:
    qs = articles_for(installation, language=language, published_only=published_only)
    if intent:
        qs = qs.filter(terms__term=intent_term(intent))
    return list(qs.order_by("-helpful_count", "id")[:limit])


def articles_for_intent(
    installation, *, intent: str, language: str, limit: int = 3
) -> list[KnowledgeArticle]:
    """Published articles tagged with the intent, most helpful first (one query)."""
    return list_articles(installation, language=language, limit=limit, intent=intent)


def search_articles(
    installation, *, text: str, language: str, limit: int, published_only: bool = True
) -> list[KnowledgeArticle]:
    """Articles ranked by BM25-like relevance to `text` (each has `.score`); three queries whatever the size.

    Terms come from `text.query_terms` (words, Chinese bigrams and unigrams), so "皮鞋保养" finds an article
    about "皮鞋的日常保养" without any word segmentation, on SQLite and PostgreSQL alike.
    """
    wanted = query_terms(text)
    if not wanted or limit == 0:
        return []
    base = articles_for(installation, language=language, published_only=published_only)
    documents = base.count()
    frequencies = dict(
        KnowledgeArticleTerm.objects.filter(article__in=base, term__in=list(wanted))
        .values("term")
        .annotate(documents=Count("id"))
        .values_list("term", "documents")
    )
    weights = {
        term: wanted[term] * idf(frequencies[term], documents) for term in wanted if term in frequencies
    }
    if not weights:
        return []
    score = Sum(
        Case(
            *[
                When(terms__term=term, then=F("terms__weight") * Value(weight))
                for term, weight in weights.items()
            ],
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
    return list(
        base.filter(terms__term__in=list(weights))
        .annotate(score=score)
        .order_by("-score", "-helpful_count", "id")[:limit]
    )
