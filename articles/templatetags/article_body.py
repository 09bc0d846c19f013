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


@register.simple_tag
def article_main(article) -> SafeString:
    """``{% article_main article %}``: the page's main part ``articles.rendering`` stored when it was saved.

    Safe because only ``article_render`` writes ``main_html``, from autoescaping templates and the cleaner's
    output. The views render an unrendered article before they show it; one given here unrendered all the same
    is rendered here, querying what it was read without.
    """
    from articles.rendering import article_page_unrendered, article_render

    if article_page_unrendered(article) or not article.main_html:
        article_render(article)
    return mark_safe(article.main_html)


@register.simple_tag
def article_crumbs(article) -> SafeString:
    """``{% article_crumbs article %}``: the page's breadcrumb trail ``articles.rendering`` stored with
    ``main_html`` (新闻 › its section › its headline); safe for the same reason."""
    from articles.rendering import article_page_unrendered, article_render

    if article_page_unrendered(article):
        article_render(article)
    return mark_safe(article.crumbs_html)
