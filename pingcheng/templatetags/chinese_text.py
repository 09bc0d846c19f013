"""``{% load chinese_text %}``: Chinese text for reading on a phone, in every product's templates.

``{{ article.headline|phrases }}`` — the text with line breaks allowed only between phrases
(``pingcheng.chinese.phrases_html``), for headlines, kickers, subtitles and series titles.
``{{ phone|tel_link }}`` — one number of a contact block as a tap-to-call link (``pingcheng.phones``).
"""

from django import template
from django.utils.safestring import SafeString

from pingcheng.chinese import phrases_html
from pingcheng.phones import phone_link

register = template.Library()


@register.filter
def phrases(text: str | None) -> SafeString:
    return phrases_html(str(text) if text is not None else "")


@register.filter
def tel_link(number: str | None) -> SafeString:
    return phone_link(str(number) if number is not None else "")
