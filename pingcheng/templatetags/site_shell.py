"""The site shell's links, reversed once per process: base.html links the same routes on every page, and ten
``{% url %}`` tags were a third of the time it took to render the shell."""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

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


# --- The header and the footer, rendered once per variation ---------------------------------------------
# Every page prints the same header and footer but for a few things: the display mode, which section is
# current, the day, the language, the site's names. Each variation is rendered once per process and kept; the
# reader's own values (the mode switch's return path, the words in the search box) are put in afterwards.
# A full render of the two cost about 0.4 ms on every uncached page.

# The section links of the header: context name → the view's ``nav`` value for that section.
_SECTIONS = {"url_news": "news", "url_campaigns": "campaigns", "url_inquiries": "inquiries", "url_epaper": "epaper"}
# Stand-ins for the reader's values while a variation is rendered: text no page prints.
_NEXT = "\x00display-mode-next\x00"
_QUERY = "\x00site-search-q\x00"
_SHELL_PARTS_MAX = 512
_shell_parts: dict[tuple, str] = {}


def _section_current(nav, section: str, path: str, url: str) -> str | None:
    """What the header's ``{% if nav == … or not nav and url in path %}`` decides for one section link."""
    if nav == section or (not nav and url in path):
        return "page" if path == url else "true"
    return None


def _shell_part(context, template_name: str, key: tuple) -> str:
    html = _shell_parts.get(key)
    if html is None:
        with context.push(display_mode_next=_NEXT, site_search_q=_QUERY):
            html = context.template.engine.get_template(template_name).render(context).strip()
        if len(_shell_parts) >= _SHELL_PARTS_MAX:
            _shell_parts.clear()
        _shell_parts[key] = html
    return html


def _common_key(context) -> tuple:
    return (get_language(), get_urlconf(), get_script_prefix(), *(context.get(name, "") for name in SHELL_ROUTES))


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    """``{% site_header %}``: includes/site_header.html as this page would render it."""
    path, nav = context.get("path", ""), context.get("nav")
    current = tuple(_section_current(nav, section, path, context.get(name, "")) for name, section in _SECTIONS.items())
    key = ("header", *_common_key(context), context.get("site_name"), context.get("display_mode"),
           path == context.get("url_home", ""), current, timezone.localdate())  # fmt: skip
    html = _shell_part(context, "includes/site_header.html", key)
    # As the template would print them: ``{{ display_mode_next|default:"/" }}`` and ``{{ site_search_q }}``.
    back = context.get("display_mode_next") or "/"
    words = context.get("site_search_q", "")
    # Safe: the part comes from an autoescaping template, and what is put in is escaped here.
    return mark_safe(html.replace(_NEXT, conditional_escape(back)).replace(_QUERY, conditional_escape(words)))


@register.simple_tag(takes_context=True)
def site_footer(context) -> SafeString:
    """``{% site_footer %}``: includes/site_footer.html as this page would render it."""
    key = ("footer", *_common_key(context), context.get("SITE_SLOGAN"), context.get("SITE_CONTACT"),
           timezone.localdate().year)  # fmt: skip
    # Safe: rendered by an autoescaping template.
    return mark_safe(_shell_part(context, "includes/site_footer.html", key))
