"""``{% load article_cards %}``: a list of articles as cards, joined from the HTML stored when each was saved.

What the stored card holds and what is decided per view: articles.cards.
"""

import re
from html import escape as html_escape

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.cards import list_date, this_year
from pingcheng.chinese import phrases_html
from pingcheng.machine_time import machine_time

register = template.Library()

_TEASER = re.compile(r'\n?\s*<p class="card-teaser">.*?</p>', re.DOTALL)
_SERIES_KICKER = re.compile(r'<p class="kicker kicker-series">.*?</p>', re.DOTALL)


def card_head(article) -> str:
    """The stored card, or the same rendered now for an article never rendered (before migration 0006)."""
    if article.rendered_at is not None and article.card_html:
        return article.card_html
    return render_to_string("articles/includes/article_card_head.html", {"article": article})


@register.simple_tag
def article_cards(articles, *, level: int = 3, teaser: bool = True, part_numbers: bool = False) -> SafeString:
    """``{% article_cards articles level=2 teaser=False part_numbers=True %}``: one ``<li class="card">`` each.

    ``level`` is the heading level of each card's title (3 under a section's h2; 2 right under the page's h1).
    ``teaser=False`` leaves the teaser out (compact blocks); ``part_numbers`` replaces a series part's series
    heading by its number (``第五篇``), for the series' own page.
    """
    from articles.print_import import chinese_numeral

    cards, year = [], this_year()
    for article in articles:
        head = card_head(article)
        if level != 3:
            head = head.replace('<h3 class="card-title', f'<h{level} class="card-title', 1).replace(
                "</h3>", f"</h{level}>", 1
            )
        if not teaser:
            head = _TEASER.sub("", head, count=1)
        if part_numbers and article.series_part:
            label = escape(f"第{chinese_numeral(article.series_part)}篇")
            head = _SERIES_KICKER.sub(f'<p class="kicker kicker-series">{label}</p>', head, count=1)
        if article.publish_at is not None and not year[0] <= article.publish_at < year[1]:
            # The stored card says 7月18日; a story from another year says which (per view: years turn).
            day = list_date(article.publish_at, year=year)
            short = day.split("年", 1)[1]
            head = head.replace(f">{short}</time>", f">{day}</time>", 1)
        cards.append(f'<li class="card">\n  {head}\n</li>')
    # Safe: the heads come from the autoescaping template above; what is put in here is escaped.
    return mark_safe("".join(cards))


@register.filter
def listed_date(moment) -> str:
    """``{{ article.publish_at|listed_date }}``: 7月18日 this year, 2025年7月18日 in another."""
    return list_date(moment) if moment else ""


@register.simple_tag
def headline_items(articles) -> SafeString:
    """``{% headline_items articles %}``: one ``<li>`` per article — the headline linked, broken between phrases,
    and its date — for the related stories under an article and the streets' blocks on the front page.

    Built here rather than by a template loop: forty of them cost the front page a few milliseconds in
    variable lookups and date filters, for markup that never changes.
    """
    items, year = [], this_year()
    zone = year[0].tzinfo
    for article in articles:
        moment = article.publish_at
        iso = machine_time(moment, zone=zone)
        day = list_date(moment, year=year) if moment else ""
        # The standard library's escape: Django's checks each argument for a lazy string first.
        items.append(
            f'<li><a href="{html_escape(article.get_absolute_url())}">{phrases_html(article.headline)}</a> '
            f'<time class="meta" datetime="{iso}">{html_escape(day)}</time></li>'
        )
    # Safe: the URL and the date are escaped, the headline is escaped by phrases_html.
    return mark_safe("".join(items))
