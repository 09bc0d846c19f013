"""The newsroom's writes: saving, the three-level review (三审), scheduling, publishing, withdrawal, corrections.

Every transition locks the article row and checks its status under the lock, so two reviewers clicking at
once or a sweep running twice cannot move an article twice. Notices go out through the outbox in the same
transaction.
"""

import re
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import access
from articles.errors import ArticleActionRefused, ArticleEditConflict
from articles.figures import article_pictures_require_words, body_photo_uuids
from articles.models import (
    Article,
    ArticleEvent,
    ArticlePhoto,
    Correction,
    Credit,
    DraftRevision,
    ReviewDecision,
    Revision,
    Series,
)
from articles.photo_usage import articles_showing_photo
from articles.rendering import articles_rendering_invalidate
from articles.search import article_index
from articles.signals import article_changed
from articles.subscriber_notices import article_subscribers_notify
from articles.workflow import ARTICLE_WORKFLOW, LEVEL_OF_STATE
from pingcheng.accounts import person_name
from pingcheng.directory.models import Unit
from pingcheng.notices.services import notice_enqueue
from pingcheng.photos.models import Photo
from pingcheng.richtext import char_count, clean_article_html

S = Article.Status
# The article's own columns that readers see. With its series, tags, credits, photos and units they make up
# ``_snapshot``: an edit to any of them after 终审 is reviewed again, after publication kept as a revision.
# Where the article is filed (section, printed page and order) is the desk's layout, not reviewed words.
READER_FIELDS = (
    "kicker", "headline", "subtitle", "lead", "body", "series_part", "dateline", "responsible_editor", "source",
    "original_author", "original_title",
)  # fmt: skip
LIVE_STATUSES = (S.SCHEDULED, S.PUBLISHED)
EDITABLE_FIELDS = (
    "kicker", "headline", "subtitle", "series", "series_part", "dateline", "responsible_editor", "lead", "body",
    "section", "tags", "page", "page_order", "source", "original_author", "original_title",
)  # fmt: skip
DERIVED_FIELDS = ("char_count", "search_text")
# Workflow events after which readers see something different.
PUBLIC_EVENTS = (
    ArticleEvent.Action.PUBLISHED, ArticleEvent.Action.REVISED, ArticleEvent.Action.CORRECTED,
    ArticleEvent.Action.WITHDRAWN, ArticleEvent.Action.UNPUBLISHED,
)  # fmt: skip


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _refuse(message: str, code: str):
    raise ArticleActionRefused(message, code=code)


def _snapshot(article: Article) -> dict:
    """Everything readers see of ``article``: its reader fields and series as on the instance, its tags as
    the list readers see (the separator typed does not matter), its credits, photos and units as stored.

    Kept in a Revision, so the history shows the byline and photos too, and compared before and after an
    edit. JSON-ready: ids to compare, names and captions to read.
    """
    credits = Credit.objects.filter(article_id=article.pk).select_related("contributor").order_by("order", "pk")
    # The body's pictures are in ``inline_photos``; their rows follow the body (articles.rendering).
    figures = ArticlePhoto.objects.filter(article_id=article.pk, in_body=False).select_related("photo__credit")
    figures = figures.order_by("order", "pk")
    units = Unit.objects.filter(articles=article.pk).order_by("pk")
    inline = Photo.objects.filter(uuid__in=body_photo_uuids(article.body or "")).select_related("credit").order_by("pk")
    return {
        **{field: getattr(article, field) for field in READER_FIELDS},
        "body": _reader_body(article.body or ""),
        "series": article.series.title if article.series_id else "",
        "tags": article.tag_list,
        "credits": [{"id": c.contributor_id, "role": c.role, "name": c.contributor.name} for c in credits],
        "figures": [_photo_words(f.photo) for f in figures],
        "inline_photos": [_photo_words(photo) for photo in inline],
        "units": [{"id": unit.pk, "name": unit.name} for unit in units],
    }


# Line breaks and spaces between block elements (</p>\n<p>) are not something readers see: a body stored by
# the print import has them, and CKEditor drops them as soon as it touches the text.
BETWEEN_BLOCKS = re.compile(r"(</(?:p|h[1-6]|li|ul|ol|blockquote|figure|figcaption|table|thead|tbody|tr|div)>)\s+(?=<)")


def _reader_body(html: str) -> str:
    return BETWEEN_BLOCKS.sub(r"\1", html.strip())


