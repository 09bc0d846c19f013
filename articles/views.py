import unicodedata
from datetime import date

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import iri_to_uri
from django.views.decorators.cache import never_cache

from articles import access, selectors
from articles.cards import cards_render_missing
from articles.epaper_forms import EpaperDateForm
from articles.front_page import front_page_build
from articles.models import Article, Section, Series
from articles.rendering import article_head, article_page_unrendered, articles_render_store
from pingcheng.breadcrumbs import crumb
from pingcheng.chinese import LIST_SEPARATORS
from pingcheng.directory.models import Contributor, Unit
from pingcheng.page_cache import public_page
from pingcheng.pagination import paginate

ARCHIVE_YEARS = (1949, 2199)
PREVIOUS_ISSUES = 12  # the e-paper lists this many earlier issues; older ones are reached by date


def _news_crumbs(*more):
    return [crumb("新闻", "articles:list"), *more]


def _list(request, queryset, *, title: str, crumbs=(), keys_between=None, **context):
    """``queryset``, or a function returning it (built only for a page that reads its rows by slicing it)."""
    cards = (lambda: selectors.list_cards(queryset())) if callable(queryset) else selectors.list_cards(queryset)
    page = paginate(request, cards, rows_by_keys=selectors.article_cards_by_keys, keys_between=keys_between)
    cards_render_missing(page.object_list)
    # The trail ends with this page, shown as text (includes/breadcrumbs.html marks the last crumb current).
    crumbs = [*crumbs, crumb(title)] if crumbs else []
    return render(request, "articles/article_list.html",
                  {"page_obj": page, "title": title, "nav": "news", "crumbs": crumbs, **context})  # fmt: skip


@public_page("news")
def front_page(request):
    """The 头条 and 要闻 the editors chose (or the automatic choice), the latest news, news by section and by
    street, each story once (articles.front_page)."""
    page = front_page_build()
    return render(request, "articles/front_page.html", {
        "lead": page.lead, "lead_photo": page.lead_photo, "top": page.top, "latest": page.latest,
        "sections": page.sections, "by_street": page.by_street, "nav": "none",
    })  # fmt: skip


@public_page("news")
def article_detail(request, pk: int):
    article = selectors.article_detail(pk)
    if article is None:
        raise Http404("稿件不存在")
    if not article.is_live:
        if article.status == Article.Status.WITHDRAWN and article.published_at:
            return render(request, "articles/article_withdrawn.html", {"article": article}, status=410)
        raise Http404("稿件不存在")
    # Rendered on view only when shown: a number nobody may read must not make the site write its row.
    if article_page_unrendered(article):
        articles_render_store([pk])
        article = selectors.article_detail(pk)
        if article is None:
            raise Http404("稿件不存在")
    return render(request, "articles/article_detail.html", _detail_context(request, article))


def _detail_context(request, article: Article, **extra) -> dict:
    previous, following = selectors.article_series_neighbours(article)
    origin = request.build_absolute_uri("/")[:-1]
    return {
        "article": article, "nav": "news",
        "series_previous": previous, "series_next": following,
        "related": selectors.article_related(article),
        "head": article_head(article, origin=origin),
        "canonical": origin + iri_to_uri(article.get_absolute_url()),
        **extra,
    }  # fmt: skip


@never_cache
@staff_member_required
def article_preview(request, pk: int):
    """Any article the staff member may see, exactly as the public page would show it, marked as a preview."""
    article = access.article_access_for_user(user=request.user, pk=pk)
    if article_page_unrendered(article):
        articles_render_store([article.pk])
    article = selectors.article_detail_queryset().get(pk=article.pk)
    response = render(request, "articles/article_detail.html", _detail_context(request, article, preview=True))
    response["X-Robots-Tag"] = "noindex"
    return response


@public_page("news")
def article_list(request):
    return _list(request, selectors.article_list_live, title="新闻", keys_between=selectors.article_live_keys)


@public_page("news")
def section_detail(request, slug: str):
    section = get_object_or_404(Section, slug=slug)
    return _list(request, selectors.article_list_live().filter(section=section), title=section.name,
                 crumbs=_news_crumbs(), feed_slug=section.slug)  # fmt: skip


@public_page("news")
def series_detail(request, slug: str):
    """The series introduced (its description) and its live parts in order, each with its part number."""
    series = get_object_or_404(Series, slug=slug)
    articles = selectors.article_list_live().filter(series=series).order_by("series_part", "pk")
    page = paginate(request, articles)
    cards_render_missing(page.object_list)
    return render(request, "articles/series_detail.html", {
        "series": series, "page_obj": page, "nav": "news", "title": series.title,
        "crumbs": [*_news_crumbs(), crumb(series.title)],
    })  # fmt: skip


@public_page("news")
def contributor_detail(request, pk: int):
    contributor = get_object_or_404(Contributor.objects.select_related("unit"), pk=pk)
    return _list(request, selectors.article_list_by_contributor(contributor), title=contributor.name,
                 contributor=contributor, crumbs=_news_crumbs())  # fmt: skip


