"""An article as a card in a list: what is stored with it when it is rendered, and what a list adds per view.

Stored (``articles.rendering`` renders templates/articles/includes/article_card_head.html into
``Article.card_html`` with ``card_context``): the kicker or series heading and the headline broken between
phrases, the date, the byline, a teaser — the lead, or the first sentences of the body when the lead is
empty — and a thumbnail of the article's first photo. A list reads them with the row, so it costs no query
per card.

Per view (``articles.templatetags.article_cards``): the heading level, whether the teaser shows, the part
number on a series page, and the date's year — shown when it is not this year, which a stored card cannot
know for later.
"""

import html
import re
from datetime import datetime

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from pingcheng.photos.renditions import photo_rendition_size, photo_rendition_url, photo_srcset
from pingcheng.richtext import clean_article_html

TEASER_CHARS = 80
# The thumbnail's CSS width (static/css/site.css .card-thumb): the browser picks a rendition for it.
THUMB_SIZES = "8rem"
_FIGURE = re.compile(r"<figure\b.*?</figure>", re.DOTALL | re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)>", re.IGNORECASE)
# A sentence ends with its stop and any closing quote or bracket after it.
_SENTENCE = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’」』）)]*")


def card_context(article) -> dict:
    """What the stored card needs beyond the article: ``teaser`` and ``thumb`` (a dict for the <img>, or None).

    The article's figures must be loaded (``articles.rendering`` prefetches them) and its body read.
    """
    return {"teaser": article_teaser(article), "thumb": _thumb(article)}


def article_teaser(article) -> str:
    """The lead, or without one the body's first sentences, cut at a sentence end within ``TEASER_CHARS``."""
    text = " ".join((article.lead or "").split()) or body_text(article.body or "")
    return teaser_from(text)


def body_text(body: str) -> str:
    """The body's running text: figures (captions) left out, one space between paragraphs."""
    cleaned = _FIGURE.sub("", clean_article_html(body))
    return " ".join(html.unescape(strip_tags(_BLOCK_END.sub(r"\g<0> ", cleaned))).split())


def teaser_from(text: str, limit: int = TEASER_CHARS) -> str:
    if len(text) <= limit:
        return text
    taken = ""
    for sentence in _SENTENCE.findall(text):
        if len(taken) + len(sentence) > limit:
            break
        taken += sentence
    return taken.strip() or Truncator(text).chars(limit)


def _thumb(article) -> dict | None:
    """The article's first photo that has renditions and words to describe it (no <img> without alt)."""
    for figure in article.figures.all():
        photo = figure.photo
        if photo.renditions and photo.alt.strip():
            width, height = photo_rendition_size(photo, 320)
            return {
                "src": photo_rendition_url(photo, 320, "jpeg"),
                "jpeg_srcset": photo_srcset(photo, "jpeg"),
                "webp_srcset": photo_srcset(photo, "webp"),
                "sizes": THUMB_SIZES,
                "width": width,
                "height": height,
                "alt": photo.alt,
            }
    return None


# The last bounds this_year() made: a page asks a dozen times, the year turns once.
_year_bounds: tuple[datetime, datetime] | None = None


def this_year() -> tuple[datetime, datetime]:
    """The start of this year and of the next, in the current time zone (which they carry): whether a moment is
    "this year" is then two comparisons, not a time-zone conversion of each moment of a list (fifty on the
    front page)."""
    global _year_bounds
    now = timezone.now()
    zone = timezone.get_current_timezone()
    known = _year_bounds
    if known is None or known[0].tzinfo is not zone or not known[0] <= now < known[1]:
        year = timezone.localdate(now, zone).year
        known = _year_bounds = (datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone))
    return known


def list_date(moment, *, year: tuple[datetime, datetime] | None = None) -> str:
    """A date in a list: ``7月18日`` this year, ``2025年7月18日`` in any other (Beijing time). ``year``: this
    year's bounds (``this_year()``) when a caller dates many moments."""
    start, end = year or this_year()
    day = moment.astimezone(start.tzinfo)
    if start <= moment < end:
        return f"{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def cards_render_missing(articles) -> None:
    """Render the articles of a list that were never rendered (or were marked to be rendered on their next
    view), and give these very instances their stored card: one more query, only when there were any."""
    from articles.models import Article
    from articles.rendering import articles_render_missing

    articles = list(articles)
    missing = articles_render_missing(articles)
    if missing:
        # The byline too: a 头条 chosen by an editor prints it, and with ``rendered_at`` set here it would print
        # the one it was read with (a renamed reporter's old name, for this view).
        stored = {pk: (card, byline) for pk, card, byline in
                  Article.objects.filter(pk__in=missing).values_list("pk", "card_html", "byline")}  # fmt: skip
        for article in articles:
            if article.pk in stored:
                article.card_html, article.byline = stored[article.pk]
                article.rendered_at = timezone.now()
