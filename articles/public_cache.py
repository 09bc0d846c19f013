"""Caching of anonymous news pages, invalidated whenever what the public sees of any article changes.

A "news generation" counter lives in the cache; page keys include it, so bumping it (on the
``article_changed`` signal: published, revised, corrected, withdrawn, expired) retires every cached page at
once without tracking which pages showed which article. Pages also carry ``Cache-Control`` and
``Last-Modified`` (the time of the last change), and ConditionalGetMiddleware answers 304s.
"""

import functools
import time

from django.core.cache import cache
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

GENERATION_KEY = "news:generation"
PAGE_TTL = 60  # seconds: a scheduled article goes live at its minute even if no signal fired yet
BROWSER_MAX_AGE = 60


def news_generation() -> tuple[int, float]:
    """(generation, changed_at); started lazily so that an empty cache is a valid state."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = (int(time.time() * 1000), time.time())
        cache.add(GENERATION_KEY, value, None)
        value = cache.get(GENERATION_KEY) or value
    return value


def news_changed(**_kwargs) -> None:
    """Receiver for ``article_changed``: every cached news page is stale from now on."""
    generation, _changed_at = news_generation()
    cache.set(GENERATION_KEY, (generation + 1, time.time()), None)


def public_news_page(view):
    """Serve anonymous GETs from the cache for up to PAGE_TTL seconds, keyed by the news generation.

    ``Last-Modified`` is read from the database when the page is rendered (not from the cache, which is
    per process in the embedded default), so a 304 never hides a change made by another process.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        anonymous = request.method in ("GET", "HEAD") and not request.user.is_authenticated
        if not anonymous:
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        generation, _changed_at = news_generation()
        # Only the page number varies these pages: other query parameters must not mint new cache entries.
        key = f"news:page:{generation}:{request.path}:{request.GET.get('page', '')[:6]}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if response.status_code == 200:
                last_change = news_last_modified()
                if last_change is not None:
                    response["Last-Modified"] = http_date(last_change.timestamp())
                if not response.cookies:
                    cache.set(key, response, PAGE_TTL)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=BROWSER_MAX_AGE)
        return response

    return wrapper


def news_last_modified():
    """When what the public sees last changed: the newest publication, revision, correction or take-down.

    Scheduled articles go live at their minute without an event, so their publish time counts too.
    """
    from django.db.models import Max

    from articles.models import Article, ArticleEvent
    from articles.services import PUBLIC_EVENTS, article_live_q

    went_live = Article.objects.filter(article_live_q()).aggregate(at=Max("publish_at"))["at"]
    changed = ArticleEvent.objects.filter(action__in=PUBLIC_EVENTS).aggregate(at=Max("at"))["at"]
    return max(filter(None, [went_live, changed]), default=None)
