import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from pingcheng.errors import DomainError
from pingcheng.notices import services, sms
from pingcheng.notices.models import Notice
from pingcheng.notices.tasks import notices_sweep
from tests.notices.people import subscriber

PHONE = "13800138000"


def _enqueue(key="event:1", recipient=None, **extra):
    recipient = recipient or subscriber(phone=PHONE)
    return services.notice_enqueue(
        kind="generic", recipient=recipient, key=key, context={"body": "稿件已发布"}, **extra
    )


def _pending_sms(key: str) -> Notice:
    """A due SMS notice written without a dispatch (as if the broker had been down): only a sweep sends it."""
    return Notice.objects.create(key=key, kind="generic", template="generic", channel=Notice.Channel.SMS,
                                 recipient=PHONE, context={"body": "稿件已发布"})  # fmt: skip


@pytest.mark.django_db
def test_the_same_key_enqueued_twice_is_one_notice():
    person = subscriber(phone=PHONE)
    [first] = _enqueue(recipient=person)
    [second] = _enqueue(recipient=person)
    assert first.pk == second.pk
    assert Notice.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_for_two_people_gives_each_their_own_notice():
    first, second = subscriber(phone=PHONE), subscriber(phone="13912345678")
    [for_first] = services.notice_enqueue(kind="generic", recipient=first, key="meeting", context={"body": "开会"})
    [for_second] = services.notice_enqueue(kind="generic", recipient=second, key="meeting", context={"body": "开会"})
    assert for_first.pk != for_second.pk
    assert (for_first.subscriber, for_first.recipient) == (first, PHONE)
    assert (for_second.subscriber, for_second.recipient) == (second, "13912345678")
    assert for_second.key == "meeting"
    # Each person still gets the event once.
    [again] = services.notice_enqueue(kind="generic", recipient=second, key="meeting", context={"body": "开会"})
    assert again.pk == for_second.pk
    assert notices_sweep() == 2
    assert sorted(message.phone for message in sms.outbox) == sorted([PHONE, "13912345678"])


@pytest.mark.django_db
def test_the_same_key_for_two_staff_users_reaches_both_inboxes():
    from pingcheng.notices.selectors import inbox_list
    from tests.factories import UserFactory

    first, second = UserFactory(email=""), UserFactory(email="")
    for user in (first, second):
        services.notice_enqueue(kind="generic", recipient=user, key="meeting", context={"subject": "开会"})
    assert [m.subject for m in inbox_list(user=first)] == ["开会"]
    assert [m.subject for m in inbox_list(user=second)] == ["开会"]


@pytest.mark.django_db
def test_the_same_key_is_one_notice_per_channel():
    person = subscriber(phone=PHONE, email="reader@example.cn")
    assert {n.channel for n in _enqueue(recipient=person)} == {Notice.Channel.SMS, Notice.Channel.EMAIL}
    _enqueue(recipient=person)
    assert Notice.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_nothing_to_send():
    class Boom(Exception):
        pass

    person = subscriber(phone=PHONE)
    with pytest.raises(Boom), transaction.atomic():
        _enqueue(recipient=person)
        raise Boom
    assert not Notice.objects.exists()
    assert notices_sweep() == 0
    assert sms.outbox == []


