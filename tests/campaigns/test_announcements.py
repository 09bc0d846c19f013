"""A new public activity is announced to the campaign subscribers of its unit and the units above: once, in the
transaction that made it public and upcoming, at each subscriber's frequency, and not when it is a draft,
internal, already held, in an internal campaign, or was cancelled before the notice went out."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from campaigns import services
from campaigns.models import Activity
from pingcheng.notices import audience, sms
from pingcheng.notices.models import DigestItem, Fanout, Frequency, Notice, Topic
from pingcheng.notices.services import notices_sweep
from tests.newsroom_fixtures import deliver_notices
from tests.notices.subscribing import follower

pytestmark = pytest.mark.django_db
PHONE = "13900139000"
KIND = "campaign_activity_announced"


@pytest.fixture
def residents(units):
    return {
        "community": follower(phone=PHONE, unit=units["yujinyuan"], topic=Topic.CAMPAIGN),
        "street": follower(email="street@example.com", unit=units["xinwang"], topic=Topic.CAMPAIGN),
        "daily": follower(
            phone="13900139002", unit=units["yujinyuan"], topic=Topic.CAMPAIGN, frequency=Frequency.DAILY
        ),  # fmt: skip
        "other_street": follower(phone="13900139001", unit=units["zhenhua"], topic=Topic.CAMPAIGN),
        "news_only": follower(phone="13900139003", unit=units["yujinyuan"], topic=Topic.NEWS),
    }


@pytest.fixture
def upcoming(new_activity):
    def make(**fields) -> Activity:
        start = timezone.now() + timedelta(days=3)
        values = {"starts_at": start, "ends_at": start + timedelta(hours=2), "title": "防汛应急演练",
                  "place": "御锦源广场", "status": Activity.Status.PLANNED, **fields}  # fmt: skip
        return new_activity(**values)

    return make


def _announcements() -> list[str]:
    return list(Fanout.objects.filter(kind=KIND).values_list("key", flat=True))


def test_a_planned_public_activity_is_announced_once_to_its_units_subscribers_at_their_frequency(
    upcoming, people, residents
):
    activity = services.activity_save(activity=upcoming(), by=people["grid"])
    assert _announcements() == [f"activity:{activity.pk}:announced"]
    activity.summary = "演练转移低洼院落群众。"  # an edit (not a move) announces nothing new
    services.activity_save(activity=activity, by=people["grid"])
    assert deliver_notices() == 2
    told = set(Notice.objects.filter(kind=KIND).values_list("subscriber", flat=True))
    assert told == {residents["community"].pk, residents["street"].pk}
    [text] = [message.text for message in sms.outbox]
    assert (
        "新活动" in text
        and "防汛应急演练" in text
        and f"/subscribe/unsubscribe/{residents['community'].token}/" in text
    )
    [item] = DigestItem.objects.filter(key=f"activity:{activity.pk}:announced")
    assert item.subscriber == residents["daily"] and item.context["title"] == "防汛应急演练"
    assert deliver_notices() == 0


def test_a_draft_is_announced_when_it_is_planned_not_before(upcoming, people, residents):
    draft = services.activity_save(activity=upcoming(status=Activity.Status.DRAFT), by=people["grid"])
    assert _announcements() == []
    services.activity_step(activity=draft, by=people["grid"], name="plan")
    assert _announcements() == [f"activity:{draft.pk}:announced"]


def test_an_internal_activity_is_announced_once_it_is_made_public(upcoming, people, residents):
    internal = services.activity_save(activity=upcoming(is_public=False), by=people["grid"])
    assert _announcements() == []
    internal.is_public = True
    services.activity_save(activity=internal, by=people["grid"])
    assert _announcements() == [f"activity:{internal.pk}:announced"]


def test_no_announcement_for_a_held_activity_or_one_of_an_internal_campaign(upcoming, new_activity, people, flood,
                                                                            residents):  # fmt: skip
    held = services.activity_save(activity=new_activity(), by=people["grid"])  # started two hours ago
    services.activity_step(activity=held, by=people["grid"], name="hold")
    flood.is_public = False
    flood.save(update_fields=["is_public"])
    services.activity_save(activity=upcoming(), by=people["grid"])
    assert _announcements() == []


def test_the_announcement_is_written_with_its_cause_or_not_at_all(upcoming, people, residents):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.activity_save(activity=upcoming(), by=people["grid"])
        raise RuntimeError("the request failed after the save")
    assert _announcements() == [] and not Activity.objects.exists()


def test_an_announcement_not_yet_sent_when_the_activity_is_cancelled_is_not_sent(upcoming, people, residents):
    activity = services.activity_save(activity=upcoming(), by=people["grid"])
    audience.fanouts_sweep()  # written, waiting (say, in the quiet hours)
    services.activity_step(activity=activity, by=people["grid"], name="cancel", note="天气原因")
    notices_sweep()
    assert sms.outbox == []
    assert set(Notice.objects.filter(kind=KIND).values_list("status", flat=True)) == {Notice.Status.CANCELED}


def test_an_activity_public_and_planned_from_before_is_not_announced_when_it_is_edited_or_moved(
    planned_directly, people, residents
):
    activity = planned_directly()  # announced before announcements were sent (the demo data, an older release)
    activity.summary = "演练转移低洼院落群众。"
    services.activity_save(activity=activity, by=people["grid"])
    activity.starts_at += timedelta(days=1)
    activity.ends_at += timedelta(days=1)
    services.activity_save(activity=activity, by=people["grid"])
    assert _announcements() == []


@pytest.fixture
def planned_directly(upcoming):
    def make() -> Activity:
        activity = upcoming()
        activity.save()
        return activity

    return make
