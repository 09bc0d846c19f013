"""The newsroom's side of the platform page cache (``pingcheng.page_cache``): the "news" product.

``ArticlesConfig.ready()`` registers the product with ``news_last_modified`` and connects
``news_pages_changed`` to ``article_changed``, so a publication, revision, correction or take-down marks the
cached news pages stale and no other product's; a deleted article does the same (``post_delete``).
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pingcheng.page_cache import page_product_changed

NEWS = "news"


def news_last_modified() -> datetime | None:
    """What changed with the clock: the newest live article's publication minute (a scheduled one goes live
    without an announced change), a take-down time that passed before the sweep announced it, or a front-page
    slot's expiry (the automatic choice took its place).

    Announced changes (publication, revision, correction, withdrawal, a slot set) are recorded by the page
    cache itself. The article reads walk an index from its newest end and stop at the first row; the slots
    are five rows at most.
    """
    from articles.models import Article, FrontSlot
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
    slot_expired = (
        FrontSlot.objects.filter(expires_at__lte=now).order_by("-expires_at")
        .values_list("expires_at", flat=True).first()
    )  # fmt: skip
    return max(filter(None, [went_live, came_down, slot_expired]), default=None)


def news_pages_changed(**_kwargs) -> None:
    """Receiver for ``article_changed``: what readers see of the news changed."""
    page_product_changed(NEWS)


def news_pages_changed_after_commit(**_kwargs) -> None:
    """Receiver for an article's ``post_delete`` (the back office may delete one, with its front-page slot): what
    readers see of the news changed once the deletion is committed."""
    transaction.on_commit(news_pages_changed)
