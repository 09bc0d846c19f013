"""A number's daily SMS cap holds when two workers deliver to it at the same moment: each send reserves its
place under the cap before it goes out, so the second one sees the first even while it is still sending."""

import threading

import pytest
from django.db import connection
from django.test import override_settings

from pingcheng.notices import services, sms
from pingcheng.notices.bulk import notices_deliver_batch
from pingcheng.notices.models import Notice
from tests.notices.people import subscriber

PHONE = "13900139077"
# The broker is down while these notices are written: a Celery worker another test of this process started
# would otherwise take their dispatch and send them itself, out of this test's sight. Only our calls deliver.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("broker_down")]


def _news(person, key: str) -> Notice:
    [notice] = services.notice_enqueue(kind="news_published", recipient=person, key=key,
                                       context={"title": "御锦源社区开展防汛演练", "url": "http://x/news/1/"})  # fmt: skip
    return notice


def _at_once(*calls) -> None:
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


@pytest.mark.parametrize("path", ["single", "batch"])
@override_settings(SMS_BACKEND="tests.notices.backends.SlowLocmemSmsBackend", NOTICE_SMS_DAILY_CAP=2,
                   NOTICE_QUIET_HOURS="")  # fmt: skip
def test_two_concurrent_deliveries_to_one_number_at_its_last_place_send_one(path):
    person = subscriber(phone=PHONE)
    first = _news(person, "article:1:subscribers")
    assert services.notice_deliver(notice_id=first.pk)  # one place of two is taken
    racing = [_news(person, f"article:{n}:subscribers") for n in (2, 3)]
    if path == "single":
        _at_once(*(lambda pk=notice.pk: services.notice_deliver(notice_id=pk) for notice in racing))
    else:
        _at_once(*(lambda pk=notice.pk: notices_deliver_batch(notice_ids=[pk]) for notice in racing))
    assert len([message for message in sms.outbox if message.phone == PHONE]) == 2
    statuses = sorted(Notice.objects.filter(pk__in=[n.pk for n in racing]).values_list("status", flat=True))
    assert statuses == [Notice.Status.PENDING, Notice.Status.SENT]  # the other one is held for tomorrow
    held = Notice.objects.get(pk__in=[n.pk for n in racing], status=Notice.Status.PENDING)
    assert held.sent_at is None and held.attempts == 0


@override_settings(SMS_BACKEND="tests.notices.backends.FailingSmsBackend", NOTICE_SMS_DAILY_CAP=1,
                   NOTICE_QUIET_HOURS="")  # fmt: skip
def test_a_send_that_failed_gives_its_place_under_the_cap_back():
    person = subscriber(phone=PHONE)
    failed = _news(person, "article:1:subscribers")
    assert services.notice_deliver(notice_id=failed.pk) is False
    failed.refresh_from_db()
    assert failed.status == Notice.Status.FAILED and failed.sent_at is None
    with override_settings(SMS_BACKEND="pingcheng.notices.sms.LocmemSmsBackend"):
        assert services.notice_deliver(notice_id=_news(person, "article:2:subscribers").pk)
    assert [message.phone for message in sms.outbox] == [PHONE]
