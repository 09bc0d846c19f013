"""Review of f825a31 (e-paper edition page read by three prepared queries, page buttons and earlier issues by tags).

Each edition page is compared with what the parent commit's selector, view logic and template loops render for
the same data (whitespace normalised): page order, current page marking, escaping, page numbers past 9,
editions of other years, and which articles are live.
"""

import re
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import selectors
from articles.cards import cards_render_missing
from articles.epaper_forms import EpaperDateForm
from articles.models import Article, Edition, Page
from articles.selectors import _card, edition_list_public
from articles.services import article_live_q
from articles.views import PREVIOUS_ISSUES
from pingcheng.page_cache import page_cache_local_clear
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "articles" / "epaper_edition.html"
NEW_BUTTONS = '{% epaper_page_buttons edition all_pages current %}'
OLD_BUTTONS = ('{% for page in all_pages %}<li><a class="button{% if current != page %} button-secondary{% endif %}" '
               'href="{% url "epaper:page" edition.date|date:"Y-m-d" page.number %}"{% if current == page %} '
               'aria-current="page"{% endif %}>{% blocktranslate with n=page.number name=page.name %}第{{ n }}版 '
               '{{ name }}{% endblocktranslate %}</a></li>{% endfor %}')  # fmt: skip
NEW_ISSUES = "{% epaper_earlier_issues earlier %}"
OLD_ISSUES = ('{% for issue in earlier %}<li><a href="{% url "epaper:edition" issue.date|date:"Y-m-d" %}"><time '
              'datetime="{{ issue.date|date:"Y-m-d" }}">{{ issue.date|date:"Y年n月j日" }}</time> <span class="meta">'
              '{% blocktranslate with n=issue.number %}第{{ n }}期{% endblocktranslate %}</span></a></li>{% endfor %}')  # fmt: skip


def _old_template():
    text = TEMPLATE.read_text()
    assert NEW_BUTTONS in text and NEW_ISSUES in text and "page.shown_articles" in text
    text = text.replace(NEW_BUTTONS, OLD_BUTTONS).replace(NEW_ISSUES, OLD_ISSUES)
    text = text.replace("page.shown_articles", "page.articles.all").replace(" epaper_blocks %}", " %}", 1)
    return engines["django"].from_string(text)


def _old_context(day: date, page_number: int | None):
    """The parent commit's ``edition_with_pages`` and view logic."""
    live = Article.objects.filter(article_live_q()).order_by("page_order", "pk")
    edition = (edition_list_public().filter(date=day)
               .prefetch_related(Prefetch("pages__articles", queryset=_card(live))).first())  # fmt: skip
    if edition is None:
        raise Http404
    pages = [page for page in edition.pages.all() if page.articles.all()]
    cards_render_missing(article for page in pages for article in page.articles.all())
    current = None
    if page_number is not None:
        current = next((page for page in pages if page.number == page_number), None)
        if current is None:
            raise Http404
    earlier = selectors.edition_list_before(edition, limit=PREVIOUS_ISSUES)
    following = selectors.edition_after(edition)
    first, last = selectors.edition_dates_public()
    return {
        "edition": edition, "pages": [current] if current else pages, "all_pages": pages, "current": current,
        "previous": earlier[0] if earlier else None, "following": following, "earlier": earlier,
        "form": EpaperDateForm(initial={"date": edition.date}), "first": first, "last": last, "nav": "epaper",
    }  # fmt: skip


def _content(html: str) -> str:
    start = html.index("<h1>")
    end = html.index("</section>", html.index('class="epaper-earlier"')) + len("</section>")
    return " ".join(html[start:end].split())


def _get(client, path):
    cache.clear()
    page_cache_local_clear()
    return client.get(path)


def _live(page, order, **fields):
    fields.setdefault("publish_at", timezone.now() - timedelta(hours=1))
    return ArticleFactory(status=Article.Status.PUBLISHED, published_at=fields["publish_at"], page=page,
                          page_order=order, **fields)  # fmt: skip


