"""pingcheng.pagination and pingcheng.breadcrumbs: every list pages the same way, every link comes from a route."""

import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, set_script_prefix
from django.utils import timezone

from articles.models import Article, Section
from articles.search import article_index
from pingcheng.breadcrumbs import Crumb, crumb
from pingcheng.pagination import DEEP_OFFSET_ROWS, PAGE_SIZE, paginate
from tests.factories import ArticleFactory
from tests.module_data import module_data

pytestmark = pytest.mark.django_db

LIST_LENGTH = 2 * PAGE_SIZE + 5  # three pages
CURRENT_PAGE = re.compile(r'aria-current="page"><span class="sr-only">当前第</span>(\d+)<')


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@module_data
def section():
    """Three pages of live articles in their own section, written once for this module."""
    section = Section.objects.create(name="基层动态", slug="jiceng-test")
    publish_at = timezone.now() - timedelta(hours=1)
    for number in range(LIST_LENGTH):
        article = ArticleFactory(section=section, status=Article.Status.PUBLISHED, published_at=publish_at,
                                 publish_at=publish_at - timedelta(minutes=number))  # fmt: skip
        article_index(article)
        article.save(update_fields=["search_text"])
    return section


def current_page(response) -> int:
    assert response.status_code == 200
    return int(CURRENT_PAGE.search(response.text).group(1))


# --- Pagination -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "expected"), [("1", 1), ("2", 2), ("3", 3), ("", 1)])
def test_a_list_shows_the_page_asked_for(client, section, page, expected):
    assert current_page(client.get("/news/", {"page": page})) == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("abc", 1),
        ("1.5", 1),
        ("2.0", 1),
        ("1e3", 1),
        ("9" * 5000, 1),  # longer than Python will read as an int
        ("<script>", 1),
        ("4", 3),  # past the end: the last page
        ("999999", 3),  # past the end: the last page
        ("99999999999999999999", 1),  # not a page number at all
        ("0", 1),
        ("-1", 1),
        # int() reads all of these as 2: the page cache would file page 2 under page 1's key.
        ("+2", 1),
        (" 2", 1),
        ("2 ", 1),
        ("٢", 1),
        ("0_2", 1),
        ("last", 1),
    ],
)
def test_junk_or_out_of_range_page_numbers_land_on_a_valid_page(client, section, page, expected):
    assert current_page(client.get(section.get_absolute_url(), {"page": page})) == expected


def test_a_nul_byte_in_the_page_number_is_refused_before_any_view(client, section):
    response = client.get(section.get_absolute_url(), {"page": "\x00"})
    assert response.status_code == 400


def test_a_page_past_the_end_is_not_an_error_on_search_and_corrections(client, section):
    assert client.get("/search/", {"q": "网格员", "page": "99"}).status_code == 200
    assert client.get("/search/", {"q": "网格员", "page": "x"}).status_code == 200
    assert client.get("/news/corrections/", {"page": "-3"}).status_code == 200


def test_the_page_links_keep_the_other_query_parameters(client, section):
    html = client.get("/search/", {"q": "网格员", "page": "2"}).text
    assert 'href="?q=%E7%BD%91%E6%A0%BC%E5%91%98&amp;page=3"' in html


def test_a_crafted_page_number_cannot_put_another_page_under_page_ones_cached_key(client, section):
    assert current_page(client.get("/news/", {"page": "+2"})) == 1
    assert current_page(client.get("/news/")) == 1
    assert current_page(client.get("/news/", {"page": "2"})) == 2
    assert current_page(client.get("/news/", {"page": "02"})) == 1


def test_a_cached_list_does_not_pass_one_readers_parameters_to_the_next(client, section):
    client.get("/news/", {"page": "2", "ref": "骗子网站点击领取补贴"})
    html = client.get("/news/", {"page": "2"}).text
    assert "?ref=" not in html and "&amp;ref=" not in html and "骗子" not in html
    assert 'href="?page=3"' in html


def test_paginate_gives_an_elided_range_a_template_can_read_twice():
    request = RequestFactory().get("/news/", {"page": "15"})
    page = paginate(request, list(range(30 * PAGE_SIZE)))
    assert page.number == 15 and len(page.object_list) == PAGE_SIZE
    # Counted only ten pages past the one shown: the links end with "…" after 25, though there are 30.
    assert page.elided == [1, "…", 13, 14, 15, 16, 17, "…", 25] and page.more_beyond and not page.at_cap
    assert list(page.elided) == list(page.elided)


def test_paginate_counts_ten_pages_ahead_and_stops_at_the_cap():
    rows = list(range(300 * PAGE_SIZE))
    first = paginate(RequestFactory().get("/news/"), rows)
    assert first.paginator.num_pages == 11 and first.more_beyond
    last = paginate(RequestFactory().get("/news/", {"page": "250"}), rows)
    assert last.number == 250 and not last.has_next() and last.at_cap and not last.more_beyond
    beyond = paginate(RequestFactory().get("/news/", {"page": "251"}), rows)
    assert beyond.number == 250


def test_paginate_of_an_empty_list_is_one_empty_page():
    page = paginate(RequestFactory().get("/", {"page": "7"}), [])
    assert page.number == 1 and list(page) == [] and not page.has_other_pages()
    assert page.elided == [1]


