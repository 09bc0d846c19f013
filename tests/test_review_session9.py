"""Review of the demo-per-module fixture, the prepared search and news-list queries and deferred rendering.

Guards for what the commits 513070d..8961325 must keep: a module's shared rows never leak a test's writes into
the next test, a deep news page read by the compiled keys query is the page the queryset's slice gives, the
search queries kept per criteria answer each criteria with its own SQL, and a deferred render happens once at
the outermost block's end.
"""

from datetime import date, datetime, timedelta

import pytest
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from articles import selectors
from articles.models import ArchiveDay, Article, Credit, Section
from articles.rendering import articles_rendering_deferred
from articles.search import article_index, article_search, article_search_results
from pingcheng.directory.models import Contributor
from pingcheng.pagination import DEEP_OFFSET_ROWS, PAGE_SIZE, paginate
from pingcheng.prepared import PreparedQuery
from tests.factories import ArticleFactory
from tests.page_text import page_text

REVIEW_SECTION = "复核专用栏目"


def _live_bulk(count: int, *, headline: str = "口泉河治理", section: Section | None = None) -> list[Article]:
    model = Article(headline=headline, kicker="", body="<p>口泉河沿岸整治。</p>")
    article_index(model)
    now = timezone.now()
    return Article.objects.bulk_create(
        Article(headline=f"{headline}{n}", kicker="", body=model.body, search_text=model.search_text,
                status=Article.Status.PUBLISHED, section=section,
                publish_at=now - timedelta(hours=n + 1), published_at=now)
        for n in range(count)
    )  # fmt: skip


# --- Module data: the database stays blocked for a test that does not ask for it ---------------------------


def test_a_test_without_the_database_mark_cannot_write_into_the_modules_rows(demo_page):
    """The module's rows are shared; a test that has not asked for the database must be refused it, or its
    writes land outside any per-test savepoint and stay for every later test of the module."""
    try:
        Section.objects.create(name=REVIEW_SECTION, slug="fuhe-review9")
    except RuntimeError:  # "Database access not allowed": as for any test without the django_db mark
        return


def test_a_later_test_does_not_see_that_tests_write(demo_page):
    # Runs after the test above: the same kind of test (no mark, demo_page), so the collected order is kept.
    try:
        leaked = Section.objects.filter(name=REVIEW_SECTION).exists()
    except RuntimeError:  # refused, as it should be
        return
    assert not leaked, "a write of an earlier test stayed in the module's rows"


def test_database_access_is_refused_to_a_test_without_the_mark_even_beside_module_data(demo_page):
    with pytest.raises(RuntimeError, match="Database access not allowed"):
        Article.objects.count()


# --- The demo, rendered once at the block's end ------------------------------------------------------------


@pytest.mark.django_db
def test_every_demo_article_is_rendered_with_its_credits_and_counted_on_its_archive_day(demo_page):
    articles = list(Article.objects.select_related(None).prefetch_related("credits__contributor"))
    assert len(articles) == 10
    for article in articles:
        assert article.rendered_at is not None and article.card_html, article.headline
        names = [credit.contributor.name for credit in article.credits.all()]
        assert all(name in article.byline for name in names), (article.headline, names, article.byline)
    assert len({article.publish_at for article in articles}) == 1  # one printed page, one day
    assert ArchiveDay.objects.get(day=timezone.localdate(articles[0].publish_at)).count == 10


@pytest.mark.django_db
def test_a_nested_deferred_block_leaves_the_render_to_the_outer_one():
    with articles_rendering_deferred():
        article = ArticleFactory(headline="初稿标题")
        with articles_rendering_deferred():
            article.headline = "网格员筑牢防汛安全堤"
            article.save(update_fields=["headline"])
        assert Article.objects.get(pk=article.pk).rendered_at is None  # the inner end renders nothing
        Credit.objects.create(article=article, contributor=Contributor.objects.create(name="宋芳"), role="记者")
    stored = Article.objects.get(pk=article.pk)
    assert "网格员筑牢防汛安全堤" in page_text(stored.card_html) and "宋芳" in stored.byline


@pytest.mark.django_db
def test_an_article_rolled_back_inside_a_deferred_block_does_not_break_its_end():
    with articles_rendering_deferred():
        kept = ArticleFactory(headline="网格员筑牢防汛安全堤")
        with pytest.raises(RuntimeError), transaction.atomic():
            ArticleFactory(headline="撤回的稿件")
            raise RuntimeError("rolled back")
    assert Article.objects.get(pk=kept.pk).rendered_at is not None
    assert not Article.objects.filter(headline="撤回的稿件").exists()


