"""The platform page cache: one generation per product, Last-Modified per product, stale-while-revalidate,
and an announced change that never turns committed work into an error.

A stand-in "campaigns" product (a view of its own, registered here) sits beside the real news pages, as the
campaigns product will once it ships.
"""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path
from django.utils import timezone

from articles.models import Article
from pingcheng import page_cache
from pingcheng.page_cache import page_product_changed, page_product_register, public_page
from tests.factories import ArticleFactory, newsroom, staff
from tests.page_text import page_text

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_page_cache")]

CAMPAIGNS_CHANGED_AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
campaign_renders = []


@public_page("campaigns")
def campaign_list(request):
    campaign_renders.append(request.path)
    return HttpResponse(f"活动列表 第{len(campaign_renders)}次生成")


@public_page("campaigns")
def campaign_with_cookie(request):
    campaign_renders.append(request.path)
    response = HttpResponse("带 Cookie 的页面")
    response.set_cookie("seen", "1")
    return response


@public_page("campaigns")
def campaign_changing_while_rendered(request):
    campaign_renders.append(request.path)
    if len(campaign_renders) == 1:
        page_product_changed("campaigns")
    return HttpResponse("渲染期间内容变了")


@public_page("nwes")
def misspelt_product(request):
    return HttpResponse("不应出现")


urlpatterns = [
    path("campaigns/", campaign_list),
    path("campaigns/cookie/", campaign_with_cookie),
    path("campaigns/changing/", campaign_changing_while_rendered),
    path("typo/", misspelt_product),
    path("", include("pingcheng.urls")),
]


@pytest.fixture(autouse=True)
def campaigns_product(monkeypatch):
    # Registered for these tests only; the registry is restored afterwards.
    monkeypatch.setitem(page_cache._last_modified, "campaigns", lambda: CAMPAIGNS_CHANGED_AT)
    campaign_renders.clear()


@pytest.fixture
def live_article():
    now = timezone.now()
    return ArticleFactory(headline="原来的标题", status=Article.Status.PUBLISHED, publish_at=now - timedelta(hours=1),
                          published_at=now - timedelta(hours=1))  # fmt: skip


def _retitle_behind_the_cache(article):
    # Saved (so its stored card is rendered again) but not announced to the page cache.
    article.headline = "改过的标题"
    article.save(update_fields=["headline"])


def test_bumping_campaigns_leaves_a_cached_news_page_cached(client, live_article):
    assert "原来的标题" in page_text(client.get("/news/"))
    _retitle_behind_the_cache(live_article)
    page_product_changed("campaigns")
    assert "原来的标题" in page_text(client.get("/news/"))


def test_bumping_news_retires_a_cached_news_page(client, live_article):
    assert "原来的标题" in page_text(client.get("/news/"))
    _retitle_behind_the_cache(live_article)
    page_product_changed("news")
    assert "改过的标题" in page_text(client.get("/news/"))


def test_bumping_news_leaves_a_cached_campaign_page_cached(client):
    first = page_text(client.get("/campaigns/"))
    page_product_changed("news")
    assert page_text(client.get("/campaigns/")) == first
    assert campaign_renders == ["/campaigns/"]


def test_bumping_campaigns_retires_a_cached_campaign_page(client):
    first = page_text(client.get("/campaigns/"))
    page_product_changed("campaigns")
    assert page_text(client.get("/campaigns/")) != first
    assert len(campaign_renders) == 2


