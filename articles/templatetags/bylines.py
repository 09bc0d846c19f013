from django import template

from articles import bylines

register = template.Library()


@register.simple_tag
def article_byline(article) -> str:
    """``{% article_byline article as printed %}`` — the byline as the paper prints it."""
    return bylines.article_byline(article)
