import pytest

from pingcheng.notices import services
from pingcheng.notices.models import Notice
from tests.factories import UserFactory
from tests.notices.people import subscriber

pytestmark = pytest.mark.django_db
C = Notice.Channel


def _enqueue(recipient, kind="generic"):
    return services.notice_enqueue(kind=kind, recipient=recipient, key="event:1",
                                   context={"subject": "主题", "body": "正文"})  # fmt: skip


def test_a_staff_user_with_an_address_gets_the_inbox_and_email():
    user = UserFactory(email="zhangsan@example.com")
    notices = {n.channel: n for n in _enqueue(user)}
    assert set(notices) == {C.INBOX, C.EMAIL}
    assert all(n.user == user and n.subscriber is None for n in notices.values())
    assert notices[C.EMAIL].recipient == "zhangsan@example.com"
    assert notices[C.EMAIL].recipient_hint == "z***@example.com"
    assert notices[C.EMAIL].status == Notice.Status.PENDING
    # The inbox row is delivered by being committed.
    assert notices[C.INBOX].recipient == ""
    assert notices[C.INBOX].status == Notice.Status.SENT and notices[C.INBOX].read_at is None


def test_a_staff_user_without_an_address_gets_the_inbox_only():
    user = UserFactory(email="")
    assert [n.channel for n in _enqueue(user)] == [C.INBOX]


def test_a_staff_user_gets_only_what_the_kind_allows(scratch_kinds):
    from pingcheng.notices.kinds import kind_register

    kind_register(name="email_only", template="generic", channels=["email"], description="测试")
    assert _enqueue(UserFactory(email=""), kind="email_only") == []
    assert [n.channel for n in _enqueue(UserFactory(email="a@example.cn"), kind="email_only")] == [C.EMAIL]


def test_an_account_that_is_not_staff_has_no_inbox():
    user = UserFactory(email="reader@example.cn", is_staff=False)
    assert [n.channel for n in _enqueue(user)] == [C.EMAIL]


def test_a_deactivated_account_gets_nothing():
    assert _enqueue(UserFactory(email="gone@example.cn", is_active=False)) == []
    assert not Notice.objects.exists()


def test_a_confirmed_subscriber_gets_email_and_sms_with_the_address_kept_at_enqueue():
    person = subscriber(email="reader@example.cn", phone="13912345678")
    notices = {n.channel: n for n in _enqueue(person)}
    assert set(notices) == {C.EMAIL, C.SMS}
    assert notices[C.SMS].recipient == "13912345678" and notices[C.SMS].recipient_hint == "139****5678"
    assert all(n.subscriber == person and n.user is None for n in notices.values())
    # A later change of address does not redirect a notice already written.
    person.phone = "13700000000"
    person.save()
    notices[C.SMS].refresh_from_db()
    assert notices[C.SMS].recipient == "13912345678"


def test_a_subscriber_gets_only_the_channels_the_kind_allows(scratch_kinds):
    from pingcheng.notices.kinds import kind_register

    kind_register(name="sms_only", template="generic", channels=["sms"], description="测试")
    assert _enqueue(subscriber(email="reader@example.cn"), kind="sms_only") == []
    both = subscriber(email="reader@example.cn", phone="13912345678")
    assert [n.channel for n in _enqueue(both, kind="sms_only")] == [C.SMS]


@pytest.mark.parametrize(("confirmed", "is_active"), [(False, True), (True, False)])
def test_an_unconfirmed_or_unsubscribed_subscriber_gets_nothing(confirmed, is_active):
    person = subscriber(phone="13912345678", confirmed=confirmed, is_active=is_active)
    assert _enqueue(person) == []
    assert not Notice.objects.exists()


def test_a_recipient_must_be_a_person():
    with pytest.raises(TypeError):
        services.notice_enqueue(kind="generic", recipient="13912345678", key="event:1")


def test_subscribers_get_an_unguessable_token_each():
    first, second = subscriber(phone="13912345678"), subscriber(email="reader@example.cn")
    assert first.token != second.token and len(first.token) >= 40
