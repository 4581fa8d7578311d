"""Help articles of the self-service knowledge base (one set per installation, en and zh-hans).

Search runs on an inverted index of our own (`KnowledgeArticleTerm`): words for Latin script, character
unigrams and bigrams for Chinese (which has no spaces). It works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.db import models

from ..core.models import EventRecord, TimestampedModel
from ..installations.models import InstallationScopedModel


class ArticleLanguage(models.TextChoices):
    EN = "en", "English"
    ZH_HANS = "zh-hans", "Simplified Chinese"


class KnowledgeArticle(InstallationScopedModel, TimestampedModel):
    slug = models.SlugField(max_length=100)
    language = models.CharField(max_length=8, choices=ArticleLanguage.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown or plain text.")
    # Triage intents (see knowledge.intents.INTENTS) the article answers; triage suggests it for them.
    intents = models.JSONField(default=list, blank=True)
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    not_helpful_count = models.PositiveIntegerField(default=0)
    # Set when the row came from the shipped default set (load_default_articles).
    default_key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "slug", "language"], name="knowledge_article_slug_per_language"
            )
        ]
        indexes = [models.Index(fields=["installation", "language", "is_published"])]

    def __str__(self) -> str:
        return f"{self.slug} ({self.language})"


class KnowledgeArticleTerm(models.Model):
    """One search term of an article with its weight (field-boosted, length-normalised term frequency)."""

    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=64, db_index=True)
    weight = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="knowledge_term_per_article")]

    def __str__(self) -> str:
        return f"{self.term} ({self.weight:.2f})"


class KnowledgeArticleFeedback(InstallationScopedModel, TimestampedModel):
    """One vote per voter and article ("was this helpful?"); a changed mind updates the vote."""

    article = models.ForeignKey(KnowledgeArticle, on_delete=models.CASCADE, related_name="feedback")
    # A signed-in customer's Saleor user id, or a keyed hash of a guest's address.
    voter_key = models.CharField(max_length=128)
    helpful = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "voter_key"], name="knowledge_one_vote_per_voter")
        ]


class KnowledgeArticleEvent(InstallationScopedModel, EventRecord):
    """Audit trail of an article (created, updated, published, unpublished, deleted)."""

    # Kept after a deletion (SET_NULL) so the deletion itself stays on record; `data` holds the slug.
    article = models.ForeignKey(
        KnowledgeArticle, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )

    class Meta(EventRecord.Meta):
        pass
