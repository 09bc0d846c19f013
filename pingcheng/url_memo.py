"""URLs reversed once per URLconf and script prefix, for the links a public page prints by the dozen.

A list page prints a link to every article it shows; ``reverse()`` walks the resolver each time (about 25 µs),
so sixty links on the front page cost more than a query. Two memos:

* ``reverse_with_int`` for a route with one integer (an article's page: as many values as articles): the route
  is reversed once with a stand-in number, and each URL is the two halves around it joined with the real number;
* ``reverse_memo`` for routes whose arguments take few values (a section's slug, a unit's code, a date): each
  URL is kept whole, in a bounded dict.
"""

from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = 987_654_321_987
_halves: dict[tuple, tuple[str, str]] = {}


def reverse_with_int(route: str, name: str, value: int) -> str:
    """``reverse(route, kwargs={name: value})`` for an integer ``value``, without walking the resolver."""
    key = (route, name, get_urlconf(), get_script_prefix())
    halves = _halves.get(key)
    if halves is None:
        head, _, tail = reverse(route, kwargs={name: _STAND_IN}).rpartition(str(_STAND_IN))
        halves = _halves[key] = (head, tail)
    return f"{halves[0]}{int(value)}{halves[1]}"


# Routes with a slug or a code (a section, a street): few values, each reversed once per URLconf and prefix.
_REVERSED_MAX = 2048
_reversed: dict[tuple, str] = {}


def reverse_memo(route: str, **kwargs: str) -> str:
    """``reverse(route, kwargs=kwargs)``, remembered for the few values a page links to on every view (the
    sections' and streets' pages); the memo starts over past ``_REVERSED_MAX`` values."""
    key = (route, tuple(sorted(kwargs.items())), get_urlconf(), get_script_prefix())
    url = _reversed.get(key)
    if url is None:
        if len(_reversed) >= _REVERSED_MAX:
            _reversed.clear()
        url = _reversed[key] = reverse(route, kwargs=kwargs)
    return url
