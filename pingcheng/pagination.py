"""One way to paginate a public list, so every product's lists behave alike.

``paginate`` wraps Django's ``Paginator.get_page``: a page number that is missing, not a plain number or junk
(``?page=abc``, ``?page=1.5``, ``?page=+2``, a 5000-digit number, ``0``, ``-1``) shows the first page; one past
the end shows the last page. A bad ``?page=`` is never an error page. Templates render the result with
``{% include "includes/pagination.html" with page_range=page_obj.elided %}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.http import urlencode

PAGE_SIZE = 20
# Lists page back this far and no further: counting a whole table of 100,000 rows on every view costs more
# than any reader gains from page 4,000. Older items are reached by date (the archive) or by search.
MAX_PAGES = 250
# And a page counts only this many pages past itself: page 1 reads at most 221 rows to know whether page 11
# exists, not 5,001; the links end with "…" when there are more.
LOOKAHEAD_PAGES = 10
# Past this many rows a page first reads its keys, then its rows: OFFSET walks every row before the page, and
# walking keys only is an index-only scan where an index covers the list's order and filter (articles'
# live indexes do), instead of reading every skipped row from the table.
DEEP_OFFSET_ROWS = 200
# The page links around the current one and at each end: 1 … 4 5 [6] 7 8 … 20.
ON_EACH_SIDE = 2
ON_ENDS = 1
# The only page numbers we read: Python's int() also takes " 2", "+2", "٢" and "0_2", which would let one
# request file page 2 under page 1's cache key.
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def page_number(request: HttpRequest) -> int:
    """The page ``?page=`` asks for: a plain number from 1 to 999999, anything else is page 1.

    The page cache keys pages by this same number, so what is cached under a key is what the key says.
    """
    value = request.GET.get("page", "")
    return int(value) if _PAGE_NUMBER.fullmatch(value) else 1


class CappedPaginator(Paginator):
    """A paginator that counts at most ``max_pages`` pages of rows: ``count`` is exact up to that many,
    and ``capped`` says there are more than it shows. The count reads at most one row past the cap.

    ``object_list`` may be a function that returns the ordered queryset: it is called only when a page reads
    its rows by slicing it. A list read through ``keys_between`` and ``rows_by_keys`` never does past
    ``DEEP_OFFSET_ROWS``, and building a filtered queryset cost a deep page of the news a tenth of its time.
    """

    def __init__(self, object_list, per_page, *, max_pages: int | None = None, rows_by_keys=None,
                 keys_between=None, **kwargs):  # fmt: skip
        self._build = object_list if callable(object_list) else None
        super().__init__(None if self._build else object_list, per_page, **kwargs)
        self.max_pages = max_pages or MAX_PAGES
        self.rows_by_keys = rows_by_keys
        self.keys_between = keys_between

    @property
    def object_list(self):
        if self._build is not None:
            self._object_list, self._build = self._build(), None
            super()._check_object_list_is_ordered()
        return self._object_list

    @object_list.setter
    def object_list(self, value) -> None:
        self._object_list = value

    def _check_object_list_is_ordered(self) -> None:
        if self._build is None:  # else when it is built
            super()._check_object_list_is_ordered()

    # A deep page's keys, read with the count: (the page's first row, the keys from there to one past the cap).
    _deep_keys: tuple[int, list] | None = None
    _requested: int | None = None

    def get_page(self, number) -> Page:
        self._requested = number if isinstance(number, int) else None
        return super().get_page(number)

    def _deep(self, bottom: int) -> bool:
        if bottom < DEEP_OFFSET_ROWS:
            return False
        if self.keys_between is not None and self.rows_by_keys is not None:
            return True  # keys and rows are read by their own queries: the queryset is not needed
        queryset = self.object_list
        return isinstance(queryset, QuerySet) and not queryset.query.combinator

    @cached_property
    def _capped_count(self) -> int:
        limit = self.max_pages * self.per_page
        bottom = (self._requested - 1) * self.per_page if self._requested else 0
        if self._deep(bottom) and bottom < limit:
            # One walk of the keys from the requested page to one past the cap gives both the count and the
            # page's keys: the rows before the page are skipped once, not counted and then skipped again.
            keys = self._keys(bottom, limit + 1)
            if keys:  # else the page is past the end: counted below, and the last page is shown
                self._deep_keys = (bottom, keys)
                return bottom + len(keys)
        if not isinstance(self.object_list, QuerySet):
            return min(len(self.object_list), limit + 1)
        return self.object_list.values("pk")[: limit + 1].count()

    def _keys(self, start: int, stop: int) -> list:
        if self.keys_between is not None:
            return list(self.keys_between(start, stop))
        return list(self.object_list.values_list("pk", flat=True)[start:stop])

    @cached_property
    def count(self) -> int:
        return min(self._capped_count, self.max_pages * self.per_page)

    @cached_property
    def capped(self) -> bool:
        return self._capped_count > self.max_pages * self.per_page

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self._deep(bottom):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self._deep_keys is not None and self._deep_keys[0] == bottom:
            keys = self._deep_keys[1][: top - bottom]
        else:
            keys = self._keys(bottom, top)
        found = self.rows_by_keys(keys) if self.rows_by_keys is not None else self.object_list.filter(pk__in=keys)
        rows = {row.pk: row for row in found}
        # A row taken down between the two reads is left out rather than shifting the page.
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


def paginate(
    request: HttpRequest,
    object_list: QuerySet | list,
    *,
    per_page: int = PAGE_SIZE,
    keep: Iterable[str] = (),
    max_pages: int | None = None,
    rows_by_keys: Callable[[list], Iterable] | None = None,
    keys_between: Callable[[int, int], list] | None = None,
) -> Page:
    """The page of ``object_list`` that ``?page=`` asks for, with ``elided``: the page numbers to link to.

    ``elided`` is a list (not Django's generator), so a template may show the links above and below a list.
    ``querystring`` holds the parameters named in ``keep`` (a search's ``q`` and filters) for the page
    links; any other parameter is dropped, so a cached page never hands one reader's parameters to the next.
    A queryset must be ordered, or pages may overlap. No view counts a whole table: only ``LOOKAHEAD_PAGES``
    pages past the requested one are counted (``page.more_beyond``: the links end with "…"), and never more than
    ``max_pages`` (``MAX_PAGES`` unless given; ``page.at_cap``: older items are not listed). ``object_list`` may be
    a function returning the queryset, called only if a page needs it (``CappedPaginator``). ``rows_by_keys(keys)``
    reads a deep page's rows by their keys (a query compiled once, ``pingcheng.prepared``) instead of filtering
    ``object_list`` by them; it must apply the list's own conditions. ``keys_between(start, stop)`` reads the
    keys of rows ``start`` to ``stop`` of ``object_list`` (a query compiled once) instead of slicing it.
    """
    requested = page_number(request)
    cap = max_pages or MAX_PAGES
    window = min(cap, requested + LOOKAHEAD_PAGES) if requested <= cap else cap
    page = CappedPaginator(object_list, per_page, max_pages=window, rows_by_keys=rows_by_keys,
                           keys_between=keys_between).get_page(requested)  # fmt: skip
    if page.number != requested:
        request.page_number_out_of_range = True  # the page cache does not store it (pingcheng.page_cache)
    # More pages than the links show: beyond the look-ahead ("…" after the last link), or beyond the cap.
    page.more_beyond = page.paginator.capped and window < cap
    page.at_cap = page.paginator.capped and window == cap
    page.elided = list(page.paginator.get_elided_page_range(page.number, on_each_side=ON_EACH_SIDE, on_ends=ON_ENDS))
    page.querystring = urlencode([(name, value) for name in keep for value in request.GET.getlist(name) if value])
    return page
