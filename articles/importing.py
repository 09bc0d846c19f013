"""Turn draft articles parsed from a printed page (``articles.print_import``) into database rows.

The parser is pure and knows nothing about the database; this module decides who a printed name is, which
directory units a story is about, whether a story is already in the newsroom and what the new draft looks
like. Everything it creates is a DRAFT that goes through the normal review: an import never publishes.

The editor who imports a page is not its writer: ``created_by`` stays empty, the printed byline becomes the
article's credits, and the import is recorded as the editor's action (an IMPORTED event naming them, besides
the audit log), so the same editor may still pass the piece at 初审 (articles.workflow: the author and the
credited may not review their own piece).

A page is imported in two steps. :func:`page_import_preview` reads it and says story by story what an import
would do: a new draft; for a story already in the newsroom (the same printed text imported before, or the
same headline on the same printed page) an update of the existing draft or in-review article, or — for one
already approved or published — nothing, since that takes an edit or a correction; and what the editor has
to check (text that starts or ends mid-sentence, fragments joined from elsewhere on the page, no byline).
:func:`page_import` then does what the editor chose for each story, and never makes a silent duplicate.
"""

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from articles import access, services
from articles.bylines import BYLINE_ROLES
from articles.errors import ArticleActionRefused
from articles.models import Article, ArticleEvent, ArticlePhoto, Credit, Page, Section, Series
from articles.placement import page_get_or_create
from articles.print_import import (
    Byline,
    DraftArticle,
    PhotoCaption,
    ends_mid_sentence,
    format_byline,
    format_photo_credit,
    parse_printed_page,
    starts_mid_sentence,
)
from articles.services import article_prepare_body
from pingcheng.chinese import HANZI, HANZI_RE
from pingcheng.directory.models import Contributor, Unit
from pingcheng.photos.models import Photo
from pingcheng.richtext import char_count, clean_article_html, paragraphs_to_html, plain_text

__all__ = [
    "IMPORT_NOTE", "NEW", "SKIP", "UPDATE", "ImportItem", "ImportPreview", "ImportResult", "Placement",
    "article_import_warnings", "contributor_for_name", "draft_article_create", "page_import", "page_import_preview",
    "text_key", "units_mentioned",
]  # fmt: skip

IMPORT_NOTE = "由版面文字导入"
REIMPORT_NOTE = "按重新导入的版面文字更新"
# A story whose headline did not survive the paste (column cut, OCR loss) still becomes a draft, so no
# printed text is lost; the editor sees at once that the headline has to be written.
UNTITLED_HEADLINE = "（标题待补）"
LEAD_MAX_LEN = 120
# A lead cut at a sentence end shorter than this says too little; cut at the length limit instead.
LEAD_MIN_SENTENCE_LEN = 30
# A shortened unit name shorter than this (总工会, 税务局) names a body of any district, not ours.
SHORT_ALIAS_MIN_LEN = 4
# Fewer characters than this (a caption-only story, a stray line) say too little to recognise a text by.
TEXT_KEY_MIN_LEN = 20
EXCERPT_LEN = 16

# What the editor may choose for a story of the page.
NEW, UPDATE, SKIP = "new", "update", "skip"
S = Article.Status
# An import may update a story the newsroom still works on; what passed 终审 is changed by hand (and goes
# back to 终审) or, once published, corrected — never overwritten by a paste.
UPDATABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED, S.FIRST_REVIEW, S.SECOND_REVIEW, S.FINAL_REVIEW})

_SENTENCE_END_RE = re.compile(r"[。！？][”’」』）)]*")
_NOT_WORD_RE = re.compile(r"[\W_]+")

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


# --- Reading the text -------------------------------------------------------------------------------


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


def _normalised(text: str) -> str:
    # OCR and typesetting differ in spaces, punctuation and full/half width; the words are what stays.
    return _NOT_WORD_RE.sub("", unicodedata.normalize("NFKC", text))


def text_key(text: str | Iterable[str]) -> str:
    """A digest of a story's printed text, the same whatever its spaces, punctuation and width; "" when
    there is too little text to recognise it by. ``text`` is the plain text or its paragraphs."""
    words = _normalised(text if isinstance(text, str) else "".join(text))
    if len(words) < TEXT_KEY_MIN_LEN:
        return ""
    return hashlib.sha256(words.encode()).hexdigest()


