from django import template

from articles import bylines

register = template.Library()


@register.simple_tag
def article_byline(article) -> str:
    """``{% article_byline article as printed %}`` — the byline as the paper prints it.

    The one stored by ``articles.rendering`` when there is one, so a list of cards needs no credits.
    """
    return bylines.printed_byline(article)
