"""Delivery claims a notice with a lease and sends outside any transaction."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from pingcheng.notices import services, sms
from pingcheng.notices.models import Notice, Subscriber
from tests.notices import backends

PHONE = "13800138000"


def _pending_sms(key: str) -> Notice:
    """A due SMS notice written without a dispatch (as if the broker had been down): only our call sends it."""
    return Notice.objects.create(key=key, kind="generic", template="generic", channel=Notice.Channel.SMS,
                                 recipient=PHONE, context={"body": "稿件已发布"})  # fmt: skip


def _as_left_by_a_dead_worker(notice: Notice, *, lease_ends, attempts: int = 1) -> None:
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.SENDING, attempts=attempts,
                                               claimed_at=timezone.now(), lease_until=lease_ends)  # fmt: skip


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND="tests.notices.backends.SlowSmsBackend")
def test_a_slow_channel_does_not_hold_up_other_writes():
    notice = _pending_sms("event:1")
    backends.sending.clear()
    outcome = {}

    def deliver():
        try:
            outcome["sent"] = services.notice_deliver(notice_id=notice.pk)
        finally:
            connection.close()

    sender = threading.Thread(target=deliver)
    sender.start()
    try:
        assert backends.sending.wait(timeout=20), "the channel was never called"
        # The claim is committed before the send: another connection sees it, attempt counted.
        claimed = Notice.objects.get(pk=notice.pk)
        assert claimed.status == Notice.Status.SENDING and claimed.attempts == 1
        assert claimed.lease_until > timezone.now()
        started = time.monotonic()
        with transaction.atomic():
            Subscriber.objects.create(phone="13912345678")
        elapsed = time.monotonic() - started
    finally:
        sender.join(timeout=30)
    assert elapsed < 0.5, f"an unrelated write waited {elapsed:.2f}s behind the SMS provider"
    assert outcome["sent"] is True
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT and notice.lease_until is None


@pytest.mark.django_db
def test_the_sweep_sends_again_a_notice_whose_lease_expired_and_counts_both_attempts():
    notice = _pending_sms("event:1")
    _as_left_by_a_dead_worker(notice, lease_ends=timezone.now() - timedelta(seconds=1))
    assert services.notices_sweep() == 1
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert notice.attempts == 2
    assert [message.idempotency_key for message in sms.outbox] == [str(notice.uuid)]


@pytest.mark.django_db
def test_a_notice_under_a_live_lease_is_left_to_its_worker():
    notice = _pending_sms("event:1")
    _as_left_by_a_dead_worker(notice, lease_ends=timezone.now() + timedelta(minutes=5))
    assert services.notices_sweep() == 0
    assert services.notice_deliver(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENDING and notice.attempts == 1
    assert sms.outbox == []


@pytest.mark.django_db
def test_a_notice_whose_last_attempt_died_with_its_worker_is_dead_not_sent_again():
    notice = _pending_sms("event:1")
    _as_left_by_a_dead_worker(notice, lease_ends=timezone.now() - timedelta(seconds=1),
                              attempts=services.MAX_ATTEMPTS)  # fmt: skip
    assert services.notices_sweep() == 0
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DEAD
    assert "租约" in notice.last_error
    assert sms.outbox == []


@pytest.mark.django_db
@override_settings(SMS_BACKEND="tests.notices.backends.TakenOverSmsBackend")
def test_a_worker_that_lost_its_claim_does_not_record_over_the_new_one(caplog):
    notice = _pending_sms("event:1")
    assert services.notice_deliver(notice_id=notice.pk) is True
    notice.refresh_from_db()
    # The row belongs to the claim that took it over; it, not us, records the outcome.
    assert notice.status == Notice.Status.SENDING
    assert "lease had been taken over" in caplog.text


@override_settings(NOTICE_SEND_LEASE_SECONDS=7)
def test_the_lease_comes_from_the_settings():
    assert services.notice_lease() == timedelta(seconds=7)
