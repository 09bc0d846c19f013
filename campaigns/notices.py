"""What campaigns tell people, and when: one sweep (``campaign_notices_sweep``, every minute) reads what is
due from the database and writes notices under keys, so a late, missed or doubled run sends nothing twice.

- "new activity" announcements: when a public activity of a public campaign becomes upcoming (planned and not yet
  started: created as planned, a draft planned, an internal one made public), its unit's subscribers and those of
  the units above are told once, in the same transaction (``activity_announced_notify``, called by the services),
  at their frequency (a digest may carry it); keyed by the activity, so a second announcement tells nobody twice;
- activity reminders 24 h and 2 h before a public, planned activity, to the subscribers of its unit and the
  units above (immediate subscribers only: a digest would come too late); keyed by the activity's
  ``sequence``, so a moved activity is reminded of at its new time, and checked again at send time;
- "moved" and "cancelled" notices for public activities that had been announced, from their events;
- organisers (whoever logged the activity, else its unit's staff) told once to close an activity that ended
  without a report;
- findings due tomorrow → the responsible unit's staff; findings escalated by
  ``services.findings_escalate_overdue`` (overdue) → the staff of the unit they were escalated to.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from campaigns import public
from campaigns.models import Activity, ActivityEvent, Finding
from campaigns.services import OPEN_RECTIFICATION
from pingcheng.directory.models import Unit
from pingcheng.notices.audience import subscribers_notify
from pingcheng.notices.models import Fanout, Notice, Topic
from pingcheng.notices.services import notice_enqueue

REMINDER_LEADS = {"24h": timedelta(hours=24), "2h": timedelta(hours=2)}
# How far back a late sweep still finds what it missed (events, ended activities, escalations).
LOOKBACK = timedelta(days=3)
# An activity may run late and be closed the same day: the organiser is reminded once this has passed.
CLOSE_GRACE = timedelta(hours=2)


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _activity_context(activity: Activity) -> dict:
    return {
        "activity_id": activity.pk,
        "sequence": activity.sequence,
        "title": activity.title,
        "campaign": activity.campaign.title,
        "unit": activity.unit.name,
        "when": _when(activity.starts_at),
        "place": activity.place,
        "url": settings.SITE_URL + activity.campaign.get_absolute_url(),
    }


def _existing_keys(model, keys: list[str]) -> set[str]:
    return set(model.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()


def activity_announced_notify(activity: Activity) -> bool:
    """Tell the campaign subscribers of ``activity``'s unit (and the units above) that it is announced, if it now
    is: public, in a public campaign, planned, and not yet started. Called by ``services.activity_save`` and
    ``services.activity_step`` in their transaction, so the fan-out commits with the change that announced it or
    not at all. Keyed by the activity alone: made internal and public again, or edited, it is told once.
    Returns whether the activity is announced (the fan-out may have been written before)."""
    if not (activity.is_public and activity.status == Activity.Status.PLANNED and activity.starts_at > timezone.now()):
        return False
    campaign = activity.campaign
    if not campaign.is_public:
        return False
    subscribers_notify(kind="campaign_activity_announced", topic=Topic.CAMPAIGN, key=f"activity:{activity.pk}:announced",
                       units=[activity.unit], context=_activity_context(activity))  # fmt: skip
    return True


def activity_reminders_send(*, now: datetime) -> int:
    """Write the reminders due now: 24 h ones between 24 h and 2 h before the start, 2 h ones in the last two
    hours. Returns how many fan-outs it wrote."""
    written = 0
    planned = public.activities_public().filter(status=Activity.Status.PLANNED, starts_at__gt=now)
    windows = {
        "24h": planned.filter(starts_at__lte=now + REMINDER_LEADS["24h"], starts_at__gt=now + REMINDER_LEADS["2h"]),
        "2h": planned.filter(starts_at__lte=now + REMINDER_LEADS["2h"]),
    }
    for lead, activities in windows.items():
        activities = list(activities.select_related("campaign", "unit"))
        keys = {activity.pk: f"activity:{activity.pk}:reminder:{lead}:{activity.sequence}" for activity in activities}
        done = _existing_keys(Fanout, list(keys.values()))
        for activity in activities:
            if keys[activity.pk] in done:
                continue
            with transaction.atomic():
                subscribers_notify(kind="campaign_activity_reminder", topic=Topic.CAMPAIGN, key=keys[activity.pk],
                                   units=[activity.unit], immediate_only=True,
                                   context={**_activity_context(activity), "lead": lead})  # fmt: skip
            written += 1
    return written


def activity_changes_send(*, now: datetime) -> int:
    """Tell subscribers of each move or cancellation of a public activity that had been announced and had not
    yet happened. Returns how many fan-outs it wrote."""
    events = (
        ActivityEvent.objects.filter(action__in=[ActivityEvent.Action.MOVED, ActivityEvent.Action.CANCELLED],
                                     at__gte=now - LOOKBACK, activity__in=public.activities_public())
        .select_related("activity__campaign", "activity__unit")
        .order_by("pk")
    )  # fmt: skip
    # Only the latest change of each activity: two moves before a run are one notice of where it is now.
    latest = {event.activity_id: event for event in events}
    events = sorted(latest.values(), key=lambda event: event.pk)
    keys = {event.pk: f"activity:{event.activity_id}:event:{event.pk}" for event in events}
    done = _existing_keys(Fanout, list(keys.values()))
    written = 0
    for event in events:
        activity = event.activity
        if keys[event.pk] in done or activity.starts_at <= event.at:
            continue  # told already, or about an activity already under way (nobody is left to come)
        moved = event.action == ActivityEvent.Action.MOVED
        kind = "campaign_activity_moved" if moved else "campaign_activity_cancelled"
        context = {**_activity_context(activity), "note": activity.cancel_reason or event.note}
        with transaction.atomic():
            subscribers_notify(kind=kind, topic=Topic.CAMPAIGN, key=keys[event.pk], units=[activity.unit],
                               context=context)  # fmt: skip
        written += 1
    return written


def _unit_staff(unit: Unit) -> list:
    return list(
        get_user_model().objects.filter(
            is_active=True, memberships__unit=unit, memberships__is_active=True
        ).distinct().order_by("pk")
    )  # fmt: skip


def _staff_notify(*, kind: str, users, key: str, context: dict) -> int:
    sent = 0
    with transaction.atomic():
        for user in users:
            sent += bool(notice_enqueue(kind=kind, recipient=user, key=f"{key}:{user.pk}", context=context))
    return sent


def activities_close_due_send(*, now: datetime) -> int:
    """Remind organisers once of each activity that ended more than CLOSE_GRACE ago without a report."""
    ended = Activity.objects.annotate(ended_at=Coalesce("ends_at", "starts_at")).filter(
        status__in=[Activity.Status.PLANNED, Activity.Status.HELD], report="",
        ended_at__lt=now - CLOSE_GRACE, ended_at__gte=now - CLOSE_GRACE - LOOKBACK,
    ).select_related("unit", "created_by")  # fmt: skip
    sent = 0
    for activity in ended:
        key = f"activity:{activity.pk}:close_due"
        if Notice.objects.filter(key__startswith=key + ":").exists():
            continue
        organiser = activity.created_by
        users = [organiser] if organiser is not None and organiser.is_active else _unit_staff(activity.unit)
        context = {"title": activity.title, "when": _when(activity.starts_at), "unit": activity.unit.name,
                   "link": reverse("campaigns-field:activity", args=[activity.pk]), "site_url": settings.SITE_URL}  # fmt: skip
        sent += _staff_notify(kind="campaign_activity_close_due", users=users, key=key, context=context)
    return sent


def _finding_context(finding: Finding) -> dict:
    return {
        "finding_id": finding.pk,
        "location": finding.location,
        "description": finding.description[:60],
        "deadline": f"{finding.deadline_due:%Y-%m-%d}" if finding.deadline_due else "",
        "unit": finding.responsible_unit.name,
        "link": reverse("campaigns-field:finding", args=[finding.pk]),
        "site_url": settings.SITE_URL,
    }


def findings_due_send(*, now: datetime) -> int:
    """Tell the responsible unit's staff, once per deadline, of each open finding due tomorrow."""
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    sent = 0
    for finding in Finding.objects.filter(status__in=OPEN_RECTIFICATION, deadline_due=tomorrow).select_related(
        "responsible_unit"
    ):
        key = f"finding:{finding.pk}:due:{finding.deadline_due:%Y%m%d}"
        if Notice.objects.filter(key__startswith=key + ":").exists():
            continue
        sent += _staff_notify(kind="campaign_finding_due", users=_unit_staff(finding.responsible_unit), key=key,
                              context=_finding_context(finding))  # fmt: skip
    return sent


