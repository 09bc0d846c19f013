"""What an article's public page prints, rendered when the article or something it shows is saved.

A page view reads ``Article.main_html`` (the header with titles, dates, section and print placement:
templates/articles/includes/article_header.html; then corrections, photos, the sanitized body with its inline
figures' captions, credits and ``srcset``, the credits and units lines: article_main.html),
``Article.head_parts`` (the <head> tags and the schema.org script, split where the request's origin goes:
``article_head``), ``Article.crumbs_html``, ``Article.byline`` (``本报讯（记者 宋芳 通讯员 马向英）``) and
``Article.card_html`` (the article's list card, which lists join) instead of building them per request.
``Article.json_ld`` keeps the schema.org data with site-relative URLs. The tag rows (``ArticleTag``) and the
archive's day counts (``ArchiveDay``) are kept here too, so a tag's page and the archive index are index reads.

Freshness: the receivers below re-render every article a save can change — the article itself, its
credits, figures, corrections and units, a contributor's name or unit, a photo's caption or credit, a unit's,
a series', a section's or a printed page's name — inside the saving transaction, so the page a reader gets
after the commit is already right. ``rendered_at`` is empty for an article never rendered (rows from before
migration 0005, or rendered before 0007, or marked by ``articles_rendering_invalidate``), and the trail is
empty for one rendered before 0014 (``article_page_unrendered``): the views render those on first sight. A
render locks its articles' rows first, so it never stores an article as it was before an edit saved meanwhile.
"""

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from articles.bylines import article_byline
from articles.cards import card_context
from articles.figures import body_photo_uuids, body_photo_uuids_in_order, enrich_inline_figures
from articles.models import (
    ArchiveDay,
    Article,
    ArticlePhoto,
    ArticleTag,
    Correction,
    Credit,
    Edition,
    Page,
    Section,
    Series,
)
from articles.structured_data import article_json_ld, article_json_ld_stored, json_ld_script
from pingcheng.breadcrumbs import crumb
from pingcheng.chinese import split_list
from pingcheng.phones import phone_links
from pingcheng.photos.models import Photo
from pingcheng.richtext import clean_article_html

RENDERED_FIELDS = ("main_html", "head_parts", "crumbs_html", "byline", "json_ld", "card_html", "rendered_at")
# The article's own columns the rendered fields are made of; a save that touches none of them (a workflow
# step moving the status) renders nothing. A foreign key may be named either way in ``update_fields``.
RENDER_INPUTS = frozenset({
    "kicker", "headline", "subtitle", "lead", "body", "tags", "dateline", "char_count", "publish_at", "updated_at",
    "series", "series_id", "series_part", "section", "section_id", "page", "page_id", "source", "original_author",
    "original_title", "responsible_editor",
})  # fmt: skip
# The columns that decide whether and on which day the article is live (articles.services.article_live_q).
LIVENESS_INPUTS = frozenset({"status", "publish_at", "unpublish_at"})


def _figures_prefetch() -> Prefetch:
    return Prefetch("figures", queryset=ArticlePhoto.objects.select_related("photo__credit"))


def _render_queryset():
    return Article.objects.select_related("series", "section", "page__edition").prefetch_related(
        Prefetch("credits", queryset=Credit.objects.select_related("contributor__unit")),
        _figures_prefetch(),
        Prefetch("corrections", queryset=Correction.objects.order_by("published_at", "pk")),
        "units",
    )


def article_render(article: Article) -> None:
    """Set the rendered fields on ``article`` (credits, figures, corrections and units prefetched or queried);
    the caller saves."""
    cleaned = clean_article_html(article.body or "")
    in_body = body_photo_uuids(cleaned)
    rows = list(article.figures.all())
    # A photo in the body is printed there, once: attached figures are the others, the first one the lead.
    figures = [row for row in rows if not row.in_body and row.photo.uuid.hex not in in_body]
    # Safe: the cleaner outputs only its allow-list, and the figure enrichment escapes what it adds. Without an
    # attached figure, the body's first picture is the page's lead image.
    body = mark_safe(enrich_inline_figures(cleaned, lead=not figures))
    body = _phone_numbers_linked(body)
    photographers = list({row.photo.credit_id: row.photo.credit for row in rows if row.photo.credit_id}.values())
    article.byline = article_byline(article)
    article.json_ld = article_json_ld_stored(article)
    article.rendered_at = timezone.now()  # before the templates, which print the byline set above
    header = render_to_string("articles/includes/article_header.html", {"article": article})
    article.main_html = header + render_to_string(
        "articles/includes/article_main.html",
        {"article": article, "body": body, "figures": figures, "photographers": photographers},
    )
    article.head_parts = _head_parts(article)
    article.crumbs_html = _crumbs(article)
    article.card_html = render_to_string(
        "articles/includes/article_card_head.html", {"article": article, **card_context(article)}
    ).strip()


