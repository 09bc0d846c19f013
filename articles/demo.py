"""The demo newsroom: the seed page (``demo_data/seed_page.txt``) as a published edition page.

Idempotent: the edition is found by its date, the page by (edition, number) and each article by
(page, page_order). An article that exists is left as it is (an editor may have changed it since); only what
is missing is filled in (section, tags, responsible editor, photos).
"""

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from articles.importing import contributor_for_name, draft_article_create
from articles.models import Article, ArticleEvent, ArticlePhoto, Edition, Page, Section, Series
from articles.print_import import DraftArticle, PhotoCaption, parse_page, parse_page_slogan
from articles.rendering import articles_rendering_deferred
from articles.services import article_prepare_body
from pingcheng.directory.models import Contributor, Unit
from pingcheng.photos.models import Photo
from pingcheng.photos.services import photo_create

SEED_PAGE = Path(__file__).resolve().parent / "demo_data" / "seed_page.txt"

# The page prints neither its date nor the issue number: these are chosen for the demo, a Friday in July 2025.
EDITION_DATE = date(2025, 7, 18)
EDITION_NUMBER = 1268
PAGE_NUMBER = 2
PAGE_NAME = "平城新闻"
PUBLISHED_AT = datetime(2025, 7, 18, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# Invented: the page names no editor. It matches the demo "editor" account (王丽君).
RESPONSIBLE_EDITOR = "王丽君"
PUBLISHED_NOTE = "见报稿件导入（已经三审）"

# (name, slug, sort order)
SECTIONS = [
    ("平城要闻", "yaowen", 10),
    ("基层动态", "jiceng", 20),
    ("创城进行时", "chuangcheng", 30),
    ("民生服务", "minsheng", 40),
    ("专项工作", "zhuanxiang", 50),
]

# (part of the printed headline, section slug, tags): matched against the headline, first match wins.
ARTICLE_PLACEMENT = [
    ("五个必须", "yaowen", "党建引领、基层治理"),
    ("防汛", "yaowen", "防汛、网格员"),
    ("到村工作大学生", "jiceng", "到村工作大学生、乡村振兴"),
    ("大学生志愿服务社区", "jiceng", "志愿服务、创城"),
    ("游商小贩", "chuangcheng", "创城、市容秩序"),
    ("党建引领迸发创城新活力", "chuangcheng", "创城、文明周、邻里节"),
    ("创城新常态", "chuangcheng", "创城、文明周"),
    ("创城新成效", "chuangcheng", "创城、文明周"),
    ("工会经费", "minsheng", "工会经费、小微企业"),
    ("守住钱袋子", "zhuanxiang", "防非、金融知识"),
]

SERIES_TITLE = "继往开来担使命 砥砺奋进新征程"
SERIES_SLUG = "jiwang-kailai"
# Invented: the page prints only the fifth part. What the series page says to introduce it.
SERIES_DESCRIPTION = (
    "本报推出系列报道，走进平城区各级党组织和基层一线，记录党员干部传承优良传统、担当时代使命，"
    "在基层治理、乡村振兴和为民服务中砥砺奋进的实践。"
)

# Everyone credited on the page, with the role that decides a new contributor's kind. 曹飞 and 锦秀 are
# staff reporters who also shoot; 马向英 is 小南头街道's correspondent.
CONTRIBUTORS = [
    ("郝雨", "记者", None),
    ("邱东芳", "记者", None),
    ("宋芳", "记者", None),
    ("马向英", "通讯员", "xiaonantou"),
    ("尚丽", "记者", None),
    ("曹飞", "记者", None),
    ("锦秀", "记者", None),
]

# Demo login ↔ the contributor that person is (accounts come from ``directory.demo.load_accounts``).
DEMO_ACCOUNT_CONTRIBUTORS = [("reporter", "邱东芳"), ("correspondent", "马向英")]


@dataclass(frozen=True)
class DemoPhoto:
    file_stem: str
    alt_text: str
    top: tuple[int, int, int]
    bottom: tuple[int, int, int]


# The printed photos, by caption. The images are placeholders (a colour gradient, no text, so no CJK font is
# needed); the alt text describes the printed picture they stand for.
PHOTOS = {
    "图为柳园东院社区大学生志愿者为小学生辅导功课。": DemoPhoto(
        "liuyuandongyuan-volunteers",
        "大学生志愿者与小学生围坐在社区活动室的桌旁，一对一辅导暑假作业",
        top=(214, 229, 240),
        bottom=(96, 139, 168),
    ),
    "西京社区联合社工站开展“邻里和睦、幸福社区”邻里节活动。": DemoPhoto(
        "xijing-neighbours-day",
        "西京社区居民和社工站工作人员在小区广场参加邻里节活动",
        top=(246, 232, 205),
        bottom=(176, 120, 82),
    ),
}
PHOTO_SIZE = (1600, 1067)


def _placeholder_jpeg(spec: DemoPhoto) -> bytes:
    mask = Image.linear_gradient("L").resize(PHOTO_SIZE)
    image = Image.composite(Image.new("RGB", PHOTO_SIZE, spec.bottom), Image.new("RGB", PHOTO_SIZE, spec.top), mask)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _demo_photo(caption: PhotoCaption, article: Article) -> Photo | None:
    """A placeholder for a printed photo; None for a caption the demo has no picture for."""
    spec = PHOTOS.get(caption.caption)
    if spec is None:
        return None
    credit = contributor_for_name(name=caption.credit, role="摄影") if caption.credit else None
    upload = SimpleUploadedFile(f"{spec.file_stem}.jpg", _placeholder_jpeg(spec), content_type="image/jpeg")
    return photo_create(file=upload, caption=caption.caption, credit=credit, alt_text=spec.alt_text)


def _placement(headline: str) -> tuple[str | None, str]:
    return next(((slug, tags) for part, slug, tags in ARTICLE_PLACEMENT if part in headline), (None, ""))


def _publish_imported(article: Article, *, tags: str) -> None:
    # These stories went through 三审 for the printed paper; the review is recorded, not replayed.
    article.status = Article.Status.PUBLISHED
    article.publish_at = article.published_at = PUBLISHED_AT
    article.review_round = 1
    article.responsible_editor = RESPONSIBLE_EDITOR
    article.tags = tags
    # Now that the credits and tags are there, the search index can include them.
    article_prepare_body(article)
    article.save(update_fields=["status", "publish_at", "published_at", "review_round", "responsible_editor", "tags",
                                "body", "char_count", "search_text"])  # fmt: skip
    ArticleEvent.objects.create(article=article, action=ArticleEvent.Action.PUBLISHED, note=PUBLISHED_NOTE)


def _fill_missing(article: Article, draft: DraftArticle, *, section: Section | None, tags: str) -> None:
    changed = []
    if article.section_id is None and section is not None:
        article.section = section
        changed.append("section")
    if not article.tags:
        article.tags = tags
        changed.append("tags")
    if not article.responsible_editor:
        article.responsible_editor = RESPONSIBLE_EDITOR
        changed.append("responsible_editor")
    if changed or not article.search_text:
        # A demo database from before search existed gets its index here.
        article_prepare_body(article)
        changed += ["body", "char_count", "search_text"]
    if changed:
        article.save(update_fields=changed)
    if not article.figures.exists():
        photos = [photo for caption in draft.captions if (photo := _demo_photo(caption, article)) is not None]
        for order, photo in enumerate(photos):
            ArticlePhoto.objects.create(article=article, photo=photo, order=order)


@transaction.atomic
def load(*, units: dict[str, Unit]) -> str:
    """Load the seed page as edition 1268, page 2, with its ten articles published; safe to run again."""
    text = SEED_PAGE.read_text(encoding="utf-8")
    edition, _created = Edition.objects.get_or_create(date=EDITION_DATE, defaults={"number": EDITION_NUMBER})
    page, _created = Page.objects.get_or_create(
        edition=edition,
        number=PAGE_NUMBER,
        defaults={"name": PAGE_NAME, "editor": "", "slogan": parse_page_slogan(text) or ""},
    )
    sections = {
        slug: Section.objects.get_or_create(name=name, defaults={"slug": slug, "sort_order": order})[0]
        for name, slug, order in SECTIONS
    }
    # Created before the import so that the page's people get their real kind and unit, and the series
    # gets a readable slug instead of the importer's generated one.
    for name, role, unit_code in CONTRIBUTORS:
        contributor_for_name(name=name, role=role, unit=units[unit_code] if unit_code else None)
    Series.objects.get_or_create(title=SERIES_TITLE, defaults={"slug": SERIES_SLUG, "description": SERIES_DESCRIPTION})

    with articles_rendering_deferred():
        _articles_load(text, page=page, sections=sections)

    count = page.articles.count()
    return f"稿件：{count} 篇（第{edition.number}期 第{page.number}版 {page.name}）"


def _articles_load(text: str, *, page: Page, sections: dict[str, Section]) -> None:
    for order, draft in enumerate(parse_page(text), start=1):
        slug, tags = _placement(draft.headline or draft.kicker)
        section = sections.get(slug) if slug else None
        article = Article.objects.filter(page=page, page_order=order).first()
        if article is not None:
            _fill_missing(article, draft, section=section, tags=tags)
            continue
        article = draft_article_create(
            draft=draft, page=page, page_order=order, section=section, photo_factory=_demo_photo
        )
        _publish_imported(article, tags=tags)


@transaction.atomic
def link_demo_accounts() -> int:
    """Link the demo logins to the contributors they are; run after the accounts exist. Returns links made.

    Never moves an existing link: a user who already is a contributor, or a contributor who already has a
    login, is left alone.
    """
    User = get_user_model()
    linked = 0
    for username, name in DEMO_ACCOUNT_CONTRIBUTORS:
        user = User.objects.filter(username=username).first()
        if user is None or Contributor.objects.filter(user=user).exists():
            continue
        contributor = Contributor.objects.filter(name=name, user__isnull=True).order_by("pk").first()
        if contributor is not None:
            contributor.user = user
            contributor.save(update_fields=["user"])
            linked += 1
    return linked
