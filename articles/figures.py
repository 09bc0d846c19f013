"""Inline figures in an article body keep their photo's caption and credit.

CKEditor inserts an uploaded image as ``<figure class="image"><img src="…/<uuid>.<width>.jpg"><figcaption>…
</figcaption></figure>``. On output, each figure whose image is one of our renditions gets the photo's
caption when the editor left it empty, the printed credit (``曹飞摄``) and a ``srcset``. Runs on cleaned
HTML, whose shape the cleaner guarantees; one query for all photos of the body.
"""

import re

from django.utils.html import escape

from pingcheng.photos.models import Photo
from pingcheng.photos.renditions import photo_srcset

_FIGURE = re.compile(
    r'<figure class="image">(?P<img><img [^>]*?src="(?P<src>[^"]+)"[^>]*>)'
    r"(?:<figcaption>(?P<caption>.*?)</figcaption>)?</figure>",
    re.DOTALL,
)
_UUID_IN_SRC = re.compile(r"/([0-9a-f]{32})\.\d+\.(?:jpg|webp)$")
SIZES = "(min-width: 768px) 720px, 100vw"


_RENDITION_SRC = re.compile(r'src="[^"]*?/([0-9a-f]{32})\.\d+\.(?:jpg|webp)"')


def body_photo_uuids(html: str) -> set[str]:
    """The uuids (hex) of our photos whose renditions a body shows."""
    return set(_RENDITION_SRC.findall(html))


def enrich_inline_figures(html: str) -> str:
    uuids = {match.group(1) for src in _FIGURE.finditer(html) if (match := _UUID_IN_SRC.search(src.group("src")))}
    if not uuids:
        return html
    photos = {photo.uuid.hex: photo for photo in Photo.objects.filter(uuid__in=uuids).select_related("credit")}

    def enrich(figure: re.Match) -> str:
        found = _UUID_IN_SRC.search(figure.group("src"))
        photo = photos.get(found.group(1)) if found else None
        if photo is None:
            return figure.group(0)
        img = figure.group("img")
        if "srcset=" not in img:
            img = img[:-1].rstrip("/ ") + f' srcset="{escape(photo_srcset(photo, "jpeg"))}" sizes="{SIZES}">'
        caption = figure.group("caption") or escape(photo.caption)
        credit = photo.credit_line
        if credit and credit not in caption:
            caption = f'{caption} <span class="photo-credit">{escape(credit)}</span>'
        return f'<figure class="image">{img}<figcaption>{caption}</figcaption></figure>'

    return _FIGURE.sub(enrich, html)
