"""One way to paginate a public list, so every product's lists behave alike.

``paginate`` wraps Django's ``Paginator.get_page``: a page number that is missing, not a number or junk
(``?page=abc``, ``?page=1.5``, a 5000-digit number) shows the first page; one past the end, or below 1, shows
the last page. A bad ``?page=`` is never an error page. Templates render the result with
``{% include "includes/pagination.html" with page_range=page_obj.elided %}``.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 20
# The page links around the current one and at each end: 1 … 4 5 [6] 7 8 … 20.
ON_EACH_SIDE = 2
ON_ENDS = 1


def paginate(request: HttpRequest, object_list: QuerySet | list, *, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``object_list`` that ``?page=`` asks for, with ``elided``: the page numbers to link to.

    ``elided`` is a list (not Django's generator), so a template may show the links above and below a list.
    A queryset must be ordered, or pages may overlap.
    """
    page = Paginator(object_list, per_page).get_page(request.GET.get("page"))
    page.elided = list(page.paginator.get_elided_page_range(page.number, on_each_side=ON_EACH_SIDE, on_ends=ON_ENDS))
    return page
