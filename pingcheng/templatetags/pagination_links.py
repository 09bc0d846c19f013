"""``{% pagination_links %}``: the page links under a list, built here rather than by a template loop.

Every list of every product prints them on each uncached view; rendered by the template engine, its loop of
links with their ``{% translate %}`` tags took about a third of a news list's template time, for markup that
only changes with the page number. ``templates/includes/pagination.html`` documents the context and calls this.
"""

from html import escape

from django import template
from django.core.paginator import Paginator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.simple_tag
def pagination_links(page_obj, page_range=None, older_url: str = "") -> SafeString:
    """The ``<nav class="pagination">`` for ``page_obj`` (from ``pingcheng.pagination.paginate``), or nothing
    when there is one page. Without ``page_range`` (``page_obj.elided``) a "第 N / M 页" status replaces the links.
    """
    if not page_obj or not page_obj.has_other_pages():
        return mark_safe("")
    querystring = getattr(page_obj, "querystring", "")
    # The querystring is URL-encoded by paginate; escaped again for the attribute, as the template did.
    prefix = f"?{escape(querystring)}&amp;page=" if querystring else "?page="
    page_word, number_word = escape(gettext("页")), escape(gettext("第"))
    items = []
    if page_obj.has_previous():
        items.append(f'<li class="pagination-prev"><a rel="prev" href="{prefix}{page_obj.previous_page_number()}">'
                     f"{escape(gettext('上一页'))}</a></li>")  # fmt: skip
    if page_range:
        current_word = escape(gettext("当前第"))
        for n in page_range:
            if n == page_obj.number:
                items.append(f'<li><span class="pagination-current" aria-current="page"><span class="sr-only">'
                             f'{current_word}</span>{n}<span class="sr-only">{page_word}</span></span></li>')  # fmt: skip
            elif n == Paginator.ELLIPSIS:
                items.append(f'<li><span class="pagination-gap" aria-hidden="true">{escape(str(n))}</span></li>')
            else:
                items.append(f'<li><a href="{prefix}{n}"><span class="sr-only">{number_word}</span>{n}'
                             f'<span class="sr-only">{page_word}</span></a></li>')  # fmt: skip
    else:
        status = gettext("第 %(number)s / %(total)s 页") % {"number": page_obj.number,
                                                            "total": page_obj.paginator.num_pages}  # fmt: skip
        items.append(f'<li class="pagination-status">{escape(status)}</li>')
    if getattr(page_obj, "more_beyond", False):
        items.append('<li><span class="pagination-gap" aria-hidden="true">…</span></li>')
    if page_obj.has_next():
        items.append(f'<li class="pagination-next"><a rel="next" href="{prefix}{page_obj.next_page_number()}">'
                     f"{escape(gettext('下一页'))}</a></li>")  # fmt: skip
    cap = ""
    if getattr(page_obj, "at_cap", False) and not page_obj.has_next():
        pages = page_obj.paginator.num_pages
        cap = escape(ngettext("只列出最近 %(pages)s 页。", "只列出最近 %(pages)s 页。", pages) % {"pages": pages})
        if older_url:
            cap += f' <a href="{escape(older_url)}">{escape(gettext("按日期查看更早的内容"))}</a>'
        cap = f'\n  <p class="pagination-status">{cap}</p>'
    # Safe: every value put in is a number or escaped here.
    return mark_safe(
        f'<nav class="pagination" aria-label="{escape(gettext("分页"))}">\n  <ul>\n    '
        + "\n    ".join(items)
        + f"\n  </ul>{cap}\n</nav>"
    )
