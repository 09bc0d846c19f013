"""The main public pages pass axe-core's WCAG 2.1 A and AA rules on a phone and on a desktop screen.

axe-core is vendored in tests/e2e/vendor (see the README there); it is never served by the site.
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"
# A path no view answers: the browser's request for it is fulfilled by Playwright from the vendored file.
AXE_PATH = "/__test-only__/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUN_AXE = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}}).then(results =>
    results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                  targets: v.nodes.map(n => n.target.join(" "))})))"""


@pytest.fixture
def site(live_server):
    call_command("load_demo", verbosity=0)
    return live_server.url


@pytest.fixture
def pages(site):
    article = Article.objects.get(headline="大学生志愿服务社区 擦亮城市文明底色")
    return {
        "front page": "/",
        "article": article.get_absolute_url(),
        "series list": "/news/series/jiwang-kailai/",
        "search results": "/search/?q=网格员",
        "e-paper": "/epaper/2025-07-18/",
        "404": "/no-such-page/",
    }


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _violations(page, site: str, path: str) -> list[dict]:
    page.goto(site + path)
    # The public CSP is script-src 'self': add_script_tag(path=…) or (content=…) writes an inline <script>,
    # which the browser refuses. So axe is loaded the way the site's own scripts would be, from a URL on the
    # live server's origin, and Playwright answers that one request from the vendored file. The page runs
    # under its real policy, as a reader's browser would.
    page.route(site + AXE_PATH, lambda route: route.fulfill(path=AXE_SOURCE, content_type="text/javascript"))
    page.add_script_tag(url=AXE_PATH)
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def _report(found: dict[str, list[dict]]) -> str:
    lines = []
    for name, violations in found.items():
        for v in violations:
            lines.append(f"{name}: {v['id']} ({v['impact']}) {v['help']}")
            lines.extend(f"    {target}" for target in v["targets"])
    return "\n".join(lines)


def _check(page, site: str, pages: dict[str, str]) -> None:
    found = {name: _violations(page, site, path) for name, path in pages.items()}
    found = {name: violations for name, violations in found.items() if violations}
    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + _report(found)


def test_main_pages_are_accessible_on_a_phone(site, pages, phone):
    _check(phone, site, pages)


def test_main_pages_are_accessible_on_a_desktop(site, pages, desktop):
    _check(desktop, site, pages)