def _head_parts(article: Article) -> list[str]:
    # The origin is a token nothing typed can contain (it is drawn afresh for each render), so splitting at it
    # finds exactly the places the template and the schema.org data put it.
    token = secrets.token_hex(16)
    html = render_to_string("articles/includes/article_head.html", {
        "article": article, "origin": token, "json_ld": json_ld_script(article_json_ld(article, origin=token)),
    })  # fmt: skip
    return html.strip().split(token)


def article_head(article: Article, *, origin: str) -> SafeString:
    """The article page's stored <head> tags with ``origin`` (``https://host``, from the request) on its URLs."""
    # Safe: the pieces come from an autoescaping template and json_ld_script; the origin is escaped here (a
    # host Django accepted has no character that needs it, in HTML or in the JSON of the script).
    return mark_safe(escape(origin).join(article.head_parts))


def _crumbs(article: Article) -> str:
    crumbs = [crumb(_("新闻"), "articles:list")]
    if article.section_id:
        crumbs.append(crumb(article.section.name, article.section))
    crumbs.append(crumb(article.headline))
    return render_to_string("includes/breadcrumbs.html", {"crumbs": crumbs}).strip()


def _phone_numbers_linked(body: str) -> SafeString:
    """Phone numbers in the body become tap-to-call links (pingcheng.phones), stored like the rest of it."""
    # Safe: phone_links adds only its own links around digits it copies from the already safe body.
    return mark_safe(phone_links(body))


# Set while the body's pictures are linked: removing a row must not render the article again from inside
# the rendering of that article (the receiver below would).
_LINKING_BODY_PHOTOS: ContextVar[bool] = ContextVar("linking_body_photos", default=False)


def _body_photos_link(articles: list[Article]) -> list[Article]:
    """Keep each article's in-body photo rows (``ArticlePhoto.in_body``) in step with the pictures its body
    shows, in their order; returns the articles whose rows changed (their prefetched figures are stale).

    A photo also attached as a figure keeps its figure row. Concurrent renders of one article may both insert
    a row: the unique constraint keeps one and the other is ignored.
    """
    changed = []
    for article in articles:
        wanted = body_photo_uuids_in_order(article.body or "")
        rows = {row.photo.uuid.hex: row for row in article.figures.all()}
        missing = [uuid for uuid in wanted if uuid not in rows]
        gone = [row.pk for uuid, row in rows.items() if row.in_body and uuid not in wanted]
        moved = []
        for position, uuid in enumerate(wanted):
            row = rows.get(uuid)
            if row is not None and row.in_body and row.order != ArticlePhoto.BODY_PHOTO_ORDER + position:
                row.order = ArticlePhoto.BODY_PHOTO_ORDER + position
                moved.append(row)
        photo_ids = {}
        if missing:
            photo_ids = {key.hex: pk for key, pk in Photo.objects.filter(uuid__in=missing).values_list("uuid", "pk")}
        new_rows = [
            ArticlePhoto(article=article, photo_id=photo_ids[uuid], order=ArticlePhoto.BODY_PHOTO_ORDER + position,
                         in_body=True)
            for position, uuid in enumerate(wanted)
            if uuid in photo_ids
        ]  # fmt: skip
        if not (new_rows or gone or moved):
            continue
        token = _LINKING_BODY_PHOTOS.set(True)
        try:
            ArticlePhoto.objects.bulk_create(new_rows, ignore_conflicts=True)
            ArticlePhoto.objects.bulk_update(moved, ["order"])
            ArticlePhoto.objects.filter(pk__in=gone).delete()
        finally:
            _LINKING_BODY_PHOTOS.reset(token)
        changed.append(article)
    return changed


