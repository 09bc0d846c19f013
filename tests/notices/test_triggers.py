"""Subscribers are told of published articles about their units: immediate ones at once (fanned out in chunks
by Celery, never in the request), daily and weekly ones in digests at 07:30 (Mondays for weekly), and nobody
twice, whatever runs twice or late."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from pingcheng.notices import audience, sms
from pingcheng.notices.models import DigestItem, Fanout, Frequency, Notice
from pingcheng.notices.services import notices_sweep
from tests.conftest import wait_for
from tests.newsroom_fixtures import deliver_notices, publish_after_review
from tests.notices.subscribing import follower, unit_tree

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def units(db):
    return unit_tree()


@pytest.mark.django_db
def test_publishing_writes_one_fanout_and_no_notices_in_the_request(desk, units):
    follower(phone="13900139000", unit=units["yujinyuan"])
    article = publish_after_review(desk, units["yujinyuan"])
    fanout = Fanout.objects.get()
    assert fanout.key == f"article:{article.pk}:subscribers" and fanout.done_at is None
    assert not Notice.objects.filter(kind="news_published").exists()


@pytest.mark.django_db
def test_subscribers_of_the_unit_and_the_units_above_are_told_once_and_others_not(desk, units):
    community = follower(phone="13900139000", unit=units["yujinyuan"])
    street = follower(email="street@example.com", unit=units["xinwang"])
    district_wide = follower(email="all@example.com", unit=None)
    follower(phone="13900139003", unit=units["zhenhua"])  # another street
    follower(phone="13900139004", unit=units["yujinyuan"], topic="campaign")  # another topic
    follower(phone="13900139005", unit=units["yujinyuan"], confirmed=False)
    follower(phone="13900139006", unit=units["yujinyuan"], active=False)
    publish_after_review(desk, units["yujinyuan"])
    deliver_notices()
    deliver_notices()  # a second run of both sweeps sends nothing again
    told = set(Notice.objects.filter(kind="news_published", status="sent").values_list("subscriber", flat=True))
    assert told == {community.pk, street.pk, district_wide.pk}
    assert [message.phone for message in sms.outbox] == ["13900139000"]
    assert "御锦源社区开展防汛应急演练" in sms.outbox[0].text
    assert sorted(message.to[0] for message in mail.outbox) == ["all@example.com", "street@example.com"]
    assert all("/subscribe/unsubscribe/" in message.body for message in mail.outbox)


@pytest.mark.django_db
def test_a_district_wide_article_reaches_district_wide_subscriptions_only(desk, units):
    everywhere = follower(email="all@example.com", unit=None)
    follower(email="street@example.com", unit=units["xinwang"])
    publish_after_review(desk)
    deliver_notices()
    assert list(Notice.objects.filter(kind="news_published").values_list("subscriber", flat=True)) == [everywhere.pk]


@pytest.mark.django_db
def test_the_fanout_is_expanded_in_chunks_and_a_repeated_chunk_adds_nothing(desk, units):
    people = [follower(phone=f"1390013{n:04d}", unit=units["xinwang"]) for n in range(7)]
    publish_after_review(desk, units["yujinyuan"])
    fanout = Fanout.objects.get()
    assert audience.fanout_expand(fanout_id=fanout.pk, chunk=3) is True
    fanout.refresh_from_db()
    assert fanout.cursor == people[2].pk and Notice.objects.filter(kind="news_published").count() == 3
    # A worker that died before recording its cursor: the same chunk again writes nothing twice.
    Fanout.objects.filter(pk=fanout.pk).update(cursor=0)
    while audience.fanout_expand(fanout_id=fanout.pk, chunk=3):
        pass
    fanout.refresh_from_db()
    assert fanout.done_at is not None
    assert Notice.objects.filter(kind="news_published").count() == 7


@pytest.mark.django_db
def test_a_leased_fanout_is_not_expanded_by_a_second_runner(desk, units):
    follower(phone="13900139000", unit=units["xinwang"])
    publish_after_review(desk, units["xinwang"])
    fanout = Fanout.objects.get()
    Fanout.objects.filter(pk=fanout.pk).update(lease_until=timezone.now() + audience.FANOUT_LEASE)
    assert audience.fanouts_sweep() == 0
    assert not Notice.objects.filter(kind="news_published").exists()


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)  # 2026-11-30 is a Monday


@pytest.mark.django_db
def test_daily_subscribers_get_one_digest_at_0730_and_none_when_empty(desk, units, monkeypatch):
    daily = follower(email="daily@example.com", unit=units["xinwang"], frequency=Frequency.DAILY)
    weekly = follower(email="weekly@example.com", unit=units["xinwang"], frequency=Frequency.WEEKLY)
    clock = {"now": _at(26, 18)}  # Thursday evening
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    publish_after_review(desk, units["yujinyuan"])
    second = publish_after_review(desk, units["xinwang"])
    deliver_notices()
    assert mail.outbox == [] and DigestItem.objects.count() == 4
    clock["now"] = _at(27, 7, 29)
    assert audience.digests_sweep() == 0
    clock["now"] = _at(27, 7, 30)
    assert audience.digests_sweep() == 1
    assert audience.digests_sweep() == 0  # a second run, or the next minute's
    notices_sweep()
    [digest] = mail.outbox
    assert digest.to == ["daily@example.com"] and "2 条" in digest.subject
    assert second.get_absolute_url() in digest.body and f"/subscribe/unsubscribe/{daily.token}/" in digest.body
    clock["now"] = _at(28, 7, 30)  # the next morning: nothing new, no digest
    assert audience.digests_sweep() == 0
    clock["now"] = _at(30, 7, 30)  # Monday: the weekly one
    assert audience.digests_sweep() == 1
    notices_sweep()
    assert [message.to for message in mail.outbox[1:]] == [["weekly@example.com"]]
    assert Notice.objects.filter(subscriber=weekly, kind="digest_weekly").count() == 1


@pytest.mark.django_db
def test_a_late_digest_run_still_sends_and_only_once(desk, units, monkeypatch):
    follower(phone="13900139000", unit=units["xinwang"], frequency=Frequency.DAILY)
    clock = {"now": _at(26, 18)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    publish_after_review(desk, units["xinwang"])
    deliver_notices()
    clock["now"] = _at(27, 11, 0)  # beat was down all morning
    assert audience.digests_sweep() == 1
    clock["now"] = _at(27, 11, 1)
    assert audience.digests_sweep() == 0


@pytest.mark.django_db
def test_an_unsubscribed_digest_subscriber_gets_no_digest(desk, units, monkeypatch):
    from pingcheng.notices.subscriptions import subscriber_unsubscribe

    person = follower(email="daily@example.com", unit=units["xinwang"], frequency=Frequency.DAILY)
    clock = {"now": _at(26, 18)}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    publish_after_review(desk, units["xinwang"])
    deliver_notices()
    subscriber_unsubscribe(subscriber=person)
    clock["now"] = _at(27, 7, 30)
    assert audience.digests_sweep() == 0
    notices_sweep()
    assert mail.outbox == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_published_article_reaches_a_subscriber_through_the_broker_and_a_real_worker(desk, units, celery_worker):
    person = follower(phone="13900139000", unit=units["yujinyuan"])
    with transaction.atomic():
        publish_after_review(desk, units["yujinyuan"])

    def delivered():
        sent = Notice.objects.filter(subscriber=person, kind="news_published", status="sent").exists()
        return sent and Fanout.objects.filter(done_at__isnull=False).exists()

    wait_for(delivered, timeout=90, message="the worker to expand the fan-out and deliver the notice")


@pytest.mark.django_db
def test_a_warning_to_subscribers_goes_at_once_even_to_digest_subscribers(units):
    from pingcheng.notices.models import Topic

    person = follower(phone="13900139000", unit=units["xinwang"], topic=Topic.WARNING, frequency=Frequency.WEEKLY)
    with transaction.atomic():
        audience.subscribers_notify(kind="news_published", topic=Topic.WARNING, key="warning:1",
                                    units=[units["yujinyuan"]], context={"title": "暴雨橙色预警", "url": "http://x/"})  # fmt: skip
    deliver_notices()
    assert Notice.objects.get(key="warning:1").subscriber == person and not DigestItem.objects.exists()