def article_snapshot(article: Article) -> dict:
    """What readers see of ``article`` as stored (see ``_snapshot``): the newer side of a reviewer's diff."""
    return _snapshot(article)


def _photo_words(photo: Photo) -> dict:
    """What readers see of a photo besides its pixels: caption, alt text and the printed credit."""
    return {"id": photo.pk, "caption": photo.caption, "alt": photo.alt_text, "credit": photo.credit_line}


def article_prepare_body(article: Article) -> None:
    """Sanitize the body, recount its characters and refresh its search tokens; run before every save."""
    article.body = clean_article_html(article.body or "")
    article.char_count = char_count(article.body)
    article_index(article)


def article_reindex(*, article: Article) -> None:
    """Refresh the search tokens after credits or tags changed outside a body save (admin inlines)."""
    article_index(article)
    Article.objects.filter(pk=article.pk).update(search_text=article.search_text)


def _changed_keys(before: dict, after: dict) -> list[str]:
    """The parts of a ``_snapshot`` that differ, in the snapshot's order."""
    return [key for key in after if before.get(key) != after[key]]


@transaction.atomic
def article_create(*, article: Article, by, write_related: Callable[[], None] | None = None) -> Article:
    """Save a new article as a draft of ``by``; the body is sanitized before it is stored.

    ``write_related`` writes its credits, photos and units once the row exists (the back office's inlines), so
    that the first kept version (a ``DraftRevision``) holds the whole draft.
    """
    if not access.user_is_newsroom(by):
        _refuse(_("只有编辑部成员可以撰写稿件。"), "not_newsroom")
    article.created_by = by
    article.status = S.DRAFT
    article_prepare_body(article)
    article.full_clean()
    article.save()
    if write_related is not None:
        write_related()
    ArticleEvent.objects.create(article=article, action=ArticleEvent.Action.CREATED, by=by)
    article_first_version_keep(article=article, by=by)
    return article


def article_first_version_keep(*, article: Article, by) -> DraftRevision:
    """Keep a new article as first written (or imported), with its related rows, as its first ``DraftRevision``:
    what every later save before publication is compared with. Runs in the caller's transaction."""
    snapshot = _snapshot(article)
    written = [key for key, value in snapshot.items() if value not in ("", None, [])]
    return DraftRevision.objects.create(article=article, version=article.version, snapshot=snapshot, by=by,
                                        fields=written)  # fmt: skip


@transaction.atomic
def article_save(
    *, article: Article, by, changed_fields: set[str], expected_version: int | None, note: str = "",
    write_related: Callable[[], None] | None = None,
) -> Article:
    """Save edits to an existing article made on the in-memory instance, and its related rows; see ``_save``."""
    _save(article=article, by=by, expected_version=expected_version, note=note, write_related=write_related)
    return article


def _save(
    *, article: Article, by, expected_version: int | None, note: str = "", write_related: Callable[[], None] | None = None
) -> list[str]:
    """Save edits to an existing article made on the in-memory instance, and its related rows; return which
    parts of what readers see (``_snapshot`` keys) changed. Runs in the caller's transaction.

    ``write_related`` writes what belongs to the article but is not its row (the back office's credits and
    photos inlines, its units); it runs inside this transaction and under the article's lock, before the
    row is saved, so the edit is judged as a whole and the row is written once. Refused when someone else
    saved since ``expected_version`` was read (no lost updates). An edit of anything readers see
    (``_snapshot``) after publication keeps what they saw as one revision, shows an "updated" time and
    retires cached pages; after 终审 but before publication it sends the article back to 终审 (and tells the
    终审 reviewers), so nothing unreviewed is published. Before publication every such edit is kept as a
    ``DraftRevision`` with the parts it changed, so reviewers can see what changed between their levels.
    """
    current = _locked(article)
    if not access.user_may_edit(by, current):
        _refuse(_("您不能修改这篇稿件。"), "edit_forbidden")
    if expected_version is not None and expected_version != current.version:
        raise ArticleEditConflict(
            _("这篇稿件在您打开后已被他人修改并保存。请复制您的修改，刷新页面后再编辑。"), code="edit_conflict"
        )
    before = _snapshot(current)
    article_prepare_body(article)
    article.status = current.status
    article.updated_at = current.updated_at
    article.version = current.version + 1
    article.full_clean()
    if write_related is not None:
        write_related()
    after = _snapshot(article)
    changed = _changed_keys(before, after)
    reopened = None
    if changed:
        if current.status in LIVE_STATUSES and current.published_at:
            Revision.objects.create(article=current, version=current.version, snapshot=before, note=note, by=by)
            article.updated_at = timezone.now()
            ArticleEvent.objects.create(article=current, action=ArticleEvent.Action.REVISED, note=note, by=by)
            _announce_change(current.pk)
        elif current.status in (S.APPROVED, S.SCHEDULED):
            article.status = S.FINAL_REVIEW
            reopened = ArticleEvent.objects.create(article=current, action=ArticleEvent.Action.REOPENED, note=note,
                                                   by=by)  # fmt: skip
            if current.is_live:  # scheduled, its minute come before the sweep ran: readers see it go
                _announce_change(current.pk)
        if current.published_at is None:
            DraftRevision.objects.create(article=current, version=article.version, fields=changed, snapshot=after,
                                         by=by)  # fmt: skip
    # Only what editing may change: the workflow columns (published_at, publish_at, review_round …) are
    # owned by the workflow services and may have moved since the editor loaded the page.
    article.save(update_fields=[*EDITABLE_FIELDS, *DERIVED_FIELDS, "version", "status", "updated_at", "edited_at"])
    if reopened is not None:
        _notify_reviewers(article, cause=f"reopened:{reopened.pk}", actor=by)
    return changed