def articles_render_store(article_ids: Iterable[int], *, batch_size: int = 200) -> int:
    """Render and store the public fields and the tag rows of these articles; returns how many were stored."""
    ids = sorted(set(article_ids))
    stored = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            # Locked before they are read (in key order, as every batch): a render that read an article while
            # an edit of it was being saved would wait for the edit's lock, then store the article as it was.
            list(Article.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))
            batch = list(_render_queryset().filter(pk__in=chunk))
            relinked = _body_photos_link(batch)
            for article in relinked:
                article._prefetched_objects_cache.pop("figures", None)
            prefetch_related_objects(relinked, _figures_prefetch())
            for article in batch:
                article_render(article)
            Article.objects.bulk_update(batch, RENDERED_FIELDS)
            _tags_store(batch)
        stored += len(batch)
    return stored


# The articles whose render ``articles_rendering_deferred`` holds back until its block ends; None outside one.
_DEFERRED: ContextVar[set[int] | None] = ContextVar("articles_rendering_deferred", default=None)


@contextmanager
def articles_rendering_deferred() -> Iterator[None]:
    """Inside the block, the receivers below note which articles a save changes instead of rendering them;
    each is rendered once as the block ends. For a loader that writes an article, then its credits, photos and
    units: ten demo stories were rendered forty times, a second of the demo's three. The block must end inside
    the transaction that wrote them; if it raises, nothing is rendered (the writes are rolled back with it)."""
    if _DEFERRED.get() is not None:  # an outer block renders them
        yield
        return
    held: set[int] = set()
    token = _DEFERRED.set(held)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    articles_render_store(held)


def _render_now_or_held(article_ids: Iterable[int]) -> None:
    held = _DEFERRED.get()
    if held is None:
        articles_render_store(article_ids)
    else:
        held.update(article_ids)


def _tags_store(articles: list[Article]) -> None:
    ArticleTag.objects.filter(article__in=articles).delete()
    rows = [ArticleTag(article=a, name=name) for a in articles for name in dict.fromkeys(split_list(a.tags))]
    ArticleTag.objects.bulk_create(rows)


def article_page_unrendered(article: Article) -> bool:
    """Whether the article's page must be rendered before it is shown: never rendered, marked by
    ``articles_rendering_invalidate``, or rendered before its trail and head tags were stored (migration 0014;
    a rendered trail is never empty)."""
    return article.rendered_at is None or not article.crumbs_html


def articles_render_missing(articles: Iterable[Article]) -> list[int]:
    """Render and store the given articles that are not rendered (rows from before migration 0007, or
    marked by ``articles_rendering_invalidate``); their ids."""
    missing = [article.pk for article in articles if article.rendered_at is None]
    if missing:
        articles_render_store(missing)
    return missing


# --- The archive's day counts ---------------------------------------------------------------------------


def archive_days_refresh(days: Iterable[date]) -> None:
    """Recount the live articles of each day (Beijing time) and store it; a day left without any is removed."""
    from articles.selectors import local_day_start
    from articles.services import article_live_q

    for day in set(days):
        start = local_day_start(day)
        count = Article.objects.filter(article_live_q(), publish_at__gte=start,
                                       publish_at__lt=start + timedelta(days=1)).count()  # fmt: skip
        if count:
            ArchiveDay.objects.update_or_create(day=day, defaults={"count": count})
        else:
            ArchiveDay.objects.filter(day=day).delete()


