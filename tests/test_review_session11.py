"""Review of 5bd1794 (the article page's header, head tags and breadcrumb trail stored at write time).

The tests marked FINDING fail on 5bd1794; the others pass and record what the review tried to break:
changes of the filing, the series, the publication time and a printed page's issue reach the stored parts,
an editor's text cannot leave the stored head, and a host Django refuses never reaches it.
"""

import json
import re
import threading
import time
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services
from articles.models import Article, Correction, Edition, Page, Section, Series
from pingcheng.directory.models import Role
from tests.factories import ArticleFactory, newsroom, staff
from tests.page_text import page_text

pytestmark = pytest.mark.django_db
S = Article.Status


def _published(**fields):
    now = timezone.now() - timedelta(minutes=5)
    return ArticleFactory(status=S.PUBLISHED, publish_at=now, published_at=now, **fields)


@pytest.fixture
def filed():
    section = Section.objects.create(name="要闻", slug="yaowen")
    page = Page.objects.create(edition=Edition.objects.create(date=date(2026, 7, 18), number=5123), number=2, name="平城新闻")
    series = Series.objects.create(title="继往开来担使命", slug="jiwang")
    return _published(section=section, page=page, series=series, series_part=5, lead="平城区网格员队伍闻“汛”而动。")


def _get(client, article, **extra):
    cache.clear()
    response = client.get(article.get_absolute_url(), **extra)
    assert response.status_code == 200
    return page_text(response)


def _header(html: str) -> str:
    return re.search(r'<header class="article-header">(.*?)</header>', html, re.S).group(1)


def _json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


# --- FINDING 1: a section (page, issue) renamed while an edit of one of its articles is being saved -------------


@pytest.mark.django_db(transaction=True)
def test_a_section_renamed_during_an_edit_does_not_store_the_article_as_it_was_before_the_edit(requires_postgresql):
    """The rename renders the section's articles from rows read before the editor's transaction commits, then
    waits on the editor's row lock and writes that render over the editor's: the stored page keeps the old
    headline (the column has the new one) until the article is saved again. Before 5bd1794 a rename only
    announced the change (the section was joined per view), so nothing could be lost."""
    section = Section.objects.create(name="要闻", slug="yaowen")
    article = _published(section=section, headline="旧的标题")
    errors = []

    def rename():
        try:
            renamed = Section.objects.get(pk=section.pk)
            renamed.name = "平城要闻"
            renamed.save()  # the admin's change view: the same, inside its transaction
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    with transaction.atomic():
        edited = Article.objects.select_for_update().get(pk=article.pk)
        edited.headline = "新的标题"
        edited.save(update_fields=["headline"])
        renamer = threading.Thread(target=rename)
        renamer.start()
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:  # until the rename's render waits on this transaction's row lock
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
    renamer.join(10)
    assert not errors
    stored = Article.objects.get(pk=article.pk)
    assert stored.headline == "新的标题"
    assert "平城要闻" in stored.crumbs_html
    assert "新的标题" in page_text(stored.main_html), "the rename's render (read before the edit committed) won"


# --- FINDING 2: a public 404 (or 410) renders and writes the row ---------------------------------------------


