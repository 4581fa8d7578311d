"""pytest fixtures (loaded by tests/conftest.py with `pytest_plugins = ["tests.saleor_standin.fixtures"]`).

- `saleor_standin_server` (session): one stand-in on 127.0.0.1, started once;
- `saleor` (function): the same stand-in, reset for the test; the test fails at teardown if the app sent Saleor
  a document that does not validate against Saleor 3.24's schema;
- `app_receiver` (function): a throwaway recording HTTP app (receiver.py) for tests of the stand-in itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .receiver import AppReceiver
from .server import SaleorStandIn


@pytest.fixture(scope="session")
def saleor_standin_server() -> Iterator[SaleorStandIn]:
    standin = SaleorStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture
def saleor(saleor_standin_server: SaleorStandIn) -> Iterator[SaleorStandIn]:
    saleor_standin_server.reset()
    yield saleor_standin_server
    invalid = list(saleor_standin_server.invalid_documents)
    if invalid:
        saleor_standin_server.invalid_documents.clear()
        details = "\n\n".join(
            f"{d['operation_name'] or '<anonymous>'}: {d['errors']}\n{d['query']}" for d in invalid
        )
        pytest.fail(
            f"The app sent {len(invalid)} GraphQL document(s) that Saleor 3.24 would refuse:\n{details}",
            pytrace=False,
        )


@pytest.fixture
def app_receiver() -> Iterator[AppReceiver]:
    """A throwaway HTTP app (manifest, register, recorded webhooks) to exercise the stand-in without Django."""
    with AppReceiver() as receiver:
        yield receiver
