"""What residents see of campaigns: public campaigns and their public activities, never drafts, internal
records or findings' details. One place decides it, so the pages, the calendars and the other products'
link functions cannot disagree."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from campaigns.models import Activity, ActivityFigure, Campaign
from pingcheng.directory.models import Unit
from pingcheng.photos.models import Photo

SHOWN = (Activity.Status.PLANNED, Activity.Status.HELD, Activity.Status.CLOSED, Activity.Status.CANCELLED)


def activities_public() -> QuerySet[Activity]:
    """Activities a resident may see: public ones of public campaigns, once announced (no drafts)."""
    return Activity.objects.filter(is_public=True, campaign__is_public=True, status__in=SHOWN)


def campaigns_public() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_public=True)


def campaigns_public_for_unit(unit: Unit) -> QuerySet[Campaign]:
    """Public campaigns a street or community takes part in: led by it or below it, or with a public activity
    held there."""
    held_there = activities_public().filter(campaign=OuterRef("pk"), unit__path__startswith=unit.path)
    return campaigns_public().filter(Q(lead_unit__path__startswith=unit.path) | Exists(held_there))


def activities_upcoming(now=None) -> QuerySet[Activity]:
    return (
        activities_public()
        .filter(status=Activity.Status.PLANNED, starts_at__gte=now or timezone.now())
        .order_by("starts_at")
    )


def timeline(campaign: Campaign) -> QuerySet[Activity]:
    """The campaign's public activities, newest first, with what each card prints (public figures, photos,
    coverage articles) in one query per kind."""
    from articles.links import articles_public  # the newsroom decides what is public

    figures = (
        ActivityFigure.objects.filter(metric__is_public=True).select_related("metric").order_by("metric__sort_order")
    )
    return (
        activities_public()
        .filter(campaign=campaign)
        .select_related("unit")
        .prefetch_related(
            Prefetch("figures", queryset=figures, to_attr="public_figures"),
            # The credit is printed under each photo: read with it, not once per photo.
            Prefetch("photos", queryset=Photo.objects.select_related("credit").order_by("created_at", "pk")),
            Prefetch("articles", queryset=articles_public(), to_attr="coverage"),
        )
        .order_by("-starts_at", "-pk")
    )
