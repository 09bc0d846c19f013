"""A notice waiting to go out (scheduled or being retried) is not sent to someone who has since left:
a subscriber who unsubscribed or withdrew confirmation, a staff account that was deactivated."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pingcheng.directory.models import Role
from pingcheng.errors import DomainError
from pingcheng.notices import services, sms
from pingcheng.notices.models import Notice
from tests.factories import UserFactory, staff
from tests.notices.people import subscriber

pytestmark = pytest.mark.django_db
PHONE = "13800138000"


def _scheduled(person):
    notices = services.notice_enqueue(kind="generic", recipient=person, key="event:1",
                                      context={"subject": "主题", "body": "正文"},
                                      send_after=timezone.now() + timedelta(hours=1))  # fmt: skip
    return [n for n in notices if n.channel != Notice.Channel.INBOX]


def _fall_due(notices):
    past = timezone.now() - timedelta(seconds=1)
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(send_after=past, next_attempt_at=past)


def _assert_cancelled_without_address(notice, hint):
    notice.refresh_from_db()
    assert notice.status == Notice.Status.CANCELED
    assert "收件人已退订或停用" in notice.last_error
    assert notice.recipient == "" and notice.masked_recipient == hint
    assert notice.lease_until is None


def test_a_scheduled_notice_still_goes_to_a_subscriber_who_stayed():
    [notice] = _scheduled(subscriber(phone=PHONE))
    _fall_due([notice])
    assert services.notices_sweep() == 1
    assert [message.phone for message in sms.outbox] == [PHONE]


@pytest.mark.parametrize("change", [{"is_active": False}, {"confirmed_at": None}])
def test_a_scheduled_notice_is_not_sent_to_a_subscriber_who_left(change):
    person = subscriber(phone=PHONE)
    [notice] = _scheduled(person)
    type(person).objects.filter(pk=person.pk).update(**change)
    _fall_due([notice])
    assert services.notices_sweep() == 0
    assert sms.outbox == []
    _assert_cancelled_without_address(notice, "138****8000")
    # Finished: later sweeps leave it alone.
    assert services.notices_sweep() == 0


def test_a_failed_notice_is_not_retried_to_a_deactivated_staff_account():
    user = UserFactory(email="reporter@example.cn")
    [notice] = _scheduled(user)
    _fall_due([notice])
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.FAILED, attempts=2)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert services.notices_sweep() == 0
    assert mail.outbox == []
    _assert_cancelled_without_address(notice, "r***@example.cn")


def test_a_dead_notice_is_not_resent_to_a_subscriber_who_unsubscribed():
    person = subscriber(phone=PHONE)
    [notice] = _scheduled(person)
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.DEAD, attempts=8)
    person.is_active = False
    person.save(update_fields=["is_active"])
    with pytest.raises(DomainError) as refused:
        services.notice_resend(notice=notice)
    assert refused.value.code == "notice_recipient_left"
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DEAD and notice.attempts == 8


def test_the_admin_says_why_a_notice_to_someone_who_left_was_not_resent(client):
    person = subscriber(phone=PHONE)
    stays = subscriber(phone="13912345678")
    [gone] = _scheduled(person)
    [kept] = services.notice_enqueue(kind="generic", recipient=stays, key="event:2", context={"body": "x"})
    Notice.objects.filter(pk__in=[gone.pk, kept.pk]).update(status=Notice.Status.DEAD, attempts=8)
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    client.force_login(staff(Role.SUPERVISOR))
    response = client.post("/admin/notices/notice/", {"action": "resend", "_selected_action": [gone.pk, kept.pk]},
                           follow=True)  # fmt: skip
    assert "已重新安排 1 条通知" in response.text
    assert "1 条通知的收件人已退订或停用" in response.text
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.status == Notice.Status.DEAD and kept.status == Notice.Status.PENDING
