import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from pingcheng.notices import services, sms
from pingcheng.notices.models import Notice
from pingcheng.notices.tasks import notices_sweep


def _enqueue(key="event:1", channel=Notice.Channel.SMS, recipient="13800138000", **extra):
    return services.notice_enqueue(
        key=key, channel=channel, recipient=recipient, template="generic", context={"body": "稿件已发布"}, **extra
    )


@pytest.mark.django_db
def test_the_same_key_enqueued_twice_is_one_notice():
    first = _enqueue()
    second = _enqueue()
    assert first.pk == second.pk
    assert Notice.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_nothing_to_send():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        _enqueue()
        raise Boom
    assert not Notice.objects.exists()
    assert notices_sweep() == 0
    assert sms.outbox == []


@pytest.mark.django_db
def test_deliver_sends_once_and_marks_sent():
    notice = _enqueue()
    assert services.notice_deliver(notice_id=notice.pk) is True
    assert services.notice_deliver(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert notice.attempts == 1
    assert sms.outbox == [("13800138000", "【平城新闻】稿件已发布")]


@pytest.mark.django_db
def test_email_channel_renders_subject_and_body():
    services.notice_enqueue(
        key="mail:1", channel=Notice.Channel.EMAIL, recipient="reader@example.cn", template="generic",
        context={"subject": "新稿件", "body": "平城区网格员筑牢防汛“安全堤”"},
    )  # fmt: skip
    assert notices_sweep() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "新稿件"
    assert "安全堤" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_notice_committed_while_the_broker_is_down_is_delivered_by_the_sweep(broker_down):
    with transaction.atomic():
        notice = _enqueue()
    # The commit went through although the task could not be queued.
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PENDING
    assert sms.outbox == []


@pytest.mark.django_db(transaction=True)
def test_sweep_delivers_what_was_pending_once_the_broker_is_back(broker_down):
    with transaction.atomic():
        notice = _enqueue()
    assert notices_sweep() == 1
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert notices_sweep() == 0
    assert len(sms.outbox) == 1


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND="tests.notices.backends.SlowLocmemSmsBackend")
def test_two_sweeps_at_once_send_a_notice_once():
    # Written without a dispatch (as if the broker had been down), so only the two sweeps can send them.
    for index in range(3):
        Notice.objects.create(key=f"event:{index}", channel=Notice.Channel.SMS, recipient="13800138000",
                              template="generic", context={"body": "稿件已发布"})  # fmt: skip
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(services.notices_sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(results) == 3
    assert sorted(text for _phone, text in sms.outbox) == ["【平城新闻】稿件已发布"] * 3
    assert Notice.objects.filter(status=Notice.Status.SENT).count() == 3


@pytest.mark.django_db
@override_settings(SMS_BACKEND="tests.notices.backends.FailingSmsBackend")
def test_a_failing_channel_is_retried_with_backoff_then_marked_dead():
    notice = _enqueue()
    assert services.notice_deliver(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED
    assert "503" in notice.last_error
    assert notice.next_attempt_at > timezone.now() + timedelta(seconds=50)
    # Not due yet: the sweep leaves it alone.
    assert notices_sweep() == 0
    for _attempt in range(services.MAX_ATTEMPTS - 1):
        Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now())
        notices_sweep()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DEAD
    assert notice.attempts == services.MAX_ATTEMPTS


@pytest.mark.django_db
def test_backoff_grows_and_is_capped():
    assert services.notice_backoff(1) == timedelta(minutes=1)
    assert services.notice_backoff(3) == timedelta(minutes=4)
    assert services.notice_backoff(30) == services.MAX_BACKOFF


@pytest.mark.django_db
def test_a_dead_notice_can_be_resent():
    notice = _enqueue()
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.DEAD, attempts=8)
    services.notice_resend(notice=notice)
    assert notice.status == Notice.Status.PENDING and notice.attempts == 0
    assert notices_sweep() == 1


@pytest.mark.django_db
def test_a_scheduled_notice_waits_for_its_time():
    notice = _enqueue(send_after=timezone.now() + timedelta(hours=1))
    assert notices_sweep() == 0
    Notice.objects.filter(pk=notice.pk).update(
        send_after=timezone.now() - timedelta(seconds=1), next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert notices_sweep() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "recipient"),
    [(Notice.Channel.SMS, "12345"), (Notice.Channel.SMS, "0352-5209130"), (Notice.Channel.EMAIL, "not-an-address")],
)
def test_a_bad_recipient_is_refused_with_a_clear_error(channel, recipient):
    with pytest.raises(ValidationError):
        _enqueue(channel=channel, recipient=recipient)
    assert not Notice.objects.exists()


def test_recipients_are_masked_for_display():
    assert Notice(recipient="13800138000").masked_recipient == "138****8000"
    assert Notice(recipient="reader@example.cn").masked_recipient == "r***@example.cn"
