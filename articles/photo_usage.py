"""The newsroom's answer to "which articles show this photo, and may this user change them".

Registered with ``pingcheng.photos.access`` in ``ArticlesConfig.ready()``. A photo is used by an article as a
figure or inline in its body (CKEditor writes the rendition URL, which carries the photo's uuid).
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from articles import access
from articles.models import Article, ArticlePhoto
from pingcheng.photos.access import PhotoUsage


def articles_showing_photo(photo):
    """Articles that show ``photo``: as a figure, or inline in the body (its uuid is in the rendition URL)."""
    return Article.objects.filter(Q(figures__photo=photo) | Q(body__contains=photo.uuid.hex))


def article_photo_usages(*, photo, user) -> list[PhotoUsage]:
    articles = articles_showing_photo(photo).distinct()
    reviewer = access.user_is_reviewer(user)
    return [
        PhotoUsage(label=_("稿件《%(headline)s》") % {"headline": article.headline},
                   may_change=access.user_may_edit(user, article), may_change_others_photos=reviewer)  # fmt: skip
        for article in articles.only("pk", "headline", "status", "created_by")
    ]


def article_photo_scope(*, user) -> Q | None:
    """Reviewers pick from every photo; other newsroom members from the photos of articles they can see."""
    if access.user_is_reviewer(user):
        return Q(pk__isnull=False)
    if not access.user_is_newsroom(user):
        return None
    return Q(pk__in=ArticlePhoto.objects.filter(article__in=access.articles_for_user(user).values("pk")).values("photo"))
