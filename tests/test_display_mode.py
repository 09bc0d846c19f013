"""The elderly-friendly display mode (长辈模式): switched on and off with a plain form, kept in one cookie, shown
as a class on <html>, and cached per mode.

The browser side (no JavaScript, the stylesheet, axe-core in both modes) is in tests/e2e/test_accessibility.py.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article
from pingcheng.display_mode import COOKIE_NAME, LARGE
from tests.factories import ArticleFactory
from tests.page_text import page_text

pytestmark = pytest.mark.django_db

SWITCH = "/display-mode/"
LARGE_HTML = '<html lang="zh-Hans" class="mode-large">'
STANDARD_HTML = '<html lang="zh-Hans">'


@pytest.fixture
def large_client():
    client = Client()
    client.cookies[COOKIE_NAME] = LARGE
    return client


@pytest.fixture
def live_article():
    now = timezone.now()
    return ArticleFactory(headline="原来的标题", status=Article.Status.PUBLISHED, publish_at=now - timedelta(hours=1),
                          published_at=now - timedelta(hours=1))  # fmt: skip


def _switch_form(html: str) -> str:
    match = re.search(r'<form class="display-mode" action="/display-mode/" method="post">.*?</form>', html, re.S)
    assert match, "the header has no display-mode form"
    return match.group(0)


def test_standard_page_offers_the_switch_as_a_plain_form_without_a_token(client):
    html = client.get("/news/?page=2&utm_source=wechat").text
    assert STANDARD_HTML in html
    form = _switch_form(html)
    assert '<button class="display-mode-button" type="submit" name="mode" value="large">长辈模式' in form
    # The way back is what the page cache keys the page by: its path and page number, no other parameter.
    assert '<input type="hidden" name="next" value="/news/?page=2">' in form
    assert "csrfmiddlewaretoken" not in form


def test_large_mode_puts_its_class_on_html_and_offers_the_way_back(large_client):
    html = large_client.get("/").text
    assert LARGE_HTML in html
    assert '<button class="display-mode-button" type="submit" name="mode" value="standard">退出长辈模式</button>' in (
        _switch_form(html)
    )


def test_an_unknown_cookie_value_is_the_standard_mode(client):
    client.cookies[COOKIE_NAME] = "huge"
    assert STANDARD_HTML in client.get("/").text


def test_switching_on_sets_a_lasting_cookie_and_returns_to_the_page():
    client = Client(enforce_csrf_checks=True)  # the cached page carries no token, so the switch needs none
    response = client.post(SWITCH, {"mode": "large", "next": "/news/?page=2"})
    assert response.status_code == 303
    assert response["Location"] == "/news/?page=2"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == LARGE
    assert cookie["max-age"] >= 365 * 24 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert "no-store" in response["Cache-Control"]
    assert LARGE_HTML in client.get("/news/").text


def test_switching_off_deletes_the_cookie(large_client):
    response = large_client.post(SWITCH, {"mode": "standard", "next": "/news/"})
    assert response.status_code == 303 and response["Location"] == "/news/"
    assert response.cookies[COOKIE_NAME].value == ""
    assert response.cookies[COOKIE_NAME]["max-age"] == 0
    assert STANDARD_HTML in large_client.get("/news/").text


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
     "javascript:alert(1)", "http://testserver/news/", "news/", "", "/news/\x7f"],
)  # fmt: skip
def test_a_way_back_off_this_site_is_refused_for_the_home_page(client, target):
    response = client.post(SWITCH, {"mode": "large", "next": target})
    assert response.status_code == 303
    assert response["Location"] == "/"
    assert response.cookies[COOKIE_NAME].value == LARGE


def test_a_missing_way_back_goes_home(client):
    response = client.post(SWITCH, {"mode": "large"})
    assert response["Location"] == "/"


def test_an_unknown_mode_is_a_400_and_sets_nothing(client):
    response = client.post(SWITCH, {"mode": "huge", "next": "/news/"})
    assert response.status_code == 400
    assert COOKIE_NAME not in response.cookies


def test_the_switch_is_not_a_get(client):
    response = client.get(SWITCH, {"mode": "large", "next": "/news/"})
    assert response.status_code == 405
    assert COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "cross-site"}, {"HTTP_SEC_FETCH_SITE": "same-site"},
     {"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_ORIGIN": "null"}],
)  # fmt: skip
def test_a_switch_posted_from_another_site_is_refused(client, headers):
    response = client.post(SWITCH, {"mode": "large", "next": "/news/"}, **headers)
    assert response.status_code == 403
    assert COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_SEC_FETCH_SITE": "same-origin"}, {"HTTP_SEC_FETCH_SITE": "none"}, {"HTTP_ORIGIN": "http://testserver"},
     {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}],
)  # fmt: skip
def test_a_switch_posted_from_this_site_is_taken(client, headers):
    response = client.post(SWITCH, {"mode": "large", "next": "/news/"}, **headers)
    assert response.status_code == 303
    assert response.cookies[COOKIE_NAME].value == LARGE


def test_cached_pages_are_kept_per_mode_and_never_served_to_the_other(client, large_client, live_article):
    standard = client.get("/news/")
    large = large_client.get("/news/")
    assert STANDARD_HTML in standard.text and LARGE_HTML in large.text
    # Change the headline behind the cache's back: both modes still come from their own cache entries.
    Article.objects.filter(pk=live_article.pk).update(headline="改过的标题")
    again_standard, again_large = client.get("/news/"), large_client.get("/news/")
    assert again_standard.text == standard.text
    assert again_large.text == large.text
    assert "原来的标题" in page_text(again_large)


def test_a_page_cached_in_one_mode_is_rendered_afresh_for_the_first_reader_of_the_other(
    client, large_client, live_article
):
    client.get("/news/")
    live_article.headline = "改过的标题"  # saved, so its card is rendered again, but not announced
    live_article.save(update_fields=["headline"])
    large = large_client.get("/news/").text
    assert LARGE_HTML in large and "改过的标题" in page_text(large)


def test_public_pages_vary_on_cookie_so_browsers_keep_each_mode_apart(client):
    response = client.get("/news/")
    assert "public" in response["Cache-Control"]
    assert "Cookie" in [part.strip() for part in response["Vary"].split(",")]


def test_error_pages_offer_the_switch_too(client, large_client):
    assert "长辈模式" in _switch_form(client.get("/no-such-page/").text)
    assert LARGE_HTML in large_client.get("/no-such-page/").text
