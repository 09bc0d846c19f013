from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from pingcheng.directory.models import Role
from pingcheng.notices import services
from pingcheng.notices.models import Notice
from tests.factories import UserFactory, staff
from tests.notices.people import subscriber

pytestmark = pytest.mark.django_db


def _sent(address_holder, key, *, days_ago, status=Notice.Status.SENT):
    notices = services.notice_enqueue(kind="generic", recipient=address_holder, key=key,
                                      context={"subject": "x", "body": "y"})  # fmt: skip
    when = timezone.now() - timedelta(days=days_ago)
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(status=status, sent_at=when, created_at=when)
    return notices


@override_settings(NOTICE_ADDRESS_RETENTION_DAYS=30)
def test_addresses_older_than_the_retention_are_blanked_and_the_masked_hint_stays():
    [old_sms] = _sent(subscriber(phone="13812341234"), "old:1", days_ago=31)
    [old_dead] = _sent(subscriber(email="zhangsan@example.com"), "old:2", days_ago=31, status=Notice.Status.DEAD)
    [recent] = _sent(subscriber(phone="13912345678"), "recent", days_ago=29)
    [failing] = _sent(subscriber(phone="13700000000"), "failing", days_ago=31, status=Notice.Status.FAILED)

    assert services.notices_erase_addresses() == 2
    for notice in (old_sms, old_dead, recent, failing):
        notice.refresh_from_db()
    assert (old_sms.recipient, old_sms.masked_recipient) == ("", "138****1234")
    assert (old_dead.recipient, old_dead.masked_recipient) == ("", "z***@example.com")
    # Kept: delivered recently, or still being retried.
    assert recent.recipient == "13912345678"
    assert failing.recipient == "13700000000"
    # Idempotent: a second run finds nothing to do.
    assert services.notices_erase_addresses() == 0


@override_settings(NOTICE_ADDRESS_RETENTION_DAYS=30)
def test_rows_without_a_hint_get_one_before_their_address_goes():
    notice = Notice.objects.create(key="bulk:1", kind="generic", template="generic", channel=Notice.Channel.SMS,
                                   recipient="13812341234", status=Notice.Status.SENT,
                                   sent_at=timezone.now() - timedelta(days=40))  # fmt: skip
    assert services.notices_erase_addresses() == 1
    notice.refresh_from_db()
    assert (notice.recipient, notice.recipient_hint) == ("", "138****1234")


def test_inbox_messages_keep_their_user_after_the_retention():
    user = UserFactory(email="")
    [inbox] = _sent(user, "old", days_ago=400)
    assert services.notices_erase_addresses() == 0
    inbox.refresh_from_db()
    assert inbox.user == user


def test_the_retention_sweep_runs_daily_from_beat():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "pingcheng.notices.tasks.notices_erase_addresses" in tasks
    assert settings.NOTICE_ADDRESS_RETENTION_DAYS > 0


def test_the_outbox_admin_shows_only_masked_addresses(client):
    _sent(subscriber(phone="13812341234"), "recent", days_ago=1)
    _sent(subscriber(email="zhangsan@example.com"), "recent:2", days_ago=1)
    client.force_login(staff(Role.SUPERVISOR))
    changelist = client.get("/admin/notices/notice/").text
    assert "138****1234" in changelist and "z***@example.com" in changelist
    assert "13812341234" not in changelist and "zhangsan@example.com" not in changelist
    notice = Notice.objects.get(channel=Notice.Channel.SMS)
    detail = client.get(f"/admin/notices/notice/{notice.pk}/change/").text
    assert "138****1234" in detail and "13812341234" not in detail
