"""Text handling shared by search and triage: normalisation, script detection and search terms.

Pure functions (no ORM). Chinese is written without spaces, so it is indexed as character unigrams and
bigrams; Latin script as lower-cased words with a light suffix stemmer. Both can appear in one text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict

# CJK Unified Ideographs (+ extension A and compatibility ideographs).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:'[a-z]+)?")
_HAS_CJK = re.compile(rf"[{_CJK}]")

EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "too",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "i'm",
        "it's",
        "im",
        "ive",
        "i've",
        "just",
    ]
)
# Single characters too common to mean anything on their own (bigrams containing them are still indexed).
ZH_STOP_CHARS = frozenset("的了吗呢吧啊呀我你他她它是在有和与就都也这那个么怎请要会能想还")

# Field boosts and length normalisation (BM25-like saturation with a fixed average length).
TITLE_BOOST = 3.0
TAG_BOOST = 2.0
UNIGRAM_WEIGHT = 0.3
K1 = 1.2
B = 0.5
AVERAGE_TERMS = 120.0
MAX_QUERY_TERMS = 48
MAX_TERM_LENGTH = 64


def normalize(text: str) -> str:
    """NFKC (full-width Latin and digits -> ASCII), lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def has_chinese(text: str) -> bool:
    return bool(_HAS_CJK.search(text or ""))


def detect_language(text: str) -> str:
    """zh-hans when Chinese characters are at least a fifth of the letters, else en."""
    letters = [ch for ch in text or "" if ch.isalpha()]
    if not letters:
        return "en"
    chinese = sum(1 for ch in letters if _HAS_CJK.match(ch))
    return "zh-hans" if chinese * 5 >= len(letters) else "en"


def stem(word: str) -> str:
    """A light English stemmer: sizes/sizing/sized -> siz, deliveries/delivery -> deliver."""
    for suffix, replacement, min_length in (
        ("ies", "y", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "", 5),
        ("s", "", 4),
    ):
        if len(word) >= min_length and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 3 and word.endswith(("e", "y")):
        word = word[:-1]
    return word


def tokens(text: str) -> list[tuple[str, float]]:
    """(term, weight) occurrences in reading order: stemmed words, Chinese bigrams and weak unigrams."""
    out: list[tuple[str, float]] = []
    for run in _RUN.findall(normalize(text)):
        if _HAS_CJK.match(run):
            for index, char in enumerate(run):
                if char not in ZH_STOP_CHARS:
                    out.append((char, UNIGRAM_WEIGHT))
                if index + 1 < len(run):
                    out.append((run[index : index + 2], 1.0))
        else:
            word = run.replace("'", "")
            if word in EN_STOPWORDS or (len(word) < 2 and not word.isdigit()):
                continue
            out.append((stem(word)[:MAX_TERM_LENGTH], 1.0))
    return out


def intent_term(intent: str) -> str:
    return f"intent:{intent}"


def document_terms(*, title: str, body: str, intents: list[str]) -> dict[str, float]:
    """The index rows of one article: {term: weight}. Title words count TITLE_BOOST times."""
    frequencies: defaultdict[str, float] = defaultdict(float)
    for term, weight in tokens(title):
        frequencies[term] += weight * TITLE_BOOST
    for term, weight in tokens(body):
        frequencies[term] += weight
    for intent in intents:
        for term, weight in tokens(intent.replace("_", " ")):
            frequencies[term] += weight * TAG_BOOST
    length = sum(frequencies.values())
    norm = K1 * (1 - B + B * length / AVERAGE_TERMS)
    weights = {term: tf * (K1 + 1) / (tf + norm) for term, tf in frequencies.items()}
    # Exact-intent markers let triage fetch "articles for an intent" from the same index.
    for intent in intents:
        weights[intent_term(intent)] = 1.0
    return weights


def query_terms(text: str) -> dict[str, float]:
    """{term: query weight}; at most MAX_QUERY_TERMS, bigrams and words before weak unigrams."""
    weights: dict[str, float] = {}
    for term, weight in tokens(text):
        weights[term] = max(weights.get(term, 0.0), weight)
    ranked = sorted(enumerate(weights.items()), key=lambda pair: (-pair[1][1], pair[0]))
    return dict(item for _position, item in ranked[:MAX_QUERY_TERMS])


def idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))
