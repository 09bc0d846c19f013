"""Who may see, change and delete a photo.

A photo has no owner of its own: it belongs to whatever shows it (an article's figure or body, an activity
report …). Products register two functions here — which photos a user may see in the back office, and which
of their objects use a given photo and whether the user may change each — so the platform never imports a
product. The rules:

* change (caption, credit, alt text): whoever may change *every* object that uses the photo **and** either
  uploaded it or is trusted by one of those objects with other people's pictures (a newsroom reviewer) —
  putting someone's photo into your own draft never makes it yours; a photo used nowhere yet, its uploader;
* delete: only a photo used nowhere (readers would lose it otherwise), by its uploader;
* district administrators and superusers may do both.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from pingcheng.directory import access
from pingcheng.photos.models import Photo


@dataclass(frozen=True)
class PhotoUsage:
    """One object that shows the photo, and whether the user may change that object."""

    label: str
    may_change: bool
    # Whether this object lets the user re-caption pictures they did not upload (an editor fixing a credit).
    may_change_others_photos: bool = False


UsageFinder = Callable[..., list[PhotoUsage]]
ScopeFinder = Callable[..., Q | None]
_usage_finders: list[UsageFinder] = []
_scope_finders: list[ScopeFinder] = []


def photo_usage_register(finder: UsageFinder) -> UsageFinder:
    """Register ``finder(*, photo, user) -> list[PhotoUsage]``; usable as a decorator."""
    if finder not in _usage_finders:
        _usage_finders.append(finder)
    return finder


def photo_scope_register(finder: ScopeFinder) -> ScopeFinder:
    """Register ``finder(*, user) -> Q | None``: the photos a product lets this user see (None: none)."""
    if finder not in _scope_finders:
        _scope_finders.append(finder)
    return finder


def photo_usages(*, photo: Photo, user) -> list[PhotoUsage]:
    return [usage for finder in _usage_finders for usage in finder(photo=photo, user=user)]


def photos_for_user(user) -> QuerySet[Photo]:
    """The photos the back office lists and offers for this user: their own uploads and what products allow."""
    if access.user_sees_everything(user):
        return Photo.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Photo.objects.none()
    condition = Q(uploaded_by=user)
    for finder in _scope_finders:
        extra = finder(user=user)
        if extra is not None:
            condition |= extra
    return Photo.objects.filter(condition)


def photo_user_may_change(user, photo: Photo) -> bool:
    if access.user_sees_everything(user):
        return True
    uploader = photo.uploaded_by_id is not None and photo.uploaded_by_id == user.pk
    usages = photo_usages(photo=photo, user=user)
    if usages:
        return all(usage.may_change for usage in usages) and (
            uploader or any(usage.may_change_others_photos for usage in usages)
        )
    return uploader


def photo_user_may_delete(user, photo: Photo) -> bool:
    if photo_usages(photo=photo, user=user):
        return False
    return access.user_sees_everything(user) or (photo.uploaded_by_id is not None and photo.uploaded_by_id == user.pk)
