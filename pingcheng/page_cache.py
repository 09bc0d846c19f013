"""Caching of anonymous public pages: served whole from the cache, refreshed by one request at a time.

A product ("news", "campaigns", …) registers itself once (``page_product_register``, from its
``AppConfig.ready()``), decorates its public views with ``@public_page("news")`` and calls
``page_product_changed("news")`` after the commit of anything the public sees. That records when the product
last changed (``PublicChange``, read for ``Last-Modified`` instead of aggregating the product's tables) and
marks every cached page of the product stale — stale, not gone:

* ``PageCacheMiddleware`` (near the top of the middleware stack) answers an anonymous GET from the stored
  response while it is fresh: rendered in the product's current generation and less than ``PAGE_FRESH``
  seconds ago. Nothing below it runs — no session, no view, no database.
* A stale or missing page is rendered by the request that takes its render lock; that reader waits for the
  render and gets the fresh page. Readers arriving while it renders get the stale copy (stale-while-
  revalidate), so a publication at a busy moment costs one render per page, not one per reader. Only a page
  never stored has no copy to give, and every reader renders it.

Each process also keeps its own copies of the pages it served last (``LOCAL_PAGES``) and the generations it last
read: for ``LOCAL_GENERATIONS_MEMO`` seconds a hit costs no round trip to the cache at all (it was half of a
warm hit's time). A change announced in this process is seen at once; one announced in another (a Celery
worker's scheduled publication, another web process) within that fraction of a second.

So after a change the next request for a page gets it fresh, and a page of one product never goes stale
because another product changed — unless it shows that product too: a page that prints another product's
parts (the front page's current campaigns) says so while it renders (``page_depends_on``), and is stale when
either product changes. Stored responses are the finished ones (security, CSP and ``Vary``
headers included); one that sets a cookie is never stored. The cache fails open (see CACHES): when it cannot
be reached every page is rendered from the database. ``PAGE_CACHE=off`` turns the cache off (benchmarks).
"""

import functools
import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Value
from django.db.models.functions import Greatest
from django.middleware.http import ConditionalGetMiddleware
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from pingcheng.display_mode import display_mode
from pingcheng.pagination import page_number

logger = logging.getLogger(__name__)

PAGE_FRESH = 60  # seconds: a scheduled item goes live at its minute even when no change was announced
PAGE_KEEP = 3600  # seconds a stale page may still be given to readers while its successor renders
RENDER_LOCK = 30  # seconds: a render that died keeps no one waiting longer than this
BROWSER_MAX_AGE = 60
LAST_MODIFIED_MEMO = 5  # seconds
LOCAL_GENERATIONS_MEMO = 0.25  # seconds a process trusts the generations it read; well inside nginx's 1 s
LOCAL_PAGES = 256  # pages a process keeps a copy of (≈ 15–60 KB each)

_last_modified: dict[str, Callable[[], datetime | None]] = {}


def page_product_register(product: str, *, last_modified: Callable[[], datetime | None] = lambda: None) -> None:
    """Declare a product whose public pages are cached.

    ``last_modified()`` says what changed with the clock rather than by an announced change (an article whose
    publication minute came); it must be answered by an index, as it runs at every render.
    """
    _last_modified[product] = last_modified


def _registered(product: str) -> str:
    if product not in _last_modified:
        raise ImproperlyConfigured(f"Page-cache product {product!r} is not registered (page_product_register)")
    return product


def _generation_key(product: str) -> str:
    return f"page-generation:{product}"


def _fresh_generation() -> int:
    # Milliseconds since the epoch: a generation started after a cache flush or eviction never meets the
    # entries of an earlier one that may still be stored.
    return int(time.time() * 1000)


def page_generation(product: str) -> int:
    """The product's current generation; started lazily so that an empty cache is a valid state."""
    key = _generation_key(product)
    generation = cache.get(key)
    if generation is None:
        cache.add(key, _fresh_generation(), None)
        generation = cache.get(key) or _fresh_generation()
    return generation


