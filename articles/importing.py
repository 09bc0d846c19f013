"""Turn draft articles parsed from a printed page (``articles.print_import``) into database rows.

The parser is pure and knows nothing about the database; this module decides who a printed name is, which
directory units a story is about and what the new draft looks like. Everything it creates is a DRAFT that
goes through the normal review: an import never publishes.
"""

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from articles import access
from articles.errors import ArticleActionRefused
from articles.models import Article, ArticleEvent, ArticlePhoto, Credit, Page, Section, Series
from articles.placement import page_get_or_create
from articles.print_import import Byline, DraftArticle, PhotoCaption, format_photo_credit, parse_page
from articles.services import article_prepare_body
from pingcheng.chinese import HANZI, HANZI_RE
from pingcheng.directory.models import Contributor, Unit
from pingcheng.photos.models import Photo
from pingcheng.richtext import char_count, clean_article_html, paragraphs_to_html

__all__ = [
    "IMPORT_NOTE", "contributor_for_name", "draft_article_create", "page_import", "page_import_placed", "units_mentioned",
]  # fmt: skip

IMPORT_NOTE = "由版面文字导入"
# A story whose headline did not survive the paste (column cut, OCR loss) still becomes a draft, so no
# printed text is lost; the editor sees at once that the headline has to be written.
UNTITLED_HEADLINE = "（标题待补）"
LEAD_MAX_LEN = 120
# A lead cut at a sentence end shorter than this says too little; cut at the length limit instead.
LEAD_MIN_SENTENCE_LEN = 30
# A shortened unit name shorter than this (总工会, 税务局) names a body of any district, not ours.
SHORT_ALIAS_MIN_LEN = 4

_SENTENCE_END_RE = re.compile(r"[。！？][”’」』）)]*")

PhotoFactory = Callable[[PhotoCaption, Article], Photo | None]

K = Contributor.Kind
R = Credit.Role
_KIND_FOR_ROLE = {
    R.REPORTER: K.STAFF,
    R.INTERN: K.STAFF,
    R.SPECIAL: K.STAFF,
    R.TRAINEE: K.STAFF,
    R.CORRESPONDENT: K.CORRESPONDENT,
    R.PHOTOGRAPHER: K.PHOTOGRAPHER,
    R.EDITOR: K.EDITOR,
}
# --- Contributors -------------------------------------------------------------------------------------


def _credit_role(printed_role: str) -> str:
    if printed_role not in R.values:
        raise ValueError(f"unknown byline role {printed_role!r}")
    return printed_role


def contributor_for_name(*, name: str, role: str, unit: Unit | None = None) -> Contributor:
    """The contributor a printed name stands for, created when nobody of that name exists yet.

    Prefers a contributor of ``name`` in ``unit``, then the oldest of that name anywhere: the paper prints
    names only, and one person may report one story and shoot another, so an existing person is never
    duplicated because of the role. A new contributor's kind follows ``role`` (记者 → staff, 通讯员 →
    correspondent of ``unit``, 摄影 → photographer); only correspondents are attached to ``unit``, staff
    belong to the paper.
    """
    name = name.strip()
    if not name:
        raise ValueError("a contributor needs a name")
    same_name = Contributor.objects.filter(name=name).order_by("pk")
    if unit is not None:
        in_unit = same_name.filter(unit=unit).first()
        if in_unit is not None:
            return in_unit
    existing = same_name.first()
    if existing is not None:
        return existing
    kind = _KIND_FOR_ROLE[_credit_role(role)]
    contributor = Contributor(name=name, kind=kind, unit=unit if kind == K.CORRESPONDENT else None)
    contributor.full_clean()
    contributor.save()
    return contributor


# --- Units --------------------------------------------------------------------------------------------


