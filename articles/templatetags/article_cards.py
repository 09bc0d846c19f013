"""``{% load article_cards %}``: a list of articles as cards, joined from the HTML stored when each was saved."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

register = template.Library()

LEAD_CHARS = 80


def card_head(article) -> str:
    """The stored card head, or the same rendered now for an article never rendered (before migration 0006)."""
    if article.rendered_at is not None and article.card_html:
        return article.card_html
    return render_to_string("articles/includes/article_card_head.html", {"article": article})


@register.simple_tag
def article_cards(articles, *, level: int = 3, show_lead: bool = False) -> SafeString:
    """``{% article_cards articles level=2 show_lead=True %}``: one ``<li class="card">`` per article.

    ``level`` is the heading level of each card's title (3 under a section's h2; 2 right under the page's h1).
    """
    cards = []
    for article in articles:
        head = card_head(article)
        if level != 3:
            head = head.replace('<h3 class="card-title', f'<h{level} class="card-title', 1).replace(
                "</h3>", f"</h{level}>", 1
            )
        lead = ""
        if show_lead and article.lead:
            lead = f"\n  <p>{escape(Truncator(article.lead).chars(LEAD_CHARS))}</p>"
        cards.append(f'<li class="card">\n  {head}{lead}\n</li>')
    # Safe: the heads come from the autoescaping template above, the lead is escaped here.
    return mark_safe("".join(cards))