class _LocalCopies:
    """This process's copies of the pages it served last, and the generations it last read from the cache."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pages: OrderedDict[str, tuple[str, int, float, bytes]] = OrderedDict()
        self._generations: dict[str, int | None] = {}
        self._generations_read_at = float("-inf")

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._generations_read_at = float("-inf")

    def forget_generations(self) -> None:
        self._generations_read_at = float("-inf")

    def generations_seen(self, generations: dict[str, int | None]) -> None:
        with self._lock:
            self._generations = generations
            self._generations_read_at = time.monotonic()

    def generation_if_fresh(self, product: str) -> int | None:
        """``product``'s generation as this process last read it (for the page being rendered, by the
        middleware), or ``None`` when that read is older than ``LOCAL_GENERATIONS_MEMO`` seconds."""
        with self._lock:
            if time.monotonic() - self._generations_read_at > LOCAL_GENERATIONS_MEMO:
                return None
            return self._generations.get(product)

    def fresh_response(self, key: str):
        """The copy of the page under ``key`` if it is still current by the recently read generations."""
        with self._lock:
            copy = self._pages.get(key)
            if copy is None or time.monotonic() - self._generations_read_at > LOCAL_GENERATIONS_MEMO:
                return None
            products, generations, rendered_at, blob = copy
            if generations != _generations_of(products, self._generations) or time.time() - rendered_at >= PAGE_FRESH:
                return None
            self._pages.move_to_end(key)
        # A response of its own for every reader: Django attaches closers and the request to the one it sends.
        return pickle.loads(blob)

    def keep(self, key: str, entry: tuple) -> None:
        products, generations, rendered_at, response = entry
        blob = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._pages[key] = (products, generations, rendered_at, blob)
            self._pages.move_to_end(key)
            while len(self._pages) > LOCAL_PAGES:
                self._pages.popitem(last=False)


_local = _LocalCopies()


class GenerationMemo:
    """A value read from ``product``'s data, kept in this process while the product's generation stays the same.

    For what an uncached page would otherwise ask the database on every view though it rarely changes (which
    articles some public campaign activity covers). The generation is read at most every
    ``LOCAL_GENERATIONS_MEMO`` seconds; a change announced in this process forgets the value at once, one
    announced elsewhere is seen within that time, and the value is read again after ``PAGE_FRESH`` seconds
    whatever the generation says (a per-process cache cannot hear other processes' changes). A value kept from
    an older generation than the one the middleware just read for this page is read again at once: the page
    is stored under that generation for ``PAGE_FRESH`` seconds and must not carry the older answer.
    """

    def __init__(self, product: str, load: Callable[[], object]):
        self.product = product
        self._load = load
        self._lock = threading.Lock()
        self.forget()
        _memos.append(self)

    def forget(self) -> None:
        self._loaded_at = self._checked_at = float("-inf")
        self._value = self._generation = None

    def value(self):
        now, value, generation = time.monotonic(), self._value, _local.generation_if_fresh(self.product)
        if (
            value is not None
            and generation in (None, self._generation)
            and now - self._checked_at <= LOCAL_GENERATIONS_MEMO
            and now - self._loaded_at < PAGE_FRESH
        ):
            return value
        if generation is None:
            generation = page_generation(_registered(self.product))
        with self._lock:
            if self._value is None or generation != self._generation or now - self._loaded_at >= PAGE_FRESH:
                self._value, self._generation, self._loaded_at = self._load(), generation, now
            self._checked_at = now
            return self._value


_memos: list[GenerationMemo] = []
# product → (when this process read it, under which generation, its last change): what
# ``product_last_modified`` answered last.
_last_modified_local: dict[str, tuple[float, int, datetime | None]] = {}


def page_cache_local_clear() -> None:
    """Drop this process's copies and memos (tests clear the shared cache between cases)."""
    _local.clear()
    _last_modified_local.clear()
    for memo in _memos:
        memo.forget()


def _generations_of(products: tuple[str, ...], known: dict) -> tuple:
    return tuple(known.get(product) for product in products)


def page_depends_on(request, product: str) -> None:
    """The page being rendered also prints ``product``'s data: it goes stale when that product changes too.

    Called by whatever renders the other product's part (a template tag), so the view that includes it
    need not know; outside a cached public page it does nothing.
    """
    _registered(product)
    also = getattr(request, "page_cache_also", None)
    if also is None:
        also = request.page_cache_also = []
    if product not in also:
        also.append(product)


def page_product_changed(product: str) -> None:
    """What the public sees of ``product`` changed: record when, and mark its cached pages stale.

    Called after the commit of the change it announces. A cache that cannot be told must not turn that
    committed work into an error: the failure is logged, and pages are stale after PAGE_FRESH anyway.
    """
    from pingcheng.models import PublicChange

    _registered(product)
    now = timezone.now()
    change, created = PublicChange.objects.get_or_create(product=product, defaults={"changed_at": now})
    if not created:
        # Never backwards: of two processes announcing at once, the one with the earlier clock may write last,
        # and an older Last-Modified would tell returning readers that the newer page is not modified.
        PublicChange.objects.filter(pk=change.pk).update(changed_at=Greatest("changed_at", Value(now)))
    _local.forget_generations()
    _last_modified_local.pop(product, None)
    for memo in _memos:
        if memo.product == product:
            memo.forget()
    key = _generation_key(product)
    try:
        try:
            cache.incr(key)  # atomic on Redis: two changes at once both count
        except ValueError:  # never started, or evicted: any fresh generation makes the old pages stale
            cache.set(key, _fresh_generation(), None)
    except Exception:  # see the docstring: the change itself has been committed
        logger.warning("Could not mark the cached %s pages stale; they refresh within %ss", product, PAGE_FRESH,
                       exc_info=True)  # fmt: skip


def product_last_modified(product: str) -> datetime | None:
    """When the public side of ``product`` last changed: the recorded change or the clock's, the later.

    Kept in the cache for LAST_MODIFIED_MEMO seconds under the product's generation, so a burst of renders
    reads it once and an announced change is seen at once; a clock-driven change shows within the memo time.
    Each process also keeps the answer for ``LOCAL_GENERATIONS_MEMO`` seconds, as it keeps the generations: an
    uncached page asked the cache twice per product it prints, four round trips to Redis on an article page.
    Not an answer of an older generation than the middleware just read for the page being rendered, though:
    that page is stored under the newer one, and a stale ``Last-Modified`` would answer a returning reader
    "not modified" for as long as it is served.
    """
    from pingcheng.models import PublicChange

    now, generation = time.monotonic(), _local.generation_if_fresh(product)
    local = _last_modified_local.get(product)
    if local is not None and now - local[0] <= LOCAL_GENERATIONS_MEMO and generation in (None, local[1]):
        return local[2]
    if generation is None:
        generation = page_generation(product)
    key = f"page-last-modified:{product}:{generation}"
    memo = cache.get(key)
    if memo is None:
        recorded = PublicChange.objects.filter(product=product).values_list("changed_at", flat=True).first()
        memo = max(filter(None, [recorded, _last_modified[_registered(product)]()]), default=None) or ""
        cache.set(key, memo, LAST_MODIFIED_MEMO)
    _last_modified_local[product] = (now, generation, memo or None)
    return memo or None


def public_page(product: str):
    """Mark a view's anonymous GETs as ``product`` pages that ``PageCacheMiddleware`` may store.

    Only the ``page`` query parameter and the reader's display mode (``pingcheng.display_mode``) vary the
    key: other parameters (utm_…, typos) and other cookies must not mint new entries. Logged-in users get a
    fresh, private page. ``Last-Modified`` is read from the product's data when the page is rendered; pages
    answer ``Vary: Cookie``, so a browser does not show the page it cached in one display mode after the
    reader switched to the other.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            _registered(product)
            response = view(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
                return response
            if response.status_code == 200:
                products = (product, *(p for p in getattr(request, "page_cache_also", ()) if p != product))
                changed_at = max(filter(None, map(product_last_modified, products)), default=None)
                if changed_at is not None:
                    response["Last-Modified"] = http_date(changed_at.timestamp())
                patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
                patch_vary_headers(response, ("Cookie",))
                # A page number past the end shows the last page: not stored, or every number up to 999999
                # would be an entry of its own (pingcheng.pagination marks the request).
                if not getattr(request, "page_number_out_of_range", False):
                    response.page_cache_product = products
            return response

        return wrapper

    return decorator


def _page_key(request) -> str:
    # Host and path are hashed: any character a reader types stays out of the key (memcached refuses
    # spaces). The host is in it because pages carry absolute URLs (canonical, structured data); get_host()
    # refuses a host outside ALLOWED_HOSTS (a 400) before anything is looked up.
    where = hashlib.sha256(f"{request.get_host()}{request.path}".encode()).hexdigest()[:32]
    return f"page:{display_mode(request)}:{where}:{page_number(request)}"


class PageCacheMiddleware:
    """Answer anonymous GETs of public pages from the cache; see the module docstring.

    Sits below WhiteNoise and above the session middleware. A request carrying a session cookie may belong
    to a logged-in user and goes through the whole stack.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.conditional = ConditionalGetMiddleware(get_response)

    def __call__(self, request):
        if (
            not settings.PAGE_CACHE_ENABLED
            or request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return self.get_response(request)
        key = _page_key(request)
        copy = _local.fresh_response(key)
        if copy is not None:
            return self.conditional.process_response(request, copy)
        stored = cache.get_many([key, *map(_generation_key, _last_modified)])
        _local.generations_seen({product: stored.get(_generation_key(product)) for product in _last_modified})
        entry = stored.get(key)
        if entry is not None:
            products, generations, rendered_at, response = entry
            current = _generations_of(products, {p: stored.get(_generation_key(p)) for p in products})
            if generations == current and time.time() - rendered_at < PAGE_FRESH:
                _local.keep(key, entry)
                return self.conditional.process_response(request, response)
        # Only a stale page is worth a lock: a path never stored (most of them not public pages at all)
        # costs no more than the lookup above.
        lock = f"{key}:render" if entry is not None else None
        if lock is not None and not cache.add(lock, 1, RENDER_LOCK):
            # Someone is rendering its successor: this reader gets the stale copy.
            return self.conditional.process_response(request, entry[3])
        try:
            # The generations as they were before rendering: a change committed meanwhile leaves this page stale.
            generations = {product: stored.get(_generation_key(product)) or page_generation(product)
                           for product in _last_modified}  # fmt: skip
            response = self.get_response(request)
            products = getattr(response, "page_cache_product", None)
            if products is not None and response.status_code == 200 and not response.cookies and not response.streaming:
                cache.set(key, (products, _generations_of(products, generations), time.time(), response), PAGE_KEEP)
            elif entry is not None:
                # The page is gone (withdrawn: 410; a tag without articles: 404) or no longer storable: the
                # old copy must not be handed to the next readers while someone else holds the lock.
                cache.delete(key)
            return response
        finally:
            if lock is not None:
                cache.delete(lock)
