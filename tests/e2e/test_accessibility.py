"""Every public page type passes axe-core, in both display modes, on a 390 px phone and on a desktop screen;
the elderly-friendly mode (长辈模式) is switched on and off without JavaScript and is larger and stronger.

The page types come from the URL registry and a crawl of the demo site (tests/e2e/public_pages.py), not from a
hand-kept list. The standard mode is held to WCAG 2.1 A/AA and axe's best practices; the elderly mode also to
WCAG AAA text contrast (7:1, axe's ``color-contrast-enhanced``) and the WCAG 2.2 target size.

axe-core is vendored in tests/e2e/vendor (see the README there); it is never served by the site.
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from pingcheng.display_mode import COOKIE_NAME, LARGE
from tests.e2e.public_pages import public_page_samples
from tests.e2e.screens import save_screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
# A path no view answers: the browser's request for it is fulfilled by Playwright from the vendored file.
AXE_PATH = "/__test-only__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Rules outside those tags that the elderly mode promises: AAA contrast for text, and targets of a size.
LARGE_MODE_RULES = ["color-contrast-enhanced", "target-size"]
RUN_AXE = """([tags, rules]) => axe.run(document, {
        runOnly: {type: "tag", values: tags},
        rules: Object.fromEntries(rules.map(id => [id, {enabled: true}])),
    }).then(results => results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                     targets: v.nodes.map(n => n.target.join(" "))})))"""
PHONE_WIDTH = 390
MODES = ["standard", "large"]


@pytest.fixture
def site(live_server):
    call_command("load_demo", verbosity=0)
    return live_server.url


@pytest.fixture
def pages(site):
    """{page type: path}: one page of every public page type, the search results and the 404 page."""
    return public_page_samples()


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_without_javascript(chromium):
    context = chromium.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, device_scale_factor=2,
                                   is_mobile=True, has_touch=True, locale="zh-CN", java_script_enabled=False)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _use_mode(page, site: str, mode: str) -> None:
    if mode == "large":
        page.context.add_cookies([{"name": COOKIE_NAME, "value": LARGE, "url": site}])
    else:
        page.context.clear_cookies()


def _violations(page, site: str, path: str, mode: str) -> list[dict]:
    page.goto(site + path)
    large = page.evaluate("document.documentElement.classList.contains('mode-large')")
    assert large == (mode == "large"), f"{path} was not shown in the {mode} mode"
    # The public CSP is script-src 'self': add_script_tag(path=…) or (content=…) writes an inline <script>,
    # which the browser refuses. So axe is loaded the way the site's own scripts would be, from a URL on the
    # live server's origin, and Playwright answers that one request from the vendored file. The page runs
    # under its real policy, as a reader's browser would.
    page.route(site + AXE_PATH, lambda route: route.fulfill(path=AXE_SOURCE, content_type="text/javascript"))
    page.add_script_tag(url=AXE_PATH)
    return page.evaluate(RUN_AXE, [WCAG_TAGS, LARGE_MODE_RULES if mode == "large" else []])


def _report(found: dict[str, list[dict]]) -> str:
    lines = []
    for name, violations in found.items():
        for v in violations:
            lines.append(f"{name}: {v['id']} ({v['impact']}) {v['help']}")
            lines.extend(f"    {target}" for target in v["targets"])
    return "\n".join(lines)


def _check(page, site: str, pages: dict[str, str], mode: str) -> None:
    _use_mode(page, site, mode)
    found = {f"{name} {path}": _violations(page, site, path, mode) for name, path in pages.items()}
    found = {name: violations for name, violations in found.items() if violations}
    assert not found, f"axe-core found violations in the {mode} mode:\n" + _report(found)


@pytest.mark.parametrize("mode", MODES)
def test_every_public_page_type_is_accessible_on_a_phone(site, pages, phone, mode):
    _check(phone, site, pages, mode)


@pytest.mark.parametrize("mode", MODES)
def test_every_public_page_type_is_accessible_on_a_desktop(site, pages, desktop, mode):
    _check(desktop, site, pages, mode)


@pytest.mark.parametrize("mode", MODES)
def test_no_public_page_scrolls_sideways_on_a_phone(site, pages, phone, mode):
    _use_mode(phone, site, mode)
    wide = {}
    for name, path in pages.items():
        phone.goto(site + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            wide[f"{name} {path}"] = width
    assert not wide, f"pages wider than {PHONE_WIDTH} px in the {mode} mode: {wide}"


def _body_font_size(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('.article-body, main p, main')).fontSize)")


def test_elderly_mode_is_switched_on_and_off_without_javascript(site, phone_without_javascript, tmp_path):
    page = phone_without_javascript
    page.goto(site + "/news/?page=1&utm_source=wechat")
    standard_size = _body_font_size(page)
    assert page.evaluate("document.documentElement.className") == ""

    page.get_by_role("button", name="长辈模式").click()
    page.wait_for_load_state()
    # Back on the same page (its path and page number only), now large: the browser had this page cached
    # (public, max-age) and must not show that copy, which Vary: Cookie prevents.
    assert page.url == site + "/news/"
    assert page.evaluate("document.documentElement.className") == "mode-large"
    assert _body_font_size(page) >= 1.25 * standard_size
    assert {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}[COOKIE_NAME] == LARGE
    save_screenshot(page, tmp_path / "elderly-mode-390.png")

    page.get_by_role("button", name="退出长辈模式", exact=True).click()
    page.wait_for_load_state()
    assert page.url == site + "/news/"
    assert page.evaluate("document.documentElement.className") == ""
    assert _body_font_size(page) == standard_size
    assert COOKIE_NAME not in {cookie["name"] for cookie in page.context.cookies()}


def test_elderly_mode_gives_every_control_a_finger_sized_target(site, phone):
    _use_mode(phone, site, "large")
    phone.goto(site + "/news/")
    heights = phone.evaluate("""() => [...document.querySelectorAll(
            '.site-nav a, .display-mode-button, .site-search button, .site-search input, .footer-links a, .pagination a')]
        .map(element => [element.textContent.trim() || element.name, element.getBoundingClientRect().height])""")
    assert heights, "no controls found"
    small = [(label, height) for label, height in heights if height < 48]
    assert not small, f"controls shorter than 48 px in the elderly mode: {small}"


def test_elderly_mode_text_is_at_least_a_quarter_larger_everywhere_on_the_page(site, pages, phone):
    """Not only the body text: headlines, dates, tags, the menu and the footer grow too (sizes are in rem)."""
    selectors = ["h1", ".kicker", ".meta", ".article-body p", ".tag", ".breadcrumbs", ".site-nav a", ".masthead-date",
                 ".site-footer"]  # fmt: skip
    script = """selectors => selectors.map(s => document.querySelector(s))
        .map(element => element ? parseFloat(getComputedStyle(element).fontSize) : null)"""
    path = pages["articles:detail"]
    _use_mode(phone, site, "standard")
    phone.goto(site + path)
    standard = phone.evaluate(script, selectors)
    _use_mode(phone, site, "large")
    phone.goto(site + path)
    large = phone.evaluate(script, selectors)
    for selector, before, after in zip(selectors, standard, large, strict=True):
        assert before is not None, f"{selector} not on {path}"
        assert after >= 1.25 * before - 0.01, f"{selector}: {before}px → {after}px"
