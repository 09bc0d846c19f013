"""Campaign notices: reminders 24 h and 2 h before a public activity to its unit's subscribers (and the units
above), skipped once it moved or was cancelled, with "moved"/"cancelled" notices instead; organisers reminded to
close an ended activity; findings due tomorrow and overdue. Each once, whatever runs twice or late."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import Activity, Finding
from campaigns.notices import campaign_notices_sweep
from pingcheng.notices import audience, sms
from pingcheng.notices.models import Fanout, Frequency, Notice, Topic
from pingcheng.notices.services import notices_sweep
from pingcheng.notices.subscriptions import subscriber_unsubscribe
from tests.newsroom_fixtures import deliver_notices
from tests.notices.subscribing import follower

pytestmark = pytest.mark.django_db
PHONE = "13900139000"


@pytest.fixture
def resident(units):
    return follower(phone=PHONE, unit=units["yujinyuan"], topic=Topic.CAMPAIGN)


@pytest.fixture
def planned(flood, units, people):
    def make(in_hours: float, **fields) -> Activity:
        start = timezone.now() + timedelta(hours=in_hours)
        activity = Activity.objects.create(campaign=flood, unit=units["grid"], title="防汛应急演练", place="御锦源广场",
                                           starts_at=start, ends_at=start + timedelta(hours=1),
                                           status=Activity.Status.PLANNED, created_by=people["grid"], **fields)  # fmt: skip
        return activity

    return make


def _texts() -> list[str]:
    return [message.text for message in sms.outbox]


def test_a_reminder_goes_24_hours_before_once_and_not_earlier(planned, resident):
    activity = planned(in_hours=25)
    now = timezone.now()
    campaign_notices_sweep(now=now)
    assert not Fanout.objects.exists()
    campaign_notices_sweep(now=now + timedelta(hours=1, minutes=1))
    campaign_notices_sweep(now=now + timedelta(hours=1, minutes=2))  # the next minute's run
    assert list(Fanout.objects.values_list("key", flat=True)) == [f"activity:{activity.pk}:reminder:24h:0"]
    assert deliver_notices() == 1
    [text] = _texts()
    assert "防汛应急演练" in text and "御锦源广场" in text and f"/subscribe/unsubscribe/{resident.token}/" in text


def test_the_2_hour_reminder_follows_and_a_late_sweep_sends_only_that_one(planned, resident):
    activity = planned(in_hours=1.5)  # the sweep was down until 1.5 h before
    campaign_notices_sweep()
    campaign_notices_sweep()
    assert list(Fanout.objects.values_list("key", flat=True)) == [f"activity:{activity.pk}:reminder:2h:0"]
    assert deliver_notices() == 1


def test_reminders_reach_subscribers_of_the_units_above_but_not_digest_or_other_subscribers(planned, units, resident):
    street = follower(email="street@example.com", unit=units["xinwang"], topic=Topic.CAMPAIGN)
    follower(phone="13900139001", unit=units["zhenhua"], topic=Topic.CAMPAIGN)
    follower(phone="13900139002", unit=units["yujinyuan"], topic=Topic.CAMPAIGN, frequency=Frequency.DAILY)
    follower(phone="13900139003", unit=units["yujinyuan"], topic=Topic.NEWS)
    planned(in_hours=1)
    campaign_notices_sweep()
    deliver_notices()
    assert set(Notice.objects.filter(kind="campaign_activity_reminder").values_list("subscriber", flat=True)) == {
        resident.pk, street.pk
    }  # fmt: skip


def test_no_reminder_for_a_draft_an_internal_activity_or_an_unsubscribed_resident(planned, resident, flood):
    planned(in_hours=1, is_public=False)
    draft = planned(in_hours=1)
    Activity.objects.filter(pk=draft.pk).update(status=Activity.Status.DRAFT)
    campaign_notices_sweep()
    assert not Fanout.objects.exists()
    planned(in_hours=1)
    subscriber_unsubscribe(subscriber=resident)
    campaign_notices_sweep()
    deliver_notices()
    assert sms.outbox == [] and not Notice.objects.filter(kind="campaign_activity_reminder").exists()


def test_a_reminder_written_before_a_move_is_not_sent_and_the_move_is_told_instead(planned, resident, people):
    activity = planned(in_hours=1)
    campaign_notices_sweep()
    audience.fanouts_sweep()  # the reminder is written and waiting (e.g. held by quiet hours) …
    [reminder] = Notice.objects.filter(kind="campaign_activity_reminder")
    activity.starts_at += timedelta(days=2)  # … when the activity moves
    activity.ends_at += timedelta(days=2)
    services.activity_save(activity=activity, by=people["grid"])
    campaign_notices_sweep()
    deliver_notices()
    reminder.refresh_from_db()
    assert reminder.status == Notice.Status.CANCELED
    [text] = _texts()
    assert "改期" in text and "防汛应急演练" in text
    campaign_notices_sweep()
    deliver_notices()
    assert len(sms.outbox) == 1  # the move is told once
    # At its new time the activity is reminded of again (a new sequence).
    activity.refresh_from_db()
    campaign_notices_sweep(now=activity.starts_at - timedelta(hours=1))
    assert Fanout.objects.filter(key=f"activity:{activity.pk}:reminder:2h:1").exists()


def test_a_cancelled_activity_is_told_as_cancelled_and_never_reminded(planned, resident, people):
    activity = planned(in_hours=20)
    campaign_notices_sweep()
    audience.fanouts_sweep()
    services.activity_step(activity=activity, by=people["grid"], name="cancel", note="暴雨红色预警，改日举行")
    campaign_notices_sweep()
    campaign_notices_sweep(now=activity.starts_at - timedelta(hours=1))
    deliver_notices()
    assert Notice.objects.get(kind="campaign_activity_reminder").status == Notice.Status.CANCELED
    [text] = _texts()
    assert "取消" in text and "防汛应急演练" in text


def _ended(planned, hours_ago: float, **fields) -> Activity:
    activity = planned(in_hours=-hours_ago - 1, **fields)
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.HELD)
    return activity


def test_the_organiser_is_reminded_once_to_close_an_ended_activity_without_a_report(planned, people):
    activity = _ended(planned, hours_ago=3)
    _ended(planned, hours_ago=1)  # still within the grace period
    campaign_notices_sweep()
    campaign_notices_sweep()
    [notice] = Notice.objects.filter(kind="campaign_activity_close_due")
    assert notice.user == people["grid"] and notice.channel == "inbox"
    assert notice.key == f"activity:{activity.pk}:close_due:{people['grid'].pk}"


def test_a_closed_or_cancelled_activity_needs_no_closing_reminder(planned):
    closed = _ended(planned, hours_ago=3)
    Activity.objects.filter(pk=closed.pk).update(status=Activity.Status.CLOSED, report="已完成")
    cancelled = _ended(planned, hours_ago=3)
    Activity.objects.filter(pk=cancelled.pk).update(status=Activity.Status.CANCELLED)
    campaign_notices_sweep()
    assert not Notice.objects.filter(kind="campaign_activity_close_due").exists()


def _finding(planned, units, **fields) -> Finding:
    activity = _ended(planned, hours_ago=30)
    Activity.objects.filter(pk=activity.pk).update(report="巡查完毕", status=Activity.Status.CLOSED)
    defaults = {"activity": activity, "location": "公路涵洞", "description": "排水口堵塞", "found_at": timezone.now(),
                "responsible_unit": units["yujinyuan"], "status": Finding.Status.ORDERED}  # fmt: skip
    finding = Finding(**{**defaults, **fields})
    finding.save()
    Finding.objects.filter(pk=finding.pk).update(deadline_due=fields.pop("deadline_due", None) or timezone.localdate())
    finding.refresh_from_db()
    return finding


def test_a_finding_due_tomorrow_is_told_to_the_responsible_unit_once(planned, units, people):
    finding = _finding(planned, units)
    Finding.objects.filter(pk=finding.pk).update(deadline_due=timezone.localdate() + timedelta(days=1))
    campaign_notices_sweep()
    campaign_notices_sweep()
    told = set(Notice.objects.filter(kind="campaign_finding_due").values_list("user", flat=True))
    assert told == {people["community"].pk, people["reporter"].pk}  # the community's staff, nobody else


def test_a_finding_due_later_or_already_cleared_is_not_told(planned, units):
    later = _finding(planned, units)
    Finding.objects.filter(pk=later.pk).update(deadline_due=timezone.localdate() + timedelta(days=2))
    cleared = _finding(planned, units)
    Finding.objects.filter(pk=cleared.pk).update(deadline_due=timezone.localdate() + timedelta(days=1),
                                                 status=Finding.Status.CLEARED)  # fmt: skip
    campaign_notices_sweep()
    assert not Notice.objects.filter(kind="campaign_finding_due").exists()


def test_an_overdue_finding_escalated_to_the_street_is_told_to_the_street_once(planned, units, people):
    finding = _finding(planned, units)
    Finding.objects.filter(pk=finding.pk).update(deadline_due=timezone.localdate() - timedelta(days=3))
    assert services.findings_escalate_overdue() == 1
    campaign_notices_sweep()
    campaign_notices_sweep()
    [notice] = Notice.objects.filter(kind="campaign_finding_overdue", channel="inbox")
    assert notice.user == people["street"] and "新旺街道" in notice.context["above"]


def test_a_finding_cleared_after_its_escalation_notice_was_written_is_not_sent_by_sms(planned, units, people):
    from pingcheng.notices.models import StaffNoticePreference

    StaffNoticePreference.objects.create(user=people["street"], by_inbox=False, by_email=False, by_sms=True,
                                         phone="13900139009")  # fmt: skip
    finding = _finding(planned, units)
    Finding.objects.filter(pk=finding.pk).update(deadline_due=timezone.localdate() - timedelta(days=3))
    services.findings_escalate_overdue()
    campaign_notices_sweep()
    Finding.objects.filter(pk=finding.pk).update(status=Finding.Status.CLEARED)
    notices_sweep()
    assert Notice.objects.get(kind="campaign_finding_overdue").status == Notice.Status.CANCELED
    assert sms.outbox == []