def _titles(draft: DraftArticle) -> tuple[str, str]:
    """(kicker, headline) as the article gets them: never an empty headline."""
    if draft.headline:
        return draft.kicker, draft.headline
    return "", draft.kicker or UNTITLED_HEADLINE


def _excerpt(text: str, *, tail: bool = False) -> str:
    text = text.strip()
    if len(text) <= EXCERPT_LEN:
        return text
    return "…" + text[-EXCERPT_LEN:] if tail else text[:EXCERPT_LEN] + "…"


def _warnings(draft: DraftArticle) -> list[str]:
    """What the editor has to check before the story can go to review, in the order of the text."""
    warnings = []
    if not draft.headline and not draft.kicker:
        warnings.append(
            _("版面上没有识别出主题，暂用“%(placeholder)s”，请补写主题。") % {"placeholder": UNTITLED_HEADLINE}
        )
    if draft.byline is None or not (draft.byline.credits or draft.byline.outlet):
        warnings.append(_("没有识别出署名，请核对作者后在“署名”中补填。"))
    if not draft.paragraphs and not draft.captions:
        warnings.append(_("没有识别出正文：可能是版面上的标语或栏目名，通常不必导入。"))
    if draft.starts_mid_sentence:
        warnings.append(
            _("开头不完整：正文从句子中间开始（“%(start)s”），开头可能印在其他版面或没有粘贴进来，请补齐后再送审。")
            % {"start": _excerpt(draft.paragraphs[0])}
        )
    warnings += [
        _("跨栏拼接：“%(fragment)s”印在本版其他位置，已按语句接到本稿，请核对接得是否正确。") % {"fragment": fragment}
        for fragment in draft.joins
    ]
    if draft.ends_mid_sentence:
        warnings.append(
            _("结尾不完整：正文停在句子中间（“%(end)s”），可能转至其他版面，请补齐后再送审。")
            % {"end": _excerpt(draft.paragraphs[-1], tail=True)}
        )
    return warnings


def _notes(draft: DraftArticle) -> list[str]:
    """What the import did that the editor should know, beyond the warnings."""
    notes = []
    byline = draft.byline
    if byline is not None and byline.outlet:
        notes.append(
            _("转载稿：电头“%(byline)s”，来源记为“%(outlet)s”，不计入本报署名。")
            % {"byline": format_byline(byline), "outlet": byline.outlet}
        )
    notes += [_("版面署名行：%(line)s") % {"line": line} for line in draft.notes]
    return notes


def article_import_warnings(article: Article) -> list[str]:
    """What is still to check on an imported article that has not been published: a placeholder headline,
    a text that starts or ends mid-sentence. Read from the article as it is now, so each warning goes away
    once the editor has dealt with it; [] for articles that were not imported."""
    if article.pk is None or article.published_at is not None or article.status not in UPDATABLE_STATUSES:
        return []
    if not article.events.filter(action=ArticleEvent.Action.IMPORTED).exists():
        return []
    warnings = []
    if article.headline == UNTITLED_HEADLINE:
        warnings.append(_("主题还是导入时的占位“%(placeholder)s”，请补写主题。") % {"placeholder": UNTITLED_HEADLINE})
    text = plain_text(article.body)
    if text and starts_mid_sentence(text):
        warnings.append(
            _("正文从句子中间开始（“%(start)s”）：开头可能印在其他版面，请补齐。") % {"start": _excerpt(text)}
        )
    if text and ends_mid_sentence(text):
        warnings.append(
            _("正文停在句子中间（“%(end)s”）：可能转至其他版面，请补齐。") % {"end": _excerpt(text, tail=True)}
        )
    return warnings


# --- Writing an article ---------------------------------------------------------------------------------


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
    if byline is None or byline.outlet:
        return Article.Dateline.NONE
    if byline.dateline.endswith(("讯", "电")):
        return Article.Dateline.BENBAO_XUN
    # Only 本报记者 has a dateline of its own; 本报通讯员 … is kept as a bare credit line, since the
    # BENBAO_JIZHE dateline renders as 本报记者.
    if byline.dateline == "本报记者":
        return Article.Dateline.BENBAO_JIZHE
    return Article.Dateline.NONE