@transaction.atomic
def article_submit(*, article: Article, by) -> Article:
    """Send a draft or a returned article to 初审, starting a new review round."""
    article = _locked(article)
    target = ARTICLE_WORKFLOW.check("submit", user=by, obj=article)
    if not article.headline.strip():
        _refuse(_("稿件没有主题，不能送审。"), "headline_missing")
    article_pictures_require_words(article, action=_("送审"))
    article.status = target
    article.review_round += 1
    article.save(update_fields=["status", "review_round", "edited_at"])
    event = ArticleEvent.objects.create(article=article, action=ArticleEvent.Action.SUBMITTED, by=by)
    _notify_reviewers(article, cause=f"submitted:{event.pk}", actor=by)
    return article


@transaction.atomic
def article_review(
    *, article: Article, by, outcome: str, opinion: str = "", edited_fields: list[str] | tuple[str, ...] = ()
) -> ReviewDecision:
    """Record one 三审 decision and move the article on (pass) or back to its author (return).

    Each level needs its own role (初审 editor, 复审 deputy chief, 终审 chief editor) and a different person
    from the author and from whoever passed the other levels of this round. A return needs an opinion.
    The decision keeps the article as decided (the next level's "what changed since") and ``edited_fields``,
    the parts the reviewer changed with it (``article_save_and_review``). A pass tells the next level's
    reviewers, a return the author.
    """
    article = _locked(article)
    if outcome not in ReviewDecision.Outcome.values:
        _refuse(_("未知的审稿结论。"), "outcome_invalid")
    opinion = opinion.strip()
    target = ARTICLE_WORKFLOW.check(outcome, user=by, obj=article, note=opinion)
    level = LEVEL_OF_STATE[article.status]
    decision = ReviewDecision.objects.create(
        article=article, round=article.review_round, level=level, outcome=outcome, opinion=opinion, reviewer=by,
        snapshot=_snapshot(article), edited_fields=list(edited_fields),
    )  # fmt: skip
    article.status = target
    article.save(update_fields=["status", "edited_at"])
    if article.status == S.RETURNED:
        _notify_author(article, kind="article_returned", key=f"article:{article.pk}:returned:{decision.pk}",
                       context={"headline": article.headline, "level": str(level.label), "opinion": opinion,
                                "reviewer": person_name(by)})  # fmt: skip
    elif article.status in LEVEL_OF_STATE:
        _notify_reviewers(article, cause=f"passed:{decision.pk}", previous=decision, actor=by)
    return decision


@transaction.atomic
def article_save_and_review(
    *, article: Article, by, outcome: str, opinion: str = "", expected_version: int | None,
    write_related: Callable[[], None] | None = None,
) -> ReviewDecision:
    """A reviewer's edits and decision as one act: the edits are saved and named in the decision, or, when
    the decision is refused, neither is written (the caller shows the refusal with the edits still in the form).

    The decision is checked before anything is written, so a refusal names the rule broken, not an edit.
    """
    ARTICLE_WORKFLOW.check(outcome, user=by, obj=_locked(article), note=opinion.strip())
    edited = _save(article=article, by=by, expected_version=expected_version, write_related=write_related)
    return article_review(article=article, by=by, outcome=outcome, opinion=opinion, edited_fields=edited)


