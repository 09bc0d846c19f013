"""Who else has an article open in the back office, so editors are warned before they collide.

Kept in the cache: a short-lived note per article of the users who opened its edit page recently. The
hard guarantee against lost edits is the version check in ``articles.services.article_save``; this is the
early warning.
"""

from django.core.cache import cache
from django.utils import timezone

from pingcheng.accounts import person_name

PRESENCE_SECONDS = 15 * 60


def _key(article_id: int) -> str:
    return f"article-editing:{article_id}"


def editing_touch(*, article_id: int, user) -> list[str]:
    """Record that ``user`` opened the article; return the names of others who opened it recently."""
    now = timezone.now().timestamp()
    present = {
        user_id: entry for user_id, entry in (cache.get(_key(article_id)) or {}).items() if now - entry[1] < PRESENCE_SECONDS
    }
    others = [name for user_id, (name, _at) in present.items() if user_id != user.pk]
    present[user.pk] = (person_name(user), now)
    cache.set(_key(article_id), present, PRESENCE_SECONDS)
    return others
