"""Pictures in an article body: which photos a body shows, how they are printed, and whether their words are
complete.

CKEditor inserts an uploaded image as ``<figure class="image"><img src="…/<uuid>.<width>.jpg"><figcaption>…
</figcaption></figure>``; the rendition URL carries the ``Photo``'s uuid. On output each picture becomes what
the photo library's own figures are (templates/photos/figure.html): a ``<picture>`` offering WebP before the
JPEG ``srcset``, the photo's alt text, the photo's caption when the editor left the figure's empty, the printed
credit (``曹飞摄``), ``loading="lazy"`` unless it is the page's lead image. A picture nobody can describe (not a
library photo, no alt text, no caption) is not printed: no ``<img>`` leaves without ``alt``. Runs on cleaned
HTML, whose shape the cleaner guarantees (html5ever quotes every attribute with ``"`` and escapes ``<>"&`` in
values); one query for all photos of the body.
"""

import logging
import re
from dataclasses import dataclass
from html import unescape

from django.utils.html import escape, strip_tags
from django.utils.translation import gettext as _

from pingcheng.photos.models import Photo
from pingcheng.photos.renditions import photo_rendition_size, photo_rendition_url, photo_srcset

logger = logging.getLogger(__name__)

SIZES = "(min-width: 768px) 720px, 100vw"
# The fallback <img src> for browsers without srcset, as in the photo library's figures.
FALLBACK_WIDTH = 960

_RENDITION_SRC = re.compile(r'src="[^"]*?/([0-9a-f]{32})\.\d+\.(?:jpg|webp)"')
_UUID_IN_SRC = re.compile(r"/([0-9a-f]{32})\.\d+\.(?:jpg|webp)$")
_IMG = r"<img [^>]*>"
# A CKEditor image figure (its class list holds "image") with its optional caption, or an <img> elsewhere.
_PICTURE = re.compile(
    rf'<figure class="(?P<class>(?:[^"]*\s)?image(?:\s[^"]*)?)">(?P<img>{_IMG})'
    rf"(?:<figcaption>(?P<caption>.*?)</figcaption>)?</figure>|(?P<lone>{_IMG})",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r'([a-z][a-z0-9-]*)(?:="([^"]*)")?')
# Kept from the body for a picture that is not a library photo; a photo's are made from its renditions.
_KEPT_ATTRIBUTES = ("src", "srcset", "sizes", "width", "height")


def body_photo_uuids(html: str) -> set[str]:
    """The uuids (hex) of our photos whose renditions a body shows."""
    return set(_RENDITION_SRC.findall(html))


def body_photo_uuids_in_order(html: str) -> list[str]:
    """The same uuids in the order readers meet them, each once."""
    return list(dict.fromkeys(_RENDITION_SRC.findall(html)))


def enrich_inline_figures(html: str, *, lead: bool = False) -> str:
    """The cleaned body with its pictures printed as described above; ``lead``: its first picture is the
    page's lead image (loaded eagerly, with ``fetchpriority="high"``)."""
    found = list(_PICTURE.finditer(html))
    if not found:
        return html
    uuids = {uuid for match in found if (uuid := _uuid_of(_img_attributes(match)))}
    photos = {photo.uuid.hex: photo for photo in Photo.objects.filter(uuid__in=uuids).select_related("credit")}
    printed = 0

    def print_picture(match: re.Match) -> str:
        nonlocal printed
        attributes = _img_attributes(match)
        photo = photos.get(_uuid_of(attributes) or "")
        caption = match.group("caption") or ""
        alt = _alt(photo, attributes, caption)
        if not alt:
            # Not a library photo, and neither alt text nor a caption to describe it: nothing a reader could use.
            logger.warning("article body: a picture without alt text or caption is left out: %s", attributes.get("src"))
            return ""
        printed += 1
        picture = _picture(photo, attributes, alt, lead=lead and printed == 1)
        if match.group("class") is None:
            return picture
        if photo is not None:
            caption = caption or escape(photo.caption)
            credit = photo.credit_line
            if credit and credit not in caption:
                caption = f'{caption} <span class="photo-credit">{escape(credit)}</span>'.strip()
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f'<figure class="{match.group("class")}">{picture}{figcaption}</figure>'

    return _PICTURE.sub(print_picture, html)


def _img_attributes(match: re.Match) -> dict[str, str]:
    tag = match.group("img") or match.group("lone")
    return {name: value or "" for name, value in _ATTRIBUTE.findall(tag[len("<img ") : -1])}


def _uuid_of(attributes: dict[str, str]) -> str | None:
    found = _UUID_IN_SRC.search(attributes.get("src", ""))
    return found.group(1) if found else None