def test_a_list_read_by_keys_builds_its_queryset_only_for_a_shallow_page():
    rows = [SimpleNamespace(pk=key) for key in range(1, 40 * PAGE_SIZE + 1)]
    by_key = {row.pk: row for row in rows}
    built = []

    def build():
        built.append(True)
        return rows

    def pages(number):
        return paginate(RequestFactory().get("/news/", {"page": str(number)}), build,
                        keys_between=lambda start, stop: [row.pk for row in rows[start:stop]],
                        rows_by_keys=lambda keys: [by_key[key] for key in keys])  # fmt: skip

    deep = pages(30)
    assert (deep.number, deep[0].pk, deep.paginator.num_pages) == (30, 29 * PAGE_SIZE + 1, 40) and not built
    shallow = pages(2)
    assert (shallow.number, shallow[0].pk) == (2, PAGE_SIZE + 1) and built
    built.clear()
    beyond = pages(41)  # past the end: counted from the list itself, and the last page shown
    assert beyond.number == 40 and built


# --- Breadcrumbs ----------------------------------------------------------------------------------------


def test_crumb_reverses_a_named_route_with_its_arguments():
    assert crumb("新闻", "articles:list") == ("新闻", "/news/")
    assert crumb("7月18日", "articles:archive_day", year=2025, month=7, day=18).url == "/news/archive/2025/7/18/"
    assert crumb("第2版", "epaper:page", "2025-07-18", 2).url == "/epaper/2025-07-18/2/"


def test_crumb_of_an_object_uses_its_absolute_url_and_the_current_page_has_none():
    section = Section(name="基层动态", slug="jiceng")
    title, url = crumb(section.name, section)
    assert (title, url) == ("基层动态", "/news/section/jiceng/")
    assert crumb("本页") == Crumb("本页", "")


def test_crumb_of_an_unknown_route_fails_loudly():
    with pytest.raises(NoReverseMatch):
        crumb("新闻", "news-list")
    with pytest.raises(NoReverseMatch):
        crumb("往期", "articles:archive_day", year=2025)


@pytest.fixture
def under_a_path_prefix():
    """The site served under /pingcheng/, as WSGIHandler sets it up from SCRIPT_NAME: only links made by
    reverse() and {% url %} follow it. (The test client sets neither the prefix nor request.path's start.)"""
    set_script_prefix("/pingcheng/")
    try:
        with override_settings(FORCE_SCRIPT_NAME="/pingcheng"):
            # A site that moves renders its stored article HTML again, whose links carry the prefix.
            call_command("articles_render", stdout=io.StringIO())
            yield
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize(
    "path",
    ["/", "/news/", "/news/section/jiceng-test/", "/news/archive/", "/news/archive/2025/7/18/", "/news/corrections/",
     "/search/?q=网格员", "/no-such-page/", "article"],
)  # fmt: skip
def test_every_link_follows_the_routes_when_the_site_moves(client, section, under_a_path_prefix, path):
    if path == "article":
        path = f"/news/{Article.objects.filter(section=section).first().pk}/"
    html = client.get(path).text
    links = re.findall(r'(?:href|action)="(/[^"]*)"', html)
    assert links
    hard_coded = [link for link in links if not link.startswith(("/pingcheng/", "/static/", "/media/"))]
    assert hard_coded == []


def test_breadcrumbs_link_the_named_routes_under_a_prefix(client, section, under_a_path_prefix):
    html = client.get("/news/section/jiceng-test/", {"page": "2"}).text
    trail = html[html.index('<nav class="breadcrumbs"') :]
    trail = trail[: trail.index("</nav>")]
    assert '<a href="/pingcheng/">首页</a>' in trail
    assert '<a href="/pingcheng/news/">新闻</a>' in trail
    assert '<span aria-current="page">基层动态</span>' in trail
    assert trail.count("<li>") == 3


@pytest.mark.django_db
def test_a_deep_page_reads_its_keys_first_and_shows_the_same_rows_in_order(django_assert_num_queries):
    """Past DEEP_OFFSET_ROWS a page finds its rows' keys (an index-only walk on PostgreSQL), then reads them."""
    Section.objects.bulk_create(Section(name=f"栏目{i:03}", slug=f"s{i:03}", sort_order=i % 7) for i in range(300))
    rows = Section.objects.order_by("sort_order", "-pk")
    everything = list(rows)
    deep = DEEP_OFFSET_ROWS // PAGE_SIZE + 2
    # The keys from the page to one past the counted pages (which also counts them), then the page's rows.
    with django_assert_num_queries(2):
        page = paginate(RequestFactory().get("/", {"page": str(deep)}), rows.all())
        shown = list(page.object_list)
    assert shown == everything[(deep - 1) * PAGE_SIZE : deep * PAGE_SIZE]
    assert page.paginator.count == 300 and page.has_next() and not page.more_beyond
    with django_assert_num_queries(2):  # a shallow page: the count and its rows
        assert list(paginate(RequestFactory().get("/", {"page": "2"}), rows.all()).object_list) == everything[20:40]
    last = paginate(RequestFactory().get("/", {"page": "15"}), rows)
    assert list(last.object_list) == everything[280:300] and not last.has_next()
    # Past the end: counted, and the last page is shown.
    past = paginate(RequestFactory().get("/", {"page": "16"}), rows)
    assert past.number == 15 and list(past.object_list) == everything[280:300]