def test_publishing_an_article_retires_news_pages_and_not_campaign_pages(client, live_article,
                                                                      django_capture_on_commit_callbacks):  # fmt: skip
    from articles import services

    client.get("/news/")
    campaign_page = page_text(client.get("/campaigns/"))
    article = ArticleFactory(headline="刚刚发布的稿件", status=Article.Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_schedule(article=article, by=staff("chief_editor", newsroom()),
                                  publish_at=timezone.now() - timedelta(seconds=1))  # fmt: skip
    assert "刚刚发布的稿件" in page_text(client.get("/news/"))
    assert page_text(client.get("/campaigns/")) == campaign_page


def test_each_product_answers_with_its_own_last_modified(client, live_article):
    campaigns = client.get("/campaigns/")
    assert campaigns["Last-Modified"] == "Sun, 01 Mar 2026 08:00:00 GMT"
    assert set(campaigns["Cache-Control"].split(", ")) == {"public", "max-age=60"}
    news = client.get("/news/")
    assert news["Last-Modified"] != campaigns["Last-Modified"]
    assert client.get("/campaigns/", HTTP_IF_MODIFIED_SINCE=campaigns["Last-Modified"]).status_code == 304


def test_logged_in_users_get_a_fresh_private_page(client):
    client.get("/campaigns/")
    client.force_login(staff("editor", newsroom()))
    response = client.get("/campaigns/")
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert len(campaign_renders) == 2


def test_a_page_that_sets_a_cookie_is_never_stored(client):
    client.get("/campaigns/cookie/")
    client.get("/campaigns/cookie/")
    assert campaign_renders == ["/campaigns/cookie/", "/campaigns/cookie/"]


def test_only_the_page_parameter_makes_a_new_cache_entry(client):
    client.get("/campaigns/?utm_source=wechat")
    client.get("/campaigns/?utm_source=weibo")
    client.get("/campaigns/?page=2")
    assert campaign_renders == ["/campaigns/", "/campaigns/"]


def test_an_unregistered_product_is_refused_at_once():
    with pytest.raises(ImproperlyConfigured, match="nwes"):
        page_product_changed("nwes")


def test_a_page_of_an_unregistered_product_is_refused(client):
    with pytest.raises(ImproperlyConfigured, match="nwes"):
        client.get("/typo/")


def test_a_registered_product_may_be_bumped_before_any_page_was_cached():
    page_product_register("campaigns", last_modified=lambda: None)
    page_product_changed("campaigns")
    page_product_changed("campaigns")


def test_a_bump_the_cache_cannot_take_is_logged_not_raised(caplog):
    # Django's own RedisCache raises on a refused connection: the bump runs after the commit of the change
    # it announces, so it must not turn that change into an error whatever the backend does.
    raising_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                 "LOCATION": "redis://127.0.0.1:1/0", "OPTIONS": {"socket_connect_timeout": 0.2}}}  # fmt: skip
    with override_settings(CACHES=raising_cache), caplog.at_level(logging.WARNING, logger="pingcheng.page_cache"):
        page_product_changed("news")
    assert "Could not mark the cached news pages stale" in caplog.text


# --- stale-while-revalidate ------------------------------------------------------------------------------


def test_a_fresh_page_is_served_without_touching_the_database(client, live_article, django_assert_num_queries):
    first = client.get("/news/")
    with django_assert_num_queries(0):
        again = client.get("/news/")
    assert again.content == first.content
    # The stored response is the finished one: the headers the outer middleware add are on it too.
    assert "default-src 'self'" in again["Content-Security-Policy"]
    assert again["X-Frame-Options"] == first["X-Frame-Options"]


def test_while_one_reader_renders_a_changed_page_the_others_get_the_stale_copy(client, live_article):
    client.get("/news/")
    _retitle_behind_the_cache(live_article)
    page_product_changed("news")
    # Another reader's request holds the render lock of this page right now.
    lock = f"{page_cache._page_key(_request('/news/'))}:render"
    assert page_cache.cache.add(lock, 1, 30)
    assert "原来的标题" in page_text(client.get("/news/"))
    page_cache.cache.delete(lock)
    assert "改过的标题" in page_text(client.get("/news/"))


def test_a_page_older_than_its_freshness_is_rendered_again(client, live_article, monkeypatch):
    client.get("/news/")
    _retitle_behind_the_cache(live_article)
    assert "原来的标题" in page_text(client.get("/news/"))
    later = page_cache.time.time() + page_cache.PAGE_FRESH + 1
    monkeypatch.setattr(page_cache.time, "time", lambda: later)
    assert "改过的标题" in page_text(client.get("/news/"))


def test_a_change_committed_while_a_page_renders_leaves_that_page_stale(client):
    client.get("/campaigns/changing/")  # announces a change while it renders, after it read its data
    client.get("/campaigns/changing/")
    assert campaign_renders == ["/campaigns/changing/", "/campaigns/changing/"]


