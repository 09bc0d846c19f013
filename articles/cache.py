"""The newsroom's side of the platform page cache (``pingcheng.page_cache``): the "news" product.

``ArticlesConfig.ready()`` registers the product with ``news_last_modified`` and connects
``news_pages_changed`` to ``article_changed``, so a publication, revision, correction or take-down marks the
cached news pages stale and no other product's.
"""

from datetime import datetime

from django.utils import timezone

from pingcheng.page_cache import page_product_changed

NEWS = "news"


def news_last_modified() -> datetime | None:
    """What changed with the clock: the newest live article's publication minute (a scheduled one goes live
    without an announced change) or a take-down time that passed before the sweep announced it.

    Announced changes (publication, revision, correction, withdrawal) are recorded by the page cache itself.
    Both reads walk an index from its newest end and stop at the first row.
    """
    from articles.models import Article
    from articles.services import LIVE_STATUSES, article_live_q

    now = timezone.now()
    went_live = (
        Article.objects.filter(article_live_q(now)).order_by("-publish_at", "-id")
        .values_list("publish_at", flat=True).first()
    )  # fmt: skip
    came_down = (
        Article.objects.filter(status__in=LIVE_STATUSES, unpublish_at__lte=now).order_by("-unpublish_at")
        .values_list("unpublish_at", flat=True).first()
    )  # fmt: skip
    return max(filter(None, [went_live, came_down]), default=None)


def news_pages_changed(**_kwargs) -> None:
    """Receiver for ``article_changed``: what readers see of the news changed."""
    page_product_changed(NEWS)