def _alt(photo: Photo | None, attributes: dict[str, str], caption: str) -> str:
    """The escaped alt text: the photo's own, else what the editor typed in CKEditor, else a caption."""
    if photo is not None and photo.alt_text.strip():
        return escape(photo.alt_text.strip())
    if attributes.get("alt", "").strip():
        return attributes["alt"].strip()
    if photo is not None and photo.caption.strip():
        return escape(photo.caption.strip())
    # The caption is cleaned HTML: its text may hold entities, and a bare '"' that must not end the attribute.
    return escape(unescape(strip_tags(caption)).strip())


def _picture(photo: Photo | None, attributes: dict[str, str], alt: str, *, lead: bool) -> str:
    loading = 'loading="eager" fetchpriority="high"' if lead else 'loading="lazy"'
    if photo is None or not photo.renditions:
        kept = " ".join(f'{name}="{attributes[name]}"' for name in _KEPT_ATTRIBUTES if name in attributes)
        return f'<img {kept} alt="{alt}" {loading} decoding="async">'
    width, height = photo_rendition_size(photo, FALLBACK_WIDTH)
    src = escape(photo_rendition_url(photo, FALLBACK_WIDTH, "jpeg"))
    return (
        f'<picture><source type="image/webp" srcset="{escape(photo_srcset(photo, "webp"))}" sizes="{SIZES}">'
        f'<img src="{src}" srcset="{escape(photo_srcset(photo, "jpeg"))}" sizes="{SIZES}" width="{width}" '
        f'height="{height}" alt="{alt}" {loading} decoding="async"></picture>'
    )


# --- Words every picture needs before the article goes to review or to readers ---------------------------


@dataclass
class PictureWords:
    """One picture of an article and what it still lacks (labels); ``photo`` is None for an image in the
    body that is not in the photo library."""

    photo: Photo | None
    position: int  # 1-based, in the order the article shows its pictures
    missing: list[str]
    thumbnail: str = ""  # set by the back office's list of pictures to describe

    @property
    def label(self) -> str:
        if self.photo is not None and self.photo.caption.strip():
            caption = self.photo.caption.strip()
            return f"“{caption[:20]}…”" if len(caption) > 20 else f"“{caption}”"
        return _("第%(n)s张图") % {"n": self.position}


def article_pictures(article) -> list[tuple[Photo | None, bool]]:
    """Every picture the article shows, figures first then the body's in order: (photo, in the body)."""
    from articles.models import ArticlePhoto

    attached = [
        figure.photo
        for figure in ArticlePhoto.objects.filter(article_id=article.pk, in_body=False).select_related("photo")
    ] if article.pk else []  # fmt: skip
    body = article.body or ""
    in_body = body_photo_uuids_in_order(body)
    photos = {photo.uuid.hex: photo for photo in Photo.objects.filter(uuid__in=in_body)}
    pictures: list[tuple[Photo | None, bool]] = [(photo, False) for photo in attached if photo.uuid.hex not in photos]
    pictures += [(photos[uuid], True) for uuid in in_body if uuid in photos]
    # An <img> that is no library photo (its src is not a rendition, or the photo is gone) cannot be described.
    strangers = len(re.findall(r"<img\s", body)) - len(_RENDITION_SRC.findall(body))
    strangers += sum(1 for uuid in in_body if uuid not in photos)
    pictures += [(None, True)] * max(strangers, 0)
    return pictures


def article_pictures_missing_words(article) -> list[PictureWords]:
    """The article's pictures that still lack a caption, a photographer or alt text, in the order shown."""
    missing = []
    for position, (photo, _in_body) in enumerate(article_pictures(article), start=1):
        lacks = photo.missing_words() if photo is not None else [_("不在图片库中，请删除后重新上传")]
        if lacks:
            missing.append(PictureWords(photo=photo, position=position, missing=lacks))
    return missing


def article_pictures_require_words(article, *, action: str) -> None:
    """Refuse ``action`` (送审, 发布) while a picture lacks its words: readers would get an image without alt
    text or credit. Raises ``ArticleActionRefused`` (code ``photo_words_missing``) naming each picture."""
    from articles.errors import ArticleActionRefused

    missing = article_pictures_missing_words(article)
    if not missing:
        return
    listed = "；".join(
        _("%(picture)s缺%(what)s") % {"picture": item.label, "what": "、".join(item.missing)} for item in missing
    )
    raise ArticleActionRefused(
        _("稿件中的图片还缺少说明、摄影署名或替代文字，补齐后才能%(action)s：%(list)s。")
        % {"action": action, "list": listed},
        code="photo_words_missing",
    )
