"""The article page's header, head tags and breadcrumb trail are stored with its main part (articles.rendering):
every change to what they print — the article, its section, its printed page and issue, its series, the
"updated" time — reaches the page, and the stored head takes each request's own origin."""

import json
import re
from datetime import date

import pytest
from django.utils import timezone

from articles import services
from articles.models import Article, Edition, Page, Section, Series
from pingcheng.directory.models import Role
from tests.factories import ArticleFactory, newsroom, staff
from tests.page_text import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed():
    """A published story in a section, on a printed page, in a series."""
    section = Section.objects.create(name="要闻", slug="yaowen")
    page = Page.objects.create(edition=Edition.objects.create(date=date(2026, 7, 18), number=5123), number=2, name="平城新闻")
    series = Series.objects.create(title="继往开来担使命", slug="jiwang")
    now = timezone.now()
    return ArticleFactory(status=Article.Status.PUBLISHED, publish_at=now, published_at=now, section=section, page=page,
                          series=series, series_part=5, lead="平城区网格员队伍闻“汛”而动。")  # fmt: skip


def _json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def _header(html: str) -> str:
    return re.search(r'<header class="article-header">(.*?)</header>', html, re.S).group(1)


def _crumbs(html: str) -> str:
    return re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)


def _get(client, article, host="testserver"):
    response = client.get(article.get_absolute_url(), HTTP_HOST=host)
    assert response.status_code == 200
    return page_text(response)


def test_the_page_prints_its_filing_in_the_header_the_trail_and_the_head(client, filed):
    html = _get(client, filed)
    assert "要闻" in _header(html) and "见报：第2版 平城新闻" in _header(html)
    assert "继往开来担使命（五）" in _header(html)
    assert "要闻" in _crumbs(html) and filed.headline in _crumbs(html)
    assert '<meta property="article:section" content="要闻">' in html
    data = _json_ld(html)
    assert (data["articleSection"], data["printEdition"], data["printPage"]) == ("要闻", "第5123期", "2")
    assert data["isPartOf"]["name"] == "继往开来担使命" and data["position"] == 5


def test_each_host_gets_its_own_absolute_urls(client, filed):
    for host in ("news.example.cn", "127.0.0.1:8000"):
        html = _get(client, filed, host)
        url = f"http://{host}{filed.get_absolute_url()}"
        assert f'<link rel="canonical" href="{url}">' in html
        assert f'<meta property="og:url" content="{url}">' in html
        data = _json_ld(html)
        assert data["mainEntityOfPage"] == url
        assert data["isPartOf"]["url"] == f"http://{host}/news/series/jiwang/"
    assert "news.example.cn" not in Article.objects.get(pk=filed.pk).head_parts[0]


def test_what_an_editor_types_is_escaped_in_the_stored_head(client, filed):
    filed.headline = '网格员</script><script>alert(1)</script>"'
    filed.lead = "<b>防汛</b>"
    filed.save()
    html = _get(client, filed)
    assert "<script>alert(1)" not in html
    assert _json_ld(html)["headline"] == '网格员</script><script>alert(1)</script>"'
    assert '<meta name="description" content="&lt;b&gt;防汛&lt;/b&gt;">' in html


@pytest.mark.parametrize("change", ["section", "page", "edition"])
def test_renaming_the_section_page_or_issue_reaches_the_page_at_once(client, filed, change,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    _get(client, filed)  # cached
    with django_capture_on_commit_callbacks(execute=True):
        if change == "section":
            section = filed.section
            section.name = "平城要闻"
            section.save()
        elif change == "page":
            page = filed.page
            page.name, page.number = "社区新闻", 3
            page.save()
        else:
            edition = filed.page.edition
            edition.number = 5124
            edition.save()
    html = _get(client, filed)
    if change == "section":
        assert "平城要闻" in _header(html) and "平城要闻" in _crumbs(html)
        assert _json_ld(html)["articleSection"] == "平城要闻"
        assert '<meta property="article:section" content="平城要闻">' in html
    elif change == "page":
        assert "见报：第3版 社区新闻" in _header(html)
        assert (_json_ld(html)["printPage"], _json_ld(html)["printSection"]) == ("3", "社区新闻")
    else:
        assert _json_ld(html)["printEdition"] == "第5124期"


def test_a_deleted_printed_page_leaves_the_article_page(client, filed, django_capture_on_commit_callbacks):
    assert "见报" in _header(_get(client, filed))
    with django_capture_on_commit_callbacks(execute=True):
        filed.page.edition.delete()  # its pages go with it; the article stays, unplaced
    html = _get(client, filed)
    assert "见报" not in _header(html) and "printEdition" not in _json_ld(html)


def test_moving_the_article_to_another_section_renders_it_again(client, filed):
    other = Section.objects.create(name="社区", slug="shequ")
    filed.section = other
    filed.save(update_fields=["section"])
    html = _get(client, filed)
    assert "社区" in _crumbs(html) and _json_ld(html)["articleSection"] == "社区"


def test_a_rename_that_revises_a_published_article_prints_its_updated_time(client, filed,
                                                                            django_capture_on_commit_callbacks):  # fmt: skip
    assert "更新于" not in _header(_get(client, filed))
    series = filed.series
    series.title = "继往开来担使命 砥砺奋进新征程"
    with django_capture_on_commit_callbacks(execute=True):
        services.article_names_save(obj=series, by=staff(Role.CHIEF_EDITOR, newsroom()))
    updated = Article.objects.get(pk=filed.pk).updated_at
    assert updated is not None
    html = _get(client, filed)
    stamp = timezone.localtime(updated).strftime("%Y-%m-%dT%H:%M")
    assert "更新于" in _header(html) and stamp in _header(html)
    assert "砥砺奋进新征程（五）" in _header(html)
    assert _json_ld(html)["dateModified"] == updated.isoformat()
    assert '<meta property="article:modified_time"' in html



def test_an_article_rendered_before_its_head_was_stored_is_rendered_on_first_view(client, filed):
    """Rows rendered before migration 0014 keep their rendered_at: the page sees the missing trail."""
    Article.objects.filter(pk=filed.pk).update(main_html="<p>旧的正文</p>", head_parts=[], crumbs_html="")
    html = _get(client, filed)
    assert "见报：第2版 平城新闻" in _header(html) and "要闻" in _crumbs(html)
    assert _json_ld(html)["articleSection"] == "要闻"
    assert Article.objects.get(pk=filed.pk).crumbs_html
