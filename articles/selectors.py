"""The newsroom's reads for public pages: what is live, with the joins each page needs declared here."""

from datetime import date, datetime, time, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from articles.cache import NEWS
from articles.models import (
    ArchiveDay,
    Article,
    ArticlePhoto,
    ArticleTag,
    Correction,
    Credit,
    Edition,
    FrontSlot,
    Page,
    Section,
)
from articles.services import article_live_q
from pingcheng.directory.models import Unit
from pingcheng.page_cache import GenerationMemo
from pingcheng.prepared import PreparedQuery

# What a list card never shows: the long text columns (a card prints the stored byline and the lead).
LIST_DEFERRED = ("body", "search_text", "main_html", "head_parts", "crumbs_html", "json_ld")
# And what the cards of a public list page (the front page, the news lists) never read either: the workflow's
# times and the print import's columns. Each time column costs a Python-side parse per row (Django's
# time-zone loader for psycopg is pure Python); the feeds, which print updated_at, keep them.
CARD_UNUSED = ("created_at", "edited_at", "published_at", "updated_at", "created_by", "import_key", "source",
               "original_author", "original_title", "responsible_editor", "review_round", "version")  # fmt: skip


# What a news list page reads of each article: its stored card (``Article.card_html``), whether it was rendered,
# and the two values the card is adjusted by per view (the year of an old date, a series part's number). The
# rest is in the card: no joins, and a fifth of the columns to turn into Python values.
LIST_CARD_FIELDS = ("card_html", "rendered_at", "publish_at", "series_part")