@public_page("news")
def unit_detail(request, code: str):
    unit = get_object_or_404(Unit, code=code, is_active=True)
    return _list(request, selectors.article_list_for_unit(unit), title=f"{unit.name}新闻", unit=unit,
                 crumbs=_news_crumbs())  # fmt: skip


@public_page("news")
def tag_detail(request, tag: str):
    """A tag's list, only when a live article carries exactly this tag.

    Anything else is a 404, which the page cache does not keep: otherwise every invented tag URL (or a real
    tag with spaces, separators or a suffix added) would be rendered, answered 200 and cached.
    """
    if not _may_be_a_tag(tag):
        raise Http404("标签不存在")
    articles = selectors.article_list_for_tag(tag)
    if not articles.exists():
        raise Http404("标签不存在")
    return _list(request, articles, title=f"标签：{tag}", crumbs=_news_crumbs())


def _may_be_a_tag(tag: str) -> bool:
    """What ``Article.tag_list`` can yield: stripped, no list separator, no control character (NUL, which
    PostgreSQL refuses in a parameter, among them), no longer than the tags field."""
    return (
        bool(tag)
        and tag == tag.strip()
        and len(tag) <= Article._meta.get_field("tags").max_length
        and not any(char in LIST_SEPARATORS or unicodedata.category(char) == "Cc" for char in tag)
    )


@public_page("news")
def archive_index(request):
    return render(request, "articles/archive.html", {"months": selectors.archive_months(), "nav": "news",
                                                      "crumbs": _news_crumbs(crumb("往期新闻"))})  # fmt: skip


@public_page("news")
def archive_day(request, year: int, month: int, day: int):
    try:
        when = date(year, month, day)
    except (ValueError, OverflowError):
        raise Http404("日期无效") from None
    if not ARCHIVE_YEARS[0] <= when.year <= ARCHIVE_YEARS[1]:
        # No news before the paper went online or in a far future; and date.min/max have no neighbouring
        # day to bound a range with.
        raise Http404("当日没有新闻")
    articles = selectors.article_list_for_day(when)
    if not articles.exists():
        # Every date of every year is a valid URL: an empty one is a 404, never a cached empty page.
        raise Http404("当日没有新闻")
    return _list(request, articles, title=f"{when:%Y年%m月%d日}的新闻",
                 crumbs=_news_crumbs(crumb("往期", "articles:archive")))  # fmt: skip


@public_page("news")
def correction_list(request):
    page = paginate(request, selectors.correction_list_public())
    return render(request, "articles/correction_list.html", {"page_obj": page, "nav": "news"})


@public_page("news")
def epaper_index(request):
    """The newest edition readers can open (one with live articles), or a page saying there is none yet."""
    latest = selectors.edition_list_public().first()
    if latest is None:
        return render(request, "articles/epaper_edition.html", {"edition": None, "nav": "epaper"})
    return redirect("epaper:edition", edition_date=latest.date.isoformat())


def epaper_lookup(request):
    """The e-paper's date picker (a GET form): to the edition of the date chosen, or a page that says there is
    none that day and offers the nearest ones. Not a cached page: every date would be an entry of its own."""
    form = EpaperDateForm(request.GET)
    if not request.GET.get("date"):
        return redirect("epaper:index")
    if form.is_valid():
        day = form.cleaned_data["date"]
        if selectors.edition_list_public().filter(date=day).exists():
            return redirect("epaper:edition", edition_date=day.isoformat())
        before, after = selectors.edition_nearest(day)
        context = {"form": form, "day": day, "before": before, "after": after}
    else:
        context = {"form": form}
    first, last = selectors.edition_dates_public()
    response = render(request, "articles/epaper_lookup.html", {**context, "first": first, "last": last,
                                                                "nav": "epaper"})  # fmt: skip
    response["X-Robots-Tag"] = "noindex"
    return response


@public_page("news")
def epaper_edition(request, edition_date: str, page_number: int | None = None):
    try:
        day = date.fromisoformat(edition_date)
    except ValueError:
        raise Http404("日期无效") from None
    if edition_date != day.isoformat():
        # fromisoformat also reads 20250718 and 2025-W29-5: one URL per edition, not one cached page per spelling.
        raise Http404("日期无效")
    # An edition without live articles (imported, not yet published) is not public: 404, like a missing one.
    edition = selectors.edition_with_pages(day)
    if edition is None:
        raise Http404("当日没有出版")
    # Likewise a page whose articles are not live yet: it is neither listed nor opened (read with the edition).
    pages = [page for page in edition.shown_pages if page.shown_articles]
    cards_render_missing(article for page in pages for article in page.shown_articles)
    current = None
    if page_number is not None:
        current = next((page for page in pages if page.number == page_number), None)
        if current is None:
            raise Http404("没有这一版")
    earlier = selectors.edition_list_before(edition, limit=PREVIOUS_ISSUES)
    following = selectors.edition_after(edition)
    first, last = selectors.edition_dates_public()
    return render(request, "articles/epaper_edition.html", {
        "edition": edition, "pages": [current] if current else pages, "all_pages": pages, "current": current,
        "previous": earlier[0] if earlier else None, "following": following, "earlier": earlier,
        "form": EpaperDateForm(initial={"date": edition.date}), "first": first, "last": last, "nav": "epaper",
    })  # fmt: skip