def _aliases(unit: Unit, district_names: list[str]) -> list[tuple[str, bool]]:
    """The forms a story may print ``unit`` in, each with whether it is a shortened (guarded) form."""
    forms = [(unit.name, False)]
    for district in district_names:
        if not unit.name.startswith(district):
            continue
        rest = unit.name.removeprefix(district)
        forms.append((rest, True))  # 城市管理局, 人民检察院
        forms.append(("区" + rest, True))  # 区总工会
    if unit.short_name.startswith("区"):
        forms.append((unit.short_name, True))  # 区城管局, 区创城办
        forms += [(district + unit.short_name[1:], False) for district in district_names]  # 平城区创城办
    return [(text, guarded) for text, guarded in forms if len(text) >= (SHORT_ALIAS_MIN_LEN if guarded else 2)]


def units_mentioned(text: str, *, units: Iterable[Unit] | None = None) -> list[Unit]:
    """The directory units ``text`` names, in order of first mention, each once; never a district.

    A unit is recognised by its full name (新旺街道, 平城区总工会) and, for units named after the district
    (平城区…), by the forms a story shortens them to: the name without the district (城市管理局), 区 + that
    (区总工会) and a short name starting with 区 (区创城办, also printed 平城区创城办). Shortened forms of
    fewer than four characters are never used, and a shortened form right after a Chinese character does not
    count: there it is usually the tail of another body's name (大同市人民检察院, 云冈区总工会). Units decide
    whose back office sees an article, so a missed unit (an editor adds it) is better than a wrong one.

    The longest name wins where names overlap: 平城区城市管理局环境治理监督大队 is the brigade, not also
    the bureau. A form two units share is ambiguous and ignored. ``units`` limits the candidates (default:
    all active units).
    """
    if not text:
        return []
    candidates = list(units) if units is not None else list(Unit.objects.filter(is_active=True))
    district_names = {unit.name for unit in candidates if unit.kind == Unit.Kind.DISTRICT}
    district_names |= set(Unit.objects.filter(kind=Unit.Kind.DISTRICT).values_list("name", flat=True))
    districts = sorted(district_names, key=len, reverse=True)

    owner: dict[str, Unit | None] = {}  # None: two units share the form
    guarded: dict[str, bool] = {}
    for unit in candidates:
        if unit.kind == Unit.Kind.DISTRICT:
            continue
        for form, is_guarded in _aliases(unit, districts):
            if form in owner and (owner[form] is None or owner[form].pk != unit.pk):
                owner[form] = None
                continue
            owner[form] = unit
            guarded[form] = guarded.get(form, True) and is_guarded
    forms = sorted((form for form, unit in owner.items() if unit is not None), key=len, reverse=True)
    if not forms:
        return []
    pattern = "|".join((f"(?<![{HANZI}]){re.escape(form)}" if guarded[form] else re.escape(form)) for form in forms)
    found: dict[int, Unit] = {}
    for match in re.finditer(pattern, text):
        unit = owner[match.group()]
        found.setdefault(unit.pk, unit)
    return list(found.values())


# --- Articles -----------------------------------------------------------------------------------------


def _is_story(draft: DraftArticle) -> bool:
    # Stray OCR noise (page numbers, URLs, punctuation) has no Chinese in it; anything printed in Chinese
    # is kept, so that no story is silently dropped.
    parts = [draft.kicker, draft.headline, draft.subtitle, draft.series, *draft.paragraphs]
    parts += [caption.caption for caption in draft.captions]
    return draft.byline is not None or any(HANZI_RE.search(part) for part in parts)


def _plain_text(draft: DraftArticle) -> str:
    # Captions count: a photo printed with the story names who it is about as much as its text does.
    lines = [draft.kicker, draft.headline, draft.subtitle, *draft.paragraphs]
    return "\n".join(lines + [caption.caption for caption in draft.captions])


def _lead(paragraphs: list[str]) -> str:
    first = paragraphs[0].strip() if paragraphs else ""
    if len(first) <= LEAD_MAX_LEN:
        return first
    head = first[:LEAD_MAX_LEN]
    ends = [match.end() for match in _SENTENCE_END_RE.finditer(head)]
    if ends and ends[-1] >= LEAD_MIN_SENTENCE_LEN:
        return head[: ends[-1]]
    return head[: LEAD_MAX_LEN - 1] + "…"