def _compare(client, day: date, page_number: int | None = None):
    path = f"/epaper/{day.isoformat()}/" + (f"{page_number}/" if page_number is not None else "")
    response = _get(client, path)
    try:
        context = _old_context(day, page_number)
    except Http404:
        assert response.status_code == 404, path
        return None
    assert response.status_code == 200, path
    old = _old_template().render(context, response.wsgi_request)
    new_content, old_content = _content(response.text), _content(old)
    if new_content != old_content:
        import difflib

        print("\n".join(difflib.unified_diff(old_content.split("><"), new_content.split("><"), lineterm="", n=0)))
    assert new_content == old_content, path
    return response.text


@pytest.fixture
def paper():
    now = timezone.now()
    editions = {
        d: Edition.objects.create(date=d, number=n)
        for d, n in ((date(2024, 12, 31), 999), (date(2025, 1, 3), 1000), (date(2025, 7, 18), 1268),
                     (date(2026, 1, 2), 1400))
    }  # fmt: skip
    big = editions[date(2025, 7, 18)]
    # Created out of order: the page list must follow the number (1, 2, 9, 10, 12), not the key.
    p12 = Page.objects.create(edition=big, number=12, name='<b>"周末"</b> & \'副刊\' %s {{ x }}')
    p2 = Page.objects.create(edition=big, number=2, name="平城新闻", editor="李编辑", slogan="<i>口号</i>")
    p10 = Page.objects.create(edition=big, number=10, name="专题&调查")
    p1 = Page.objects.create(edition=big, number=1, name="要闻")
    p9 = Page.objects.create(edition=big, number=9, name="只有定时稿")
    Page.objects.create(edition=big, number=3, name="没有稿件")
    _live(p12, 2, headline="十二版第二篇")
    _live(p12, 1, headline="十二版第一篇")
    _live(p12, None, headline="十二版无序号")
    _live(p2, 1, headline="二版头条")
    _live(p2, 1, headline="二版同序号")
    ArticleFactory(status=Article.Status.WITHDRAWN, page=p2, page_order=0, headline="二版撤稿",
                   publish_at=now - timedelta(days=1), published_at=now - timedelta(days=1))  # fmt: skip
    _live(p2, 5, headline="二版已下线", unpublish_at=now - timedelta(minutes=1))
    _live(p2, 6, headline="二版将下线", unpublish_at=now + timedelta(days=1))
    _live(p10, 3, headline="十版稿件")
    ArticleFactory(page=p1, page_order=1, headline="一版草稿")
    _live(p1, 2, headline="一版稿件")
    ArticleFactory(status=Article.Status.SCHEDULED, page=p9, page_order=1, headline="九版定时稿",
                   publish_at=now + timedelta(hours=3))  # fmt: skip
    # The other editions: one live article each, one whose only article is scheduled (not public).
    _live(Page.objects.create(edition=editions[date(2024, 12, 31)], number=1, name="要闻"), 1, headline="去年")
    _live(Page.objects.create(edition=editions[date(2025, 1, 3)], number=4, name="四版"), 1, headline="年初")
    ArticleFactory(status=Article.Status.SCHEDULED, headline="明年定时",
                   page=Page.objects.create(edition=editions[date(2026, 1, 2)], number=1, name="要闻"),
                   page_order=1, publish_at=now + timedelta(days=400))  # fmt: skip
    return editions


@pytest.mark.parametrize("page_number", [None, 1, 2, 3, 9, 10, 12, 99])
def test_an_edition_page_is_the_html_the_parent_commit_rendered(client, paper, page_number):
    _compare(client, date(2025, 7, 18), page_number)


@pytest.mark.parametrize("day", [date(2024, 12, 31), date(2025, 1, 3), date(2026, 1, 2), date(2025, 7, 19)])
def test_other_editions_are_the_html_the_parent_commit_rendered(client, paper, day):
    _compare(client, day)


def test_liveness_pages_without_live_articles_are_neither_listed_nor_opened(client, paper):
    html = _compare(client, date(2025, 7, 18))
    text = re.sub(r"<[^>]+>", "", html)
    for gone in ("二版撤稿", "二版已下线", "一版草稿", "九版定时稿", "没有稿件", "只有定时稿"):
        assert gone not in text, gone
    order = [text.index(h) for h in ("一版稿件", "二版头条", "二版同序号", "二版将下线", "十版稿件",
                                     "十二版第一篇", "十二版第二篇")]  # fmt: skip
    assert order == sorted(order)
    assert _get(client, "/epaper/2025-07-18/9/").status_code == 404
    assert _get(client, "/epaper/2025-07-18/3/").status_code == 404