def _reprint_fields(byline: Byline | None) -> dict[str, str]:
    """Another outlet's story (大同日报讯（记者 张三）) is a reprint: its source and original author, not our
    byline, so its reporters do not become our contributors."""
    if byline is None or not byline.outlet:
        return {}
    source = Article._meta.get_field("source").max_length
    author = Article._meta.get_field("original_author").max_length
    authors = format_byline(Byline(dateline="", credits=byline.credits))
    return {"source": byline.outlet[:source], "original_author": authors[:author]}


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
        # The part is someone else's: the story is imported outside the series and the editor decides.
        note = (
            f"系列“{series.title}”第{draft.series_part}篇已有稿件《{taken.headline}》（#{taken.pk}），"
            "本稿暂未归入系列，请核对。"
        )
        return None, None, note
    return series, draft.series_part, ""


def _credits_create(*, article: Article, byline: Byline | None, unit: Unit | None) -> None:
    if byline is None or byline.outlet:
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


def _imported_event(*, article: Article, by, first_line: str, draft: DraftArticle, more: Iterable[str] = ()) -> None:
    lines = [first_line, *_warnings(draft), *_notes(draft), *more]
    ArticleEvent.objects.create(
        article=article, action=ArticleEvent.Action.IMPORTED, note="\n".join(line for line in lines if line), by=by
    )


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
    (noted) instead of failing. ``by`` imports, it does not write: ``created_by`` stays empty and an IMPORTED
    event names ``by``, with what the editor has to check (``_warnings``). Every printed caption ends up either
    as an attached photo made by ``photo_factory(caption, article)`` or, when there is no factory or it
    returns None, in the note of that event, so nothing printed is lost. Side effects: may create Contributor
    and Series rows, and whatever ``photo_factory`` writes (files it stores are not removed if the transaction
    rolls back).
    """
    kicker, headline = _titles(draft)
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
        responsible_editor=draft.responsible_editor,
        page=page,
        page_order=page_order,
        status=Article.Status.DRAFT,
        # Not the importing editor: the printed byline says who wrote it, and the workflow keeps writers
        # from reviewing their own pieces.
        created_by=None,
        import_key=text_key(draft.paragraphs),
        **_reprint_fields(draft.byline),
    )
    # Fills search_text too; the credits created below join the index when the article is next prepared.
    article_prepare_body(article)
    article.full_clean()
    article.save()
    article.units.set(units)
    # A correspondent usually writes for the unit the story is about; the first one named is the best guess
    # for a correspondent who is new to us (an editor can correct it).
    _credits_create(article=article, byline=draft.byline, unit=units[0] if units else None)
    captions = _figures_create(article=article, captions=draft.captions, photo_factory=photo_factory)
    _imported_event(article=article, by=by, first_line=IMPORT_NOTE, draft=draft, more=[series_note, *captions])
    # The printed text as imported is the first version: the desk's later edits are compared with it.
    services.article_first_version_keep(article=article, by=by)
    return article


def _article_update(*, article: Article, draft: DraftArticle, by, page: Page | None, page_order: int) -> Article:
    """Replace what the print says of an existing draft or in-review article with the re-imported text.

    Saved through ``services.article_save`` (the edit rules, the row lock and the kept versions apply): the
    titles, lead, body, dateline and byline credits are the printed ones; units named in the text are added
    to those an editor chose; the section, tags, series, photos and other credits are left as they are.
    """
    # Read again under the row lock: the match was made on a few columns, and the save writes every editable one.
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status not in UPDATABLE_STATUSES:
        raise ArticleActionRefused(
            _("《%(headline)s》在预览之后已经终审通过或发布，不能再由导入更新。请重新预览。")
            % {"headline": article.headline},
            code="import_changed",
        )
    kicker, headline = _titles(draft)
    unit_list = units_mentioned(_plain_text(draft))
    article.kicker, article.headline, article.subtitle = kicker, headline, draft.subtitle
    article.lead = _lead(draft.paragraphs)
    article.body = clean_article_html(paragraphs_to_html(draft.paragraphs))
    article.dateline = _dateline(draft.byline)
    article.responsible_editor = draft.responsible_editor or article.responsible_editor
    for name, value in _reprint_fields(draft.byline).items():
        setattr(article, name, value)
    if page is not None:
        article.page, article.page_order = page, page_order

    def write_related() -> None:
        if draft.byline is not None and not draft.byline.outlet:
            Credit.objects.filter(article=article, role__in=BYLINE_ROLES).delete()
            _credits_create(article=article, byline=draft.byline, unit=unit_list[0] if unit_list else None)
        article.units.add(*unit_list)

    services.article_save(article=article, by=by, changed_fields=set(services.EDITABLE_FIELDS), expected_version=None,
                          note=REIMPORT_NOTE, write_related=write_related)  # fmt: skip
    Article.objects.filter(pk=article.pk).update(import_key=text_key(draft.paragraphs))
    services.article_reindex(article=article)
    captions = [_caption_note(caption) for caption in draft.captions]
    _imported_event(article=article, by=by, first_line=REIMPORT_NOTE, draft=draft, more=captions)
    return article


# --- Importing a page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where the page was printed: the edition (date and number) and the page (number and name)."""

    edition_date: date
    edition_number: int
    page_number: int
    page_name: str

    def existing_page(self, *, lock: bool = False) -> Page | None:
        pages = Page.objects.filter(edition__date=self.edition_date, number=self.page_number)
        if lock:
            # Two editors confirming the same page at once take turns, so the second one sees the first's work.
            pages = pages.select_for_update()
        return pages.first()

    def page_get_or_create(self, *, editor: str = "") -> Page:
        return page_get_or_create(date=self.edition_date, number=self.edition_number, page_number=self.page_number,
                                  page_name=self.page_name, editor=editor)  # fmt: skip