def _dateline(byline: Byline | None) -> str:
    if byline is None:
        return Article.Dateline.NONE
    if byline.dateline.endswith("讯"):
        return Article.Dateline.BENBAO_XUN
    # Only 本报记者 has a dateline of its own; 本报通讯员 … is kept as a bare credit line, since the
    # BENBAO_JIZHE dateline renders as 本报记者.
    if byline.dateline == "本报记者":
        return Article.Dateline.BENBAO_JIZHE
    return Article.Dateline.NONE


def _series_slug(title: str) -> str:
    # Slugs must be ASCII and a Chinese title has no ASCII letters to slugify; a digest of the title is
    # stable across machines and imports, unlike a counter. An editor may replace it with pinyin later.
    digest = hashlib.sha256(title.encode()).hexdigest()
    slug = f"series-{digest[:8]}"
    suffix = 2
    while Series.objects.filter(slug=slug).exists():
        slug = f"series-{digest[:8]}-{suffix}"
        suffix += 1
    return slug


def _series_slot(draft: DraftArticle) -> tuple[Series | None, int | None, str]:
    """(series, part, note): the series place of the draft, or none with a note when the part is taken."""
    if not draft.series or not draft.series_part:
        return None, None, ""
    series = Series.objects.filter(title=draft.series).first()
    if series is None:
        series, _created = Series.objects.get_or_create(
            title=draft.series, defaults={"slug": _series_slug(draft.series)}
        )
    # Lock the series so two imports cannot both claim the same part between the check and the insert.
    series = Series.objects.select_for_update().get(pk=series.pk)
    taken = Article.objects.filter(series=series, series_part=draft.series_part).first()
    if taken is not None:
        # Re-importing a page must not fail on its series article: the duplicate is imported outside the
        # series and the editor decides which one to keep.
        note = (
            f"系列“{series.title}”第{draft.series_part}篇已有稿件《{taken.headline}》（#{taken.pk}），"
            "本稿暂未归入系列，请核对。"
        )
        return None, None, note
    return series, draft.series_part, ""


def _credits_create(*, article: Article, byline: Byline | None, unit: Unit | None) -> None:
    if byline is None:
        return
    seen: set[tuple[int, str]] = set()
    for credit in sorted(byline.credits, key=lambda c: c.order):
        role = _credit_role(credit.role)
        contributor = contributor_for_name(name=credit.name, role=role, unit=unit)
        if (contributor.pk, role) in seen:
            continue  # the same name printed twice under one role is one credit
        seen.add((contributor.pk, role))
        Credit.objects.create(article=article, contributor=contributor, role=role, order=credit.order)


def _caption_note(caption: PhotoCaption) -> str:
    credit = f"（{format_photo_credit(caption.credit)}）" if caption.credit else ""
    return f"版面图片说明：{caption.caption or '（无文字说明）'}{credit}— 请上传对应图片"


def _figures_create(*, article: Article, captions: list[PhotoCaption], photo_factory: PhotoFactory | None) -> list[str]:
    """Attach the photos the factory makes, in printed order; return notes for captions left without one."""
    notes = []
    order = 0
    for caption in captions:
        photo = photo_factory(caption, article) if photo_factory is not None else None
        if photo is None:
            notes.append(_caption_note(caption))
            continue
        ArticlePhoto.objects.create(article=article, photo=photo, order=order)
        order += 1
    return notes


