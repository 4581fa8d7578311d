"""Benchmark: the triage classifier (held-out accuracy, macro-F1, per-intent F1, per-language accuracy,
training time, per-prediction latency) and the knowledge API (triageSuggest and ranked search) on PostgreSQL.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:55432/postgres .venv/bin/python benchmarks/triage.py
The classifier part needs no database. The API part creates a throwaway database (Django's test-database
machinery), loads the default articles plus BENCH_ARTICLES synthetic ones (en + zh-hans) into one installation,
calls our GraphQL view in-process as a guest (Saleor-Api-Url header), prints p50/p95 and the SQL count per
call, then drops the database.
"""

from __future__ import annotations

import base64
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:55432/postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("TEST_DB_NAME", f"bench_triage_{os.getpid()}")

import django  # noqa: E402

django.setup()

import json  # noqa: E402

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from benchmarks._common import create_bench_installation, time_calls  # noqa: E402

ARTICLES = int(os.environ.get("BENCH_ARTICLES", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))
PREDICTION_ROUNDS = int(os.environ.get("BENCH_PREDICTION_ROUNDS", "5"))
API_URL = "http://127.0.0.1:9/graphql/"


def classifier_figures() -> None:
    from saleor_aftersales.knowledge import classifier, triage

    examples = classifier.load_examples()
    counts = classifier.examples_per_intent(examples)
    by_language = {
        lang: sum(n for (_, lg), n in counts.items() if lg == lang) for lang in classifier.LANGUAGES
    }
    print(
        f"seed set: {len(examples)} examples ({by_language['en']} en, {by_language['zh-hans']} zh-hans), "
        f"sha256 {classifier.seed_digest()[:12]}"
    )
    evaluation = classifier.evaluate(examples)
    print(
        f"held-out split: {evaluation.held_out_examples} examples (25 %, stratified by intent + language, "
        f"seed {classifier.RANDOM_STATE}); trained on {evaluation.training_examples}"
    )
    print(
        f"accuracy {evaluation.accuracy:.3f}   macro-F1 {evaluation.macro_f1:.3f}   "
        + "   ".join(f"accuracy[{lang}] {acc:.3f}" for lang, acc in evaluation.per_language_accuracy.items())
    )
    print(
        "per-intent F1: " + ", ".join(f"{intent} {f1:.2f}" for intent, f1 in evaluation.per_intent_f1.items())
    )
    print(f"training time (split): {evaluation.training_seconds * 1000:.0f} ms")
    started = time.perf_counter()
    classifier._model = None  # time the production model (every example) from scratch
    classifier.model()
    print(
        f"training time (production model, all {len(examples)} examples): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    _training, held_out = classifier.held_out_split(examples)
    timings = []
    for _ in range(PREDICTION_ROUNDS):
        for example in held_out:
            started = time.perf_counter()
            triage.classify(example.text)
            timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    print(
        f"per-prediction latency (classify, no DB, {len(timings)} calls): p50 {cuts[49]:.2f} ms  "
        f"p95 {cuts[94]:.2f} ms"
    )


def seed_articles(installation) -> None:
    """Synthetic articles built from seed sentences, so search sees realistic term statistics."""
    from saleor_aftersales.knowledge import actions, classifier
    from saleor_aftersales.knowledge.models import KnowledgeArticle, KnowledgeArticleTerm
    from saleor_aftersales.knowledge.text import document_terms

    actions.load_default_articles(installation)
    examples = classifier.load_examples()
    by_language = {lang: [e for e in examples if e.language == lang] for lang in classifier.LANGUAGES}
    rng = random.Random(7)
    articles = []
    for n in range(ARTICLES):
        language = classifier.LANGUAGES[n % 2]
        picked = rng.sample(by_language[language], 12)
        articles.append(
            KnowledgeArticle(
                installation=installation,
                slug=f"synthetic-{n}",
                language=language,
                title=picked[0].text[:200],
                body="\n\n".join(e.text for e in picked[1:]),
                intents=sorted({picked[0].intent}),
                is_published=True,
            )
        )
    KnowledgeArticle.objects.bulk_create(articles, batch_size=1000)
    terms = [
        KnowledgeArticleTerm(article=article, term=term, weight=weight)
        for article in articles
        for term, weight in document_terms(
            title=article.title, body=article.body, intents=article.intents
        ).items()
    ]
    KnowledgeArticleTerm.objects.bulk_create(terms, batch_size=5000)
    print(f"seeded {ARTICLES} synthetic + 20 default articles ({len(terms)} index rows)")


def measure(client: Client, query: str, variables: dict, check) -> tuple[float, float, int]:
    def call():
        return client.post(
            "/graphql/",
            json.dumps({"query": query, "variables": variables}),
            content_type="application/json",
            HTTP_SALEOR_API_URL=API_URL,
        )

    def verify(response) -> None:
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        check(body["data"])

    return time_calls(call, verify, ROUNDS)


SUGGEST = "query($t: String!) { triageSuggest(text: $t) { intent confidence returnReasonCode articles { slug title } } }"
SEARCH = "query($s: String!) { knowledgeArticles(search: $s, first: 10) { slug title excerpt score } }"
LIST = 'query { knowledgeArticles(language: "en", first: 50) { slug title excerpt helpfulCount } }'


def expect_intent(intent: str):
    def check(data) -> None:
        assert data["triageSuggest"]["intent"] == intent, data

    return check


def expect_articles(count: int):
    def check(data) -> None:
        assert len(data["knowledgeArticles"]) == count, data

    return check


def api_figures() -> None:
    from saleor_aftersales.core import ratelimit
    from saleor_aftersales.graphql.knowledge import schema

    schema.GUEST_RATE = "1000000/minute"  # the benchmark is one client address
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        installation, _key = create_bench_installation(API_URL, base64.b64encode(b"App:1").decode())
        started = time.perf_counter()
        seed_articles(installation)
        print(f"  (seeding took {time.perf_counter() - started:.1f}s)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        gc.collect()
        gc.freeze()
        ratelimit.reset()
        client = Client()
        cases = [
            (
                "triageSuggest, en",
                SUGGEST,
                {"t": "the sole came off after two weeks"},
                expect_intent("DEFECT_QUALITY"),
            ),
            (
                "triageSuggest, zh",
                SUGGEST,
                {"t": "退货已经签收了，退款什么时候到账"},
                expect_intent("REFUND_STATUS"),
            ),
            (
                "search en, top 10",
                SEARCH,
                {"s": "how do I polish leather shoes"},
                expect_articles(10),
            ),
            (
                "search zh, top 10",
                SEARCH,
                {"s": "皮鞋怎么保养"},
                expect_articles(10),
            ),
            (
                "list 50 (most helpful)",
                LIST,
                {},
                expect_articles(50),
            ),
        ]
        for label, query, variables, check in cases:
            p50, p95, sql = measure(client, query, variables, check)
            print(f"{label:24s} ({ARTICLES + 20} articles): p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  SQL {sql}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    classifier_figures()
    api_figures()


if __name__ == "__main__":
    main()