@transaction.atomic
def article_schedule(*, article: Article, by, publish_at: datetime, unpublish_at: datetime | None = None) -> Article:
    """Give an approved article its publication time (先审后发: nothing before 终审 passes).

    A future time makes the article public at that minute, whether or not the sweep has run yet. A time
    that is not in the future publishes at once, and readers are shown the real moment of publication, never
    the time typed: a typo cannot backdate a story (the back office's 定时发布 refuses such a time before it
    gets here; 立即发布 is ``article_publish_now``).
    """
    article = _locked(article)
    ARTICLE_WORKFLOW.check("schedule", user=by, obj=article)
    was_live = article.is_live
    # An image without alt text or credit never reaches readers, even one put into the body during review.
    article_pictures_require_words(article, action=_("发布"))
    if timezone.is_naive(publish_at):
        publish_at = timezone.make_aware(publish_at)
    if unpublish_at is not None and timezone.is_naive(unpublish_at):
        unpublish_at = timezone.make_aware(unpublish_at)
    now = timezone.now()
    at_once = publish_at <= now
    if at_once:
        publish_at = now
    if unpublish_at is not None and unpublish_at <= publish_at:
        _refuse(_("下线时间必须晚于发布时间。"), "unpublish_before_publish")
    article.status = S.SCHEDULED
    article.publish_at = publish_at
    article.unpublish_at = unpublish_at
    article.save(update_fields=["status", "publish_at", "unpublish_at", "edited_at"])
    when = timezone.localtime(publish_at).strftime("%Y-%m-%d %H:%M")
    ArticleEvent.objects.create(
        article=article, action=ArticleEvent.Action.SCHEDULED, by=by,
        note=_("立即发布（%(when)s）") % {"when": when} if at_once else _("定时发布：%(when)s") % {"when": when},
    )  # fmt: skip
    if at_once:
        _mark_published(article)
    elif was_live:  # its minute had come (the sweep had not run yet); a later one takes it off the site until then
        _announce_change(article.pk)
    return article


def article_publish_now(*, article: Article, by, unpublish_at: datetime | None = None) -> Article:
    """立即发布: publish an approved (or scheduled) article at this moment, which is the time readers see."""
    return article_schedule(article=article, by=by, publish_at=timezone.now(), unpublish_at=unpublish_at)


def _mark_published(article: Article) -> bool:
    """SCHEDULED → PUBLISHED for a locked or freshly re-read article; fires the publication notices once."""
    updated = Article.objects.filter(pk=article.pk, status=S.SCHEDULED, publish_at__lte=timezone.now()).update(
        status=S.PUBLISHED
    )
    if not updated:
        return False
    article.status = S.PUBLISHED
    if article.published_at is None:
        article.published_at = article.publish_at
        Article.objects.filter(pk=article.pk).update(published_at=article.published_at)
    ArticleEvent.objects.create(article=article, action=ArticleEvent.Action.PUBLISHED)
    _notify_author(article, kind="article_published", key=f"article:{article.pk}:published",
                   context={"headline": article.headline, "url": article.get_absolute_url()})  # fmt: skip
    article_subscribers_notify(article)
    _announce_change(article.pk)
    return True


def articles_publish_due() -> int:
    """Mark every scheduled article whose time has come as published. Safe to run twice or late."""
    count = 0
    due = Article.objects.filter(status=S.SCHEDULED, publish_at__lte=timezone.now()).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(pk=pk, status=S.SCHEDULED).first()
            if article is not None and _mark_published(article):
                count += 1
    return count


def articles_unpublish_due() -> int:
    """Take down articles whose scheduled unpublish time has passed. Safe to run twice or late."""
    count = 0
    due = Article.objects.filter(status__in=LIVE_STATUSES, unpublish_at__lte=timezone.now()).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            if Article.objects.filter(pk=pk, status__in=LIVE_STATUSES, unpublish_at__lte=timezone.now()).update(
                status=S.EXPIRED
            ):
                ArticleEvent.objects.create(article_id=pk, action=ArticleEvent.Action.UNPUBLISHED)
                _announce_change(pk)
                count += 1
    return count


@transaction.atomic
def article_withdraw(*, article: Article, by, reason: str) -> Article:
    """Take a scheduled or published article down (撤稿), with a logged reason."""
    article = _locked(article)
    reason = reason.strip()
    article.status = ARTICLE_WORKFLOW.check("withdraw", user=by, obj=article, note=reason)
    article.save(update_fields=["status", "edited_at"])
    ArticleEvent.objects.create(article=article, action=ArticleEvent.Action.WITHDRAWN, note=reason, by=by)
    _announce_change(article.pk)
    return article


