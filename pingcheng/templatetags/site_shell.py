"""The site shell's links, reversed once per process: base.html links the same routes on every page, and ten
``{% url %}`` tags were a third of the time it took to render the shell."""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

register = template.Library()

# Context name → route. Child templates (error pages) read these names too.
SHELL_ROUTES = {
    "url_home": "home",
    "url_news": "articles:list",
    "url_campaigns": "campaigns:index",
    "url_inquiries": "inquiries-coming",
    "url_epaper": "epaper:index",
    "url_search": "search",
    "url_corrections": "articles:corrections",
    "url_rss": "feeds-rss",
    "url_archive": "articles:archive",
    "url_display_mode": "display-mode",
}
_reversed: dict[tuple[str, str], dict[str, str]] = {}


def _reverse_or_empty(route: str) -> str:
    # As the "as" form of {% url %}: an empty link rather than an error, so an error page renders whatever happened.
    try:
        return reverse(route)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def site_urls(context) -> str:
    """Set ``url_home``, ``url_news``, … in the context (see SHELL_ROUTES); renders nothing.

    Keyed by the URLconf and the script prefix, the two things a reversed URL depends on, so a site moved under
    a prefix or a request with its own URLconf gets its own links.
    """
    key = (str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix())
    urls = _reversed.get(key)
    if urls is None:
        urls = _reversed[key] = {name: _reverse_or_empty(route) for name, route in SHELL_ROUTES.items()}
    for name, url in urls.items():
        context[name] = url
    return ""