def test_with_the_page_cache_off_every_request_renders(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get("/campaigns/")
    client.get("/campaigns/")
    assert len(campaign_renders) == 2


def test_a_change_is_recorded_for_last_modified(client, live_article):
    before = client.get("/news/")["Last-Modified"]
    page_product_changed("news")
    from pingcheng.models import PublicChange

    assert PublicChange.objects.get(product="news").changed_at > live_article.publish_at
    assert client.get("/news/")["Last-Modified"] != before


def _request(path):
    from django.test import RequestFactory

    path, _, query = path.partition("?")
    return RequestFactory().get(path, dict(item.split("=") for item in query.split("&") if item))


def test_a_withdrawn_page_is_not_handed_out_stale_while_another_reader_renders(client, live_article):
    from articles import services

    url = live_article.get_absolute_url()
    client.get(url)
    Article.objects.filter(pk=live_article.pk).update(status=Article.Status.WITHDRAWN)
    page_product_changed("news")
    assert client.get(url).status_code == 410  # this reader rendered it: the old copy is dropped
    lock = f"{page_cache._page_key(_request(url))}:render"
    assert page_cache.cache.add(lock, 1, 30)  # another reader is rendering right now
    try:
        assert client.get(url).status_code == 410
    finally:
        page_cache.cache.delete(lock)
    assert services  # the service path is covered in tests/articles/test_freshness.py


def test_a_page_number_past_the_end_is_not_stored(client, live_article):
    client.get("/news/?page=999")
    client.get("/news/?page=998")
    assert page_cache.cache.get(page_cache._page_key(_request("/news/?page=999"))) is None
    assert page_cache.cache.get(page_cache._page_key(_request("/news/?page=998"))) is None
    client.get("/news/")
    assert page_cache.cache.get(page_cache._page_key(_request("/news/"))) is not None


def test_the_header_search_box_never_carries_a_readers_words_into_a_cached_page(client, live_article):
    assert "恶意文字" not in page_text(client.get("/news/", {"q": "恶意文字"}))
    assert "恶意文字" not in page_text(client.get("/news/"))


# --- this process's copies ---------------------------------------------------------------------------------


def test_a_warm_page_is_served_from_the_process_copy_without_a_round_trip_to_the_cache(client, live_article,
                                                                                      monkeypatch):  # fmt: skip
    first = client.get("/news/")
    client.get("/news/")  # a hit from the shared cache: this process keeps a copy
    lookups = []
    real_get_many = page_cache.cache.get_many
    monkeypatch.setattr(page_cache.cache, "get_many", lambda keys: lookups.append(keys) or real_get_many(keys))
    again = client.get("/news/")
    assert again.content == first.content and lookups == []
    page_cache.page_cache_local_clear()
    client.get("/news/")
    assert len(lookups) == 1


def test_a_change_announced_in_this_process_is_seen_at_once(client, live_article):
    client.get("/news/")
    client.get("/news/")
    _retitle_behind_the_cache(live_article)
    page_product_changed("news")
    assert "改过的标题" in page_text(client.get("/news/"))


def test_a_change_announced_by_another_process_is_seen_within_a_fraction_of_a_second(client, live_article):
    client.get("/news/")
    client.get("/news/")
    _retitle_behind_the_cache(live_article)
    # Another process (a Celery worker publishing on time) bumps the generation in the shared cache only.
    page_cache.cache.incr(page_cache._generation_key("news"))
    page_cache.time.sleep(page_cache.LOCAL_GENERATIONS_MEMO + 0.05)
    assert "改过的标题" in page_text(client.get("/news/"))


def test_the_process_keeps_copies_of_a_bounded_number_of_pages(client, live_article, monkeypatch):
    monkeypatch.setattr(page_cache, "LOCAL_PAGES", 2)
    for page in ("/news/", "/", "/news/corrections/"):
        client.get(page)
        client.get(page)
    assert len(page_cache._local._pages) == 2


def test_an_uncached_page_reads_last_modified_from_the_process_not_the_cache_each_time(client, live_article,
                                                                                        settings, monkeypatch):  # fmt: skip
    settings.PAGE_CACHE_ENABLED = False
    first = client.get("/news/")["Last-Modified"]
    lookups = []
    real_get = page_cache.cache.get
    monkeypatch.setattr(
        page_cache.cache, "get", lambda *args, **kwargs: lookups.append(args) or real_get(*args, **kwargs)
    )
    assert client.get("/news/")["Last-Modified"] == first
    assert lookups == []  # was two round trips per product on every uncached page


def test_last_modified_follows_a_change_at_once_in_this_process_and_soon_from_another(client, live_article, settings):
    settings.PAGE_CACHE_ENABLED = False
    before = client.get("/news/")["Last-Modified"]
    page_cache.time.sleep(1)  # Last-Modified counts whole seconds
    page_product_changed("news")
    announced_here = client.get("/news/")["Last-Modified"]
    assert announced_here != before
    page_cache.time.sleep(1)
    # Another process records a change and bumps the generation in the shared cache only.
    from pingcheng.models import PublicChange

    PublicChange.objects.filter(product="news").update(changed_at=timezone.now())
    page_cache.cache.incr(page_cache._generation_key("news"))
    page_cache.time.sleep(page_cache.LOCAL_GENERATIONS_MEMO + 0.05)
    assert client.get("/news/")["Last-Modified"] != announced_here


def test_an_announcement_with_an_earlier_clock_never_moves_the_last_change_back(monkeypatch):
    from pingcheng.models import PublicChange

    later = timezone.now()
    page_product_changed("news")  # the first announcement creates the record
    PublicChange.objects.filter(product="news").update(changed_at=later + timedelta(seconds=5))
    # Another process's announcement whose clock read an earlier time commits last.
    monkeypatch.setattr(page_cache.timezone, "now", lambda: later)
    page_product_changed("news")
    assert PublicChange.objects.get(product="news").changed_at == later + timedelta(seconds=5)
    monkeypatch.setattr(page_cache.timezone, "now", lambda: later + timedelta(seconds=9))
    page_product_changed("news")
    assert PublicChange.objects.get(product="news").changed_at == later + timedelta(seconds=9)
