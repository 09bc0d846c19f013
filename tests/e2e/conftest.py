"""Browser journeys in Debian's Chromium through Playwright (never a downloaded browser).

Without Chromium the journeys skip with the reason, except under CI=true where they fail.
"""

import shutil

import pytest

from tests.conftest import service_missing

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def chromium():
    """One browser for the test file; each test opens its own context (cookies, storage, viewport), so tests
    share no state. A launch costs about 1.5 s of CPU, and the journeys are some sixty tests in a dozen files."""
    executable = shutil.which("chromium")
    if executable is None:
        service_missing("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("playwright is not installed (pip install -r requirements-dev.txt)")
    # The sync API runs an event loop in this thread, and Django refuses ORM calls from such a thread
    # unless told that this is deliberate; only while the browser is open, never for the rest of the run
    # (a test file holds browser journeys only).
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                   has_touch=True, locale="zh-CN")  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
