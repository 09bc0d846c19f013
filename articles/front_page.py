"""The front page: the editors' 头条 and 要闻 slots (``FrontSlot``), and how the page is put together.

Editors (初审 and above) choose the 头条 and up to four 要闻 in the back office (articles.front_admin); the
automatic choice fills whatever no slot holds — an empty slot, an expired one, one whose article is no longer
live, one not pinned after a newer day's story came out. Every story is shown once on the page: the 头条, then
the 要闻, the latest news, the news by section and by street each take only what the blocks above left.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import selectors
from articles.cache import NEWS
from articles.cards import cards_render_missing
from articles.models import Article, FrontSlot, Section
from pingcheng.directory.models import Unit
from pingcheng.errors import DomainError
from pingcheng.page_cache import page_product_changed

FRONT_POOL = 60  # the newest live articles the automatic choice picks from
TOP_STORIES = 4  # 要闻
LATEST = 6
PER_SECTION = 4
PER_STREET = 3


# --- Writes: the editors' slots -------------------------------------------------------------------------


def front_slot_check(*, article: Article | None, expires_at) -> None:
    """Refuse a slot that could never show: an article that is not live, or an expiry that has passed."""
    if article is not None and not article.is_live:
        raise DomainError(_("只能把已经发布的稿件放上首页。这篇稿件目前没有公开。"), code="front_slot_not_live")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("到期时间已经过去，请填写以后的时间，或留空表示不限。"), code="front_slot_expired")


@transaction.atomic
def front_slot_save(*, slot: FrontSlot, by) -> FrontSlot:
    """Put an article in a front-page slot, recording who set it and when (an unpinned choice holds for the
    day it was set). After the commit the cached front page is refreshed, so readers see it at once."""
    front_slot_check(article=slot.article, expires_at=slot.expires_at)
    slot.set_by = by
    slot.set_at = timezone.now()
    slot.full_clean()
    slot.save()
    transaction.on_commit(lambda: page_product_changed(NEWS))
    return slot


@transaction.atomic
def front_slot_delete(*, slot: FrontSlot, by) -> None:
    """Free a slot: the automatic choice takes the place again, at once for readers."""
    slot.delete()
    transaction.on_commit(lambda: page_product_changed(NEWS))


def front_slot_state(slot: FrontSlot, *, now=None, newest_day: date | None = None) -> str:
    """What the slot does now, in words for the back office."""
    now = now or timezone.now()
    if not slot.article.is_live:
        return _("稿件未公开，已让位于自动选择")
    if slot.expires_at is not None and slot.expires_at <= now:
        return _("已到期，已让位于自动选择")
    if not slot.shows_at(now, newest_day):
        return _("已有次日新稿，已让位于自动选择（未置顶）")
    return _("首页显示中")


# --- Reads: the page ------------------------------------------------------------------------------------


@dataclass
class FrontPage:
    lead: Article | None = None
    lead_photo: object = None
    top: list[Article] = field(default_factory=list)
    latest: list[Article] = field(default_factory=list)
    sections: list[tuple[Section, list[Article]]] = field(default_factory=list)
    by_street: list[tuple[Unit, list[Article]]] = field(default_factory=list)


def front_page_build() -> FrontPage:
    """The front page's stories, each once. A handful of queries whatever the number of articles: the pool
    (with each story's first photo and, on PostgreSQL, its units) and the 头条 in full with its photo in one
    query; the editors' slots are kept per news generation, their stories read with the pool (one more query
    only for a slotted story older than the pool)."""
    now = timezone.now()
    pool = selectors.article_front_pool(limit=FRONT_POOL)
    newest_day = timezone.localdate(pool[0].publish_at) if pool else None
    chosen = _slotted(pool, now=now, newest_day=newest_day)
    cards_render_missing([*pool, *chosen.values()])
    page = FrontPage()
    used = {article.id for article in chosen.values()}

    # ``id``, not ``pk``: the property costs a lookup of the model's key field, a thousand times a view.
    def free(articles):
        return [article for article in articles if article.id not in used]

    lead = chosen.get(FrontSlot.Position.LEAD) or _automatic_lead(free(pool))
    # The pool holds what the cards print; the 头条 prints its kicker, subtitle, byline and lead too.
    if lead is not None:
        page.lead, page.lead_photo = selectors.article_front_lead(lead.id, figure_id=lead.first_photo_id)
    if page.lead is not None:
        used.add(page.lead.id)
    automatic_top = iter(_automatic_top(free(pool)))
    for position in range(FrontSlot.Position.TOP_1, FrontSlot.Position.TOP_1 + TOP_STORIES):
        article = chosen.get(position) or next(automatic_top, None)
        if article is not None:
            page.top.append(article)
            used.add(article.id)
    page.latest = free(pool)[:LATEST]
    used.update(article.id for article in page.latest)

    # Keyed by id: a dict of model instances compares them field by field, sixty times sixty.
    sections: dict[int, list[Article]] = {}
    for article in free(pool):
        if article.section_id and len(sections.setdefault(article.section_id, [])) < PER_SECTION:
            sections[article.section_id].append(article)
            used.add(article.id)
    by_id = selectors.sections_by_id()
    page.sections = sorted(
        ((by_id[section_id], a) for section_id, a in sections.items() if a and section_id in by_id),
        key=lambda item: (item[0].sort_order, item[0].name),
    )

    unit_paths = selectors.front_pool_unit_paths(pool)
    for street in selectors.front_page_units():
        about = [a for a in free(pool) if any(path.startswith(street.path) for path in unit_paths.get(a.id, ()))]
        if about[:PER_STREET]:
            page.by_street.append((street, about[:PER_STREET]))
            used.update(article.id for article in about[:PER_STREET])
    return page


def _slotted(pool: list[Article], *, now, newest_day) -> dict[int, Article]:
    """The stories the editors' slots show now, by position: each slot's story as the pool read it (the
    slotted stories older than the pool are read the same way, in one more query), while it is live."""
    slots = selectors.front_slots()
    stories = {article.id: article for article in pool}
    older = [slot.article_id for slot in slots if slot.article_id not in stories]
    stories.update(selectors.front_slotted_articles(older))
    chosen = {}
    for slot in slots:
        story = stories.get(slot.article_id)
        if story is None:  # not live now
            continue
        slot.article = story
        if slot.shows_at(now, newest_day):
            chosen[slot.position] = story
    return chosen


def _automatic_lead(pool: list[Article]) -> Article | None:
    """The newest day's story with a photo (the pool's ``first_photo_id``) that stood highest on its printed
    page; else the newest story."""
    if not pool:
        return None
    candidates = [a for a in _newest_day(pool) if a.first_photo_id is not None]
    return min(candidates, key=_print_order) if candidates else pool[0]


def _automatic_top(pool: list[Article]) -> list[Article]:
    """The 要闻 no editor chose: the rest of the newest day's stories as the paper printed them, then the newest."""
    if not pool:
        return []
    same_day = sorted(_newest_day(pool), key=_print_order)
    taken = {a.id for a in same_day}
    return [*same_day, *(a for a in pool if a.id not in taken)][:TOP_STORIES]


def _newest_day(pool: list[Article]) -> list[Article]:
    """The stories of the newest one's calendar day (Beijing time). The pool is newest first and published by
    now: one comparison with that day's midnight per story, not a time-zone conversion each."""
    start = selectors.local_day_start(timezone.localdate(pool[0].publish_at))
    return [a for a in pool if a.publish_at >= start]


def _print_order(article: Article) -> tuple:
    return (article.page_order is None, article.page_order or 0, -article.id)
