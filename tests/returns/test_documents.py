from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

ROOT = Path(__file__).resolve().parents[2]
SALEOR_SCHEMA = ROOT.parent / "shared" / "saleor" / "schema.graphql"
DOCUMENTS = sorted((ROOT / "graphql" / "saleor").glob("Return*.graphql")) + [
    ROOT / "graphql" / "saleor" / "GiftCardCreateStoreCredit.graphql"
]


@pytest.mark.skipif(not SALEOR_SCHEMA.exists(), reason="Saleor schema not available")
def test_returns_documents_validate_against_saleor():
    schema = build_schema(SALEOR_SCHEMA.read_text())
    errors = {path.name: validate(schema, parse(path.read_text())) for path in DOCUMENTS}
    assert errors == {path.name: [] for path in DOCUMENTS}


def test_all_returns_operations_have_documents():
    names = {p.stem for p in DOCUMENTS}
    assert {
        "ReturnGrantRefundCreate",
        "ReturnRequestRefundForGrant",
        "ReturnFulfillmentReturnProducts",
        "GiftCardCreateStoreCredit",
        "ReturnDraftOrderCreate",
        "ReturnOrderGrantedRefunds",
        "ReturnGiftCardsByTag",
        "ReturnDraftOrdersByKey",
        "ReturnOrderFulfillments",
    } <= names
