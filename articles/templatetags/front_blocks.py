"""``{% load front_blocks %}``: the front page's news by section and by street, built in Python.

Each block is a heading, a link and a list of stored cards or headlines: markup that never changes, which a
template loop rendered at the cost of a third of the front page's template time (variable lookups, ``{% url %}``
and ``{% translate %}`` per block).
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from articles.templatetags.article_cards import article_cards, headline_items
from pingcheng.url_memo import reverse_memo

register = template.Library()


@register.simple_tag
def section_blocks(sections) -> SafeString:
    """``{% section_blocks sections %}``: for each (section, articles), a block headed by the section's name
    with a link to its page and the articles as cards."""
    more = escape(_("更多"))
    blocks = []
    for section, articles in sections:
        slug, name = escape(section.slug), escape(section.name)
        url = escape(reverse_memo("articles:section", slug=section.slug))
        blocks.append(
            f'<section aria-labelledby="section-{slug}">\n'
            f'  <div class="section-title"><h2 id="section-{slug}">{name}</h2> <a class="more" href="{url}">{more}'
            f'<span class="sr-only">{name}</span></a></div>\n'
            f'  <ul class="card-list grid" role="list">{article_cards(articles)}</ul>\n'
            f"</section>\n"
        )
    # Safe: names, slugs and URLs are escaped here; the cards and headlines are built safe.
    return mark_safe("".join(blocks))


@register.simple_tag
def street_blocks(by_street) -> SafeString:
    """``{% street_blocks by_street %}``: the 街道社区 section, a card per street with its newest headlines."""
    if not by_street:
        return mark_safe("")
    cards = []
    for street, articles in by_street:
        code, name = escape(street.code), escape(street.name)
        url = escape(reverse_memo("articles:unit", code=street.code))
        cards.append(
            f'    <section class="card" aria-labelledby="street-{code}">\n'
            f'      <h3 id="street-{code}" class="card-title"><a href="{url}">{name}</a></h3>\n'
            f'      <ul class="street-news">{headline_items(articles)}</ul>\n'
            f"    </section>\n"
        )
    title = escape(_("街道社区"))
    return mark_safe(
        f'<section aria-labelledby="streets-title">\n  <h2 id="streets-title" class="section-title">{title}</h2>\n'
        f'  <div class="grid grid-3">\n{"".join(cards)}  </div>\n</section>'
    )