@pytest.mark.django_db
def test_deliver_sends_once_with_the_notice_uuid_as_idempotency_key_and_marks_sent():
    [notice] = _enqueue()
    assert services.notice_deliver(notice_id=notice.pk) is True
    assert services.notice_deliver(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert notice.attempts == 1
    assert notice.lease_until is None
    assert sms.outbox == [(PHONE, "【平城区融媒体中心】稿件已发布", str(notice.uuid))]


@pytest.mark.django_db
def test_email_channel_renders_subject_and_body_and_carries_a_stable_message_id():
    [notice] = services.notice_enqueue(
        kind="generic", recipient=subscriber(email="reader@example.cn"), key="mail:1",
        context={"subject": "新稿件", "body": "平城区网格员筑牢防汛“安全堤”"},
    )  # fmt: skip
    assert notices_sweep() == 1
    [message] = mail.outbox
    assert message.to == ["reader@example.cn"]
    assert message.subject == "新稿件"
    assert "安全堤" in message.body
    headers = message.message()
    assert headers["X-Idempotency-Key"] == str(notice.uuid)
    assert headers["Message-ID"] == f"<notice.{notice.uuid}@pingcheng.example>"


@pytest.mark.django_db(transaction=True)
def test_notice_committed_while_the_broker_is_down_is_delivered_by_the_sweep(broker_down):
    person = subscriber(phone=PHONE)
    with transaction.atomic():
        [notice] = _enqueue(recipient=person)
    # The commit went through although the task could not be queued.
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PENDING
    assert sms.outbox == []
    assert notices_sweep() == 1
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert notices_sweep() == 0
    assert len(sms.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_delivery_refuses_to_run_inside_a_transaction():
    # The send must not happen while the caller holds locks (or SQLite's write lock) in an open transaction.
    notice = _pending_sms("event:1")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notice_deliver(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PENDING and notice.attempts == 0
    assert sms.outbox == []


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND="tests.notices.backends.SlowLocmemSmsBackend")
def test_two_sweeps_at_once_send_a_notice_once():
    for index in range(3):
        _pending_sms(f"event:{index}")
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
    assert sorted(message.text for message in sms.outbox) == ["【平城区融媒体中心】稿件已发布"] * 3
    assert len({message.idempotency_key for message in sms.outbox}) == 3
    assert Notice.objects.filter(status=Notice.Status.SENT, attempts=1).count() == 3


@pytest.mark.django_db
@override_settings(SMS_BACKEND="tests.notices.backends.FailingSmsBackend")
def test_a_failing_channel_is_retried_with_backoff_then_marked_dead():
    [notice] = _enqueue()
    assert services.notice_deliver(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED
    assert notice.attempts == 1
    assert notice.lease_until is None
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


def test_backoff_grows_and_is_capped():
    assert services.notice_backoff(1) == timedelta(minutes=1)
    assert services.notice_backoff(3) == timedelta(minutes=4)
    assert services.notice_backoff(30) == services.MAX_BACKOFF


@pytest.mark.django_db
def test_a_dead_notice_can_be_resent():
    [notice] = _enqueue()
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.DEAD, attempts=8)
    notice = services.notice_resend(notice=notice)
    assert notice.status == Notice.Status.PENDING and notice.attempts == 0
    assert notices_sweep() == 1


@pytest.mark.django_db
def test_a_dead_notice_whose_address_was_erased_cannot_be_resent():
    [notice] = _enqueue()
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.DEAD, attempts=8, recipient="")
    with pytest.raises(DomainError) as refused:
        services.notice_resend(notice=notice)
    assert refused.value.code == "notice_address_erased"
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DEAD


@pytest.mark.django_db
def test_a_scheduled_notice_waits_for_its_time():
    [notice] = _enqueue(send_after=timezone.now() + timedelta(hours=1))
    assert notices_sweep() == 0
    Notice.objects.filter(pk=notice.pk).update(
        send_after=timezone.now() - timedelta(seconds=1), next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert notices_sweep() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("email", "phone"), [("", "12345"), ("", "03525209130"), ("not-an-address", "")])
def test_a_malformed_stored_address_is_skipped_without_failing_the_caller(email, phone, caplog):
    # Rows saved without validation (an import, an old record): the event's transaction must still go on.
    person = subscriber(email=email, phone=phone)
    assert _enqueue(recipient=person) == []
    assert not Notice.objects.exists()
    assert "malformed address" in caplog.text


def test_recipients_are_masked_for_display():
    assert Notice(recipient="13800138000").masked_recipient == "138****8000"
    assert Notice(recipient="reader@example.cn").masked_recipient == "r***@example.cn"
    assert Notice(recipient="", recipient_hint="138****8000").masked_recipient == "138****8000"