@transaction.atomic
def draft_article_create(
    *,
    draft: DraftArticle,
    by=None,
    page: Page | None = None,
    page_order: int | None = None,
    section: Section | None = None,
    photo_factory: PhotoFactory | None = None,
) -> Article:
    """Create one DRAFT article from a parsed draft, with its credits, units and photos, in one transaction.

    Invariants: the headline is never empty (a lone column label becomes the headline, else a visible
    placeholder); the body is sanitized HTML and ``char_count`` matches it; credits keep the printed order
    and reuse existing contributors; a series part already taken leaves the article outside the series
    (noted) instead of failing. Every printed caption ends up either as an attached photo made by
    ``photo_factory(caption, article)`` or, when there is no factory or it returns None, in the note of the
    CREATED event, so nothing printed is lost. Side effects: may create Contributor and Series rows, and
    whatever ``photo_factory`` writes (files it stores are not removed if the transaction rolls back).
    """
    kicker, headline = draft.kicker, draft.headline
    if not headline:
        headline, kicker = (kicker or UNTITLED_HEADLINE), ""
    series, series_part, series_note = _series_slot(draft)
    units = units_mentioned(_plain_text(draft))
    body = clean_article_html(paragraphs_to_html(draft.paragraphs))

    article = Article(
        kicker=kicker,
        headline=headline,
        subtitle=draft.subtitle,
        series=series,
        series_part=series_part,
        section=section,
        lead=_lead(draft.paragraphs),
        body=body,
        char_count=char_count(body),
        dateline=_dateline(draft.byline),
        page=page,
        page_order=page_order,
        status=Article.Status.DRAFT,
        created_by=by,
    )
    # Fills search_text too; the credits created below join the index when the article is next prepared.
    article_prepare_body(article)
    # created_by is null=True but not blank=True; an import run by a command or the demo has no user.
    article.full_clean()
    article.save()
    article.units.set(units)
    # A correspondent usually writes for the unit the story is about; the first one named is the best guess
    # for a correspondent who is new to us (an editor can correct it).
    _credits_create(article=article, byline=draft.byline, unit=units[0] if units else None)
    notes = [IMPORT_NOTE, series_note]
    notes += _figures_create(article=article, captions=draft.captions, photo_factory=photo_factory)
    ArticleEvent.objects.create(
        article=article, action=ArticleEvent.Action.CREATED, note="\n".join(n for n in notes if n), by=by
    )
    return article


def _refuse_unless_importer(by) -> None:
    # ``by`` is None for the demo loader and commands, which act for the newsroom as a whole.
    if by is not None and not access.user_may_import(by):
        raise ArticleActionRefused(_("只有编辑、副总编辑和总编辑可以导入版面文字。"), code="import_forbidden")


def _stories(text: str) -> list[DraftArticle]:
    return [draft for draft in parse_page(text) if _is_story(draft)]


def _drafts_create(drafts: list[DraftArticle], *, by, page: Page | None) -> list[Article]:
    return [
        draft_article_create(draft=draft, by=by, page=page, page_order=order)
        for order, draft in enumerate(drafts, start=1)
    ]


@transaction.atomic
def page_import(*, text: str, by=None, page: Page | None = None) -> list[Article]:
    """Import the pasted text of one printed page as draft articles numbered 1..n in page order.

    Refused unless ``by`` may import (``access.user_may_import``: reviewers only). All or nothing: one
    failing story rolls back the whole page, so a page is never half imported. Text without Chinese in it
    (OCR noise) gives no article; an empty page gives [].
    """
    _refuse_unless_importer(by)
    return _drafts_create(_stories(text), by=by, page=page)


@transaction.atomic
def page_import_placed(
    *, text: str, by, edition_date: date, edition_number: int, page_number: int, page_name: str
) -> list[Article]:
    """Import a printed page onto its edition and page, creating them if they are new (as ``page_import``).

    The edition and page are created only when at least one story was recognised, so a paste that gives
    nothing never leaves an empty edition for the e-paper to show.
    """
    _refuse_unless_importer(by)
    drafts = _stories(text)
    if not drafts:
        return []
    page = page_get_or_create(date=edition_date, number=edition_number, page_number=page_number, page_name=page_name)
    return _drafts_create(drafts, by=by, page=page)
