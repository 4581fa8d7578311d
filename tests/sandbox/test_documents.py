"""Every GraphQL document the sandbox's storefront page sends (and shows to storefront developers) validates: ours
against our API's schema, `Saleor*` ones against Saleor 3.24's."""

import pytest
from graphql import parse, validate

from saleor_aftersales.graphql.api import schema
from tests.saleor_standin.schema_exec import saleor_schema

from .pages import DOCUMENTS, TEXTS


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_validates(name):
    document = parse(DOCUMENTS[name])
    target = saleor_schema() if name.startswith("Saleor") else schema.graphql_schema
    assert validate(target, document) == []
    [operation] = document.definitions
    assert operation.name.value == name  # the page labels each call with its operation name


def test_customer_text_in_english_and_chinese():
    assert set(TEXTS) == {"en", "zh-hans"}
    assert set(TEXTS["en"]) == set(TEXTS["zh-hans"])
    assert all(TEXTS["zh-hans"][key] for key in TEXTS["en"] if key != "statuses")
