"""What is still to check on an imported article, for its back-office page (articles.importing)."""

from django import template

from articles.importing import article_import_warnings
from articles.models import Article

register = template.Library()


@register.simple_tag
def import_warnings(article: Article | None) -> list[str]:
    return article_import_warnings(article) if article is not None else []
