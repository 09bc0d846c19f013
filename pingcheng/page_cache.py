"""Caching of anonymous public pages, with one generation counter per product.

A product ("news", "campaigns", …) registers itself once, with a callable that says when what the public
sees of it last changed (``page_product_register``, from its ``AppConfig.ready()``), decorates its public
views with ``@public_page("news")`` and calls ``page_generation_bump("news")`` when something public
changed. Page keys include the product's generation, so a bump retires every cached page of that product at
once without tracking which page showed what, and leaves the other products' pages alone.

Pages carry ``Cache-Control`` and ``Last-Modified``; ConditionalGetMiddleware answers the 304s. The cache
fails open (see CACHES in settings): when it cannot be reached, every page is rendered from the database.
"""

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from pingcheng.display_mode import display_mode
from pingcheng.pagination import page_number

logger = logging.getLogger(__name__)

PAGE_TTL = 60  # seconds: a scheduled item goes live at its minute even if no change was announced
BROWSER_MAX_AGE = 60

_last_modified: dict[str, Callable[[], datetime | None]] = {}


def page_product_register(product: str, *, last_modified: Callable[[], datetime | None]) -> None:
    """Declare a product whose public pages are cached; ``last_modified()`` reads the product's own data."""
    _last_modified[product] = last_modified


def _registered(product: str) -> str:
    if product not in _last_modified:
        raise ImproperlyConfigured(f"Page-cache product {product!r} is not registered (page_product_register)")
    return product


def _generation_key(product: str) -> str:
    return f"page-generation:{product}"


def _fresh_generation() -> int:
    # Milliseconds since the epoch: a generation started after a cache flush or eviction never meets the
    # keys of an earlier one that may still be stored.
    return int(time.time() * 1000)


def page_generation(product: str) -> int:
    """The product's current generation; started lazily so that an empty cache is a valid state."""
    key = _generation_key(product)
    generation = cache.get(key)
    if generation is None:
        cache.add(key, _fresh_generation(), None)
        generation = cache.get(key) or _fresh_generation()
    return generation


def page_generation_bump(product: str) -> None:
    """Retire every cached page of ``product``; other products' pages stay cached.

    Called after the commit of the change it announces. A cache that cannot be told must not turn that
    committed work into an error: the failure is logged, and pages expire within PAGE_TTL anyway.
    """
    key = _generation_key(_registered(product))
    try:
        try:
            cache.incr(key)  # atomic on Redis: two bumps at once both count
        except ValueError:  # never started, or evicted: any fresh generation retires the old pages
            cache.set(key, _fresh_generation(), None)
    except Exception:  # see the docstring: the change itself has been committed
        logger.warning("Could not retire the cached %s pages; they expire within %ss", product, PAGE_TTL,
                       exc_info=True)  # fmt: skip


def public_page(product: str):
    """Serve anonymous GETs of a ``product`` page from the cache for up to PAGE_TTL seconds.

    Only the ``page`` query parameter and the reader's display mode (``pingcheng.display_mode``) vary the
    key: other parameters (utm_…, typos) and other cookies must not mint new cache entries. Logged-in users
    get a fresh, private page. ``Last-Modified`` is read from the product's data when the page is rendered
    (not from the cache, which is per process in the embedded default), so a 304 never hides a change made by
    another process. Responses that set cookies are never stored. Pages answer ``Vary: Cookie``: a browser
    must not show the page it cached in one display mode after the reader switched to the other.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            last_modified = _last_modified[_registered(product)]
            anonymous = request.method in ("GET", "HEAD") and not request.user.is_authenticated
            if not anonymous:
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                return response
            # The reader's display mode (长辈模式) changes the markup, so each mode is cached on its own.
            # The path is hashed: any character a reader types stays out of the key (memcached refuses spaces).
            path = hashlib.sha256(request.path.encode()).hexdigest()[:32]
            key = f"page:{product}:{page_generation(product)}:{display_mode(request)}:{path}:{page_number(request)}"
            response = cache.get(key)
            if response is None:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                if response.status_code == 200:
                    changed_at = last_modified()
                    if changed_at is not None:
                        response["Last-Modified"] = http_date(changed_at.timestamp())
                    if not response.cookies:
                        cache.set(key, response, PAGE_TTL)
            if response.status_code == 200:
                patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
                patch_vary_headers(response, ("Cookie",))
            return response

        return wrapper

    return decorator
