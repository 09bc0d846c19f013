"""iCalendar feeds of public activities (RFC 5545), for the district, a street and a type.

Each activity is one VEVENT with a stable UID, ``SEQUENCE`` raised by every move or cancellation
(``Activity.sequence``), a moved one saying in its description what was announced before, and
``STATUS:CANCELLED`` once cancelled, so calendar apps that subscribed update
the event instead of keeping a stale one. Times carry ``TZID=Asia/Shanghai`` with its VTIMEZONE.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from icalendar import Calendar, Event

from campaigns import public
from campaigns.models import Activity, ActivityEvent, CampaignType
from pingcheng.directory.models import Unit

# A subscriber's calendar needs what is coming and what just happened (a cancellation must reach it).
PAST_DAYS = 30
DEFAULT_LENGTH = timedelta(hours=2)
STATUS = {Activity.Status.PLANNED: "CONFIRMED", Activity.Status.HELD: "CONFIRMED", Activity.Status.CLOSED: "CONFIRMED",
          Activity.Status.CANCELLED: "CANCELLED"}  # fmt: skip


def _calendar(request, name: str, activities) -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", "-//平城新闻//专项活动//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    # The site's own name, not the one this request used: fetched through www. or a bare domain, a proxy or an
    # internal address, the same activity must keep one UID, or subscribers' calendars hold it twice.
    host = urlsplit(settings.SITE_URL).hostname or request.get_host().split(":")[0]
    zone = timezone.get_current_timezone()
    since = timezone.now() - timedelta(days=PAST_DAYS)
    # Events residents were told of: planned (or cancelled or held after being planned). A patrol logged as
    # held when it was over was never an event to attend; a month of 1,300 grid workers' patrols would bury the
    # talks in tens of thousands of entries, on every poll of every subscriber.
    announced = ActivityEvent.objects.filter(activity=OuterRef("pk"), action=ActivityEvent.Action.PLANNED)
    activities = activities.filter(
        Q(status__in=[Activity.Status.PLANNED, Activity.Status.CANCELLED]) | Exists(announced)
    )
    for activity in activities.filter(starts_at__gte=since).select_related("campaign", "unit").order_by("starts_at"):
        event = Event()
        event.add("uid", f"activity-{activity.pk}@{host}")
        event.add("sequence", activity.sequence)
        event.add("dtstamp", activity.updated_at)
        event.add("last-modified", activity.updated_at)
        starts = timezone.localtime(activity.starts_at, zone)
        event.add("dtstart", starts)
        event.add("dtend", timezone.localtime(activity.ends_at, zone) if activity.ends_at else starts + DEFAULT_LENGTH)
        event.add("summary", activity.title)
        event.add("status", STATUS[activity.status])
        if activity.place:
            event.add("location", activity.place)
        description = [activity.campaign.title, activity.unit.name]
        if activity.status == Activity.Status.CANCELLED and activity.cancel_reason:
            description.append(f"已取消：{activity.cancel_reason}")
        else:
            if activity.cancel_reason:  # moved: what was announced before (campaigns.services._move_notice)
                description.append(f"已改期（{activity.cancel_reason}）")
            if activity.summary:
                description.append(activity.summary)
        event.add("description", "\n".join(description))
        event.add("url", request.build_absolute_uri(activity.campaign.get_absolute_url()))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="pingcheng-activities.ics"'
    return response


def district_calendar(request):
    return _calendar(request, "平城区专项活动", public.activities_public())


def unit_calendar(request, code: str):
    unit = get_object_or_404(Unit, code=code, is_active=True)
    return _calendar(
        request, f"{unit.name}专项活动", public.activities_public().filter(unit__path__startswith=unit.path)
    )


def type_calendar(request, slug: str):
    kind = get_object_or_404(CampaignType, slug=slug)
    return _calendar(request, f"{kind.name}活动", public.activities_public().filter(campaign__campaign_type=kind))
