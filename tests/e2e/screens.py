"""Screenshots for a human to look at, taken so that Chromium's occasional refusal does not fail a journey."""

from pathlib import Path

# Chromium answers Page.captureScreenshot with this when the renderer has no compositor frame to read at that
# instant (seen once in CI, after a navigation on a busy 2-core machine); the next frame captures fine.
_TRANSIENT = "Unable to capture screenshot"
_ATTEMPTS = 3


def save_screenshot(page, path: str | Path) -> None:
    """Write a full-page PNG of `page` to `path`, retrying after the next animation frame if Chromium
    reports the transient capture failure; any other error, or the third failure, is raised."""
    from playwright.sync_api import Error

    for attempt in range(1, _ATTEMPTS + 1):
        try:
            page.screenshot(path=str(path), full_page=True)
            return
        except Error as error:
            if _TRANSIENT not in str(error) or attempt == _ATTEMPTS:
                raise
            page.wait_for_load_state()
            page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