@transaction.atomic
def article_correct(*, article: Article, by, kind: str, text: str) -> Correction:
    """Publish a dated 更正/说明/撤回声明 on an article that readers have seen."""
    article = _locked(article)
    text = text.strip()
    ARTICLE_WORKFLOW.check("correct", user=by, obj=article, note=text)
    if kind not in Correction.Kind.values:
        _refuse(_("未知的更正类型。"), "kind_invalid")
    correction = Correction.objects.create(article=article, kind=kind, text=text, by=by)
    ArticleEvent.objects.create(article=article, action=ArticleEvent.Action.CORRECTED, note=text[:200], by=by)
    _announce_change(article.pk)
    return correction


def articles_photo_changed(*, photo, by, previous: dict) -> int:
    """A photo's caption, alt text or credit changed: the articles showing it treat it as an edit of their own.

    Exactly as ``article_save`` would for an edit of the article: a published one keeps what readers saw as a
    revision, shows an "updated" time and retires cached pages; an approved or scheduled one goes back to
    终审, so no caption or credit reaches readers unreviewed. ``previous`` holds the changed fields' old
    values. Runs in ``photo_update``'s transaction; returns how many articles it touched.
    """
    before_photo = Photo(**{f.attname: getattr(photo, f.attname) for f in Photo._meta.concrete_fields})
    for field, value in previous.items():
        setattr(before_photo, field, value)
    before_words, after_words = _photo_words(before_photo), _photo_words(photo)
    if before_words == after_words:
        return 0
    using = articles_showing_photo(photo)
    note = _("图片说明或署名修改：%(caption)s") % {"caption": photo.caption[:80]}

    def before(after: dict) -> dict:
        return {key: [before_words if isinstance(item, dict) and item.get("id") == photo.pk else item
                      for item in value] if key in ("figures", "inline_photos") else value
                for key, value in after.items()}  # fmt: skip

    return _articles_changed_from_outside(using, by=by, note=note, before=lambda article: before(_snapshot(article)))


@transaction.atomic
def article_names_save(*, obj, by) -> int:
    """Save a contributor or a series whose name articles print (the byline, the series heading).

    A renamed contributor or series is an edit of every article that prints it, judged like ``article_save``:
    approved and scheduled ones go back to 终审, published ones keep the old words as a revision. Returns how
    many articles it touched.
    """
    model = type(obj)
    using = Article.objects.none()
    if obj.pk is not None:
        using = Article.objects.filter(**({"series": obj} if model is Series else {"credits__contributor": obj}))
    befores = {article.pk: _snapshot(article) for article in using.filter(status__in=[S.APPROVED, *LIVE_STATUSES])}
    obj.full_clean()
    obj.save()
    if not befores:
        return 0
    note = _("%(what)s更名为：%(name)s") % {"what": model._meta.verbose_name, "name": str(obj)}
    return _articles_changed_from_outside(using, by=by, note=note, before=lambda article: befores[article.pk])


def _articles_changed_from_outside(using, *, by, note: str, before: Callable[[Article], dict]) -> int:
    """Something articles show changed outside the article (a photo's words, a byline name, a series title).

    For each affected article, locked: if what readers see differs from ``before(article)``, a published one
    keeps that as a revision, shows an "updated" time and retires cached pages, and an approved or scheduled
    one goes back to 终审 and its reviewers are told — exactly as ``article_save`` judges an edit of the article
    itself.
    """
    ids = list(using.filter(status__in=[S.APPROVED, *LIVE_STATUSES]).values_list("pk", flat=True).distinct())
    touched = 0
    revised = []
    for article_id in ids:
        article = Article.objects.select_for_update().get(pk=article_id)
        was = before(article)
        if was == _snapshot(article):
            continue
        if article.status in LIVE_STATUSES and article.published_at:
            Revision.objects.create(article=article, version=article.version, snapshot=was, note=note, by=by)
            Article.objects.filter(pk=article.pk).update(updated_at=timezone.now(), version=F("version") + 1)
            revised.append(article.pk)
            ArticleEvent.objects.create(article=article, action=ArticleEvent.Action.REVISED, note=note, by=by)
            _announce_change(article.pk)
        elif article.status in (S.APPROVED, S.SCHEDULED):
            if article.is_live:  # scheduled, its minute come before the sweep ran: readers see it go
                _announce_change(article.pk)
            Article.objects.filter(pk=article.pk).update(status=S.FINAL_REVIEW, version=F("version") + 1)
            reopened = ArticleEvent.objects.create(article=article, action=ArticleEvent.Action.REOPENED, note=note,
                                                   by=by)  # fmt: skip
            # Back at 终审 as after an edit of the article itself: its reviewers are told it is their turn again.
            article.status = S.FINAL_REVIEW
            _notify_reviewers(article, cause=f"reopened:{reopened.pk}", actor=by)
        else:
            continue
        touched += 1
    # The page prints the "updated" time, which the update above set after the change itself was rendered.
    if revised:
        articles_rendering_invalidate(revised)
    return touched


