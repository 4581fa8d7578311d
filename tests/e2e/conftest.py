import pytest

from .browser import browser_page  # noqa: F401  (the fixture every browser test uses)


@pytest.fixture(autouse=True)
def dashboard_stand_in_may_frame_us(settings):
    """The Dashboard stand-in (tests/e2e/dashboard_host.py) serves from 127.0.0.1 on a random port."""
    settings.DASHBOARD_FRAME_ANCESTORS = ["http://127.0.0.1:*"]