def archive_days_rebuild() -> None:
    """Recount every day at once (after a bulk load, or to repair); one grouped query."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from articles.services import article_live_q

    rows = Article.objects.filter(article_live_q()).annotate(day=TruncDate("publish_at")).values("day")
    counts = rows.annotate(n=Count("pk")).values_list("day", "n")
    with transaction.atomic():
        ArchiveDay.objects.all().delete()
        ArchiveDay.objects.bulk_create([ArchiveDay(day=day, count=n) for day, n in counts], batch_size=1000)


def article_archive_day_refresh(*, article_id: int, **_kwargs) -> None:
    """Receiver for ``article_changed``: the article went live, came down or was revised on its day."""
    publish_at = Article.objects.filter(pk=article_id).values_list("publish_at", flat=True).first()
    if publish_at is not None:
        archive_days_refresh([timezone.localdate(publish_at)])


# --- Receivers: re-render what a save changes ------------------------------------------------------------


def _article_saved(sender, instance: Article, update_fields=None, raw=False, **_kwargs) -> None:
    if raw:
        return
    fields = None if update_fields is None else set(update_fields)
    if fields is None or RENDER_INPUTS & fields:
        _render_now_or_held([instance.pk])
    if instance.publish_at is not None and (fields is None or LIVENESS_INPUTS & fields):
        archive_days_refresh([timezone.localdate(instance.publish_at)])


def _article_part_changed(sender, instance, raw=False, origin=None, **_kwargs) -> None:
    # Deleting the article deletes its credits and figures first: re-rendering it then would write tag rows
    # for an article about to go.
    deleting_article = isinstance(origin, Article) or getattr(origin, "model", None) is Article
    if not raw and not deleting_article and not _LINKING_BODY_PHOTOS.get():
        _render_now_or_held([instance.article_id])


# The columns of other models that articles print. A save that changes none of them (a unit's phone number,
# a new photo) renders nothing; one that does re-renders the articles showing the row, or, when they are
# more than RENDER_INLINE_MAX, marks them unrendered so each is rendered on its next view (a street's rename
# must not hold the admin's request and thousands of row locks for a minute).
PRINTED_ELSEWHERE = {
    "directory.Unit": ("name", "code"),
    "directory.Contributor": ("name", "unit_id"),
    "articles.Series": ("title", "slug"),
    "photos.Photo": ("caption", "alt_text", "credit_id", "renditions"),
    # In the article's header, head tags and trail (its section's name and link, "见报：第2版 要闻") and in its
    # schema.org data (the number).
    "articles.Section": ("name", "slug"),
    "articles.Page": ("name", "number", "edition_id"),
    "articles.Edition": ("number",),
}
RENDER_INLINE_MAX = 200
# What the news pages list of these rows besides what the articles print: the search page's section and
# street/community filters and the front page's sections and streets, which each process keeps per news
# generation (articles.selectors, articles.search_forms). A new row, or a change of one of these columns,
# reaches the page cache and those copies at once.
LISTED_BY_NEWS = {
    "directory.Unit": ("kind", "parent_id", "short_name", "sort_order", "is_active"),
    "articles.Section": ("sort_order",),
    "articles.Edition": ("date",),  # the e-paper's pages are by date; no article prints it
}


def articles_rendering_invalidate(article_ids: Iterable[int], *, on_next_view: bool = False) -> None:
    """Re-render these articles now, or mark them to be rendered on their next view (when they are many, or
    when ``on_next_view`` says now is too early); either way, tell the page cache after the commit."""
    ids = set(article_ids)
    if on_next_view or len(ids) > RENDER_INLINE_MAX:
        Article.objects.filter(pk__in=ids).update(rendered_at=None)
    elif ids:
        articles_render_store(ids)
    _news_changed_after_commit()


def _news_changed_after_commit() -> None:
    from articles.cache import news_pages_changed

    transaction.on_commit(news_pages_changed)


def _printed_remember(sender, instance, raw=False, **_kwargs) -> None:
    fields = (*PRINTED_ELSEWHERE[sender._meta.label], *LISTED_BY_NEWS.get(sender._meta.label, ()))
    before = None
    if not raw and instance.pk is not None:
        before = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
    instance._printed_before = before


def _printed_changed(sender, instance, created: bool) -> bool:
    if created:
        return False
    before = getattr(instance, "_printed_before", None)
    fields = PRINTED_ELSEWHERE[sender._meta.label]
    return before is None or any(before[field] != getattr(instance, field) for field in fields)


def _listed_changed(sender, instance, created: bool) -> bool:
    fields = LISTED_BY_NEWS.get(sender._meta.label, ())
    if not fields:
        return False
    before = getattr(instance, "_printed_before", None)
    return created or before is None or any(before[field] != getattr(instance, field) for field in fields)


def _contributor_saved(sender, instance, created=False, raw=False, **_kwargs) -> None:
    # Their name is in the bylines they are credited in and under the photos they took (``曹飞摄``).
    if raw or not _printed_changed(sender, instance, created):
        return
    from articles.photo_usage import articles_showing_photo
    from pingcheng.photos.models import Photo

    ids = set(Credit.objects.filter(contributor=instance).values_list("article_id", flat=True))
    for photo in Photo.objects.filter(credit=instance):
        ids.update(articles_showing_photo(photo).values_list("pk", flat=True))
    articles_rendering_invalidate(ids)


def _photo_saved(sender, instance, created=False, raw=False, **_kwargs) -> None:
    # A new photo is on no article yet; finding the articles showing one reads article bodies.
    if raw or not _printed_changed(sender, instance, created):
        return
    from articles.photo_usage import articles_showing_photo

    articles_rendering_invalidate(articles_showing_photo(instance).values_list("pk", flat=True).distinct())


def _series_saved(sender, instance, created=False, raw=False, **_kwargs) -> None:
    # The series heading (``继往开来担使命 砥砺奋进新征程（五）``) is on its articles' cards.
    if not raw and _printed_changed(sender, instance, created):
        articles_rendering_invalidate(Article.objects.filter(series=instance).values_list("pk", flat=True))


def _unit_articles(unit) -> set[int]:
    # The articles about the unit link to it by name and code; a credited contributor's unit is printed as
    # their affiliation in the structured data.
    credited = Credit.objects.filter(contributor__unit=unit).values_list("article_id", flat=True)
    about = Article.units.through.objects.filter(unit=unit).values_list("article_id", flat=True)
    return {*credited, *about}


def _unit_saved(sender, instance, created=False, raw=False, **_kwargs) -> None:
    if raw:
        return
    if _printed_changed(sender, instance, created):
        articles_rendering_invalidate(_unit_articles(instance))
    elif _listed_changed(sender, instance, created):
        _news_changed_after_commit()


def _unit_deleting(sender, instance, **_kwargs) -> None:
    # Before the cascade removes the links (it sends no m2m signal): their articles are rendered again on view,
    # after the unit is gone (rendering them now would still print it).
    articles_rendering_invalidate(_unit_articles(instance), on_next_view=True)


def _filing_articles(instance) -> Iterable[int]:
    if isinstance(instance, Section):
        return Article.objects.filter(section=instance).values_list("pk", flat=True)
    if isinstance(instance, Page):
        return Article.objects.filter(page=instance).values_list("pk", flat=True)
    return Article.objects.filter(page__edition=instance).values_list("pk", flat=True)


def _filing_saved(sender, instance, created=False, raw=False, **_kwargs) -> None:
    if raw:
        return
    if _printed_changed(sender, instance, created):
        articles_rendering_invalidate(_filing_articles(instance))
    elif _listed_changed(sender, instance, created):
        _news_changed_after_commit()


def _page_deleting(sender, instance, **_kwargs) -> None:
    # Its articles keep their text but lose the placement (SET_NULL, which sends no signal): they are rendered
    # again on view, after the page is gone. An edition's deletion removes its pages this way too.
    articles_rendering_invalidate(_filing_articles(instance), on_next_view=True)


def _section_deleted(sender, instance, **_kwargs) -> None:
    _news_changed_after_commit()


def _units_changed(sender, instance, action, reverse, pk_set, **_kwargs) -> None:
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            _render_now_or_held([instance.pk])
    elif action == "pre_clear":
        # ``unit.articles.clear()`` names no articles afterwards: read them before they go.
        instance._articles_cleared = list(instance.articles.values_list("pk", flat=True))
    elif action == "post_clear":
        articles_rendering_invalidate(getattr(instance, "_articles_cleared", ()))
    elif action in ("post_add", "post_remove") and pk_set:
        articles_rendering_invalidate(pk_set)


def rendering_receivers_connect() -> None:
    """Called from ``ArticlesConfig.ready()``."""
    from pingcheng.directory.models import Contributor, Unit
    from pingcheng.photos.models import Photo

    post_save.connect(_article_saved, sender=Article, dispatch_uid="articles.rendering.article")
    for model in (Credit, ArticlePhoto, Correction):
        post_save.connect(_article_part_changed, sender=model, dispatch_uid=f"articles.rendering.{model.__name__}")
        post_delete.connect(_article_part_changed, sender=model, dispatch_uid=f"articles.rendering.{model.__name__}-")
    for model, receiver in ((Contributor, _contributor_saved), (Photo, _photo_saved), (Unit, _unit_saved),
                            (Series, _series_saved), (Section, _filing_saved), (Page, _filing_saved),
                            (Edition, _filing_saved)):  # fmt: skip
        pre_save.connect(_printed_remember, sender=model, dispatch_uid=f"articles.rendering.{model.__name__}<")
        post_save.connect(receiver, sender=model, dispatch_uid=f"articles.rendering.{model.__name__}")
    pre_delete.connect(_unit_deleting, sender=Unit, dispatch_uid="articles.rendering.unit-")
    pre_delete.connect(_page_deleting, sender=Page, dispatch_uid="articles.rendering.Page-")
    post_delete.connect(_section_deleted, sender=Section, dispatch_uid="articles.rendering.Section-")
    m2m_changed.connect(_units_changed, sender=Article.units.through, dispatch_uid="articles.rendering.units")