def list_cards(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """``queryset`` reduced to what ``{% article_cards %}`` prints (``LIST_CARD_FIELDS``)."""
    return queryset.select_related(None).only(*LIST_CARD_FIELDS)


def _card(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("section", "series").defer(*LIST_DEFERRED)


def _figures() -> Prefetch:
    return Prefetch("figures", queryset=ArticlePhoto.objects.select_related("photo__credit"))


def article_list_live(now: datetime | None = None) -> QuerySet[Article]:
    """Articles the public may see now, newest first, as list cards: section and series loaded, the long
    text left out. Newest first walks the partial index ``article_live_recent_idx`` and stops after a page."""
    return _card(Article.objects.filter(article_live_q(now))).order_by("-publish_at", "-pk")


# What the front page needs of each story it may choose (articles.front_page): the stored card, the headline for
# the streets' lists, what the automatic choice goes by, and what ``Article.is_live`` reads (a slot asks). No
# joins: the sections are known per process (``sections_by_id``), and the one story printed whole, the 头条, is
# read whole (``article_front_lead``).
FRONT_POOL_FIELDS = (*LIST_CARD_FIELDS, "headline", "section_id", "page_order", "status", "unpublish_at")
_FRONT_POOL: dict[int, PreparedQuery] = {}


def _front_candidates(now: datetime) -> QuerySet[Article]:
    # Each story's first photo with its row (the automatic 头条 is a story with one): sixty probes of the
    # photos' article index, where asking which of them have a photo was a query of its own.
    first_photo = ArticlePhoto.objects.filter(article_id=OuterRef("pk")).order_by("order", "pk").values("pk")[:1]
    queryset = (
        Article.objects.filter(article_live_q(now)).only(*FRONT_POOL_FIELDS)
        .annotate(first_photo_id=Subquery(first_photo))
    )  # fmt: skip
    if connection.vendor == "postgresql":
        # The paths of the units each story is about, with its row: the streets' blocks pick from them. Asked
        # on their own they were a query with sixty parameters, too many for psycopg to keep it parsed.
        units = Article.units.through.objects.filter(article_id=OuterRef("pk")).values("unit__path")
        queryset = queryset.annotate(unit_paths=ArraySubquery(units))
    return queryset


def _front_pool(now: datetime, limit: int) -> QuerySet[Article]:
    return _front_candidates(now).order_by("-publish_at", "-pk")[:limit]


def article_front_pool(*, limit: int) -> list[Article]:
    """The newest ``limit`` live articles with ``FRONT_POOL_FIELDS`` only, each with ``first_photo_id`` (the
    ``ArticlePhoto`` that leads it, or None), compiled once per thread; on PostgreSQL each with ``unit_paths``
    (``front_pool_unit_paths``)."""
    prepared = _FRONT_POOL.get(limit)
    if prepared is None:
        prepared = _FRONT_POOL[limit] = PreparedQuery(
            lambda now: _front_pool(now, limit), now=datetime, server_prepared=True
        )
    return prepared(now=timezone.now())


def front_pool_unit_paths(pool: list[Article]) -> dict[int, list[str]]:
    """The tree paths of the units each article of the pool is about: read with the pool on PostgreSQL, in one
    more query on SQLite."""
    if pool and getattr(pool[0], "unit_paths", None) is not None:
        return {article.id: article.unit_paths for article in pool}
    return article_unit_paths([article.id for article in pool])


_FRONT_LEAD = PreparedQuery(
    lambda pk, now: _card(Article.objects.filter(article_live_q(now), pk=pk)).defer(*CARD_UNUSED),
    pk=int,
    now=datetime,
    server_prepared=True,
)


# The 头条 and its photo in one query, from the photo's side: the automatic choice knows which photo leads it.
_FRONT_LEAD_FIGURE = PreparedQuery(
    lambda pk, figure, now: ArticlePhoto.objects.filter(article_live_q(now, prefix="article__"), pk=figure,
                                                        article_id=pk)
    .select_related("article__section", "article__series", "photo__credit")
    .defer(*(f"article__{name}" for name in (*LIST_DEFERRED, *CARD_UNUSED))),
    pk=int, figure=int, now=datetime, server_prepared=True,
)  # fmt: skip


def article_front_lead(pk: int, *, figure_id: int | None = None) -> tuple[Article | None, object]:
    """The 头条 as the front page prints it in full: the list card's row with its section and series, and the
    photo of ``figure_id`` (an ``ArticlePhoto`` of it) read with it, in one query; None for the article when
    it was taken down since the pool was read, None for the photo when none was asked for or it is gone."""
    now = timezone.now()
    if figure_id is not None:
        found = _FRONT_LEAD_FIGURE(pk=pk, figure=figure_id, now=now)
        if found:
            return found[0].article, found[0].photo
    found = _FRONT_LEAD(pk=pk, now=now)
    return (found[0] if found else None), None


def _sections_by_id() -> dict[int, Section]:
    return {section.pk: section for section in Section.objects.all()}


# A handful of rows that change with an editor's rare edit: read once per process and news generation.
_SECTIONS = GenerationMemo(NEWS, _sections_by_id)


def sections_by_id() -> dict[int, Section]:
    """Every section by its id (the front page's blocks are headed by them)."""
    return _SECTIONS.value()


# A deep list page's rows by their keys (pingcheng.pagination): the same query for every news list, compiled
# once per thread and page length. The live condition again: a row taken down between the two reads is left out.
_CARDS_BY_KEYS = PreparedQuery(
    lambda ids, now: list_cards(article_list_live(now)).filter(pk__in=ids).order_by(),
    ids=list,
    now=datetime,
    server_prepared=True,
)


def article_cards_by_keys(ids: list[int]) -> list[Article]:
    """Live articles among ``ids`` as list cards (``list_cards``), in no order."""
    return _CARDS_BY_KEYS(ids=list(ids), now=timezone.now()) if ids else []


_LIVE_KEYS = PreparedQuery(lambda now: article_list_live(now).values_list("pk", flat=True), sliced=True, now=datetime)


def article_live_keys(start: int, stop: int) -> list[int]:
    """The keys of rows ``start`` to ``stop`` of ``article_list_live()``: a deep page of the news list reads
    them by a query compiled once (pingcheng.pagination), a walk of the live index."""
    return _LIVE_KEYS(now=timezone.now(), start=start, stop=stop)


def article_list_live_with_photos() -> QuerySet[Article]:
    return article_list_live().prefetch_related(_figures())


def about_unit(unit: Unit) -> Exists:
    """The condition "about this unit or anything below it" (a street's news includes its communities').

    The unit ids are read first and given as constants: the planner then knows from its statistics whether
    the unit has few articles (start from them) or many (walk the newest live articles and stop after a page).
    """
    units = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return Exists(Article.units.through.objects.filter(article_id=OuterRef("pk"), unit_id__in=units))


def article_list_for_unit(unit: Unit) -> QuerySet[Article]:
    return article_list_live().filter(about_unit(unit))


def article_list_for_tag(tag: str) -> QuerySet[Article]:
    """Articles carrying exactly this tag (防 does not match 防汛): the tag rows articles.rendering keeps."""
    return article_list_live().filter(pk__in=ArticleTag.objects.filter(name=tag).values("article_id"))


def article_list_by_contributor(contributor) -> QuerySet[Article]:
    """Everything the person wrote or photographed: credited on the article, or credited on one of its photos.

    The person's article ids are read first (their own rows, through the contributor indexes) and given to
    the list as constants, so the planner knows how many there are: a page costs what the person published,
    never a walk through every article looking for a rare name.
    """
    credited = Credit.objects.filter(contributor=contributor).order_by().values("article_id")
    photographed = ArticlePhoto.objects.filter(photo__credit=contributor).order_by().values("article_id")
    ids = list(credited.union(photographed).values_list("article_id", flat=True))
    return article_list_live().filter(pk__in=ids)


def local_day_start(day: date) -> datetime:
    """Midnight of a calendar day in the site's time zone (Beijing): days are ranges on ``publish_at``, which
    an index answers, never ``publish_at__date``."""
    return timezone.make_aware(datetime.combine(day, time.min))


def article_list_for_day(day: date) -> QuerySet[Article]:
    start = local_day_start(day)
    return article_list_live().filter(publish_at__gte=start, publish_at__lt=start + timedelta(days=1))


def archive_months() -> list[dict]:
    """Each month with live news, newest first: ``{"month": date, "count": n, "days": [{"day": date, "count": n,
    "url": str, "label": "7月18日"}]}``.

    Read from the day counts articles.rendering keeps (Beijing time); the days of a month link to that day's list.
    """
    rows = ArchiveDay.objects.order_by("-day").values("day", "count")
    # Three years are a thousand day links: one reverse() for the pattern, not one per day.
    day_url = reverse("articles:archive_day", kwargs={"year": 9876543, "month": 21, "day": 43}).replace(
        "9876543/21/43", "{0.year}/{0.month}/{0.day}"
    )
    months: list[dict] = []
    for row in rows:
        month = row["day"].replace(day=1)
        if not months or months[-1]["month"] != month:
            months.append({"month": month, "count": 0, "days": []})
        months[-1]["count"] += row["count"]
        row["url"] = day_url.format(row["day"])
        row["label"] = f"{row['day'].month}月{row['day'].day}日"
        months[-1]["days"].append(row)
    return months


# What the article page reads of its row: the stored parts (articles.rendering) and what decides whether and how
# it is shown; the series' title labels its parts' links, the section chooses related stories. The columns the
# stored parts are made of are not read: articles_render_store reads them when it renders.
DETAIL_FIELDS = ("headline", "status", "publish_at", "unpublish_at", "published_at", "series", "series_part",
                 "section", "main_html", "head_parts", "crumbs_html", "rendered_at")  # fmt: skip


def article_detail_queryset() -> QuerySet[Article]:
    """The article page's row, with its series: its header, main part, head tags and trail are stored."""
    return Article.objects.select_related("series").only(*DETAIL_FIELDS, "series__title", "series__slug")


def _detail_row(*, pk: int) -> QuerySet[Article]:
    queryset = article_detail_queryset().filter(pk=pk)
    if connection.vendor == "postgresql":
        # The units the related stories are chosen by, read with the row: one round trip less per view.
        units = Article.units.through.objects.filter(article_id=OuterRef("pk")).values("unit_id")
        queryset = queryset.annotate(unit_ids=ArraySubquery(units))
    return queryset


# The article page's reads run on every uncached view: compiled once per thread (pingcheng.prepared), they
# cost what PostgreSQL takes to answer them instead of three times that in Django.
_DETAIL = PreparedQuery(_detail_row, pk=int, server_prepared=True)
_UNIT_IDS = PreparedQuery(
    lambda pk: Article.units.through.objects.filter(article_id=pk).values_list("unit_id", flat=True), pk=int
)
RELATED_SHOWN = 5


def article_detail(pk: int) -> Article | None:
    """The article page's row (``article_detail_queryset``), whatever its state; None when there is none."""
    low, high = connection.ops.integer_field_range(Article._meta.pk.get_internal_type())
    if not low <= pk <= high:
        return None  # a number no key can be (the ORM answers "none" too, the database would raise)
    found = _DETAIL(pk=pk)
    return found[0] if found else None


def _series_parts(*, series: int, pk: int, now: datetime) -> QuerySet[Article]:
    return (
        Article.objects.filter(article_live_q(now), series_id=series)
        .exclude(pk=pk)
        .only("pk", "headline", "series_part")
        .order_by("series_part")
    )


_SERIES_PARTS = PreparedQuery(_series_parts, series=int, pk=int, now=datetime, server_prepared=True)


def article_series_neighbours(article: Article) -> tuple[Article | None, Article | None]:
    """The previous and next live parts of the article's series, in one query."""
    if not article.series_id:
        return None, None
    parts = _SERIES_PARTS(series=article.series_id, pk=article.pk, now=timezone.now())
    previous = [p for p in parts if p.series_part < article.series_part]
    following = [p for p in parts if p.series_part > article.series_part]
    return (previous[-1] if previous else None), (following[0] if following else None)


def _related(*, pk: int, now: datetime, units: list[int] | None = None, section: int | None = None):
    queryset = Article.objects.filter(article_live_q(now)).exclude(pk=pk)
    if units is not None:
        # EXISTS rather than a join: no DISTINCT over every article of a busy street, and the newest-first
        # walk of the live index stops at the fifth match. The unit ids as constants, not a subquery: the
        # planner then knows from its statistics whether a unit is rare (start from its links) or busy.
        about = Article.units.through.objects.filter(article_id=OuterRef("pk"), unit_id__in=units)
        queryset = queryset.filter(Exists(about))
    else:
        queryset = queryset.filter(section_id=section)
    return queryset.only("pk", "headline", "publish_at").order_by("-publish_at", "-pk")[:RELATED_SHOWN]


_RELATED_BY_UNITS = PreparedQuery(_related, pk=int, now=datetime, units=list)
_RELATED_BY_SECTION = PreparedQuery(_related, pk=int, now=datetime, section=int)


def article_related(article: Article) -> list[Article]:
    """Live articles about the same units (or, failing that, the same section), newest first."""
    unit_ids = getattr(article, "unit_ids", None)  # read with the row on PostgreSQL (article_detail)
    if unit_ids is None:
        unit_ids = _UNIT_IDS(pk=article.pk)
    if unit_ids:
        return _RELATED_BY_UNITS(pk=article.pk, now=timezone.now(), units=unit_ids)
    if article.section_id:
        return _RELATED_BY_SECTION(pk=article.pk, now=timezone.now(), section=article.section_id)
    return []


def correction_list_public() -> QuerySet[Correction]:
    """Corrections of live articles and of withdrawn ones, newest first.

    A withdrawn article's page (410) sends readers here for the reason, so its 撤回声明 and earlier
    corrections stay listed (the list marks them as withdrawn).
    """
    shown = article_live_q() | Q(status=Article.Status.WITHDRAWN, published_at__isnull=False)
    return (
        Correction.objects.filter(article__in=Article.objects.filter(shown))
        .select_related("article")
        .defer(*(f"article__{field}" for field in LIST_DEFERRED))
        .order_by("-published_at", "-pk")
    )


def edition_list_public(now: datetime | None = None) -> QuerySet[Edition]:
    """Editions readers can open, newest first: those with at least one live article on one of their pages.

    An edition made by an import before its articles passed review has nothing to show and is left out.
    """
    live = Article.objects.filter(article_live_q(now), page__edition=OuterRef("pk"))
    return Edition.objects.filter(Exists(live)).order_by("-date")


# The e-paper's neighbours and date-picker bounds, on every edition page: compiled once per thread.
_EDITION_FIRST = PreparedQuery(lambda now: edition_list_public(now).order_by("date").values_list("date", flat=True)[:1],
                               now=datetime)  # fmt: skip
_EDITION_LAST = PreparedQuery(lambda now: edition_list_public(now).values_list("date", flat=True)[:1], now=datetime)
_EDITION_AFTER = PreparedQuery(lambda day, now: edition_list_public(now).filter(date__gt=day).order_by("date")[:1],
                               day=date, now=datetime)  # fmt: skip
PREVIOUS_EDITIONS_MAX = 12
_EDITIONS_BEFORE = PreparedQuery(
    lambda day, now: edition_list_public(now).filter(date__lt=day)[:PREVIOUS_EDITIONS_MAX], day=date, now=datetime
)


# An edition page's reads, compiled once per thread: the edition, its pages, their live articles.
_EDITION_ON = PreparedQuery(lambda day, now: edition_list_public(now).filter(date=day)[:1], day=date, now=datetime)
_EDITION_PAGES = PreparedQuery(lambda edition: Page.objects.filter(edition_id=edition), edition=int)
_PAGES_ARTICLES = PreparedQuery(
    lambda pages, now: _card(Article.objects.filter(article_live_q(now), page_id__in=pages)).order_by("page_order", "pk"),
    pages=list, now=datetime,
)  # fmt: skip


def edition_with_pages(edition_date: date) -> Edition | None:
    """A public edition with ``shown_pages``, its pages in order, each with ``shown_articles``, its live
    articles in print order (lists: three queries compiled once, not the ORM's prefetch built on each view)."""
    now = timezone.now()
    found = _EDITION_ON(day=edition_date, now=now)
    if not found:
        return None
    edition = found[0]
    edition.shown_pages = _EDITION_PAGES(edition=edition.pk)
    by_page: dict[int, list[Article]] = {page.pk: [] for page in edition.shown_pages}
    for article in _PAGES_ARTICLES(pages=list(by_page), now=now) if by_page else ():
        by_page[article.page_id].append(article)
    for page in edition.shown_pages:
        page.shown_articles = by_page[page.pk]
    return edition


def edition_neighbours(edition: Edition) -> tuple[Edition | None, Edition | None]:
    """The public editions before and after ``edition``."""
    return edition_nearest(edition.date)


_UNIT_PATHS = PreparedQuery(
    lambda ids: Article.units.through.objects.filter(article_id__in=ids).values_list("article_id", "unit__path"),
    ids=list,
)


def article_unit_paths(article_ids: list[int]) -> dict[int, list[str]]:
    """The tree paths of the units each article is about, in one light query (no model instances)."""
    paths: dict[int, list[str]] = {}
    for article_id, path in _UNIT_PATHS(ids=article_ids) if article_ids else ():
        paths.setdefault(article_id, []).append(path)
    return paths


def _streets() -> list[Unit]:
    return list(Unit.objects.filter(kind=Unit.Kind.STREET, is_active=True).order_by("sort_order", "name"))


# The district's streets change with the directory's rare edits: read once per process and news generation.
_FRONT_UNITS = GenerationMemo(NEWS, _streets)


def front_page_units() -> list[Unit]:
    """The active streets in the directory's order: the front page's 街道社区 blocks (do not change the list)."""
    return _FRONT_UNITS.value()


_SLOT_COLUMNS = ("position", "article_id", "pinned", "expires_at", "set_at")


def _front_slot_rows() -> list[tuple]:
    return list(FrontSlot.objects.values_list(*_SLOT_COLUMNS))


# The editors' choices — which story in which place, pinned, until when — change only through
# ``front_slot_save`` and ``front_slot_delete`` or with their story's deletion, each of which announces a news
# change: each process keeps them per news generation. Their stories are not kept with them: a story can stop
# being public in ways the news product hears of only through its own row (a due scheduled story sent back to
# 终审), so the front page reads the slotted stories live with its pool (``front_slotted_articles``).
_FRONT_SLOT_ROWS = GenerationMemo(NEWS, _front_slot_rows)


def front_slots() -> list[FrontSlot]:
    """The editors' front-page slots, new instances for this view without their articles (the few rows of a
    small table, whatever their state: ``FrontSlot.shows_at`` decides once the caller gives each its story)."""
    return [FrontSlot(**dict(zip(_SLOT_COLUMNS, row, strict=True))) for row in _FRONT_SLOT_ROWS.value()]


_SLOTTED = PreparedQuery(
    lambda ids, now: _front_candidates(now).filter(pk__in=ids), ids=list, now=datetime, server_prepared=True
)


def front_slotted_articles(ids: list[int]) -> dict[int, Article]:
    """The live articles among ``ids``, read as the pool reads its stories, by id (slotted stories older than
    the pool; none when there are none)."""
    return {article.id: article for article in _SLOTTED(ids=list(ids), now=timezone.now())} if ids else {}


def edition_list_before(edition: Edition, *, limit: int) -> list[Edition]:
    """The public editions before ``edition``, newest first: the e-paper's list of previous issues."""
    if limit <= PREVIOUS_EDITIONS_MAX:
        return _EDITIONS_BEFORE(day=edition.date, now=timezone.now())[:limit]
    return list(edition_list_public().filter(date__lt=edition.date)[:limit])


def edition_after(edition: Edition) -> Edition | None:
    """The public edition just after ``edition``."""
    found = _EDITION_AFTER(day=edition.date, now=timezone.now())
    return found[0] if found else None


def edition_dates_public() -> tuple[date | None, date | None]:
    """The first and the last date readers can open an edition of (the e-paper's date picker bounds)."""
    now = timezone.now()
    first, last = _EDITION_FIRST(now=now), _EDITION_LAST(now=now)
    return (first[0] if first else None), (last[0] if last else None)


def edition_nearest(day: date) -> tuple[Edition | None, Edition | None]:
    """The public editions just before and just after ``day`` (a date with no edition of its own)."""
    before = edition_list_public().filter(date__lt=day).first()
    after = edition_list_public().filter(date__gt=day).order_by("date").first()
    return before, after
