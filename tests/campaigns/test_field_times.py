"""When an activity takes place: an overnight patrol ends the next day; an activity still to come cannot be
recorded as held; a planned one moved to another time or place tells the public page and the calendars."""

from datetime import timedelta

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.errors import CampaignActionRefused
from campaigns.models import Activity, ActivityEvent

pytestmark = pytest.mark.django_db


def _new_url(flood) -> str:
    return f"{reverse('campaigns-field:activity_new')}?campaign={flood.slug}"


def _post(units, **overrides) -> dict:
    return {"unit": units["grid"].pk, "title": "夜间防汛巡查", "place": "御河堤岸", "summary": "", "is_public": "on",
            "figure_patrols": "1", "submit": "held", **overrides}  # fmt: skip


def test_an_overnight_patrol_ends_the_next_morning(client, people, units, flood):
    yesterday = timezone.localdate() - timedelta(days=1)
    client.force_login(people["grid"])
    response = client.post(_new_url(flood), _post(units, day=str(yesterday), start="22:00", end="06:00"))
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.status == Activity.Status.HELD
    assert activity.ends_at - activity.starts_at == timedelta(hours=8)
    assert timezone.localtime(activity.ends_at).date() == yesterday + timedelta(days=1)
    page = client.get(response["Location"]).text
    assert "次日" in page
    # Edited again, the form shows the times as typed and keeps the next morning.
    form = client.get(reverse("campaigns-field:activity_edit", args=[activity.pk])).text
    assert 'name="end" value="06:00"' in form


def test_an_end_after_the_start_stays_on_the_same_day(client, people, units, flood):
    yesterday = timezone.localdate() - timedelta(days=1)
    client.force_login(people["grid"])
    client.post(_new_url(flood), _post(units, day=str(yesterday), start="09:00", end="11:30"))
    activity = Activity.objects.get()
    assert activity.ends_at - activity.starts_at == timedelta(hours=2, minutes=30)
    assert "次日" not in client.get(reverse("campaigns-field:activity", args=[activity.pk])).text


def test_an_activity_still_to_come_cannot_be_recorded_as_held_and_nothing_typed_is_lost(client, people, units, flood):
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.force_login(people["grid"])
    response = client.post(_new_url(flood), _post(units, day=str(tomorrow), start="09:00", summary="明早巡查堤岸"))
    assert response.status_code == 200 and not Activity.objects.exists()
    assert "还没到时间，不能记为已开展" in response.text and "明早巡查堤岸" in response.text
    # The same form as a plan is what it is.
    client.post(_new_url(flood), _post(units, day=str(tomorrow), start="09:00", submit="plan"))
    assert Activity.objects.get().status == Activity.Status.PLANNED


def test_a_planned_activity_is_held_only_once_it_has_begun(people, new_activity):
    planned = services.activity_save(activity=new_activity(starts_at=timezone.now() + timedelta(hours=3)),
                                     by=people["grid"])  # fmt: skip
    services.activity_step(activity=planned, by=people["grid"], name="plan")
    with pytest.raises(CampaignActionRefused) as refused:
        services.activity_step(activity=planned, by=people["grid"], name="hold")
    assert refused.value.code == "held_in_future"
    begun = services.activity_save(activity=new_activity(starts_at=timezone.now() - timedelta(minutes=1)),
                                   by=people["grid"])  # fmt: skip
    assert services.activity_step(activity=begun, by=people["grid"], name="hold").status == Activity.Status.HELD


def test_a_held_activity_cannot_be_moved_into_the_future(people, new_activity):
    held = services.activity_save(activity=new_activity(), by=people["grid"])
    held = services.activity_step(activity=held, by=people["grid"], name="hold")
    held.starts_at = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as invalid:
        services.activity_save(activity=held, by=people["grid"])
    assert "starts_at" in invalid.value.error_dict


@pytest.fixture
def announced(people, new_activity):
    talk = services.activity_save(
        activity=new_activity(unit="yujinyuan", title="防汛知识讲座", place="社区活动室",
                              starts_at=timezone.now() + timedelta(days=2)),
        by=people["community"],
    )  # fmt: skip
    return services.activity_step(activity=talk, by=people["community"], name="plan")


def _edit(client, activity, units, **changes):
    starts = timezone.localtime(activity.starts_at)
    data = {"unit": units["yujinyuan"].pk, "title": activity.title, "day": f"{starts:%Y-%m-%d}",
            "start": f"{starts:%H:%M}", "place": activity.place, "is_public": "on", "submit": "draft", **changes}  # fmt: skip
    return client.post(reverse("campaigns-field:activity_edit", args=[activity.pk]), data)


def test_moving_an_announced_activity_raises_its_sequence_and_tells_the_public(client, people, units, flood, announced):
    before = timezone.localtime(announced.starts_at)
    client.force_login(people["community"])
    assert "即为改期" in client.get(reverse("campaigns-field:activity_edit", args=[announced.pk])).text
    response = _edit(client, announced, units, day=f"{before + timedelta(days=1):%Y-%m-%d}", place="社区党群服务中心")
    announced.refresh_from_db()
    assert response.status_code == 302 and announced.status == Activity.Status.PLANNED and announced.sequence == 1
    assert announced.cancel_reason == f"原定{before.month}月{before.day}日 {before:%H:%M}，社区活动室"
    moved = announced.events.get(action=ActivityEvent.Action.MOVED)
    assert moved.by == people["community"] and "社区活动室" in moved.note
    assert "已改期" in client.get(reverse("campaigns-field:activity", args=[announced.pk])).text

    feed = client.get(reverse("campaigns:type_calendar", args=[flood.campaign_type.slug]))
    event = next(c for c in icalendar.Calendar.from_ical(feed.content).walk("VEVENT"))
    assert event["SEQUENCE"] == 1 and event["LOCATION"] == "社区党群服务中心"
    assert "已改期" in str(event["DESCRIPTION"]) and "社区活动室" in str(event["DESCRIPTION"])
    assert event["STATUS"] == "CONFIRMED"

    client.logout()
    page = client.get(flood.get_absolute_url()).text
    assert "已改期" in page and "社区党群服务中心" in page and "原定" in page


def test_editing_an_announced_activity_without_moving_it_keeps_its_sequence(client, people, units, announced):
    client.force_login(people["community"])
    _edit(client, announced, units, summary="请带上身份证")
    announced.refresh_from_db()
    assert announced.sequence == 0 and announced.cancel_reason == "" and announced.summary == "请带上身份证"
    assert not announced.events.filter(action=ActivityEvent.Action.MOVED).exists()
