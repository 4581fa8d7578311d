"""Shared parts of the browser tests: Debian's Chromium, the page that plays the Dashboard, screenshots."""

import os
from pathlib import Path

import pytest

from tests.conftest import TEST_API_URL, TEST_APP_ID

from .dashboard_host import DashboardHost

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    # The test body touches the ORM while Playwright's event loop runs in this thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    host = DashboardHost()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        try:
            yield host, page
        finally:
            browser.close()
            host.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _open(host, page, live_server, *, path, token, theme="light", locale="en", **context):
    params = {"saleorApiUrl": TEST_API_URL, "id": TEST_APP_ID, "theme": theme, "locale": locale, **context}
    page.goto(host.frame(app_url=live_server.url, path=path, token=token, params=params))
    return page.frame_locator("#app")


def _actions(page):
    return [m["type"] for m in page.evaluate("window.received")]


def _shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