def _announce_change(article_id: int) -> None:
    transaction.on_commit(lambda: article_changed.send(sender=Article, article_id=article_id))


def _notify_author(article: Article, *, kind: str, key: str, context: dict) -> None:
    """Tell the author through the channels of the notice kind ``kind`` (articles/notice_kinds.py).

    An imported story has no writer account (``articles.importing``): its author is whoever is credited on it
    with an account of their own (they may take a returned piece back), else the editor who imported it.
    """
    authors = [article.created_by] if article.created_by_id else _import_authors(article)
    # ``link``: where the inbox message leads — the article in the back office, where the author acts on it.
    link = reverse("admin:articles_article_change", args=[article.pk])
    for author in authors:
        notice_enqueue(kind=kind, recipient=author, key=f"{key}:{author.pk}",
                       context={"site_url": settings.SITE_URL, "link": link, **context})  # fmt: skip


def _import_authors(article: Article) -> list:
    users = get_user_model().objects.filter(is_active=True)
    credited = list(users.filter(contributor__credits__article=article).distinct().order_by("pk"))
    if credited:
        return credited
    imported = ArticleEvent.objects.filter(article=article, action=ArticleEvent.Action.IMPORTED, by__isnull=False)
    return list(users.filter(pk__in=imported.values("by")))


def _notify_reviewers(article: Article, *, cause: str, previous: ReviewDecision | None = None, actor=None) -> None:
    """Tell everyone who may take the article's review level now that it is their turn: in the back-office
    inbox, and by e-mail where they have an address (sent after commit, through the outbox).

    Who: active accounts holding the level's role, less those the workflow would refuse (the author, someone
    credited on it, whoever passed another level of this round) and less ``actor``, who caused the event and
    knows (an editor sending an imported page to 初审, a chief editing an approved piece). ``cause`` names the
    event (a submission, a pass, a reopening) in the de-duplication key, so one event is one notice per person
    however often it is retried.
    """
    role = access.LEVEL_ROLE.get(article.status)
    if role is None:
        return
    level = LEVEL_OF_STATE[article.status]
    candidates = (
        get_user_model().objects.filter(
            is_active=True, memberships__role=role, memberships__is_active=True, memberships__unit__is_active=True
        )
        .distinct()
        .order_by("pk")
    )
    context = {
        "site_url": settings.SITE_URL,
        "link": reverse("admin:articles_article_change", args=[article.pk]),
        "headline": article.headline,
        "level": str(level.label),
        "author": person_name(article.created_by),
        "previous": (
            _("%(level)s已由%(name)s通过") % {"level": previous.get_level_display(), "name": person_name(previous.reviewer)}
            if previous is not None else ""
        ),
    }  # fmt: skip
    for reviewer in candidates:
        if actor is not None and reviewer.pk == actor.pk:
            continue
        if ARTICLE_WORKFLOW.allowed("pass", user=reviewer, obj=article):
            notice_enqueue(kind="article_review_due", recipient=reviewer,
                           key=f"article:{article.pk}:turn:{level}:{cause}:{reviewer.pk}", context=context)  # fmt: skip


def article_live_q(now: datetime | None = None, *, prefix: str = "") -> Q:
    """The condition for "the public may see it now", shared by selectors and the sitemap; ``prefix`` is the
    path to the article from another model (``"article__"``)."""
    now = now or timezone.now()
    return (
        Q(**{f"{prefix}status__in": LIVE_STATUSES, f"{prefix}publish_at__lte": now})
        & (Q(**{f"{prefix}unpublish_at__isnull": True}) | Q(**{f"{prefix}unpublish_at__gt": now}))
    )