def test_an_edition_whose_live_articles_are_all_on_one_page(client, paper):
    edition = Edition.objects.create(date=date(2025, 8, 1), number=1280)
    lone = Page.objects.create(edition=edition, number=5, name="五版")
    for number in (1, 2, 3, 4):
        ArticleFactory(page=Page.objects.create(edition=edition, number=number, name=f"{number}版"), page_order=1)
    _live(lone, 1, headline="唯一的稿件")
    html = _compare(client, date(2025, 8, 1))
    assert html.count('class="epaper-page"') == 1
    for number in (1, 2, 3, 4):
        assert _get(client, f"/epaper/2025-08-01/{number}/").status_code == 404
    _compare(client, date(2025, 8, 1), 5)


def test_the_query_count_does_not_grow_with_the_pages(client, paper, django_assert_max_num_queries):
    _get(client, "/epaper/2025-07-18/")  # compiled and rendered once
    cache.clear()
    page_cache_local_clear()
    with CaptureQueriesContext(connection) as few:
        client.get("/epaper/2025-01-03/")
    cache.clear()
    page_cache_local_clear()
    with CaptureQueriesContext(connection) as many:
        client.get("/epaper/2025-07-18/")
    assert len(many) == len(few), [q["sql"][:120] for q in many]


@pytest.mark.parametrize("count", [1, 2, 3, 17, 40, 70])
def test_pages_lists_of_many_lengths(client, count):
    edition = Edition.objects.create(date=date(2025, 9, 1), number=2000)
    pages = [Page.objects.create(edition=edition, number=n, name=f"第{n}版名") for n in range(1, count + 1)]
    for page in pages[::2]:
        _live(page, 1, headline=f"稿件{page.number}")
    found = selectors.edition_with_pages(date(2025, 9, 1))
    assert [p.number for p in found.shown_pages] == list(range(1, count + 1))
    assert [bool(p.shown_articles) for p in found.shown_pages] == [i % 2 == 0 for i in range(count)]
    _compare(client, date(2025, 9, 1))


def test_every_length_up_to_the_cache_limit_and_past_it():
    from articles.selectors import _PAGES_ARTICLES

    now = timezone.now()
    for length in range(1, 140):
        assert _PAGES_ARTICLES(pages=list(range(-length, 0)), now=now) == []


@pytest.mark.django_db(transaction=True)
def test_threads_each_compile_and_read_the_same(paper):
    expected = [(p.number, [a.pk for a in p.shown_articles])
                for p in selectors.edition_with_pages(date(2025, 7, 18)).shown_pages]  # fmt: skip
    results, errors = [], []

    def read():
        try:
            for _ in range(5):
                found = selectors.edition_with_pages(date(2025, 7, 18))
                results.append([(p.number, [a.pk for a in p.shown_articles]) for p in found.shown_pages])
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert results and all(result == expected for result in results)


def test_the_comparison_sees_the_buttons_and_the_earlier_issues(client, paper):
    html = _compare(client, date(2025, 7, 18), 12)
    content = _content(html)
    assert 'aria-current="page">第12版 &lt;b&gt;&quot;周末&quot;&lt;/b&gt; &amp; &#x27;副刊&#x27; %s {{ x }}</a>' in content
    assert '<span class="meta">第1000期</span>' in content and "2024年12月31日" in content


def test_an_earlier_issue_dated_before_the_year_1000_reads_as_the_date_filter_wrote_it(client, paper):
    # A typo in an edition's date (0202 for 2025) makes it an earlier issue of every edition; the parent's
    # ``date:"Y年n月j日"`` wrote the year with four digits (0202年), ``_long`` writes 202年.
    _live(Page.objects.create(edition=Edition.objects.create(date=date(202, 7, 18), number=5), number=1,
                              name="要闻"), 1, headline="年份笔误")  # fmt: skip
    _compare(client, date(2025, 7, 18))
