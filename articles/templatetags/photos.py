"""``{% load photos %}``: the photo figure and the article-body filter."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from articles.figures import enrich_inline_figures
from articles.models import Photo
from articles.photos import photo_rendition_size, photo_rendition_url, photo_srcset
from articles.richtext import clean_article_html

register = template.Library()

# The fallback <img src> for browsers without srcset: the article column is 720 CSS px at most.
FALLBACK_WIDTH = 960


@register.inclusion_tag("articles/includes/figure.html")
def photo_figure(photo: Photo | None, caption: str | None = None, sizes: str = "(min-width: 768px) 720px, 100vw"):
    """A ``<figure>`` with WebP and JPEG renditions, the caption and the printed credit (``曹飞摄``).

    ``caption`` replaces the photo's own caption (an article may caption the same picture differently).
    Renders nothing for a missing photo or one without renditions.
    """
    if photo is None or not photo.renditions:
        return {"photo": None}
    width, height = photo_rendition_size(photo, FALLBACK_WIDTH)
    return {
        "photo": photo,
        "caption": photo.caption if caption is None else caption,
        "credit_line": photo.credit_line,
        "alt": photo.alt if caption is None else (photo.alt_text or caption),
        "src": photo_rendition_url(photo, FALLBACK_WIDTH, "jpeg"),
        "webp_srcset": photo_srcset(photo, "webp"),
        "jpeg_srcset": photo_srcset(photo, "jpeg"),
        "width": width,
        "height": height,
        "sizes": sizes,
    }


@register.filter
def article_html(value: str | None) -> SafeString:
    """Stored bodies are cleaned on save; cleaning again on output means a body that bypassed it is still safe."""
    # Safe because the cleaner outputs only the allow-list, and the figure enrichment escapes what it adds.
    return mark_safe(enrich_inline_figures(clean_article_html(value or "")))


@register.filter
def rendition_url(photo: Photo | None, width: int = 960) -> str:
    """``{{ photo|rendition_url:1600 }}`` — the widest JPEG rendition not wider than ``width``."""
    return photo_rendition_url(photo, int(width), "jpeg") if photo is not None else ""