@dataclass
class ImportItem:
    """One story of the page as the import sees it: its number in page order, the parsed draft, the
    article already in the newsroom that is the same story (and why), and what the editor has to check."""

    number: int
    draft: DraftArticle
    existing: Article | None = None
    match: str = ""  # "text": the same printed text was imported before; "page": same headline, same page
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def kicker(self) -> str:
        return _titles(self.draft)[0]

    @property
    def headline(self) -> str:
        return _titles(self.draft)[1]

    @property
    def byline(self) -> str:
        return format_byline(self.draft.byline) if self.draft.byline is not None else ""

    @property
    def char_count(self) -> int:
        return sum(len(paragraph) for paragraph in self.draft.paragraphs)

    @property
    def choices(self) -> tuple[str, ...]:
        """What the editor may choose, the suggested choice first; any story may be left out."""
        if self.existing is None:
            # A heading with nothing under it is a slogan or a column label more often than a story.
            return (NEW, SKIP) if self.draft.paragraphs or self.draft.captions else (SKIP, NEW)
        if self.existing.status in UPDATABLE_STATUSES:
            return (UPDATE, SKIP)
        return (SKIP,)

    @property
    def match_reason(self) -> str:
        if self.existing is None:
            return ""
        if self.match == "text":
            return _("此前已导入过相同的正文")
        return _("同一期同一版已有同题稿件")

    @property
    def blocked_reason(self) -> str:
        """Why an existing article cannot be updated by the import, "" when it can."""
        if self.existing is None or self.existing.status in UPDATABLE_STATUSES:
            return ""
        if self.existing.published_at is not None:
            return _("这篇稿件已经发布，导入不会覆盖它。见报稿与网上稿如有出入，请在原稿中“发布更正”。")
        return _("这篇稿件已经终审通过，导入不会覆盖它。如需改动，请在原稿中修改（修改后须重新终审）。")


@dataclass
class ImportPreview:
    items: list[ImportItem]
    page_editor: str = ""


@dataclass
class ImportResult:
    created: list[Article] = field(default_factory=list)
    updated: list[Article] = field(default_factory=list)
    skipped: list[ImportItem] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        """The articles written, in page order."""
        return sorted(self.created + self.updated, key=lambda article: (article.page_order or 0, article.pk))


def _refuse_unless_importer(by) -> None:
    # ``by`` is None for the demo loader and commands, which act for the newsroom as a whole.
    if by is not None and not access.user_may_import(by):
        raise ArticleActionRefused(_("只有编辑、副总编辑和总编辑可以导入版面文字。"), code="import_forbidden")


def _same_headline(first: str, second: str) -> bool:
    first, second = _normalised(first), _normalised(second)
    return bool(first) and first == second


