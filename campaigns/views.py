"""The public campaigns section: running and past campaigns, each with its activities as a timeline, public
figures derived from the activities, and what residents can attend next; a street's campaigns."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from campaigns import public, selectors
from campaigns.cache import CAMPAIGNS
from campaigns.models import Activity
from pingcheng.breadcrumbs import crumb
from pingcheng.directory.models import Unit
from pingcheng.page_cache import page_depends_on, public_page
from pingcheng.pagination import paginate

NEWS = "news"  # the newsroom's page-cache product (articles registers it)
UPCOMING_SHOWN = 10
STREET_KINDS = (Unit.Kind.STREET, Unit.Kind.COMMUNITY, Unit.Kind.VILLAGE)


def _with_counts(campaigns):
    held = Q(activities__is_public=True, activities__status__in=selectors.COUNTED)
    return campaigns.select_related("campaign_type", "lead_unit").annotate(held_count=Count("activities", filter=held))


@public_page(CAMPAIGNS)
def campaign_list(request):
    today = timezone.localdate()
    campaigns = _with_counts(public.campaigns_public())
    return render(request, "campaigns/campaign_list.html", {
        "running": campaigns.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on", "pk"),
        "past": campaigns.filter(ends_on__lt=today).order_by("-ends_on", "pk")[:30],
        "coming": campaigns.filter(starts_on__gt=today).order_by("starts_on", "pk"),
        "upcoming": public.activities_upcoming().select_related("campaign", "unit")[:UPCOMING_SHOWN],
        "streets": Unit.objects.filter(kind=Unit.Kind.STREET, is_active=True).order_by("path"),
        "nav": "campaigns",
    })  # fmt: skip


@public_page(CAMPAIGNS)
def campaign_detail(request, slug: str):
    campaign = get_object_or_404(public.campaigns_public().select_related("campaign_type", "lead_unit"), slug=slug)
    # The timeline prints its coverage (the newsroom's headlines and links): a withdrawn or corrected article
    # must leave this page when the news changes, not up to a minute later.
    page_depends_on(request, NEWS)
    totals = {metric: value for metric, value in selectors.campaign_totals(campaign=campaign, public=True).items()
              if metric.is_public}  # fmt: skip
    # A flood season's patrols run to thousands of activities: the timeline comes in pages, newest first.
    page = paginate(request, public.timeline(campaign))
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "partners": campaign.partner_units.order_by("path"),
        "totals": totals,
        "timeline": page.object_list,
        "page_obj": page,
        "crumbs": [crumb("专项活动", "campaigns:index"), crumb(campaign.title)],
        "nav": "campaigns",
        "statuses": Activity.Status,
    })  # fmt: skip


@public_page(CAMPAIGNS)
def unit_campaigns(request, code: str):
    unit = get_object_or_404(Unit, code=code, is_active=True, kind__in=STREET_KINDS)
    return render(request, "campaigns/unit_campaigns.html", {
        "unit": unit,
        "campaigns": _with_counts(public.campaigns_public_for_unit(unit)).order_by("-starts_on", "pk"),
        "upcoming": public.activities_upcoming().filter(unit__path__startswith=unit.path)
        .select_related("campaign", "unit")[:UPCOMING_SHOWN],
        "crumbs": [crumb("专项活动", "campaigns:index"), crumb(unit.name)],
        "nav": "campaigns",
    })  # fmt: skip
