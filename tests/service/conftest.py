import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from saleor_aftersales.core import ratelimit

    ratelimit.reset()
    yield
    ratelimit.reset()
