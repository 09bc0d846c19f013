"""Campaign parts printed on other products' pages: the front page's current campaigns and, under an
article, the campaigns it covers with their other coverage. Each tag tells the page cache that the page now
shows campaigns, so a campaign's change refreshes it (``page_depends_on``)."""

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from articles.links import articles_public
from campaigns import links
from campaigns.cache import CAMPAIGNS
from pingcheng.page_cache import page_depends_on

register = template.Library()

# The last strip rendered, with what it was rendered from: the list, the year, and what its links and words
# follow (URLconf, script prefix, language). ``links.campaigns_current`` hands out the same list until it reads
# the campaigns again (each minute, or when they change), so the strip is rendered once per list instead of on
# every view of the front page (a tenth of its time). Replaced whole, never changed.
_last_strip: tuple[list, tuple, SafeString] | None = None


@register.simple_tag(takes_context=True)
def current_campaigns(context) -> SafeString:
    global _last_strip
    request = context.get("request")
    if request is not None:
        page_depends_on(request, CAMPAIGNS)
    campaigns = links.campaigns_current()
    if not campaigns:
        return SafeString("")
    # Dates in another year carry it (a winter drive ends in January).
    this_year = timezone.localdate().year
    made_with = (this_year, get_urlconf(), get_script_prefix(), get_language())
    last = _last_strip
    if last is not None and last[0] is campaigns and last[1] == made_with:
        return last[2]
    # No request: the strip prints nothing the context processors give, and running them again cost a third of it.
    strip = render_to_string("campaigns/_front_strip.html", {"campaigns": campaigns, "this_year": this_year})
    _last_strip = (campaigns, made_with, strip)
    return strip


@register.simple_tag(takes_context=True)
def article_campaigns(context, article) -> SafeString:
    request = context.get("request")
    if request is not None:
        page_depends_on(request, CAMPAIGNS)
    campaigns = links.campaigns_covered_by(article.pk)
    if not campaigns:
        return SafeString("")
    related = articles_public().filter(pk__in=links.article_ids_covering(campaigns, besides=article.pk))
    return render_to_string(
        "campaigns/_article_campaigns.html",
        {"campaigns": campaigns, "related": list(related[: links.RELATED_SHOWN])},
    )