# --- Deep pages of /news/: the compiled keys query is the queryset's slice ---------------------------------


def _news_page(number: int, *, keys: bool, max_pages: int | None = None):
    request = RequestFactory().get("/news/", {"page": str(number)})
    page = paginate(
        request,
        selectors.list_cards(selectors.article_list_live()),
        rows_by_keys=selectors.article_cards_by_keys,
        keys_between=selectors.article_live_keys if keys else None,
        max_pages=max_pages,
    )
    return page.number, [article.pk for article in page.object_list], page.paginator.count, page.at_cap


@pytest.mark.django_db
def test_a_deep_news_page_by_compiled_keys_is_the_page_the_slice_gives():
    rows = DEEP_OFFSET_ROWS + 3 * PAGE_SIZE + 7  # the last page is short
    _live_bulk(rows)
    last = -(-rows // PAGE_SIZE)
    for number in [DEEP_OFFSET_ROWS // PAGE_SIZE, DEEP_OFFSET_ROWS // PAGE_SIZE + 1, last - 1, last, last + 1, 999]:
        assert _news_page(number, keys=True) == _news_page(number, keys=False), number
    number, keys, _count, _at_cap = _news_page(999, keys=True)
    assert number == last and len(keys) == rows % PAGE_SIZE
    # At a cap below the rows: the page past it is the cap's last page, by either read.
    cap = DEEP_OFFSET_ROWS // PAGE_SIZE + 2
    for number in [cap, cap + 1, cap + 5]:
        capped = _news_page(number, keys=True, max_pages=cap)
        assert capped == _news_page(number, keys=False, max_pages=cap) and capped[0] == cap and capped[3]


@pytest.mark.django_db
def test_a_sliced_prepared_query_past_its_rows_is_empty():
    _live_bulk(3)
    prepared = PreparedQuery(lambda now: selectors.article_list_live(now).values_list("pk", flat=True),
                             sliced=True, now=datetime)  # fmt: skip
    now = timezone.now()
    assert prepared(now=now, start=3, stop=10) == [] and prepared(now=now, start=50, stop=70) == []
    assert len(prepared(now=now, start=1, stop=99)) == 2


# --- Search: the kept query answers its own criteria --------------------------------------------------------


@pytest.mark.django_db
def test_searches_differing_only_in_a_date_or_section_or_match_all_get_their_own_results():
    """The kept queries are keyed by criteria: a second search differing in one value must not be answered
    with the first one's SQL (its dates and section are constants in the SQL)."""
    first, second = Section.objects.create(name="创城", slug="cc-r9"), Section.objects.create(name="民生", slug="ms-r9")
    in_first = _live_bulk(3, headline="口泉河治理", section=first)
    in_second = _live_bulk(2, headline="口泉河治理", section=second)
    old = in_first[0]
    Article.objects.filter(pk=old.pk).update(publish_at=timezone.now() - timedelta(days=40))
    today = timezone.localdate()

    def ids(q: str = "口泉河", **criteria):
        return set(article_search_results(q=q, **criteria).ids)

    everything = {a.pk for a in in_first + in_second}
    assert ids() == everything
    assert ids(section=first) == {a.pk for a in in_first}
    assert ids(section=second) == {a.pk for a in in_second}
    assert ids(section="ms-r9") == {a.pk for a in in_second}
    assert ids(date_from=today - timedelta(days=10)) == everything - {old.pk}
    assert ids(date_from=today - timedelta(days=60)) == everything
    assert ids(date_to=today - timedelta(days=30)) == {old.pk}
    assert ids(date_to=date.max) == everything
    assert ids(q="口泉河 航天飞机", match_all=True) == set()
    assert ids(q="口泉河 航天飞机", match_all=False) == everything
    # The same searches a second time, from the kept queries.
    assert ids(section=second) == {a.pk for a in in_second} and ids(date_to=today - timedelta(days=30)) == {old.pk}
    assert article_search_results(q="的").ids == [] and article_search_results(q="口泉河", section="none").ids == []
    assert {a.pk for a in article_search(q="口泉河", section=first)} == {a.pk for a in in_first}
