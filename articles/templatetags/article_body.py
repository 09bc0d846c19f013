"""``{% load article_body %}``: an article body, cleaned again on output, with its inline figures enriched."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from articles.figures import enrich_inline_figures
from pingcheng.richtext import clean_article_html

register = template.Library()


@register.filter
def article_html(value: str | None) -> SafeString:
    """Stored bodies are cleaned on save; cleaning again on output means a body that bypassed it is still safe."""
    # Safe because the cleaner outputs only the allow-list, and the figure enrichment escapes what it adds.
    return mark_safe(enrich_inline_figures(clean_article_html(value or "")))


@register.filter
def rendered_html(article) -> SafeString:
    """``{{ article|rendered_html }}``: the body ``articles.rendering`` cleaned and stored when it was saved.

    Safe because only ``article_render`` writes ``body_html``, from ``clean_article_html``'s output; an
    article never rendered is cleaned here, as ``article_html`` does.
    """
    if article.rendered_at is None:
        return article_html(article.body)
    return mark_safe(article.body_html)
