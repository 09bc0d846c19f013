"""``{% load epaper_blocks %}``: the e-paper's list of pages and of earlier issues, built in Python.

Each item is a link with a date or a page's number and name: markup that never changes, which template loops
rendered with a ``{% url %}``, date filters and a ``{% blocktranslate %}`` per item — a third of the edition
page's template time with sixteen pages and twelve earlier issues.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from pingcheng.url_memo import reverse_memo

register = template.Library()


def _long(day) -> str:
    # As the date filter's "Y年n月j日": the year with four digits (a mistyped 0202 stays 0202).
    return f"{day.year:04d}年{day.month}月{day.day}日"


@register.simple_tag
def epaper_page_buttons(edition, pages, current) -> SafeString:
    """``{% epaper_page_buttons edition all_pages current %}``: one button per page, the current one marked."""
    items = []
    for page in pages:
        url = escape(reverse_memo("epaper:page", edition_date=edition.date.isoformat(), page_number=page.number))
        # As {% blocktranslate %} does: the values escaped, the translation as the catalogue writes it.
        label = _("第%(n)s版 %(name)s") % {"n": escape(page.number), "name": escape(page.name)}
        kind, aria = ("button", ' aria-current="page"') if current == page else ("button button-secondary", "")
        items.append(f'<li><a class="{kind}" href="{url}"{aria}>{label}</a></li>')
    # Safe: URLs and the values in the labels are escaped here; the translations are ours.
    return mark_safe("".join(items))


@register.simple_tag
def epaper_earlier_issues(earlier) -> SafeString:
    """``{% epaper_earlier_issues earlier %}``: one link per earlier issue, with its date and number."""
    items = []
    for issue in earlier:
        iso = issue.date.isoformat()
        url = escape(reverse_memo("epaper:edition", edition_date=iso))
        number = _("第%(n)s期") % {"n": escape(issue.number)}
        items.append(
            f'<li><a href="{url}"><time datetime="{iso}">{_long(issue.date)}</time> '
            f'<span class="meta">{number}</span></a></li>'
        )
    # Safe: URLs and numbers are escaped here, the translation is ours; dates are digits.
    return mark_safe("".join(items))
