"""``{% load photos %}``: a photo as a ``<figure>`` with renditions, caption and credit, and rendition URLs."""

from django import template

from pingcheng.photos.models import Photo
from pingcheng.photos.renditions import photo_rendition_size, photo_rendition_url, photo_srcset

register = template.Library()

# The fallback <img src> for browsers without srcset: the article column is 720 CSS px at most.
FALLBACK_WIDTH = 960


@register.inclusion_tag("photos/figure.html")
def photo_figure(
    photo: Photo | None, caption: str | None = None, sizes: str = "(min-width: 768px) 720px, 100vw",
    priority: bool = False,
):  # fmt: skip
    """A ``<figure>`` with WebP and JPEG renditions, the caption and the printed credit (``曹飞摄``).

    ``caption`` replaces the photo's own caption (an article may caption the same picture differently).
    ``priority``: the page's lead image, loaded at once and first (``fetchpriority="high"``); every other
    picture waits until the reader scrolls near it (``loading="lazy"``). Renders nothing for a missing photo
    or one without renditions, and one without any words to describe it.
    """
    if photo is None or not photo.renditions:
        return {"photo": None}
    alt = photo.alt if caption is None else (photo.alt_text or caption)
    if not alt.strip():
        # A picture nobody has described is not shown: no <img> leaves without alt text.
        return {"photo": None}
    width, height = photo_rendition_size(photo, FALLBACK_WIDTH)
    return {
        "photo": photo,
        "caption": photo.caption if caption is None else caption,
        "credit_line": photo.credit_line,
        "alt": alt,
        "src": photo_rendition_url(photo, FALLBACK_WIDTH, "jpeg"),
        "webp_srcset": photo_srcset(photo, "webp"),
        "jpeg_srcset": photo_srcset(photo, "jpeg"),
        "width": width,
        "height": height,
        "sizes": sizes,
        "priority": priority,
    }


@register.filter
def rendition_url(photo: Photo | None, width: int = 960) -> str:
    """``{{ photo|rendition_url:1600 }}`` — the widest JPEG rendition not wider than ``width``."""
    return photo_rendition_url(photo, int(width), "jpeg") if photo is not None else ""