def _find_existing(items: list[ImportItem], page: Page | None) -> None:
    """Give each item the article already in the newsroom that is the same story: the same printed text
    imported before (``import_key``), or the same headline on the same printed page. One that can still be
    updated is preferred; no article is offered for two stories."""
    keys = {text_key(item.draft.paragraphs) for item in items} - {""}
    # What the preview shows of an existing article and what the choice depends on; an update reads it whole.
    matching = Article.objects.only("pk", "headline", "status", "published_at", "import_key").order_by("-pk")
    by_key: dict[str, list[Article]] = {}
    for article in matching.filter(import_key__in=keys) if keys else ():
        by_key.setdefault(article.import_key, []).append(article)
    on_page = list(matching.filter(page=page)) if page is not None else []
    claimed: set[int] = set()
    for item in items:
        candidates = [(article, "text") for article in by_key.get(text_key(item.draft.paragraphs), [])]
        if item.headline != UNTITLED_HEADLINE:
            candidates += [(article, "page") for article in on_page if _same_headline(article.headline, item.headline)]
        candidates = [(article, match) for article, match in candidates if article.pk not in claimed]
        if not candidates:
            continue
        item.existing, item.match = next(
            ((article, match) for article, match in candidates if article.status in UPDATABLE_STATUSES), candidates[0]
        )
        claimed.add(item.existing.pk)


def _items(text: str, page: Page | None) -> tuple[list[ImportItem], str]:
    printed = parse_printed_page(text)
    drafts = [draft for draft in printed.articles if _is_story(draft)]
    items = [
        ImportItem(number=number, draft=draft, warnings=_warnings(draft), notes=_notes(draft))
        for number, draft in enumerate(drafts, start=1)
    ]
    _find_existing(items, page)
    return items, printed.editor


def page_import_preview(*, text: str, by=None, placement: Placement | None = None) -> ImportPreview:
    """What importing ``text`` would do, story by story; writes nothing. Refused as ``page_import``."""
    _refuse_unless_importer(by)
    items, page_editor = _items(text, placement.existing_page() if placement is not None else None)
    return ImportPreview(items=items, page_editor=page_editor)


def _decision(item: ImportItem, decisions: Mapping[int, str] | None, by) -> str:
    choice = (decisions or {}).get(item.number)
    if choice is None:
        # Without the editor's word a story already in the newsroom is left alone: never a silent duplicate,
        # never a silent overwrite.
        choice = NEW if item.existing is None else SKIP
    if choice not in item.choices:
        raise ArticleActionRefused(
            _(
                "第%(n)d篇《%(headline)s》：版面文字或已有稿件在预览之后有了变化，原来的选择已不适用。请重新预览后再确认。"
            )
            % {"n": item.number, "headline": item.headline},
            code="import_changed",
        )
    if choice == UPDATE and by is None:
        raise ArticleActionRefused(_("更新已有稿件须由编辑操作。"), code="import_update_anonymous")
    return choice


@transaction.atomic
def page_import(
    *, text: str, by=None, placement: Placement | None = None, decisions: Mapping[int, str] | None = None
) -> ImportResult:
    """Import the pasted text of one printed page, each story as the editor decided (``decisions``: story
    number → NEW, UPDATE or SKIP, as offered by ``page_import_preview``).

    New drafts are numbered 1..n in page order; with a ``placement`` they are put on that edition and page,
    created only when at least one story is written (a paste that gives nothing, or only skips, never leaves
    an empty page for the e-paper). A story already in the newsroom is skipped unless ``decisions`` says to
    update it; a decision the current state no longer allows (someone imported or published the story since
    the preview) refuses the whole import. Refused unless ``by`` may import (``access.user_may_import``:
    reviewers only). All or nothing: one failing story rolls back the whole page. Text without Chinese in it
    (OCR noise) gives no article.
    """
    _refuse_unless_importer(by)
    page = placement.existing_page(lock=True) if placement is not None else None
    items, page_editor = _items(text, page)
    chosen = [(item, _decision(item, decisions, by)) for item in items]
    result = ImportResult(skipped=[item for item, choice in chosen if choice == SKIP])
    if placement is not None and page is None and len(result.skipped) < len(chosen):
        page = placement.page_get_or_create(editor=page_editor)
    if page is not None and page_editor and not page.editor:
        page.editor = page_editor
        page.save(update_fields=["editor"])
    for item, choice in chosen:
        if choice == NEW:
            result.created.append(draft_article_create(draft=item.draft, by=by, page=page, page_order=item.number))
        elif choice == UPDATE:
            result.updated.append(
                _article_update(article=item.existing, draft=item.draft, by=by, page=page, page_order=item.number)
            )
    return result
