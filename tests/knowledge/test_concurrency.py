import threading

import pytest
from django.db import connection

from saleor_aftersales.knowledge import actions
from saleor_aftersales.knowledge.models import KnowledgeArticle, KnowledgeArticleFeedback

from .factories import make_article


@pytest.mark.postgres_only
def test_simultaneous_first_votes_of_one_voter_count_once(transactional_db, installation):
    article = make_article(installation, "a")
    barrier = threading.Barrier(4)
    failures = []

    def vote():
        try:
            barrier.wait()
            actions.mark_article_helpful(
                article=KnowledgeArticle.objects.get(pk=article.pk), voter_key="user:1", helpful=True
            )
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    article.refresh_from_db()
    assert failures == []
    assert (article.helpful_count, KnowledgeArticleFeedback.objects.count()) == (1, 1)