@pytest.mark.parametrize("status", [S.DRAFT, S.FIRST_REVIEW, S.WITHDRAWN])
def test_a_page_nobody_is_shown_renders_nothing(client, status):
    """Every row rendered before 0014 counts as unrendered, and the view renders (and writes) it before it asks
    whether the page is shown: an anonymous request for any draft's number writes that draft's row. The 410
    page prints none of the stored parts either."""
    now = timezone.now()
    article = ArticleFactory(status=status, publish_at=now, published_at=now if status == S.WITHDRAWN else None)
    Article.objects.filter(pk=article.pk).update(crumbs_html="", head_parts=[])  # as migration 0014 leaves it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code in (404, 410)
    writes = [q["sql"][:60] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert writes == []


# --- FINDING 3: lists read the two new columns they never print ------------------------------------------------


@pytest.mark.parametrize("url", ["/epaper/2026-07-18/", "/news/series/jiwang/", "/news/corrections/", "/feeds/rss/", "/"])
def test_pages_that_print_no_article_head_do_not_read_it(client, filed, url):
    """LIST_DEFERRED (and the feeds' defer) predate head_parts and crumbs_html: the e-paper reads both for every
    article of the issue, the series page for every part, the corrections list for every corrected article, a
    feed for every item and the front page for its 头条 (a JSON value of about 4 KB decoded per row)."""
    Correction.objects.create(article=filed, text="更正")
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    reading = [q["sql"][:120] for q in queries.captured_queries if '"head_parts"' in q["sql"] or '"crumbs_html"' in q["sql"]]
    assert reading == []


# --- What the review tried and found right -------------------------------------------------------------------


def test_a_page_moved_to_another_issue_reaches_the_article(client, filed, django_capture_on_commit_callbacks):
    page = filed.page
    page.edition = Edition.objects.create(date=date(2026, 7, 19), number=5124)
    with django_capture_on_commit_callbacks(execute=True):
        page.save()
    assert _json_ld(_get(client, filed))["printEdition"] == "第5124期"


def test_a_section_slug_change_reaches_the_header_the_trail_and_the_head(client, filed, django_capture_on_commit_callbacks):
    section = filed.section
    section.slug = "pingcheng-yaowen"
    with django_capture_on_commit_callbacks(execute=True):
        section.save()
    html = _get(client, filed)
    assert 'href="/news/section/pingcheng-yaowen/"' in _header(html)
    assert html.count("/news/section/pingcheng-yaowen/") >= 2 and "/news/section/yaowen/" not in html


def test_a_series_slug_change_through_the_back_office_service_reaches_the_page(client, filed, django_capture_on_commit_callbacks):
    series = filed.series
    series.slug = "jiwang-kailai"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_names_save(obj=series, by=staff(Role.CHIEF_EDITOR, newsroom()))
    html = _get(client, filed, HTTP_HOST="news.example.cn")
    assert 'href="/news/series/jiwang-kailai/"' in _header(html)
    assert _json_ld(html)["isPartOf"]["url"] == "http://news.example.cn/news/series/jiwang-kailai/"


def test_rescheduling_prints_the_new_time(client):
    chief = staff(Role.CHIEF_EDITOR, newsroom())
    article = ArticleFactory(status=S.APPROVED)
    first = timezone.now() + timedelta(days=1)
    services.article_schedule(article=article, by=chief, publish_at=first)
    second = timezone.now() + timedelta(days=2)
    services.article_schedule(article=Article.objects.get(pk=article.pk), by=chief, publish_at=second)
    stored = Article.objects.get(pk=article.pk)
    assert timezone.localtime(second).strftime("%Y-%m-%dT%H:%M") in stored.main_html
    assert second.isoformat() in "".join(stored.head_parts)


def test_a_correction_reaches_the_stored_page(client, filed):
    services.article_correct(article=filed, by=staff(Role.CHIEF_EDITOR, newsroom()), kind=Correction.Kind.CORRECTION,
                             text="原稿第二段人名有误，已更正。")  # fmt: skip
    assert "原稿第二段人名有误" in _get(client, filed)


def test_typed_text_that_looks_like_the_origin_token_stays_text(client, filed):
    filed.headline = "0123456789abcdef0123456789abcdef"
    filed.lead = 'x"><script>alert(1)</script>'
    filed.tags = '"/><script>alert(2)</script>'
    filed.save()
    html = _get(client, filed, HTTP_HOST="news.example.cn")
    assert "<script>alert" not in html
    assert _json_ld(html)["headline"] == "0123456789abcdef0123456789abcdef"
    parts = Article.objects.get(pk=filed.pk).head_parts
    assert html.count("http://news.example.cn") == len(parts)  # each join, and the canonical link


@pytest.mark.parametrize("host", ['news.example.cn"><script>', "news.example.cn/<x>", "a b"])
def test_a_host_django_refuses_never_reaches_the_stored_head(client, filed, host):
    assert client.get(filed.get_absolute_url(), HTTP_HOST=host).status_code == 400


def test_the_article_page_and_preview_take_as_many_queries_as_before(client, filed, django_assert_max_num_queries):
    """2 on SQLite without a series (row, unit ids, related) plus the series' parts: as at 54f1f18."""
    _get(client, filed)  # the first view of a process reads the news generation and the campaigns once
    cache.clear()
    with django_assert_max_num_queries(4):
        assert client.get(filed.get_absolute_url()).status_code == 200