def findings_overdue_send(*, now: datetime) -> int:
    """Tell the staff of the unit above, once per escalation, of each open finding escalated as overdue."""
    escalated = Finding.objects.filter(
        status__in=OPEN_RECTIFICATION, escalated_to__isnull=False, escalated_at__gte=now - LOOKBACK
    ).select_related("responsible_unit", "escalated_to")
    sent = 0
    for finding in escalated:
        key = f"finding:{finding.pk}:escalated:{int(finding.escalated_at.timestamp())}"
        if Notice.objects.filter(key__startswith=key + ":").exists():
            continue
        context = {**_finding_context(finding), "above": finding.escalated_to.name}
        sent += _staff_notify(kind="campaign_finding_overdue", users=_unit_staff(finding.escalated_to), key=key,
                              context=context)  # fmt: skip
    return sent


def campaign_notices_sweep(*, now: datetime | None = None) -> int:
    """Everything campaigns tell people that is due at ``now``. Safe to run twice, at once, or late."""
    now = now or timezone.now()
    return (activity_reminders_send(now=now) + activity_changes_send(now=now) + activities_close_due_send(now=now)
            + findings_due_send(now=now) + findings_overdue_send(now=now))  # fmt: skip


# --- Send-time guards -----------------------------------------------------------------------------------


def activity_reminder_still_true(notice: Notice) -> bool:
    """A reminder goes out only while its activity is public, planned, and at the time it was written for."""
    context = notice.context
    return public.activities_public().filter(
        pk=context.get("activity_id"), status=Activity.Status.PLANNED, sequence=context.get("sequence"),
        starts_at__gt=timezone.now(),
    ).exists()  # fmt: skip


def activity_announcement_still_true(notice: Notice) -> bool:
    """An announcement held back (quiet hours, a cap) goes out only while the activity is still public, planned,
    at the announced time and to come: once moved or cancelled, the "moved" or "cancelled" notice says so."""
    return activity_reminder_still_true(notice)


def activity_change_still_true(notice: Notice) -> bool:
    """A "moved" notice is outdated once the activity moved again or was cancelled (a newer notice says so)."""
    context = notice.context
    return Activity.objects.filter(pk=context.get("activity_id"), sequence=context.get("sequence")).exists()


def finding_due_still_true(notice: Notice) -> bool:
    context = notice.context
    deadline = context.get("deadline") or None
    return Finding.objects.filter(
        Q(pk=context.get("finding_id")), status__in=OPEN_RECTIFICATION, deadline_due=deadline
    ).exists()


def finding_overdue_still_true(notice: Notice) -> bool:
    return Finding.objects.filter(pk=notice.context.get("finding_id"), status__in=OPEN_RECTIFICATION).exists()
