from hypothesis import given
from hypothesis import strategies as st

from saleor_aftersales.knowledge import text


def test_chinese_is_indexed_as_bigrams_and_weak_unigrams_without_stop_characters():
    terms = text.tokens("皮鞋的保养")
    assert terms == [
        ("皮", 0.3),
        ("皮鞋", 1.0),
        ("鞋", 0.3),
        ("鞋的", 1.0),
        ("的保", 1.0),
        ("保", 0.3),
        ("保养", 1.0),
        ("养", 0.3),
    ]


def test_english_words_are_lowercased_stemmed_and_stopwords_dropped():
    assert [t for t, _ in text.tokens("How do I choose my SIZE? Sizes, sizing")] == [
        "how",
        "choos",
        "siz",
        "siz",
        "siz",
    ]


def test_mixed_and_full_width_text():
    assert [t for t, _ in text.tokens("Ｒｅｆｕｎｄ退款")] == ["refund", "退", "退款", "款"]
    assert text.detect_language("refund什么时候到") == "zh-hans"
    assert text.detect_language("Where is my refund? 谢谢") == "en"
    assert text.detect_language("12345") == "en"


def test_query_terms_prefer_bigrams_and_are_capped():
    terms = text.query_terms("皮鞋保养" * 100)
    assert len(terms) <= text.MAX_QUERY_TERMS
    assert list(terms)[:3] == ["皮鞋", "鞋保", "保养"]


def test_title_counts_more_than_body_and_intents_are_marked():
    weights = text.document_terms(title="Leather care", body="Brush the shoes.", intents=["care_maintenance"])
    assert weights["leather"] > weights["brush"]
    assert weights["intent:care_maintenance"] == 1.0


@given(st.text(max_size=300))
def test_tokens_never_fail_and_terms_fit_the_column(value):
    for term, weight in text.tokens(value):
        assert 0 < len(term) <= text.MAX_TERM_LENGTH
        assert weight in (1.0, text.UNIGRAM_WEIGHT)


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=1, max_value=1000))
def test_idf_is_never_negative(df, n):
    assert text.idf(min(df, n), n) >= 0
