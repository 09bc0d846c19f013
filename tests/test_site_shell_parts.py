"""The header and footer kept per variation ({% site_header %}, {% site_footer %}) print what a full render
would for each page and reader: the current section, the display mode, the return path, the search words."""

import re

import pytest
from django.core.cache import cache

from pingcheng.templatetags import site_shell

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_parts():
    site_shell._shell_parts.clear()
    cache.clear()


def _header(client, path, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, path
    html = response.content.decode()
    return html[html.index("<header") : html.index("</header>")]


def test_each_page_marks_its_own_section_after_another_page_kept_its_header(client):
    news = _header(client, "/news/")
    assert re.search(r'<a href="/news/" aria-current="page">新闻</a>', news)
    front = _header(client, "/")
    assert 'aria-current="true"' not in front and '<a href="/news/" aria-current' not in front
    assert re.search(r'class="site-name" href="/" aria-current="page"', front)
    assert 'class="site-name" href="/" aria-current' not in _header(client, "/news/")


def test_the_search_box_holds_the_readers_words_only_on_the_search_page_and_escaped(client):
    searched = _header(client, "/search/", data={"q": '防汛"<b>'})
    assert 'value="防汛&quot;&lt;b&gt;"' in searched
    # The next search, and any other page, start from the kept part again, not from the last reader's words.
    assert 'value="网格员"' in _header(client, "/search/", data={"q": "网格员"})
    assert 'name="q" value=""' in _header(client, "/news/")


def test_the_mode_switch_returns_to_each_page_and_the_large_mode_has_its_own_header(client):
    assert 'name="next" value="/news/"' in _header(client, "/news/")
    assert 'name="next" value="/"' in _header(client, "/")
    client.cookies["display_mode"] = "large"
    large = _header(client, "/news/")
    assert "退出长辈模式" in large and 'name="next" value="/news/"' in large
    client.cookies["display_mode"] = "standard"
    assert "退出长辈模式" not in _header(client, "/news/")
