"""The newsroom's side of the platform page cache (``pingcheng.page_cache``): the "news" product.

``ArticlesConfig.ready()`` registers the product with ``news_last_modified`` and connects
``news_pages_retire`` to ``article_changed``, so a publication, revision, correction or take-down retires
the cached news pages and no other product's.
"""

from datetime import datetime

from django.db.models import Max

from pingcheng.page_cache import page_generation_bump

NEWS = "news"


def news_last_modified() -> datetime | None:
    """When what the public sees last changed: the newest publication, revision, correction or take-down.

    Scheduled articles go live at their minute without an event, so their publish time counts too.
    """
    from articles.models import Article, ArticleEvent
    from articles.services import PUBLIC_EVENTS, article_live_q

    went_live = Article.objects.filter(article_live_q()).aggregate(at=Max("publish_at"))["at"]
    changed = ArticleEvent.objects.filter(action__in=PUBLIC_EVENTS).aggregate(at=Max("at"))["at"]
    return max(filter(None, [went_live, changed]), default=None)


def news_pages_retire(**_kwargs) -> None:
    """Receiver for ``article_changed``: every cached news page is stale from now on."""
    page_generation_bump(NEWS)
