"""Rich text (CKEditor HTML): the server-side allow-list, and text measures of it, for every product.

django-ckeditor-5 cleans nothing, and anyone who can POST an admin form can send any HTML, so every body
goes through ``clean_article_html`` before it is stored and again when it is rendered. The allow-list is the
toolbar in ``pingcheng.editor_config``: paragraphs, h2–h4, bold/italic, links, lists, quotes, tables and
uploaded images (``<figure class="image">`` with ``<figcaption>``). The newsroom wrote it for article bodies,
hence the name; any product that stores CKEditor HTML cleans it with the same function.

Images: a body may only show pictures from our own MEDIA_URL, i.e. renditions made by the photo pipeline
(absolute URLs to our own SITE_URL + MEDIA_URL are rewritten to the relative path). Every other ``<img>`` —
hot-linked pictures, tracking pixels, ``data:`` URIs, other paths on our own site — is removed, tag and all;
a caption around it stays, so the editor sees what is missing. ``srcset`` candidates obey the same rule.
Every ``<img>`` that stays has an ``alt`` attribute (empty when the body gave none): the cleaner knows no
photos, so the words come from the photo library when an article is rendered (``articles.figures``).
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import nh3
from django.conf import settings
from django.utils.html import escape

from pingcheng import chinese

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "strong", "b", "em", "i", "a", "ul", "ol", "li", "blockquote", "br",
    "figure", "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": set(),  # replaces nh3's default generic attributes (lang, title) so the list below is complete
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_ATTRIBUTE_VALUES = {"img": {"loading": {"lazy", "eager"}}}
ALLOWED_CLASSES = {"figure": {"image", "table", "image-style-align-center"}, "span": {"photo-credit"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with everything inside them: their content is code or controls, never article text.
DROP_WITH_CONTENT = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "template",
    "noscript", "noembed", "noframes", "xmp", "form", "textarea", "select", "title",
}  # fmt: skip
LINK_REL = "noopener noreferrer"

_NUMBER_ATTRIBUTES = {"width", "height", "colspan", "rowspan"}
# nh3's output is serialised by html5ever: every attribute value is double-quoted with '"', "<" and ">"
# escaped, and a literal "<" in text is escaped, so this pattern finds exactly the start tags of that output.
_START_TAG = re.compile(r'<([a-z][a-z0-9]*)((?:\s+[^\s="<>/]+(?:="[^"]*")?)*)\s*/?>')
_EMPTY_CLASS = ' class=""'
_SRCSET_DESCRIPTOR = re.compile(r"^\d+w$|^\d+(?:\.\d+)?x$")
_BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figure", "figcaption", "table", "tr", "th",
    "td", "br", "div", "ul", "ol", "img",
}  # fmt: skip


def clean_article_html(html: str) -> str:
    """The body reduced to the allow-list; safe to render with ``mark_safe``. Idempotent."""
    if not html:
        return ""
    return _START_TAG.sub(_tidy_start_tag, _cleaner().clean(html))


def plain_text(html: str) -> str:
    """The text a reader sees, entities decoded and whitespace collapsed, blocks separated by one space."""
    if not html:
        return ""
    collector = _TextCollector()
    collector.feed(_cleaner().clean(html))
    collector.close()
    return " ".join("".join(collector.parts).split())


def char_count(html: str) -> int:
    """字数 of the text a reader sees: ``pingcheng.chinese.char_count`` of ``plain_text(html)``.

    Hanzi, full-width punctuation, Latin letters and digits each count one; whitespace and invisible format
    characters count nothing.
    """
    return chinese.char_count(plain_text(html))


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Plain-text paragraphs as ``<p>`` elements, escaped; blank paragraphs are skipped."""
    return "\n".join(f"<p>{escape(text.strip())}</p>" for text in paragraphs if text and text.strip())


@functools.cache
def _cleaner() -> nh3.Cleaner:
    # Built once per process; the filter reads MEDIA_URL and SITE_URL on every call, so settings stay live.
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        strip_comments=True,
        link_rel=LINK_REL,
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        url_schemes=URL_SCHEMES,
        allowed_classes=ALLOWED_CLASSES,
    )


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute in _NUMBER_ATTRIBUTES:
        value = value.strip()
        # ASCII digits only: str.isdigit() also accepts "١٢" and "²", which browsers do not read as numbers.
        return value if value.isascii() and value.isdigit() and len(value) <= 5 else None
    if element == "img" and attribute == "src":
        return _own_media_url(value)
    if element == "img" and attribute == "srcset":
        return _own_media_srcset(value)
    return value


def _tidy_start_tag(match: re.Match) -> str:
    tag, attributes = match.group(1), match.group(2)
    # The attribute filter can drop a foreign ``src`` but not the element: drop the ``<img>`` left without one.
    if tag == "img" and ' src="' not in attributes:
        return ""
    # Every image carries alt (HTML requires it); the article's renderer puts the photo's own words there.
    if tag == "img" and ' alt="' not in attributes:
        return f'<{tag}{attributes.replace(_EMPTY_CLASS, "")} alt="">'
    # A class attribute whose every value was refused is left empty by nh3.
    if _EMPTY_CLASS in attributes:
        return f"<{tag}{attributes.replace(_EMPTY_CLASS, '')}>"
    return match.group(0)


def _own_media_url(url: str) -> str | None:
    """The URL if it points into our MEDIA_URL (made relative when it names our own site), else None."""
    url = url.strip()
    media_url = settings.MEDIA_URL
    if media_url.startswith("/") and settings.SITE_URL and url.startswith(settings.SITE_URL + media_url):
        url = url[len(settings.SITE_URL) :]
    if not url.startswith(media_url) or len(url) == len(media_url):
        return None
    # Browsers drop tabs and newlines inside URLs and resolve "..": either could step out of MEDIA_URL.
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url) or "\\" in url:
        return None
    if ".." in unquote(urlsplit(url).path).split("/"):
        return None
    return url


def _own_media_srcset(srcset: str) -> str | None:
    candidates = []
    for candidate in srcset.split(","):
        parts = candidate.split()
        if not parts:
            continue
        url = _own_media_url(parts[0])
        if url is None or len(parts) > 2 or (len(parts) == 2 and not _SRCSET_DESCRIPTOR.match(parts[1])):
            return None
        candidates.append(" ".join([url, *parts[1:]]))
    return ", ".join(candidates) or None


class _TextCollector(HTMLParser):
    """Collects text nodes; a block boundary becomes a space so paragraphs do not run together."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)
